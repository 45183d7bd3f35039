import CommunisMedia
import NIOCore
import NIOPosix
import Testing

/// The relay on a real two-loop `MultiThreadedEventLoopGroup`, with listeners on both loops.
@Suite("Audio relay")
struct AudioRelayTests {
    /// A relay on loop 0 and `streams` listeners alternating between loop 0 and loop 1.
    final class Meeting: Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let relay: AudioRelay
        let listeners: [UInt16: RecordingListener]
        let metrics = AudioMetrics()
        let speaking = SpeakingLog()

        init(streams: [UInt16], limits: AudioLimits = AudioLimits(maxPacketsPerSecond: 1000), muted: Set<UInt16> = []) async {
            let loops = Array(group.makeIterator())
            let speaking = speaking
            relay = AudioRelay(loop: loops[0], limits: limits, metrics: metrics, onSpeaking: { speaking.record($0) })
            var listeners: [UInt16: RecordingListener] = [:]
            for (index, stream) in streams.enumerated() {
                listeners[stream] = RecordingListener(stream: stream, loop: loops[index % 2])
            }
            self.listeners = listeners
            for stream in streams {
                await relay.add(stream: stream, listener: listeners[stream]!, muted: muted.contains(stream))
            }
        }

        func close() async throws {
            await relay.close()
            try await group.shutdownGracefully()
        }

        /// Sends `count` frames from `stream`, sequence numbers from `first`, from this thread.
        func send(from stream: UInt16, count: Int, first: UInt16 = 0) {
            for index in 0..<count { relay.receive(frame(stream: stream, sequence: first &+ UInt16(index)), from: stream) }
        }

