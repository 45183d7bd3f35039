import CommunisMedia
@testable import CommunisServer
import CommunisTesting
import Foundation
import NIOCore
import NIOEmbedded
import NIOPosix
import NIOWebSocket
import Testing

/// The WebSocket side of meeting audio, on `EmbeddedChannel`s: the per-listener drop-oldest
/// queue of `ChannelSink` and the routing of binary frames by `LiveFrameHandler`.
@Suite("Audio on live connections")
struct AudioSinkTests {
    /// A connected embedded channel with the live frame handler and a sink attached to it.
    struct Connection {
        let channel = EmbeddedChannel()
        let metrics = AudioMetrics()
        let sink: ChannelSink
        let messages: AsyncStream<Data>

        init(queueCapacity: Int = 4, maxMessageBytes: Int = 65_536) throws {
            sink = ChannelSink(channel: channel, maxQueuedBytes: 1 << 20, audioQueueCapacity: queueCapacity, audioMetrics: metrics, attach: false)
            let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
            messages = stream
            let handler = LiveFrameHandler(
                settings: .init(maxMessageBytes: maxMessageBytes, pingInterval: .seconds(25), idleTimeout: .seconds(60), audioMetrics: metrics),
                messages: continuation)
            try channel.pipeline.syncOperations.addHandler(handler)
            handler.attach(sink)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        }

        /// Frames written to the client so far.
        func written() throws -> [WebSocketFrame] {
            channel.embeddedEventLoop.run()
            var frames: [WebSocketFrame] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
            return frames
        }

