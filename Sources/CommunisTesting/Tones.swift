import CommunisMedia
import Foundation
import NIOCore

/// Sine tones as 20 ms frames of 48 kHz mono PCM, and the same tones as real Opus packets
/// and complete audio frames (header + packet), for tests and the relay benchmark.
public enum Tones {
    /// `count` consecutive 20 ms frames of a sine at `frequency` Hz (phase continuous).
    public static func frames(frequency: Double, count: Int, amplitude: Double = 0.5) -> [[Int16]] {
        let samples = OpusFormat.frameSamples
        return (0..<count).map { frame in
            (0..<samples).map { index in
                let t = Double(frame * samples + index) / Double(OpusFormat.sampleRate)
                return Int16(amplitude * 32_767 * sin(2 * Double.pi * frequency * t))
            }
        }
    }

    /// `count` Opus packets of a sine at `frequency` Hz, encoded by libopus with the
    /// browser's settings (voice, 32 kbit/s, in-band FEC).
    public static func opusPackets(frequency: Double, count: Int, bitrate: Int32 = 32_000) throws -> [[UInt8]] {
        let encoder = try OpusEncoder(bitrate: bitrate)
        return try frames(frequency: frequency, count: count).map { try encoder.encode(pcm: $0) }
    }

    /// Complete audio frames for `stream`: packet i gets sequence `firstSequence + i` and
    /// timestamp `firstTimestamp + 960 i` (both wrapping), voice activity on, level 20 −dBov.
    public static func audioFrames(stream: UInt16, packets: [[UInt8]], firstSequence: UInt16 = 0, firstTimestamp: UInt32 = 0,
                                   voiceActivity: Bool = true, level: UInt8 = 20) -> [ByteBuffer] {
        packets.enumerated().map { index, packet in
            AudioFrameHeader(
                voiceActivity: voiceActivity, level: level, streamId: stream,
                sequence: firstSequence &+ UInt16(truncatingIfNeeded: index),
                timestamp: firstTimestamp &+ UInt32(truncatingIfNeeded: index) &* UInt32(OpusFormat.frameSamples)
            ).frame(packet: packet)
        }
    }

    /// Decodes `packets` in order with a fresh decoder into one PCM signal.
    public static func decode(_ packets: [[UInt8]]) throws -> [Int16] {
        let decoder = try OpusDecoder()
        return try packets.flatMap { try decoder.decode($0) }
    }
}

/// Finds which of a few candidate frequencies dominates a signal, with the Goertzel
/// algorithm (the power of one DFT bin per candidate).
public enum DominantFrequency {
    /// The candidate with the most power in `pcm` (sampled at `sampleRate`), or nil for an
    /// empty or silent signal. `skip` leading samples are ignored (codec start-up).
    public static func detect(_ pcm: [Int16], sampleRate: Double = 48_000, candidates: [Double], skip: Int = 0) -> Double? {
        let signal = pcm.dropFirst(skip).map { Double($0) / 32_768 }
        guard !signal.isEmpty else { return nil }
        let powers = candidates.map { power(signal, frequency: $0, sampleRate: sampleRate) }
        guard let best = powers.indices.max(by: { powers[$0] < powers[$1] }), powers[best] > 0 else { return nil }
        return candidates[best]
    }

    /// The Goertzel power of `frequency` in `signal`, normalised by length.
    public static func power(_ signal: [Double], frequency: Double, sampleRate: Double) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var s1 = 0.0
        var s2 = 0.0
        for x in signal {
            let s0 = x + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return power / Double(signal.count)
    }

    /// Root mean square of `pcm` in 0…1.
    public static func rms(_ pcm: [Int16]) -> Double {
        guard !pcm.isEmpty else { return 0 }
        let sum = pcm.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (sum / Double(pcm.count)).squareRoot() / 32_768
    }
}

/// A minimal reader for 16-bit PCM WAV files (as `opusdec` writes them).
public struct WAVFile: Sendable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples.
    public var samples: [Int16]

    public enum ReadError: Error { case notWAV, unsupportedFormat(bitsPerSample: Int, format: Int), noData }

    public init(path: String) throws {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
        guard data.count >= 12, Array(data[0..<4]) == Array("RIFF".utf8), Array(data[8..<12]) == Array("WAVE".utf8) else { throw ReadError.notWAV }
        var offset = 12
        var format: (rate: Int, channels: Int)?
        while offset + 8 <= data.count {
            let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
            // opusdec streaming to a file may leave the data size at 0 or 0xFFFFFFFF.
            var size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                let audioFormat = u16(body)
                let bits = u16(body + 14)
                // 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE (opusdec uses it for some layouts).
                guard (audioFormat == 1 || audioFormat == 0xFFFE), bits == 16 else { throw ReadError.unsupportedFormat(bitsPerSample: bits, format: audioFormat) }
                format = (u32(body + 4), u16(body + 2))
            } else if id == "data", let format {
                if size == 0 || body + size > data.count { size = data.count - body }
                var samples = [Int16](repeating: 0, count: size / 2)
                for index in samples.indices {
                    samples[index] = Int16(bitPattern: UInt16(data[body + 2 * index]) | UInt16(data[body + 2 * index + 1]) << 8)
                }
                self.sampleRate = format.rate
                self.channels = format.channels
                self.samples = samples
                return
            }
            offset = body + size + (size & 1)
        }
        throw ReadError.noData
    }
}
