import CommunisMedia
import Foundation
import NIOCore

/// `communis bench recording`: what recording a meeting costs, against the bare libopus work
/// it cannot avoid, in the same run on the same thread.
///
/// The meeting: `participants` people for `seconds`, every one sending 50 real Opus packets
/// per second (libopus with the browser's settings: VoIP, voice, 32 kbit/s, in-band FEC).
/// `talkers` of them talk all the time with distinct voice-like signals (a fundamental with
/// harmonics, vibrato, a syllable-rate envelope and a little noise); the others are quiet but
/// unmuted, and send what a browser sends then: a packet every 20 ms of its microphone's low
/// background noise (about −55 dBFS; browsers do not use Opus DTX by default). Packets arrive
/// 0–20 ms after their time (deterministic jitter). Generation is not measured.
///
/// Measured, as CPU time of the measuring thread (`CLOCK_THREAD_CPUTIME_ID`, user + system):
/// - **raw**: one libopus decoder per participant decoding every packet, a plain sum of the
///   decoded frames, and one libopus encoder encoding one 20 ms frame per 20 ms — the floor
///   any recorder pays;
/// - **mixer**: `RecordingMixer` doing the whole job: timeline placement with jitter,
///   decoding, mixing, the limiter, encoding, the mixed Ogg Opus file and every participant's
///   own Ogg file written into a temporary folder.
/// Both run `repetitions` times, alternating; the table shows each run, the medians and their
/// ratio (target ≤ 1.3×).
public struct RecordingBench: Sendable {
    public struct Options: Sendable {
        public var participants = 20
        public var talkers = 5
        public var seconds = 60
        public var repetitions = 3
        public var bitrate: Int32 = 32_000
        public var complexity: Int32 = 5
        public var keepData = false
        public init() {}
    }

