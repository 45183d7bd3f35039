import CommunisMedia
import NIOCore
import Testing

@Suite("Audio frame header")
struct AudioFrameHeaderTests {
    /// docs/protocol.md: stream 3, sequence 258, timestamp 48000, level −30 dBov with voice,
    /// a 3-byte packet.
    static let example: [UInt8] = [0x10, 0x9e, 0x00, 0x03, 0x01, 0x02, 0x00, 0x00, 0xbb, 0x80, 0xf8, 0xff, 0xfe]

    @Test func parsesTheDocumentedExample() throws {
        let buffer = ByteBuffer(bytes: Self.example)
        let header = try AudioFrameHeader.parse(buffer).get()
        #expect(header == AudioFrameHeader(voiceActivity: true, level: 30, streamId: 3, sequence: 258, timestamp: 48_000))
        #expect(buffer.readerIndex == 0, "parsing does not consume")
        #expect(AudioFrameHeader.packet(of: buffer).map { Array($0.readableBytesView) } == [0xf8, 0xff, 0xfe])
    }

    @Test func encodesTheDocumentedExample() {
        let header = AudioFrameHeader(voiceActivity: true, level: 30, streamId: 3, sequence: 258, timestamp: 48_000)
        #expect(Array(header.frame(packet: [0xf8, 0xff, 0xfe]).readableBytesView) == Self.example)
    }

    @Test func roundTripsExtremeValues() throws {
        let header = AudioFrameHeader(voiceActivity: false, level: 127, streamId: 65535, sequence: 65535, timestamp: .max)
        var buffer = ByteBuffer()
        header.write(to: &buffer)
        #expect(buffer.readableBytes == AudioFrameHeader.size)
        #expect(try AudioFrameHeader.parse(buffer).get() == header)
    }

    @Test func readsAtTheReaderIndex() throws {
        var buffer = ByteBuffer(bytes: [0xAA, 0xBB] + Self.example)
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try AudioFrameHeader.parse(buffer).get().sequence == 258)
        #expect(try AudioFrameHeader.validate(buffer, from: 3, maxPacketBytes: 3).get().streamId == 3)
    }

    @Test func validatesByTheRulesOfTheProtocol() {
        let good = ByteBuffer(bytes: Self.example)
        #expect(AudioFrameHeader.validate(good, from: 3, maxPacketBytes: 1000).isSuccess)
        #expect(AudioFrameHeader.validate(ByteBuffer(bytes: Self.example.prefix(9)), from: 3, maxPacketBytes: 1000).failure == .tooShort)
        #expect(AudioFrameHeader.validate(ByteBuffer(), from: 3, maxPacketBytes: 1000).failure == .tooShort)
        var wrongVersion = Self.example
        wrongVersion[0] = 0x20
        #expect(AudioFrameHeader.validate(ByteBuffer(bytes: wrongVersion), from: 3, maxPacketBytes: 1000).failure == .unsupportedVersion(0x20))
        var wrongKind = Self.example
        wrongKind[0] = 0x11
        #expect(AudioFrameHeader.validate(ByteBuffer(bytes: wrongKind), from: 3, maxPacketBytes: 1000).failure == .unsupportedVersion(0x11))
        #expect(AudioFrameHeader.validate(good, from: 4, maxPacketBytes: 1000).failure == .wrongStream(3))
        #expect(AudioFrameHeader.validate(ByteBuffer(bytes: Self.example.prefix(10)), from: 3, maxPacketBytes: 1000).failure == .emptyPacket)
        #expect(AudioFrameHeader.validate(good, from: 3, maxPacketBytes: 2).failure == .packetTooBig(3))
        #expect(AudioFrameHeader.validate(good, from: 3, maxPacketBytes: 3).isSuccess)
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
