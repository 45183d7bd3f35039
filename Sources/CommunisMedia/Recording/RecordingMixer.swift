import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pure processing of a meeting recording: no threads and no clock. The caller (normally
/// `MeetingRecorder`'s thread; tests and the benchmark directly) hands it frames with their
/// arrival time and tells it how far to mix.
///
/// - Timeline: positions are 48 kHz samples since the recording started. Each stream's
///   packets are placed by their timestamps (`RecordingStream`), decoded with that stream's
///   own libopus decoder in sequence order when their time comes, and added into a ring
///   buffer; lost packets in short gaps are concealed (libopus PLC), longer gaps are silence.
/// - Mix: every 20 ms frame of the timeline is mixed, limited (`MixLimiter`, no clipping),
///   encoded (libopus, one `OpusEncoder`) and written to the mixed Ogg Opus file — silence
///   included, so the file runs from start to stop at real time. The file's pre-skip is the
///   encoder's lookahead plus the limiter's 1 ms delay, so decoded sample 0 is timeline
///   sample 0.
/// - Participant files: with a participant folder, each stream's packets are also written
///   unchanged, as they were mixed, to `<folder>/<stream>.opus` (`OggOpusWriter`); time with
///   no packets (before the first, lost packets, pauses) is covered with `writeGap` in whole
///   20 ms frames, so each file's timeline matches the meeting's (within 20 ms).
/// - Late packets (their time already mixed) are counted and dropped.
///
/// Errors thrown are the writers' (`OggOpusWriter.WriterError`); after one, call `abandon()`.
/// Not thread-safe: one owner.
public final class RecordingMixer {
    /// What happened so far.
    public struct Statistics: Sendable, Equatable {
        /// Frames decoded into the mix.
        public var decodedFrames = 0
        /// Lost frames filled by packet-loss concealment.
        public var concealedFrames = 0
        /// Frames that arrived after their time had been mixed (dropped).
        public var lateFrames = 0
        /// Frames that were not valid Opus (dropped).
        public var invalidFrames = 0
        /// 1 ms blocks the limiter turned down.
        public var limitedBlocks = 0
        public init() {}
    }

    /// Samples per mixed frame (20 ms).
    static let frameSamples = OpusFormat.frameSamples
    /// Missing frames in a row that are still concealed (100 ms); longer gaps are silence.
    static let maxConcealed = 5
    /// The ring holds decoded audio ahead of the mix (1.36 s; what is due before the next
    /// frame ends is at most a few packets of ≤ 120 ms).
    private static let ringSize = 1 << 16

    public let path: String
    public private(set) var statistics = Statistics()
    /// The timeline up to here has been mixed and encoded.
    public private(set) var renderedThrough: Int64 = 0
    /// Stream → path of each participant's own file.
    public private(set) var participantFiles: [UInt16: String] = [:]
    /// Samples the mixed file's decoder drops at the start.
    public let preSkip: Int

    private let participantDirectory: String?
    private let encoder: OpusEncoder
    private let writer: OggOpusWriter
    private var limiter = MixLimiter()
    private var lanes: [UInt16: Lane] = [:]
    /// The same lanes in the order they were first heard (iterated every frame).
    private var order: [Lane] = []
    /// Streams removed: their frames are ignored until they are added again.
    private var removed: Set<UInt16> = []
    private var ring = [Float](repeating: 0, count: RecordingMixer.ringSize)
    private var frame = [Float](repeating: 0, count: RecordingMixer.frameSamples)
    private var decoded = [Float](repeating: 0, count: OpusFormat.maxFrameSamples)
    private var packet = [UInt8](repeating: 0, count: OpusFormat.maxPacketBytes)
    private var finished = false

    /// Creates the mixed file at `path` (and nothing else yet: participant files are created
    /// when their participant is added or first heard). Throws `OggOpusWriter.WriterError`
    /// or `OpusError`.
    public init(path: String, settings: MeetingRecorder.Settings) throws {
        self.path = path
        participantDirectory = settings.participantDirectory
        encoder = try OpusEncoder(bitrate: settings.bitrate, complexity: settings.complexity, inbandFEC: false, expectedLossPercent: 0,
                                  application: .voip)
        preSkip = encoder.lookahead + limiter.delay
        var options = OggOpusWriter.Options()
        options.preSkip = UInt16(preSkip)
        if let title = settings.title { options.comments = ["TITLE=\(title)"] }
        writer = try OggOpusWriter(path: path, options: options)
    }

    /// Length of the mixed file's audio in milliseconds (what a player shows).
    public var durationMs: Int { Int(max(0, renderedThrough - Int64(preSkip)) * 1000 / Int64(OpusFormat.sampleRate)) }

    /// A participant whose frames may arrive: its own file is created now (with a participant
    /// folder). A participant added again after `removeParticipant` is anchored anew.
    public func addParticipant(stream: UInt16) throws {
        removed.remove(stream)
        try lane(stream).timeline.restart()
    }

    /// Frames of `stream` are ignored from now on (what is waiting is still mixed).
    public func removeParticipant(stream: UInt16) {
        removed.insert(stream)
        lanes[stream]?.timeline.restart()
    }

    /// One forwarded frame (10-byte header + Opus packet) that arrived at `arrivalSample`.
    public func ingest(frame: ByteBuffer, from stream: UInt16, arrivalSample: Int64) throws {
        guard let header = AudioFrameHeader(peeking: frame), let payload = AudioFrameHeader.packet(of: frame) else {
            statistics.invalidFrames += 1
            return
        }
        try ingest(stream: stream, header: header, payload: payload, arrivalSample: arrivalSample)
    }

    /// One packet of `stream` (`payload` is the Opus packet after the header) that arrived at
    /// `arrivalSample` (48 kHz samples since the recording started).
    public func ingest(stream: UInt16, header: AudioFrameHeader, payload: ByteBuffer, arrivalSample: Int64) throws {
        guard !finished, !removed.contains(stream) else { return }
        let samples = payload.withUnsafeReadableBytes { try? OpusDecoder.sampleCount(of: $0) }
        guard let samples else {
            statistics.invalidFrames += 1
            return
        }
        let admission = try lane(stream).timeline.accept(
            header: header, payload: payload, samples: samples, arrival: arrivalSample, renderedThrough: renderedThrough)
        if admission != .queued { statistics.lateFrames += 1 }
    }

    /// Mixes, encodes and writes every whole 20 ms frame that ends at or before `sample`.
    public func render(through sample: Int64) throws {
        let frameSamples = Int64(Self.frameSamples)
        while !finished, renderedThrough + frameSamples <= sample {
            try renderFrame()
        }
    }

    /// Mixes through `sample` (rounded up to whole frames) plus what the encoder and the
    /// limiter still hold, writes end-of-stream and closes every file. Idempotent.
    public func finish(through sample: Int64) throws {
        guard !finished else { return }
        let frameSamples = Int64(Self.frameSamples)
        let end = (max(sample, 0) + frameSamples - 1) / frameSamples * frameSamples
        try render(through: end + (Int64(preSkip) + frameSamples - 1) / frameSamples * frameSamples)
        finished = true
        var firstError: (any Error)?
        do { try writer.close() } catch { firstError = error }
        for lane in order {
            do { try lane.writer?.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    /// Closes every file as well as it can after an error (nothing more is mixed).
    public func abandon() {
        guard !finished else { return }
        finished = true
        try? writer.close()
        for lane in order { try? lane.writer?.close() }
    }

    /// Every file written: the mixed one first, then the participants'.
    public var allPaths: [String] { [path] + participantFiles.sorted(by: { $0.key < $1.key }).map(\.value) }

    // MARK: Internals

    /// One stream's timeline, decoder and own file. A class, so the per-frame work mutates
    /// it in place (no copy-on-write of the waiting packets).
    private final class Lane {
        var timeline = RecordingStream()
        let decoder: OpusDecoder
        let writer: OggOpusWriter?

        init(decoder: OpusDecoder, writer: OggOpusWriter?) {
            self.decoder = decoder
            self.writer = writer
        }
    }

    /// The lane of `stream`, created (with its decoder and file) the first time.
    private func lane(_ stream: UInt16) throws -> Lane {
        if let lane = lanes[stream] { return lane }
        var writer: OggOpusWriter?
        if let participantDirectory {
            let path = participantDirectory + "/\(stream).opus"
            writer = try OggOpusWriter(path: path)
            participantFiles[stream] = path
        }
        let lane = Lane(decoder: try OpusDecoder(), writer: writer)
        lanes[stream] = lane
        order.append(lane)
        return lane
    }

    private func renderFrame() throws {
        let frameStart = renderedThrough
        let frameEnd = frameStart + Int64(Self.frameSamples)
        for lane in order where !lane.timeline.pending.isEmpty {
            try decodeDue(lane, frameStart: frameStart, frameEnd: frameEnd)
        }
        let mask = Self.ringSize - 1
        ring.withUnsafeMutableBufferPointer { ring in
            frame.withUnsafeMutableBufferPointer { frame in
                let start = Int(frameStart) & mask
                for index in 0..<Self.frameSamples {
                    frame[index] = ring[(start + index) & mask]
                    ring[(start + index) & mask] = 0
                }
                limiter.process(frame)
            }
        }
        statistics.limitedBlocks = limiter.limitedBlocks
        let length = try frame.withUnsafeBufferPointer { frame in
            try packet.withUnsafeMutableBufferPointer { try encoder.encode(frame, into: $0) }
        }
        try packet.withUnsafeBufferPointer { try writer.write(packet: UnsafeBufferPointer(rebasing: $0[0..<length])) }
        renderedThrough = frameEnd
    }

    private func decodeDue(_ lane: Lane, frameStart: Int64, frameEnd: Int64) throws {
        let decoder = lane.decoder
        while true {
            switch lane.timeline.next(frameStart: frameStart, frameEnd: frameEnd, maxConcealed: Self.maxConcealed) {
            case .done:
                return
            case .conceal:
                let count = (try? decodeInto(decoder, nil)) ?? 0
                add(count, at: lane.timeline.nextPosition)
                lane.timeline.nextPosition += Int64(max(count, lane.timeline.lastFrameSamples))
                lane.timeline.nextSequence += 1
                statistics.concealedFrames += 1
            case .decode(let pending):
                let count: Int
                do {
                    count = try pending.payload.withUnsafeReadableBytes { try decodeInto(decoder, $0) }
                    statistics.decodedFrames += 1
                } catch {
                    statistics.invalidFrames += 1
                    count = 0
                }
                add(count, at: pending.placement)
                lane.timeline.decodedEpoch = pending.epoch
                lane.timeline.nextSequence = pending.sequence + 1
                lane.timeline.nextPosition = pending.placement + Int64(pending.samples)
                if count > 0 { lane.timeline.lastFrameSamples = count }
                if let writer = lane.writer {
                    let gap = pending.placement - lane.timeline.filePosition
                    if gap >= Int64(Self.frameSamples) {
                        let whole = gap / Int64(Self.frameSamples) * Int64(Self.frameSamples)
                        try writer.writeGap(samples: Int(whole))
                        lane.timeline.filePosition += whole
                    }
                    try writer.write(packet: pending.payload.readableBytesView)
                    lane.timeline.filePosition += Int64(pending.samples)
                }
            }
        }
    }

    private func decodeInto(_ decoder: OpusDecoder, _ packet: UnsafeRawBufferPointer?) throws -> Int {
        try decoded.withUnsafeMutableBufferPointer { try decoder.decode(packet, into: $0) }
    }

    /// Adds `count` decoded samples to the ring at timeline position `position`.
    private func add(_ count: Int, at position: Int64) {
        guard count > 0 else { return }
        let mask = Self.ringSize - 1
        let start = Int(position) & mask
        ring.withUnsafeMutableBufferPointer { ring in
            decoded.withUnsafeBufferPointer { decoded in
                if start + count <= ring.count {
                    for index in 0..<count { ring[start + index] += decoded[index] }
                } else {
                    for index in 0..<count { ring[(start + index) & mask] += decoded[index] }
                }
            }
        }
    }
}