    let options: Options
    let say: @Sendable (String) -> Void

    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
    }

    /// One packet as the recorder gets it.
    struct Arrival {
        var sample: Int64
        var stream: UInt16
        var frame: ByteBuffer
    }

    public func run() throws {
        let frames = options.seconds * 50
        say("recording: \(options.participants) participants (\(options.talkers) talking, the others sending quiet background noise), \(options.seconds) s, \(options.participants * frames) packets; mixed file \(options.bitrate / 1000) kbit/s, complexity \(options.complexity)")
        let started = Date()
        let packets = try RecordingMeeting.generate(participants: options.participants, talkers: options.talkers, frames: frames)
        let bytes = packets.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        say(String(format: "generated in %.1f s: mean packet %.0f bytes (talkers %.0f, quiet %.0f)", Date().timeIntervalSince(started),
                   Double(bytes) / Double(packets.count * frames),
                   mean(packets.prefix(options.talkers)), mean(packets.dropFirst(options.talkers))))
        let arrivals = Self.arrivals(packets)

        var raw: [Double] = []
        var mixed: [Double] = []
        var last: (RecordingMixer, String)?
        for repetition in 1...options.repetitions {
            raw.append(try measure { try rawWork(packets) })
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("communis-bench-recording-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory + "/participants", withIntermediateDirectories: true)
            var mixer: RecordingMixer?
            mixed.append(try measure { mixer = try mixerWork(arrivals, directory: directory) })
            say(String(format: "  run %d: raw %.3f s, mixer %.3f s", repetition, raw.last!, mixed.last!))
            if let old = last, !options.keepData { try? FileManager.default.removeItem(atPath: old.1) }
            last = (mixer!, directory)
        }
        report(raw: raw, mixed: mixed, mixer: last!.0)
        if options.keepData { say("files kept in \(last!.1)") } else { try? FileManager.default.removeItem(atPath: last!.1) }
    }

    private func mean(_ packets: some Collection<[[UInt8]]>) -> Double {
        let all = packets.flatMap { $0 }
        return all.isEmpty ? 0 : Double(all.reduce(0) { $0 + $1.count }) / Double(all.count)
    }

    /// The floor: decode everything, sum, encode one frame per 20 ms.
    private func rawWork(_ packets: [[[UInt8]]]) throws {
        let decoders = try packets.map { _ in try OpusDecoder() }
        let encoder = try OpusEncoder(bitrate: options.bitrate, complexity: options.complexity, inbandFEC: false, expectedLossPercent: 0)
        var decoded = [Float](repeating: 0, count: OpusFormat.maxFrameSamples)
        var sum = [Float](repeating: 0, count: OpusFormat.frameSamples)
        var output = [UInt8](repeating: 0, count: OpusFormat.maxPacketBytes)
        var encodedBytes = 0
        for frame in 0..<packets[0].count {
            for index in sum.indices { sum[index] = 0 }
            for (stream, decoder) in decoders.enumerated() {
                let count = try packets[stream][frame].withUnsafeBytes { packet in
                    try decoded.withUnsafeMutableBufferPointer { try decoder.decode(packet, into: $0) }
                }
                for index in 0..<min(count, sum.count) { sum[index] += decoded[index] }
            }
            encodedBytes += try sum.withUnsafeBufferPointer { pcm in
                try output.withUnsafeMutableBufferPointer { try encoder.encode(pcm, into: $0) }
            }
        }
        precondition(encodedBytes > 0)
    }

    /// The recorder's own work, driven like `MeetingRecorder`'s thread: every 20 ms of meeting
    /// time, ingest what has arrived and mix up to 300 ms before it.
    private func mixerWork(_ arrivals: [Arrival], directory: String) throws -> RecordingMixer {
        var settings = MeetingRecorder.Settings()
        settings.bitrate = options.bitrate
        settings.complexity = options.complexity
        settings.participantDirectory = directory + "/participants"
        let mixer = try RecordingMixer(path: directory + "/meeting.opus", settings: settings)
        let end = Int64(options.seconds * 48_000)
        var next = 0
        var now: Int64 = 0
        while now < end {
            now = min(now + 960, end)
            while next < arrivals.count, arrivals[next].sample <= now {
                try mixer.ingest(frame: arrivals[next].frame, from: arrivals[next].stream, arrivalSample: arrivals[next].sample)
                next += 1
            }
            try mixer.render(through: now - 300 * 48)
        }
        try mixer.finish(through: end)
        return mixer
    }

    /// Thread CPU seconds (user + system) of `body`.
    private func measure(_ body: () throws -> Void) throws -> Double {
        let before = Self.threadCPU()
        try body()
        return Self.threadCPU() - before
    }

    static func threadCPU() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Every packet as a complete audio frame with its arrival time (0–20 ms after its time),
    /// in arrival order.
    static func arrivals(_ packets: [[[UInt8]]]) -> [Arrival] {
        var random = SplitMix(seed: 20)
        var all: [Arrival] = []
        all.reserveCapacity(packets.count * (packets.first?.count ?? 0))
        for (index, stream) in packets.enumerated() {
            let id = UInt16(index + 1)
            let firstSequence = UInt16(truncatingIfNeeded: random.next())
            let firstTimestamp = UInt32(truncatingIfNeeded: random.next())
            for (frame, packet) in stream.enumerated() {
                let header = AudioFrameHeader(
                    voiceActivity: true, level: 30, streamId: id, sequence: firstSequence &+ UInt16(truncatingIfNeeded: frame),
                    timestamp: firstTimestamp &+ UInt32(truncatingIfNeeded: frame * 960))
                let jitter = Int64(random.next() % 961)
                all.append(Arrival(sample: Int64(frame * 960) + jitter, stream: id, frame: header.frame(packet: packet)))
            }
        }
        return all.sorted { ($0.sample, $0.stream) < ($1.sample, $1.stream) }
    }

    private func report(raw: [Double], mixed: [Double], mixer: RecordingMixer) {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let seconds = Double(options.seconds)
        say("")
        say(Format.row(["CPU time of \(options.seconds) s of meeting", "raw libopus", "RecordingMixer", "mixer / raw"]))
        for (index, (a, b)) in zip(raw, mixed).enumerated() {
            say(Format.row(["run \(index + 1)", Format.number(a, 3) + " s", Format.number(b, 3) + " s", Format.ratio(b, a)]))
        }
        let rawMedian = median(raw)
        let mixedMedian = median(mixed)
        say(Format.row(["median", Format.number(rawMedian, 3) + " s", Format.number(mixedMedian, 3) + " s", Format.ratio(mixedMedian, rawMedian)]))
        say(Format.row(["minimum", Format.number(raw.min()!, 3) + " s", Format.number(mixed.min()!, 3) + " s", Format.ratio(mixed.min()!, raw.min()!)]))
        say(Format.row(["share of one core (median)", Format.number(rawMedian / seconds * 100, 2) + " %", Format.number(mixedMedian / seconds * 100, 2) + " %", ""]))
        let statistics = mixer.statistics
        let size = (try? FileManager.default.attributesOfItem(atPath: mixer.path)[.size] as? Int) ?? 0
        say("mixer: \(statistics.decodedFrames) frames decoded, \(statistics.concealedFrames) concealed, \(statistics.lateFrames) late, \(statistics.limitedBlocks) ms limited; mixed file \(mixer.durationMs) ms, \(size / 1024) KiB; \(mixer.participantFiles.count) participant files")
        let met = mixedMedian <= 1.3 * rawMedian
        say("target mixer ≤ 1.3 × raw: \(met ? "met" : "NOT met") (\(Format.ratio(mixedMedian, rawMedian)))")
    }
}