        func statistics(of stream: UInt16) async -> AudioStreamStatistics? {
            await relay.statistics().first { $0.streamId == stream }
        }
    }

    @Test func everyOtherParticipantReceivesEachPacketOnceInOrderAndNeverTheSender() async throws {
        let meeting = await Meeting(streams: [1, 2, 3, 4])
        let sent: [UInt16: [ByteBuffer]] = Dictionary(uniqueKeysWithValues: [UInt16](arrayLiteral: 1, 2, 3, 4).map { stream in
            (stream, (0..<40).map { frame(stream: stream, sequence: UInt16($0)) })
        })
        // Senders interleave, each from its own task (as connections on different loops would).
        await withTaskGroup(of: Void.self) { tasks in
            for (stream, frames) in sent {
                tasks.addTask { for frame in frames { meeting.relay.receive(frame, from: stream) } }
            }
        }
        let listeners = meeting.listeners
        #expect(await eventually { listeners.values.allSatisfy { $0.count == 3 * 40 } })
        try await Task.sleep(for: .milliseconds(50))  // room for a wrong extra frame to show up
        for (stream, listener) in listeners {
            #expect(listener.count == 120)
            #expect(listener.frames(from: stream).isEmpty, "stream \(stream) got its own audio back")
            for (sender, frames) in sent where sender != stream {
                #expect(listener.frames(from: sender) == frames, "stream \(stream) got stream \(sender)'s frames complete, in order, byte-identical")
            }
            #expect(listener.offLoopCalls == 0)
        }
        let stats = await meeting.relay.statistics()
        #expect(stats.map(\.streamId) == [1, 2, 3, 4])
        #expect(stats.allSatisfy { $0.packetsIn == 40 && $0.packetsOut == 120 && $0.lost == 0 })
        #expect(meeting.metrics.snapshot().packetsIn == 160)
        #expect(meeting.metrics.snapshot().packetsOut == 480)
        try await meeting.close()
    }

    @Test func theSameBufferIsForwardedWithoutCopying() async throws {
        let meeting = await Meeting(streams: [1, 2])
        let original = frame(stream: 1, sequence: 7)
        meeting.relay.receive(original, from: 1)
        let listener = meeting.listeners[2]!
        #expect(await eventually { listener.count == 1 })
        let received = listener.frames[0]
        let sameStorage = received.withUnsafeReadableBytes { a in original.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
        #expect(sameStorage)
        try await meeting.close()
    }

    @Test func aMutedSenderIsNotForwardedAndIsCounted() async throws {
        let meeting = await Meeting(streams: [1, 2, 3], muted: [2])
        meeting.send(from: 2, count: 10)
        meeting.send(from: 1, count: 5)
        let listeners = meeting.listeners
        #expect(await eventually { listeners[3]!.count == 5 && listeners[2]!.count == 5 })
        #expect(listeners[1]!.count == 0)
        #expect(listeners[3]!.frames(from: 2).isEmpty)
        #expect(await meeting.statistics(of: 2)?.mutedDropped == 10)
        #expect(meeting.metrics.snapshot().mutedDropped == 10)
        // Unmuted, the same sender is heard again.
        await meeting.relay.setMuted(2, false)
        meeting.send(from: 2, count: 3, first: 10)
        #expect(await eventually { listeners[1]!.count == 3 && listeners[3]!.count == 8 })
        try await meeting.close()
    }

    @Test func aRemovedStreamReceivesNothingAndIsNotForwarded() async throws {
        let meeting = await Meeting(streams: [1, 2, 3])
        let listeners = meeting.listeners
        meeting.send(from: 1, count: 3)
        #expect(await eventually { listeners[2]!.count == 3 && listeners[3]!.count == 3 })
        await meeting.relay.remove(stream: 3)
        meeting.send(from: 1, count: 4, first: 3)
        meeting.send(from: 3, count: 4)  // a frame in flight from a connection that left
        #expect(await eventually { listeners[2]!.count == 7 })
        // Stream 2 got all of them, so the relay has handled them; stream 3 was not among
        // the recipients of any.
        #expect(listeners[3]!.count == 3)
        #expect(listeners[1]!.count == 0)
        #expect(await eventually { meeting.metrics.snapshot().unrouted == 4 })
        #expect(await meeting.relay.statistics().map(\.streamId) == [1, 2])
        try await meeting.close()
    }

    @Test func malformedFramesAreCountedAndTheRelayKeepsWorking() async throws {
        let meeting = await Meeting(streams: [1, 2], limits: AudioLimits(maxPacketBytes: 100, maxPacketsPerSecond: 1000))
        let listeners = meeting.listeners
        let relay = meeting.relay
        let good = frame(stream: 1, sequence: 0)
        var wrongVersion = good
        wrongVersion.setInteger(UInt8(0x20), at: 0)
        let malformed: [ByteBuffer] = [
            ByteBuffer(bytes: [0x10, 0x00, 0x00]),                                   // short
            ByteBuffer(),                                                            // nothing at all
            wrongVersion,                                                            // version 2
            frame(stream: 2, sequence: 0),                                           // someone else's stream id
            ByteBuffer(bytes: [0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0]),                    // empty packet
            frame(stream: 1, sequence: 0, payload: [UInt8](repeating: 0xAB, count: 101)),  // too big
        ]
        for _ in 0..<50 { for bad in malformed { relay.receive(bad, from: 1) } }
        relay.receive(good, from: 1)
        #expect(await eventually { listeners[2]!.count == 1 })
        #expect(listeners[2]!.frames == [good])
        #expect(await meeting.statistics(of: 1)?.malformed == 300)
        #expect(meeting.metrics.snapshot().malformed == 300)
        try await meeting.close()
    }

    @Test func aSenderOverItsRateIsLimited() async throws {
        let meeting = await Meeting(streams: [1, 2], limits: AudioLimits(maxPacketsPerSecond: 10))
        meeting.send(from: 1, count: 200)
        #expect(await eventually { await meeting.statistics(of: 1)?.packetsIn == 200 })
        let stats = await meeting.statistics(of: 1)
        let limited = stats?.rateLimited ?? 0
        // A burst of ten passes; the rest arrives far faster than 10/s.
        #expect(limited > 0)
        #expect(await eventually { meeting.listeners[2]!.count + limited == 200 })
        #expect(meeting.metrics.snapshot().rateLimited == limited)
        try await meeting.close()
    }

    @Test func theSpeakingSetIsReportedWhenItChanges() async throws {
        let meeting = await Meeting(streams: [1, 2, 3], limits: AudioLimits(maxPacketsPerSecond: 1000, speakingWindow: .milliseconds(300)))
        let log = meeting.speaking
        meeting.relay.receive(frame(stream: 2, sequence: 0, voice: true, level: 40), from: 2)
        #expect(await eventually { log.all.contains([2]) })
        #expect(await meeting.relay.speaking() == [2])
        // Silence: the set empties once the window has passed.
        #expect(await eventually { log.all.last == [] })
        let reports = log.all
        #expect(reports == [[2], []], "reported only on changes")
        try await meeting.close()
    }

    @Test func statisticsCarryEachListenersSlowDrops() async throws {
        let meeting = await Meeting(streams: [1, 2, 3])
        meeting.listeners[3]!.setDropped(7)
        meeting.send(from: 1, count: 4)
        meeting.send(from: 2, count: 2)
        let listeners = meeting.listeners
        #expect(await eventually { listeners[3]!.count == 6 })
        let stats = await meeting.relay.statistics()
        #expect(stats.map(\.droppedSlow) == [0, 0, 7])
        #expect(stats.map(\.packetsIn) == [4, 2, 0])
        #expect(stats.map(\.packetsOut) == [2, 4, 6])
        try await meeting.close()
    }

    @Test func afterCloseFramesAreIgnored() async throws {
        let meeting = await Meeting(streams: [1, 2])
        await meeting.relay.close()
        meeting.send(from: 1, count: 3)
        #expect(await eventually { meeting.metrics.snapshot().unrouted == 3 })
        #expect(meeting.listeners[2]!.count == 0)
        await meeting.relay.add(stream: 3, listener: meeting.listeners[2]!, muted: false)
        #expect(await meeting.relay.statistics().isEmpty)
        try await meeting.group.shutdownGracefully()
    }
}
