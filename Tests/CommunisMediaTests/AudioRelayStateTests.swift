import CommunisMedia
import NIOCore
import Testing

/// The relay's bookkeeping as a pure value: crafted frames at crafted times.
@Suite("Audio relay state")
struct AudioRelayStateTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func ms(_ value: Int64) -> NIODeadline { t0 + .milliseconds(value) }

    @Test func forwardsWellFormedFramesOfAdmittedStreams() {
        var state = AudioRelayState(limits: AudioLimits())
        state.add(1, muted: false, now: t0)
        #expect(state.receive(frame(stream: 1, sequence: 0), from: 1, now: t0) == .forward)
        #expect(state.receive(frame(stream: 2, sequence: 0), from: 2, now: t0) == .dropped(.unknownStream))
    }

    @Test func mutedStreamsAreNotForwardedButCounted() {
        var state = AudioRelayState(limits: AudioLimits())
        state.add(1, muted: true, now: t0)
        state.add(2, muted: false, now: t0)
        #expect(state.receive(frame(stream: 1, sequence: 0), from: 1, now: t0) == .dropped(.muted))
        state.setMuted(1, false)
        #expect(state.receive(frame(stream: 1, sequence: 1), from: 1, now: t0) == .forward)
        let stats = state.statistics(of: 1)
        #expect(stats?.mutedDropped == 1)
        #expect(stats?.packetsIn == 2)
        #expect(state.statistics(of: 2)?.packetsOut == 1)
        #expect(stats?.packetsOut == 0, "never its own packets")
    }

    @Test func malformedFramesAreCountedPerReason() {
        var state = AudioRelayState(limits: AudioLimits(maxPacketBytes: 4))
        state.add(1, muted: false, now: t0)
        let verdicts = [
            state.receive(ByteBuffer(bytes: [0x10, 0, 0, 1]), from: 1, now: t0),
            state.receive(ByteBuffer(bytes: [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]), from: 1, now: t0),
            state.receive(frame(stream: 2, sequence: 0), from: 1, now: t0),
            state.receive(ByteBuffer(bytes: [0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0]), from: 1, now: t0),
            state.receive(frame(stream: 1, sequence: 0, payload: [1, 2, 3, 4, 5]), from: 1, now: t0),
        ]
        #expect(verdicts == [
            .dropped(.malformed(.tooShort)), .dropped(.malformed(.unsupportedVersion(0x20))), .dropped(.malformed(.wrongStream(2))),
            .dropped(.malformed(.emptyPacket)), .dropped(.malformed(.packetTooBig(5))),
        ])
        #expect(state.statistics(of: 1)?.malformed == 5)
        #expect(state.receive(frame(stream: 1, sequence: 1, payload: [1, 2, 3, 4]), from: 1, now: t0) == .forward)
    }

    @Test func rateLimitAllowsOneSecondOfBurstThenTheSustainedRate() {
        var state = AudioRelayState(limits: AudioLimits(maxPacketsPerSecond: 50))
        state.add(1, muted: false, now: t0)
        // A burst at one instant: one second's worth passes, the rest is over the limit.
        let burst = (0..<80).map { state.receive(frame(stream: 1, sequence: UInt16($0)), from: 1, now: t0) }
        #expect(burst.filter { $0 == .forward }.count == 50)
        #expect(burst.filter { $0 == .dropped(.rateLimited) }.count == 30)
        // Then one packet per 20 ms (50/s) is sustained indefinitely …
        var sequence: UInt16 = 80
        for step in 1...200 {
            sequence += 1
            #expect(state.receive(frame(stream: 1, sequence: sequence), from: 1, now: ms(Int64(step) * 20)) == .forward)
        }
        // … but two per 20 ms is not.
        var forwarded = 0
        for step in 201...300 {
            for _ in 0..<2 {
                sequence += 1
                if state.receive(frame(stream: 1, sequence: sequence), from: 1, now: ms(Int64(step) * 20)) == .forward { forwarded += 1 }
            }
        }
        #expect(forwarded == 100)
        #expect(state.statistics(of: 1)?.rateLimited == 130)
    }

    @Test func countsGapsAndTakesBackReorderedPackets() {
        var tracker = SequenceTracker()
        for sequence: UInt16 in [10, 11, 12, 15, 16] { tracker.record(sequence) }
        #expect(tracker.lost == 2)
        tracker.record(14)  // late, not lost after all
        #expect(tracker.lost == 1)
        tracker.record(14)  // a duplicate changes nothing
        tracker.record(16)
        #expect(tracker.lost == 1)
        tracker.record(17)
        #expect(tracker.lost == 1)
    }

    @Test func sequenceWrapsWithoutLoss() {
        var tracker = SequenceTracker()
        for sequence: UInt16 in [65533, 65534, 65535, 0, 1, 2] { tracker.record(sequence) }
        #expect(tracker.lost == 0)
        tracker.record(5)
        #expect(tracker.lost == 2)
        tracker.record(65535)  // far behind after the wrap: too old, ignored
        #expect(tracker.lost == 2)
    }

    @Test func aRestartedSequenceIsNotLoss() {
        var tracker = SequenceTracker()
        for sequence: UInt16 in [100, 101, 102, 40_000, 40_001] { tracker.record(sequence) }
        #expect(tracker.lost == 0)
        #expect(tracker.highest == 40_001)
    }

    @Test func jitterFollowsRFC3550() {
        var jitter = JitterEstimator()
        // On time, every 20 ms: no jitter.
        for index in 0..<10 { jitter.record(timestamp: UInt32(index * 960), arrival: ms(Int64(index) * 20)) }
        #expect(jitter.jitter == 0)
        // One packet 10 ms late (480 samples): J = 480/16 = 30 samples.
        jitter.record(timestamp: 10 * 960, arrival: ms(210))
        #expect(abs(jitter.jitter - 30) < 0.5)
        // The next on time again: |D| = 480 again, J = 30 + (480 − 30)/16.
        jitter.record(timestamp: 11 * 960, arrival: ms(220))
        #expect(abs(jitter.jitter - 58.125) < 0.5)
        #expect(abs(jitter.milliseconds - 58.125 / 48) < 0.02)
    }

    @Test func statisticsReportLossAndJitterOfAStream() {
        var state = AudioRelayState(limits: AudioLimits())
        state.add(1, muted: false, now: t0)
        let sequences: [UInt16] = [0, 1, 2, 4, 5, 8]
        for sequence in sequences {
            _ = state.receive(frame(stream: 1, sequence: sequence), from: 1, now: ms(Int64(sequence) * 20))
        }
        // Timestamps follow the sequence and arrivals are exact: no jitter.
        let stats = state.statistics(of: 1)
        #expect(stats?.lost == 3)
        #expect(stats?.jitterMs == 0)
        #expect(stats?.packetsIn == 6)
        // Wrapping timestamps and a 5 ms late arrival.
        _ = state.receive(frame(stream: 1, sequence: 9, timestamp: 9 * 960), from: 1, now: ms(9 * 20 + 5))
        #expect(abs((state.statistics(of: 1)?.jitterMs ?? 0) - 5.0 / 16) < 0.01)
    }

    @Test func speakingComesFromVoiceActivityOrLevelWithinTheWindow() {
        var state = AudioRelayState(limits: AudioLimits(speakingWindow: .milliseconds(300), speakingLevel: 50))
        state.add(1, muted: false, now: t0)
        state.add(2, muted: false, now: t0)
        state.add(3, muted: false, now: t0)
        #expect(state.speakingChange(at: t0) == nil, "nobody speaks yet, nothing changed")
        _ = state.receive(frame(stream: 1, sequence: 0, voice: true, level: 90), from: 1, now: t0)
        _ = state.receive(frame(stream: 2, sequence: 0, voice: false, level: 60), from: 2, now: t0)
        #expect(state.speakingChange(at: ms(100)) == [1])
        #expect(state.speakingChange(at: ms(200)) == nil)
        _ = state.receive(frame(stream: 2, sequence: 1, voice: false, level: 50), from: 2, now: ms(250))
        _ = state.receive(frame(stream: 3, sequence: 0, voice: false, level: 10), from: 3, now: ms(250))
        #expect(state.speakingChange(at: ms(300)) == [1, 2, 3])
        #expect(state.speakingChange(at: ms(400)) == [2, 3], "stream 1 fell silent 400 ms ago")
        state.setMuted(3, true)
        #expect(state.speakingChange(at: ms(450)) == [2])
        #expect(state.speakingChange(at: ms(600)) == [])
        #expect(state.speaking == [])
    }

    @Test func aMutedStreamDoesNotSpeak() {
        var state = AudioRelayState(limits: AudioLimits())
        state.add(1, muted: true, now: t0)
        _ = state.receive(frame(stream: 1, sequence: 0, voice: true, level: 0), from: 1, now: t0)
        #expect(state.speakingChange(at: t0) == nil)
    }
}