/// The generated meeting's packets (see `RecordingBench`).
enum RecordingMeeting {
    /// `participants` × `frames` Opus packets; the first `talkers` talk.
    static func generate(participants: Int, talkers: Int, frames: Int) throws -> [[[UInt8]]] {
        final class Slots: @unchecked Sendable {
            var packets: [[[UInt8]]?]
            var error: (any Error)?
            let lock = NSLock()
            init(_ count: Int) { packets = Array(repeating: nil, count: count) }
        }
        let slots = Slots(participants)
        DispatchQueue.concurrentPerform(iterations: participants) { index in
            do {
                let packets = try stream(index: index, talking: index < talkers, frames: frames)
                slots.lock.withLock { slots.packets[index] = packets }
            } catch {
                slots.lock.withLock { slots.error = error }
            }
        }
        if let error = slots.error { throw error }
        return slots.packets.map { $0! }
    }

    /// One participant's packets, encoded as a browser would (VoIP, voice, 32 kbit/s, FEC).
    static func stream(index: Int, talking: Bool, frames: Int) throws -> [[UInt8]] {
        // Generation is not measured: the quiet ones use complexity 0 to save time.
        let encoder = try OpusEncoder(bitrate: 32_000, complexity: talking ? 5 : 0)
        var random = SplitMix(seed: UInt64(index + 1))
        let fundamental = 110.0 + 37.0 * Double(index)
        var phase = 0.0
        var pcm = [Float](repeating: 0, count: OpusFormat.frameSamples)
        var result: [[UInt8]] = []
        result.reserveCapacity(frames)
        for frame in 0..<frames {
            for sample in 0..<pcm.count {
                let noise = Double(Int64(bitPattern: random.next() >> 1) % 2000 - 1000) / 1000
                if talking {
                    let t = Double(frame * pcm.count + sample) / 48_000
                    let pitch = fundamental * (1 + 0.03 * sin(2 * .pi * 5 * t))
                    phase += 2 * .pi * pitch / 48_000
                    let envelope = 0.35 + 0.3 * sin(2 * .pi * (3.5 + 0.2 * Double(index)) * t)
                    let voiced = sin(phase) + 0.5 * sin(2 * phase) + 0.25 * sin(3 * phase) + 0.12 * sin(5 * phase)
                    pcm[sample] = Float(envelope * (0.5 * voiced + 0.04 * noise))
                } else {
                    pcm[sample] = Float(0.0018 * noise)  // about −55 dBFS
                }
            }
            result.append(try pcm.withUnsafeBufferPointer { input in
                var output = [UInt8](repeating: 0, count: OpusFormat.maxPacketBytes)
                let count = try output.withUnsafeMutableBufferPointer { try encoder.encode(input, into: $0) }
                return Array(output[0..<count])
            })
        }
        return result
    }
}