        /// A client frame (masked, as RFC 6455 requires).
        func receive(_ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool = true) throws {
            let key: WebSocketMaskingKey = [0x12, 0x34, 0x56, 0x78]
            var data = ByteBuffer(bytes: bytes)
            data.webSocketMask(key)
            try channel.writeInbound(WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data))
        }
    }

    static func audio(_ sequence: UInt16, stream: UInt16 = 1) -> ByteBuffer {
        AudioFrameHeader(streamId: stream, sequence: sequence, timestamp: UInt32(sequence) * 960).frame(packet: [0xF8, UInt8(sequence)])
    }

    @Test func audioGoesStraightOutWhileTheConnectionKeepsUp() throws {
        let connection = try Connection()
        connection.sink.enqueueAudio(Self.audio(1))
        connection.sink.enqueueAudio(Self.audio(2))
        connection.sink.flushAudio()
        let frames = try connection.written()
        #expect(frames.map(\.opcode) == [.binary, .binary])
        #expect(frames.map(\.data) == [Self.audio(1), Self.audio(2)])
        #expect(connection.sink.audioDropped == 0)
    }

    @Test func aSlowListenerLosesTheOldestAudioAndKeepsTheNewest() throws {
        let connection = try Connection(queueCapacity: 4)
        connection.channel.isWritable = false
        for sequence in UInt16(1)...10 { connection.sink.enqueueAudio(Self.audio(sequence)) }
        connection.sink.flushAudio()
        #expect(try connection.written().isEmpty)
        #expect(connection.sink.queuedAudio == 4)
        #expect(connection.sink.audioDropped == 6)
        #expect(connection.metrics.snapshot().droppedSlow == 6)

        // Writable again: the handler tells the sink, which sends the newest four in order.
        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        let frames = try connection.written()
        #expect(frames.map(\.data) == (UInt16(7)...10).map { Self.audio($0) })
        #expect(connection.sink.queuedAudio == 0)
        #expect(connection.channel.isActive, "a slow listener is not disconnected for audio")
    }

    @Test func textIsNotHeldBackOrDroppedByTheAudioQueue() throws {
        let connection = try Connection(queueCapacity: 2)
        connection.channel.isWritable = false
        for sequence in UInt16(1)...5 { connection.sink.enqueueAudio(Self.audio(sequence)) }
        connection.sink.send(ByteBuffer(string: #"{"v":1,"type":"presence.state"}"#))
        let frames = try connection.written()
        #expect(frames.map(\.opcode) == [.text])
        #expect(String(buffer: frames[0].data) == #"{"v":1,"type":"presence.state"}"#)
        #expect(connection.sink.audioDropped == 3)
    }

    @Test func aBinaryFrameWithoutAMeetingIsCountedNotClosed() async throws {
        // Everything on the embedded channel happens before the first `await` (the channel
        // belongs to the thread that made it).
        let connection = try Connection()
        try connection.receive(.binary, Array(Self.audio(1).readableBytesView))
        try connection.receive(.binary, [0xde, 0xad])
        #expect(try connection.written().isEmpty, "no close frame")
        #expect(connection.channel.isActive)
        #expect(connection.metrics.snapshot().unrouted == 2)
        // Text still works after binary frames.
        try connection.receive(.text, Array(#"{"v":1,"type":"ping"}"#.utf8))
        var messages = connection.messages.makeAsyncIterator()
        #expect(await messages.next().map { String(decoding: $0, as: UTF8.self) } == #"{"v":1,"type":"ping"}"#)
    }

    @Test func binaryFramesReachTheMeetingRelayUnchanged() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let metrics = AudioMetrics()
        let relay = AudioRelay(loop: group.next(), limits: AudioLimits(), metrics: metrics, onSpeaking: { _ in })
        let listener = RecordingAudioListener(stream: 2, loop: group.next())
        await relay.add(stream: 1, listener: RecordingAudioListener(stream: 1, loop: group.next()), muted: false)
        await relay.add(stream: 2, listener: listener, muted: false)

        // From here until the end of the channel's use, no `await` (see above).
        let connection = try Connection()
        connection.sink.setUplink(AudioUplink(relay: relay, stream: 1))
        try connection.receive(.binary, Array(Self.audio(1).readableBytesView))
        // A fragmented binary message is assembled first.
        let second = Array(Self.audio(2).readableBytesView)
        try connection.receive(.binary, Array(second.prefix(6)), fin: false)
        try connection.receive(.continuation, Array(second.dropFirst(6)))
        #expect(Self.blockUntil { listener.count == 2 })
        #expect(listener.frames == [Self.audio(1), Self.audio(2)])
        #expect(try connection.written().isEmpty, "nothing back to the sender, no close")
        #expect(metrics.snapshot().packetsIn == 2)

        // Leaving the meeting clears the route: frames are unrouted again.
        connection.sink.setUplink(nil)
        try connection.receive(.binary, Array(Self.audio(3).readableBytesView))
        #expect(connection.metrics.snapshot().unrouted == 1)

        await relay.close()
        try await group.shutdownGracefully()
    }

    @Test func binaryMessagesObeyTheMessageLimit() throws {
        let connection = try Connection(maxMessageBytes: 64)
        try connection.receive(.binary, [UInt8](repeating: 1, count: 65))
        let frames = try connection.written()
        #expect(frames.first?.opcode == .connectionClose)
        var data = frames.first?.data ?? ByteBuffer()
        #expect(data.readInteger(as: UInt16.self) == 1009)
    }

    /// What NIO's own encoder sends for a binary server frame with `payload`.
    static func encodedByNIO(_ payload: ByteBuffer) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .binary, data: payload))
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    @Test(arguments: [3, 125, 126, 1285, 65_535])
    func receivedAudioCarriesTheServerFrameHeaderInFront(payloadBytes: Int) throws {
        let payload = ByteBuffer(bytes: (0..<payloadBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let key: WebSocketMaskingKey = [0x0a, 0xb0, 0x0c, 0xd0]
        var masked = payload
        masked.webSocketMask(key)
        let unmasked = AudioWire.unmasked(WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: masked), allocator: ByteBufferAllocator())
        #expect(unmasked == payload, "readers see exactly the audio frame")
        let wire = try #require(AudioWire.wireFrame(unmasked))
        #expect(Array(wire.readableBytesView) == (try Self.encodedByNIO(payload)))
        #expect(AudioWire.wireFrame(payload) == nil, "a buffer without the header in front goes through the encoder")
    }

    @Test func preEncodedAudioLeavesBelowTheEncoderAsTheSameBytes() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let sink = ChannelSink(channel: channel, maxQueuedBytes: 1 << 20, audioQueueCapacity: 4, attach: false)
        sink.useEncoder(of: channel.pipeline)
        let audio = Self.audio(5)
        let key: WebSocketMaskingKey = [1, 2, 3, 4]
        var masked = audio
        masked.webSocketMask(key)
        let received = AudioWire.unmasked(WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: masked), allocator: channel.allocator)
        sink.enqueueAudio(received)  // pre-encoded: one buffer, written below the encoder
        sink.enqueueAudio(audio)     // plain: through the encoder (header + payload)
        sink.flushAudio()
        channel.embeddedEventLoop.run()
        var buffers: [[UInt8]] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { buffers.append(Array(buffer.readableBytesView)) }
        let expected = try Self.encodedByNIO(audio)
        #expect(buffers.first == expected)
        #expect(Array(buffers.dropFirst().joined()) == expected)
    }

    /// Polls without suspending (the relay runs on its own NIO thread), for at most 20 s.
    static func blockUntil(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return condition()
    }
}
