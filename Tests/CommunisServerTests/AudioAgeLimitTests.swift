import CommunisMedia
@testable import CommunisServer
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// `meeting.audio_max_age_ms` on a listener's audio queue (`ChannelSink`), on an
/// `EmbeddedChannel` with a clock of the test's own.
@Suite("Audio age limit of a listener's queue")
struct AudioAgeLimitTests {
    final class Clock: Sendable {
        private let nanoseconds = NIOLockedValueBox<Int64>(1_000_000_000)
        var now: NIODeadline { .uptimeNanoseconds(UInt64(nanoseconds.withLockedValue { $0 })) }
        func advance(_ amount: TimeAmount) { nanoseconds.withLockedValue { $0 += amount.nanoseconds } }
    }

    struct Listener {
        let channel = EmbeddedChannel()
        let metrics = AudioMetrics()
        let clock = Clock()
        let sink: ChannelSink

        init(queueCapacity: Int = 64, maxAge: TimeAmount = .milliseconds(1000)) throws {
            let clock = clock
            sink = ChannelSink(channel: channel, maxQueuedBytes: 1 << 20, audioQueueCapacity: queueCapacity, audioMaxAge: maxAge,
                               audioMetrics: metrics, attach: false, now: { clock.now })
            let (_, continuation) = AsyncStream.makeStream(of: Data.self)
            let handler = LiveFrameHandler(
                settings: .init(maxMessageBytes: 65_536, pingInterval: .seconds(25), idleTimeout: .seconds(60), audioMetrics: metrics),
                messages: continuation)
            try channel.pipeline.syncOperations.addHandler(handler)
            handler.attach(sink)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        }

        func written() throws -> [ByteBuffer] {
            channel.embeddedEventLoop.run()
            var frames: [ByteBuffer] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame.data) }
            return frames
        }

        func drain() {
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
        }
    }

    static func audio(_ sequence: UInt16) -> ByteBuffer {
        AudioFrameHeader(streamId: 1, sequence: sequence, timestamp: UInt32(sequence) * 960).frame(packet: [0xF8, UInt8(sequence)])
    }

    @Test("A stalled listener: audio older than the limit when the socket drains is dropped and counted as stale; the rest is sent in order")
    func staleAudioIsDropped() throws {
        let listener = try Listener(maxAge: .milliseconds(1000))
        listener.channel.isWritable = false
        // A 1.5 s stall: 75 frames of 20 ms arrive while the socket takes nothing.
        for sequence in UInt16(1)...75 {
            listener.sink.enqueueAudio(Self.audio(sequence))
            listener.clock.advance(.milliseconds(20))
        }
        listener.sink.flushAudio()
        #expect(try listener.written().isEmpty)
        // The queue holds at most 64: the 11 oldest were dropped as slow.
        #expect(listener.sink.audioDropped == 11)

        listener.drain()
        let sent = try listener.written()
        // Now is 1.5 s after the first frame: frames that arrived more than 1 s ago are stale.
        // Frame n arrived at (n-1)·20 ms; now is 1500 ms; kept: (n-1)·20 ≥ 500, n ≥ 26.
        #expect(sent == (UInt16(26)...75).map { Self.audio($0) })
        #expect(listener.sink.audioDroppedStale == 25 - 11)
        #expect(listener.metrics.snapshot().droppedStale == 14)
        #expect(listener.metrics.snapshot().droppedSlow == 11)
        #expect(listener.channel.isActive, "a stalled listener keeps its connection")
    }

    @Test("A short stall loses nothing; audio that never waited is never stale")
    func shortStall() throws {
        let listener = try Listener(maxAge: .milliseconds(1000))
        listener.sink.enqueueAudio(Self.audio(1))
        listener.sink.flushAudio()
        #expect(try listener.written() == [Self.audio(1)])
        listener.channel.isWritable = false
        for sequence in UInt16(2)...11 {
            listener.sink.enqueueAudio(Self.audio(sequence))
            listener.clock.advance(.milliseconds(20))
        }
        listener.clock.advance(.milliseconds(700))
        listener.drain()
        #expect(try listener.written() == (UInt16(2)...11).map { Self.audio($0) })
        #expect(listener.sink.audioDroppedStale == 0 && listener.sink.audioDropped == 0)
    }

    @Test("Text is never dropped for age")
    func textIsKept() throws {
        let listener = try Listener(maxAge: .milliseconds(100))
        listener.channel.isWritable = false
        listener.sink.enqueueAudio(Self.audio(1))
        listener.sink.send(ByteBuffer(string: #"{"v":1,"type":"presence.state"}"#))
        listener.clock.advance(.seconds(5))
        listener.drain()
        let frames = try listener.written()
        #expect(frames == [ByteBuffer(string: #"{"v":1,"type":"presence.state"}"#)])
        #expect(listener.sink.audioDroppedStale == 1)
    }
}
