@testable import CommunisMedia
import CommunisTesting
import Foundation
import Testing

/// The recording mixer driven with simulated arrival times (no threads, no waiting): its
/// files checked by opus-tools and decoded back to the tones that went in.
@Suite("Recording mixer")
struct RecordingMixerTests {
    typealias Talk = RecordingFixture.Talk
    static let candidates = [440.0, 700, 1000]

    /// Three talkers, each alone in its own second with silence between: the file is valid,
    /// runs the whole 4.5 s, and each range is its talker's frequency.
    @Test func threeTonesLandInTheirOwnTimeRanges() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/meeting.opus"
        var settings = MeetingRecorder.Settings()
        settings.title = "Veckomöte IT"
        let mixer = try RecordingMixer(path: path, settings: settings)
        let talks = [
            Talk(stream: 1, frequency: 440, startMs: 0, durationMs: 1000),
            Talk(stream: 2, frequency: 700, startMs: 1500, durationMs: 1000, firstSequence: 3, firstTimestamp: 960_000),
            Talk(stream: 3, frequency: 1000, startMs: 3000, durationMs: 1000),
        ]
        try RecordingFixture.run(RecordingFixture.arrivals(talks), totalMs: 4500, mixer: mixer)

        let info = try RecordingFixture.opusinfo(path)
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(!info.output.contains("WARNING"), "opusinfo: \(info.output)")
        #expect(info.output.contains("TITLE=Veckomöte IT"))
        #expect(abs((info.lengthMs ?? 0) - 4500) <= 100, "opusinfo: \(info.output)")
        #expect(abs(mixer.durationMs - 4500) <= 100)
        #expect(mixer.statistics.decodedFrames == 150)
        #expect(mixer.statistics.lateFrames == 0)
        #expect(mixer.statistics.concealedFrames == 0)

