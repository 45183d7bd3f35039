import NIOCore

/// The 10-byte header in front of every Opus packet in a binary WebSocket frame
/// (docs/protocol.md, "Audio frames"). All integers big-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | `0x10`: version 1 (high nibble), kind 0 = Opus audio (low nibble) |
/// | 1 | 1 | bit 7 voice activity; bits 0–6 audio level in −dBov (0 loudest, 127 silence) |
/// | 2 | 2 | stream id of the sender |
/// | 4 | 2 | sequence number, wraps |
/// | 6 | 4 | 48 kHz timestamp of the first sample, wraps |
///
/// Parsing reads the bytes in place (`getInteger` at the reader index): the frame is never
/// copied, so the relay can forward the very buffer it validated.
public struct AudioFrameHeader: Sendable, Hashable {
    /// Bytes before the Opus packet.
    public static let size = 10
    /// Version 1, kind 0 (Opus audio): the only value of byte 0 this server accepts.
    public static let opusVersion1: UInt8 = 0x10
    /// Samples per second of the timestamp clock.
    public static let clockRate = 48_000

    /// The sender thinks this packet is speech.
    public var voiceActivity: Bool
    /// Audio level in −dBov, 0 (loudest) … 127 (silence), as in RFC 6464.
    public var level: UInt8
    public var streamId: UInt16
    public var sequence: UInt16
    public var timestamp: UInt32

    public init(voiceActivity: Bool = false, level: UInt8 = 127, streamId: UInt16, sequence: UInt16, timestamp: UInt32) {
        self.voiceActivity = voiceActivity
        self.level = min(level, 127)
        self.streamId = streamId
        self.sequence = sequence
        self.timestamp = timestamp
    }

    /// Reads the header at the buffer's reader index without moving it. Nil when fewer than
    /// 10 bytes are readable or byte 0 is not version 1 / kind Opus.
    @inlinable
    public init?(peeking buffer: ByteBuffer) {
        guard case .success(let header) = Self.parse(buffer) else { return nil }
        self = header
    }

    /// Reads the header at the buffer's reader index without moving it.
    @inlinable
    public static func parse(_ buffer: ByteBuffer) -> Result<AudioFrameHeader, AudioFrameError> {
        let at = buffer.readerIndex
        guard buffer.readableBytes >= size else { return .failure(.tooShort) }
        // The force-unwraps are safe: 10 readable bytes were checked above.
        let versionAndKind = buffer.getInteger(at: at, as: UInt8.self)!
        guard versionAndKind == opusVersion1 else { return .failure(.unsupportedVersion(versionAndKind)) }
        let levelByte = buffer.getInteger(at: at + 1, as: UInt8.self)!
        return .success(AudioFrameHeader(
            voiceActivity: levelByte & 0x80 != 0, level: levelByte & 0x7f,
            streamId: buffer.getInteger(at: at + 2, as: UInt16.self)!,
            sequence: buffer.getInteger(at: at + 4, as: UInt16.self)!,
            timestamp: buffer.getInteger(at: at + 6, as: UInt32.self)!))
    }

    /// Checks a whole frame by the rules of docs/protocol.md: a well-formed header, the
    /// sender's own stream id, and a packet of 1…`maxPacketBytes` bytes.
    @inlinable
    public static func validate(_ frame: ByteBuffer, from stream: UInt16, maxPacketBytes: Int) -> Result<AudioFrameHeader, AudioFrameError> {
        switch parse(frame) {
        case .failure(let error):
            return .failure(error)
        case .success(let header):
            guard header.streamId == stream else { return .failure(.wrongStream(header.streamId)) }
            let packetBytes = frame.readableBytes - size
            guard packetBytes > 0 else { return .failure(.emptyPacket) }
            guard packetBytes <= maxPacketBytes else { return .failure(.packetTooBig(packetBytes)) }
            return .success(header)
        }
    }

    /// Byte 1: the voice-activity bit and the level.
    @inlinable
    public var levelByte: UInt8 { (voiceActivity ? 0x80 : 0) | (level & 0x7f) }

    /// Appends the 10 header bytes.
    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.opusVersion1)
        buffer.writeInteger(levelByte)
        buffer.writeInteger(streamId)
        buffer.writeInteger(sequence)
        buffer.writeInteger(timestamp)
    }

    /// A complete audio frame: this header followed by `packet`.
    public func frame(packet: some Collection<UInt8>, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Self.size + packet.count)
        write(to: &buffer)
        buffer.writeBytes(packet)
        return buffer
    }

    /// The Opus packet behind the header of `frame` (a slice of the same storage, no copy).
    public static func packet(of frame: ByteBuffer) -> ByteBuffer? {
        guard frame.readableBytes > size else { return nil }
        return frame.getSlice(at: frame.readerIndex + size, length: frame.readableBytes - size)
    }
}

/// Why an audio frame was not forwarded as malformed.
public enum AudioFrameError: Error, Sendable, Hashable {
    /// Fewer than 10 bytes.
    case tooShort
    /// Byte 0 is not `0x10` (version 1, kind Opus).
    case unsupportedVersion(UInt8)
    /// The header names another stream than the sending connection's.
    case wrongStream(UInt16)
    /// Nothing after the header.
    case emptyPacket
    /// More than `meeting.max_packet_bytes` after the header.
    case packetTooBig(Int)
}
