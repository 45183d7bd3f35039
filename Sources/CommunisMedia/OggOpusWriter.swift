import COgg
import COpus
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes Opus packets, exactly as received (no decoding, no re-encoding), into an Ogg Opus
/// file (RFC 7845) with libogg: an OpusHead page, an OpusTags page, then audio pages whose
/// granule positions count 48 kHz samples (`opus_packet_get_nb_samples`), and the end-of-stream
/// flag on the last page.
///
/// Durability: pages are written to the file descriptor as libogg fills them and at least
/// once per second of audio (`flushInterval`), so a crash of the process loses at most about
/// the last second. The newest packet is held back until the next one (or `close`) so that it
/// can carry the end-of-stream flag.
///
/// Not thread-safe: one owner (for a recording, the task or actor that records one
/// participant). Closing is explicit; `deinit` closes a writer that was left open.
public final class OggOpusWriter {
    public struct Options: Sendable {
        /// Samples to drop at the start of decoding (the sender's encoder lookahead; 312 is
        /// libopus's at 48 kHz, which browsers use).
        public var preSkip: UInt16 = 312
        /// Vendor string of OpusTags.
        public var vendor = "Communis"
        /// `KEY=value` user comments of OpusTags (for example `TITLE=Veckomöte IT`).
        public var comments: [String] = []
        /// Ogg stream serial number; random by default.
        public var serialNumber: Int32 = Int32.random(in: 1...Int32.max)
        /// Pages are forced out after this many samples since the last forced flush.
        public var flushInterval = 48_000

        public init() {}
    }

    public enum WriterError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file could not be created or written (`errno`).
        case io(path: String, errno: Int32)
        /// The packet is not valid Opus (no sample count), so it cannot be placed in time.
        case invalidPacket
        /// `write` after `close`.
        case closed
        /// libogg refused a packet (out of memory).
        case ogg

