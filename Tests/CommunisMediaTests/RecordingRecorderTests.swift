@testable import CommunisMedia
import CommunisTesting
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// `MeetingRecorder` in real time (its own thread and clock): fed by the relay's tap, stopped
/// by a full disk, and falling behind under a flood. Each test records 1–2 s.
@Suite("Meeting recorder")
struct RecordingRecorderTests {
    /// Collects the recorder's events.
    final class Events: Sendable {
        private let events = Mutex<[MeetingRecorder.Event]>([])
        func record(_ event: MeetingRecorder.Event) { events.withLock { $0.append(event) } }
        var all: [MeetingRecorder.Event] { events.withLock { $0 } }
    }

    /// A disk whose free space the test sets.
    final class FakeDisk: DiskSpaceProbe {
        let free = Atomic<Int64>(1 << 40)
        func availableBytes(atPath path: String) -> Int64? { free.load(ordering: .relaxed) }
    }

    /// `count` frames of a tone from `stream`, encoded before any recorder starts (encoding
    /// takes a while in a debug build on a busy machine).
    func tone(stream: UInt16, frequency: Double, count: Int) throws -> [ByteBuffer] {
        Tones.audioFrames(stream: stream, packets: try Tones.opusPackets(frequency: frequency, count: count))
    }

    /// Sends `frames` through `deliver`, one every 20 ms.
    func talk(_ frames: [ByteBuffer], _ deliver: (ByteBuffer) async -> Void) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        for (index, frame) in frames.enumerated() {
            try await clock.sleep(until: start + .milliseconds(20 * index))
            await deliver(frame)
        }
    }

    @Test func theRelaysTapFeedsTheRecording() async throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let frames = try tone(stream: 1, frequency: 440, count: 75)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let relay = AudioRelay(loop: loop, limits: AudioLimits(), metrics: AudioMetrics(), onSpeaking: { _ in })
        let speaker = RecordingAudioListener(stream: 1, loop: loop)
        let hearer = RecordingAudioListener(stream: 2, loop: loop)
        await relay.add(stream: 1, listener: speaker, muted: false)
        await relay.add(stream: 2, listener: hearer, muted: false)
        let events = Events()
        var settings = MeetingRecorder.Settings()
        settings.participantDirectory = directory + "/participants"
        let recorder = try MeetingRecorder(path: directory + "/meeting.opus", settings: settings, onEvent: events.record)
        recorder.addParticipant(stream: 1)
        recorder.addParticipant(stream: 2)
        await relay.setRecordingTap(recorder)
        try await talk(frames) { relay.receive($0, from: 1) }
        await relay.setRecordingTap(nil)
        let elapsed = recorder.elapsedMilliseconds
        let result = await recorder.stop()
        #expect(await recorder.stop() == result, "stop is idempotent")
        #expect(events.all.isEmpty)
        #expect(result.reason == .requested)
        #expect(result.droppedFrames == 0)
        // On a busy machine the relay may rate-limit a burst of delayed sends; what it
        // forwarded is what is recorded.
        #expect(hearer.count >= 50)
        #expect(abs(result.durationMs - elapsed) <= 100, "\(result.durationMs) ms recorded in \(elapsed) ms")
        #expect(result.participantFiles.keys.sorted() == [1, 2])
        let info = try RecordingFixture.opusinfo(directory + "/meeting.opus")
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(result.sizeBytes == Int64((try? FileManager.default.attributesOfItem(atPath: directory + "/meeting.opus")[.size] as? Int) ?? 0))
        let pcm = try RecordingFixture.decode(directory + "/meeting.opus")
        #expect(DominantFrequency.detect(pcm, candidates: [440, 700, 1000]) == 440)
        #expect(DominantFrequency.rms(pcm) > 0.01)
        await relay.close()
        try await group.shutdownGracefully()
    }

    @Test func aFullDiskStopsTheRecordingWithAPlayableFile() async throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let frames = try tone(stream: 1, frequency: 700, count: 50)
        let disk = FakeDisk()
        let events = Events()
        var settings = MeetingRecorder.Settings()
        settings.diskSpace = disk
        settings.minFreeBytes = 1000
        let path = directory + "/meeting.opus"
        let recorder = try MeetingRecorder(path: path, settings: settings, onEvent: events.record)
        try await talk(Array(frames.prefix(40))) { recorder.offer($0, from: 1) }
        disk.free.store(0, ordering: .relaxed)
        let stoppedAt = recorder.elapsedMilliseconds
        #expect(await eventually(timeout: .seconds(10)) { events.all.contains(.stopped(.diskFull)) })
        // Frames after the stop are ignored.
        try await talk(Array(frames.suffix(10))) { recorder.offer($0, from: 1) }
        let result = await recorder.stop()
        #expect(result.reason == .diskFull)
        #expect(events.all == [.stopped(.diskFull)])
        #expect(result.durationMs < stoppedAt + 1500, "stopped within about a second of the disk filling up")
        #expect(result.durationMs >= 700)
        let info = try RecordingFixture.opusinfo(path)
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(abs((info.lengthMs ?? 0) - result.durationMs) <= 25)
    }

    /// What a running recording has written so far is on disk within about a second of
    /// audio (plus the playout delay): a copy taken mid-recording, as `kill -9` would leave
    /// it, is playable once finalised.
    @Test func aRunningRecordingIsOnDiskForACrash() async throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/meeting.opus"
        // Three seconds of talk, so that more than a second of it is on disk even when the
        // machine is busy (CI runs the real-time suites in parallel).
        let frames = try tone(stream: 1, frequency: 1000, count: 150)
        let recorder = try MeetingRecorder(path: path, settings: .init(), onEvent: { _ in })
        try await talk(frames) { recorder.offer($0, from: 1) }
        let elapsed = recorder.elapsedMilliseconds
        let copy = directory + "/crashed.opus"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let outcome = try OggOpusRecovery.finalize(path: copy)
        #expect(outcome.durationMs >= elapsed - 300 - 1000 - 200, "\(outcome.durationMs) ms of \(elapsed) ms on disk")
        let info = try RecordingFixture.opusinfo(copy)
        #expect(info.status == 0, "opusinfo: \(info.output)")
        let pcm = try RecordingFixture.decode(copy)
        let signal = pcm.map { Double($0) / 32_768 }
        let powers = [440.0, 700, 1000].map { DominantFrequency.power(signal, frequency: $0, sampleRate: 48_000) }
        let result = await recorder.stop()
        #expect(DominantFrequency.detect(pcm, candidates: [440, 700, 1000]) == 1000, """
            rms \(DominantFrequency.rms(pcm)), \(pcm.count) samples, powers \(powers), on disk \(outcome.durationMs) \
            of \(elapsed) ms; late \(result.lateFrames), concealed \(result.concealedFrames), dropped \(result.droppedFrames)
            """)
    }

    @Test func writingToAFullDeviceCountsAsDiskFull() throws {
        #expect(throws: OggOpusWriter.WriterError.io(path: "/dev/full", errno: ENOSPC)) { try OggOpusWriter(path: "/dev/full") }
        do {
            _ = try OggOpusWriter(path: "/dev/full")
        } catch {
            #expect(RecordingFailure.reason(for: error) == .diskFull)
        }
        #expect(RecordingFailure.reason(for: OggOpusWriter.WriterError.io(path: "x", errno: EIO)) != .diskFull)
        #expect(throws: (any Error).self) { try MeetingRecorder(path: "/dev/full", settings: .init(), onEvent: { _ in }) }
    }

    @Test func aFloodIsDroppedAndReportedWithoutBlocking() async throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = Events()
        var settings = MeetingRecorder.Settings()
        settings.queueLimit = 5
        let recorder = try MeetingRecorder(path: directory + "/flood.opus", settings: settings, onEvent: events.record)
        let packets = try Tones.opusPackets(frequency: 440, count: 50)
        let frames = Tones.audioFrames(stream: 1, packets: packets)
        let clock = ContinuousClock()
        let started = clock.now
        for round in 0..<200 {
            for frame in frames { recorder.offer(frame, from: UInt16(1 + round % 3)) }
        }
        let offering = clock.now - started
        #expect(offering < .seconds(2), "10,000 offers took \(offering)")
        #expect(await eventually(timeout: .seconds(10)) {
            events.all.contains { if case .fallingBehind(let dropped) = $0 { dropped > 0 } else { false } }
        })
        let result = await recorder.stop()
        #expect(result.droppedFrames >= 10_000 - 5 * 200)
        #expect(result.reason == .requested)
        #expect(events.all.count == 1, "at most one report per 5 s: \(events.all)")
        #expect(try RecordingFixture.opusinfo(directory + "/flood.opus").status == 0)
    }
}
