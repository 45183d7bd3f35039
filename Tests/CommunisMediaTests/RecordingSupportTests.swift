import CommunisMedia
import CommunisTesting
import Foundation
import NIOCore
import Testing

/// Shared fixtures of the recording tests (this file holds no tests of its own): a simulated
/// meeting driven through `RecordingMixer` with synthetic arrival times, and the opus-tools
/// checks of the files it writes.
enum RecordingFixture {
    /// One participant talking: a tone from `startMs` for `durationMs`, sent as 20 ms Opus
    /// packets; `lost` packet indices never arrive.
    struct Talk {
        var stream: UInt16
        var frequency: Double
        var startMs: Int
        var durationMs: Int
        var amplitude = 0.5
        var lost: Set<Int> = []
        var firstSequence: UInt16 = 65_500
        var firstTimestamp: UInt32 = 4_294_000_000
    }

    /// A frame with its arrival time (48 kHz samples since the recording started).
    struct Arrival {
        var sample: Int64
        var stream: UInt16
        var frame: ByteBuffer
    }

    /// The frames of `talks`, each arriving `0…jitterMs` after its time (deterministic),
    /// ordered by arrival. Sequence numbers and timestamps start near their wrap-around.
    static func arrivals(_ talks: [Talk], jitterMs: Int = 15) throws -> [Arrival] {
        var random = SplitMix(seed: 7)
        var all: [Arrival] = []
        for talk in talks {
            let count = talk.durationMs / 20
            let encoder = try OpusEncoder(bitrate: 32_000)
            let packets = try Tones.frames(frequency: talk.frequency, count: count, amplitude: talk.amplitude).map { try encoder.encode(pcm: $0) }
            let frames = Tones.audioFrames(stream: talk.stream, packets: packets, firstSequence: talk.firstSequence, firstTimestamp: talk.firstTimestamp)
            for (index, frame) in frames.enumerated() where !talk.lost.contains(index) {
                let due = Int64(talk.startMs * 48 + index * 960)
                all.append(Arrival(sample: due + Int64(random.next(upTo: jitterMs * 48 + 1)), stream: talk.stream, frame: frame))
            }
        }
        return all.sorted { $0.sample < $1.sample }
    }

    /// Drives `mixer` as `MeetingRecorder`'s thread would, in 20 ms ticks of simulated time:
    /// ingest what has arrived, mix up to `now − playoutDelay`; finishes at `totalMs`.
    static func run(_ arrivals: [Arrival], totalMs: Int, mixer: RecordingMixer, playoutMs: Int = 300) throws {
        var next = 0
        var now: Int64 = 0
        let end = Int64(totalMs * 48)
        while now < end {
            now = min(now + 960, end)
            while next < arrivals.count, arrivals[next].sample <= now {
                try mixer.ingest(frame: arrivals[next].frame, from: arrivals[next].stream, arrivalSample: arrivals[next].sample)
                next += 1
            }
            try mixer.render(through: now - Int64(playoutMs * 48))
        }
        try mixer.finish(through: end)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("communis-recording-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `opusinfo`'s verdict: its exit status, output, and the playback length it reports in ms.
    static func opusinfo(_ path: String) throws -> (status: Int32, output: String, lengthMs: Int?) {
        let info = try ExternalTool.runNow("/usr/bin/opusinfo", [path])
        // "Playback length: 0m:02.991s"
        var length: Int?
        if let line = info.output.split(separator: "\n").first(where: { $0.contains("Playback length:") }) {
            let text = line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
            let parts = text.dropLast().split(separator: "m")
            if parts.count == 2, let minutes = Int(parts[0]), let seconds = Double(parts[1].dropFirst()) {
                length = minutes * 60_000 + Int((seconds * 1000).rounded())
            }
        }
        return (info.status, info.output, length)
    }

    /// The file decoded by `opusdec` at 48 kHz (sample 0 = the recording's start).
    static func decode(_ path: String) throws -> [Int16] {
        let wav = path + ".wav"
        defer { try? FileManager.default.removeItem(atPath: wav) }
        let result = try ExternalTool.runNow("/usr/bin/opusdec", ["--quiet", "--rate", "48000", path, wav])
        guard result.status == 0 else { throw FixtureError("opusdec failed: \(result.output)") }
        return try WAVFile(path: wav).samples
    }

    /// Samples `[fromMs, toMs)` of `pcm`.
    static func window(_ pcm: [Int16], _ fromMs: Int, _ toMs: Int) -> [Int16] {
        let from = min(pcm.count, fromMs * 48)
        let to = min(pcm.count, toMs * 48)
        return Array(pcm[from..<to])
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// A small deterministic random source (SplitMix64).
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