        public var description: String {
            switch self {
            case .io(let path, let code): "cannot write \(path): \(String(cString: strerror(code)))"
            case .invalidPacket: "not a valid Opus packet"
            case .closed: "the recording is already closed"
            case .ogg: "libogg could not add the packet"
            }
        }
    }

    public let path: String
    private let options: Options
    private var fd: Int32
    /// libogg's pages point into the stream state, so it lives at a fixed heap address.
    private let stream: UnsafeMutablePointer<ogg_stream_state>
    private var packetNumber: Int64 = 0
    /// Samples of all packets written so far (including the held one once it is written).
    private var granule: Int64 = 0
    private var lastFlushGranule: Int64 = 0
    /// The newest packet, held back so the last one can be flagged end-of-stream.
    private var held: [UInt8]?
    public private(set) var isClosed = false
    /// Audio packets accepted so far.
    public private(set) var packetCount = 0

    /// Creates (or truncates) the file at `path` and writes the two header pages.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriterError.io(path: path, errno: errno) }
        stream = .allocate(capacity: 1)
        ogg_stream_init(stream, options.serialNumber)
        do {
            try addPacket(Self.opusHead(preSkip: options.preSkip), granule: 0, beginning: true, end: false)
            try flushPages()
            try addPacket(Self.opusTags(vendor: options.vendor, comments: options.comments), granule: 0, beginning: false, end: false)
            try flushPages()
        } catch {
            release()
            throw error
        }
    }

    deinit {
        if !isClosed { try? close() }
    }

    /// Adds one Opus packet (without the 10-byte audio frame header).
    public func write(packet: some Collection<UInt8>) throws {
        guard !isClosed else { throw WriterError.closed }
        let bytes = Array(packet)
        // Checked now, so an invalid packet is refused when it is offered, not later.
        _ = try bytes.withUnsafeBytes { try Self.samples(in: $0) }
        if let previous = held {
            try writeAudio(previous, end: false)
        }
        held = bytes
        packetCount += 1
    }

    /// Covers `samples` of missing audio (a participant muted, packets lost) so the file's
    /// timeline stays that of the meeting: Ogg Opus has no gaps in granule positions, so the
    /// time is filled with 20 ms packets of one TOC byte and no frame data, which decoders
    /// play as concealment fading to silence (RFC 6716 §3.2.1). Rounded up to 20 ms.
    public func writeGap(samples: Int) throws {
        guard samples > 0 else { return }
        let frames = (samples + OpusFormat.frameSamples - 1) / OpusFormat.frameSamples
        for _ in 0..<frames { try write(packet: Self.emptyFrame) }
    }

    /// TOC 0xF8: CELT fullband 20 ms, mono, one frame, of zero length.
    static let emptyFrame: [UInt8] = [0xF8]

    /// Writes the held packet with end-of-stream, all pages, and closes the file.
    public func close() throws {
        guard !isClosed else { return }
        defer { release() }
        // A stream without audio still needs a last page with end-of-stream: one empty
        // frame (20 ms of concealment, i.e. silence).
        try writeAudio(held ?? Self.emptyFrame, end: true)
        held = nil
        try flushPages()
        if fsync(fd) != 0 { throw WriterError.io(path: path, errno: errno) }
    }

    // MARK: Internals

    private func writeAudio(_ packet: [UInt8], end: Bool) throws {
        granule += Int64(try packet.withUnsafeBytes { try Self.samples(in: $0) })
        try addPacket(packet, granule: granule, beginning: false, end: end)
        if granule - lastFlushGranule >= Int64(options.flushInterval) {
            lastFlushGranule = granule
            try flushPages()
        } else {
            try writeFullPages()
        }
    }

    private func addPacket(_ bytes: [UInt8], granule: Int64, beginning: Bool, end: Bool) throws {
        var bytes = bytes
        let result = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var packet = ogg_packet(
                packet: buffer.baseAddress, bytes: buffer.count, b_o_s: beginning ? 1 : 0, e_o_s: end ? 1 : 0,
                granulepos: granule, packetno: packetNumber)
            // libogg copies the bytes into the stream state.
            return ogg_stream_packetin(stream, &packet)
        }
        guard result == 0 else { throw WriterError.ogg }
        packetNumber += 1
    }

    /// Writes the pages libogg considers full (about 4 KiB, or 255 segments).
    private func writeFullPages() throws {
        var page = ogg_page()
        while ogg_stream_pageout(stream, &page) != 0 { try writePage(page) }
    }

    /// Writes every pending packet out as pages, full or not.
    private func flushPages() throws {
        var page = ogg_page()
        while ogg_stream_flush(stream, &page) != 0 { try writePage(page) }
    }

    private func writePage(_ page: ogg_page) throws {
        try writeAll(page.header, count: page.header_len)
        try writeAll(page.body, count: page.body_len)
    }

    private func writeAll(_ start: UnsafeMutablePointer<UInt8>?, count: Int) throws {
        guard var pointer = start.map(UnsafeRawPointer.init) else { return }
        var remaining = count
        while remaining > 0 {
            let written = Glibc.write(fd, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw WriterError.io(path: path, errno: errno)
            }
            remaining -= written
            pointer += written
        }
    }

    private func release() {
        guard !isClosed else { return }
        isClosed = true
        ogg_stream_clear(stream)
        stream.deallocate()
        Glibc.close(fd)
        fd = -1
    }

    private static func samples(in packet: UnsafeRawBufferPointer) throws -> Int {
        do {
            return try OpusDecoder.sampleCount(of: packet)
        } catch {
            throw WriterError.invalidPacket
        }
    }

    /// RFC 7845 §5.1: magic, version 1, one channel, pre-skip, 48 kHz input rate, gain 0,
    /// channel mapping family 0. Integers little-endian.
    static func opusHead(preSkip: UInt16) -> [UInt8] {
        var bytes = Array("OpusHead".utf8)
        bytes += [1, 1]
        bytes += withUnsafeBytes(of: preSkip.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: UInt32(48_000).littleEndian, Array.init)
        bytes += [0, 0, 0]
        return bytes
    }

    /// RFC 7845 §5.2: magic, vendor string, user comments, each length-prefixed (LE 32-bit).
    static func opusTags(vendor: String, comments: [String]) -> [UInt8] {
        var bytes = Array("OpusTags".utf8)
        func appendString(_ string: String) {
            bytes += withUnsafeBytes(of: UInt32(string.utf8.count).littleEndian, Array.init)
            bytes += Array(string.utf8)
        }
        appendString(vendor)
        bytes += withUnsafeBytes(of: UInt32(comments.count).littleEndian, Array.init)
        comments.forEach(appendString)
        return bytes
    }
}