        let pcm = try RecordingFixture.decode(path)
        #expect(abs(pcm.count - 4500 * 48) <= 100 * 48)
        // Jitter moves a talker by at most its first packet's 15 ms.
        #expect(DominantFrequency.detect(RecordingFixture.window(pcm, 100, 900), candidates: Self.candidates) == 440)
        #expect(DominantFrequency.detect(RecordingFixture.window(pcm, 1600, 2400), candidates: Self.candidates) == 700)
        #expect(DominantFrequency.detect(RecordingFixture.window(pcm, 3100, 3900), candidates: Self.candidates) == 1000)
        for (from, to) in [(1100, 1400), (2600, 2900), (4100, 4400)] {
            #expect(DominantFrequency.rms(RecordingFixture.window(pcm, from, to)) < 0.01, "silence \(from)–\(to) ms")
        }
        for (from, to) in [(100, 900), (1600, 2400), (3100, 3900)] {
            #expect(DominantFrequency.rms(RecordingFixture.window(pcm, from, to)) > 0.1, "tone \(from)–\(to) ms")
        }
    }

    /// Lost packets inside a talk are concealed: no hole in the audio where they were, and
    /// the audio after them stays in its place. (libopus fades a concealment out after two or
    /// three frames, so the losses here are one or two in a row.)
    @Test func lostPacketsAreConcealed() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/lossy.opus"
        let mixer = try RecordingMixer(path: path, settings: MeetingRecorder.Settings())
        let talk = Talk(stream: 9, frequency: 440, startMs: 0, durationMs: 2000, lost: [20, 21, 50, 70, 71])
        try RecordingFixture.run(RecordingFixture.arrivals([talk]), totalMs: 2200, mixer: mixer)
        #expect(mixer.statistics.concealedFrames == 5)
        #expect(mixer.statistics.decodedFrames == 95)
        #expect(abs(mixer.durationMs - 2200) <= 40)
        #expect(try RecordingFixture.opusinfo(path).status == 0)
        let pcm = try RecordingFixture.decode(path)
        // Every 20 ms of the talk has sound (a gap would be silent: below 0.001); a second
        // concealed frame in a row is already fading.
        for start in stride(from: 100, to: 1900, by: 20) {
            #expect(DominantFrequency.rms(RecordingFixture.window(pcm, start, start + 20)) > 0.01, "hole at \(start) ms")
        }
    }

    /// A packet that comes after its time was mixed is counted and left out; the timeline
    /// does not move.
    @Test func latePacketsAreCountedAndDropped() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mixer = try RecordingMixer(path: directory + "/late.opus", settings: MeetingRecorder.Settings())
        var arrivals = try RecordingFixture.arrivals([Talk(stream: 4, frequency: 700, startMs: 0, durationMs: 1000)], jitterMs: 0)
        // Packet 10 arrives 600 ms late (the playout delay is 300 ms).
        arrivals[10].sample += 600 * 48
        arrivals.sort { $0.sample < $1.sample }
        try RecordingFixture.run(arrivals, totalMs: 1500, mixer: mixer)
        #expect(mixer.statistics.lateFrames == 1)
        #expect(mixer.statistics.decodedFrames == 49)
        #expect(abs(mixer.durationMs - 1500) <= 40)
    }

    /// Three loud talkers at once (each at 90 % of full scale) are limited, not clipped.
    @Test func loudOverlappingTalkersDoNotClip() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/loud.opus"
        let mixer = try RecordingMixer(path: path, settings: MeetingRecorder.Settings())
        let talks = [440.0, 554, 659].enumerated().map { index, frequency in
            Talk(stream: UInt16(index + 1), frequency: frequency, startMs: 0, durationMs: 2000, amplitude: 0.9)
        }
        try RecordingFixture.run(RecordingFixture.arrivals(talks), totalMs: 2200, mixer: mixer)
        #expect(mixer.statistics.limitedBlocks > 0)
        let pcm = try RecordingFixture.decode(path)
        let talk = RecordingFixture.window(pcm, 100, 1900)
        #expect(DominantFrequency.rms(talk) > 0.2, "still loud")
        // No runs of samples at full scale (what hard clipping leaves).
        var run = 0
        var longest = 0
        for sample in pcm {
            run = abs(Int(sample)) >= 32_600 ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(longest < 3, "longest run at full scale: \(longest) samples")
        let peak = pcm.map { abs(Int($0)) }.max() ?? 0
        #expect(peak <= 32_767)
    }

    /// The limiter alone: whatever comes in, nothing goes out above its ceiling, and a quiet
    /// signal passes unchanged (one block later).
    @Test func limiterKeepsUnderItsCeiling() {
        var limiter = MixLimiter()
        var random = SplitMix(seed: 3)
        var input = (0..<9600).map { index -> Float in
            let loud: Float = index > 2000 && index < 6000 ? 3 : 0.3
            return loud * (Float(random.next(upTo: 2001)) / 1000 - 1)
        }
        let original = input
        input.withUnsafeMutableBufferPointer { limiter.process($0) }
        #expect(input.map(abs).max()! <= limiter.ceiling + 1e-5)
        // Before the loud part the signal is only delayed by one block.
        for index in 100..<1900 {
            #expect(abs(input[index] - original[index - MixLimiter.blockSize]) < 1e-6)
        }
    }

    /// Each participant's own file holds its packets on the meeting's timeline.
    @Test func participantFilesLineUpWithTheMeeting() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = MeetingRecorder.Settings()
        settings.participantDirectory = directory + "/participants"
        try FileManager.default.createDirectory(atPath: directory + "/participants", withIntermediateDirectories: true)
        let mixer = try RecordingMixer(path: directory + "/meeting.opus", settings: settings)
        try mixer.addParticipant(stream: 5)
        let talks = [
            Talk(stream: 1, frequency: 440, startMs: 0, durationMs: 1000),
            Talk(stream: 2, frequency: 700, startMs: 1500, durationMs: 1000, lost: [10]),
        ]
        try RecordingFixture.run(RecordingFixture.arrivals(talks), totalMs: 3000, mixer: mixer)
        #expect(mixer.participantFiles == [1: directory + "/participants/1.opus", 2: directory + "/participants/2.opus",
                                           5: directory + "/participants/5.opus"])
        for stream: UInt16 in [1, 2, 5] {
            #expect(try RecordingFixture.opusinfo(mixer.participantFiles[stream]!).status == 0)
        }
        let first = try RecordingFixture.decode(mixer.participantFiles[1]!)
        let second = try RecordingFixture.decode(mixer.participantFiles[2]!)
        #expect(abs(first.count - 1000 * 48) <= 30 * 48)
        #expect(abs(second.count - 2500 * 48) <= 30 * 48)
        #expect(DominantFrequency.rms(RecordingFixture.window(second, 200, 1300)) < 0.01)
        #expect(DominantFrequency.detect(RecordingFixture.window(second, 1600, 2400), candidates: Self.candidates) == 700)
        #expect(DominantFrequency.detect(RecordingFixture.window(first, 100, 900), candidates: Self.candidates) == 440)
        // The same moment in the mix and in the participant's file.
        let mix = try RecordingFixture.decode(directory + "/meeting.opus")
        let onset = { (pcm: [Int16]) in (pcm.firstIndex { abs(Int($0)) > 3000 } ?? 0) / 48 }
        #expect(abs(onset(RecordingFixture.window(mix, 1200, 3000)) - onset(RecordingFixture.window(second, 1200, 3000))) <= 25)
    }
}
