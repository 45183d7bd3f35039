import COpus
import Foundation

/// The audio the talkers send: real Opus packets from libopus, encoded once at start.
///
/// A pure sine compresses to unusually small packets, so each "voice" is a tone with vibrato,
/// a syllable-rate (4 Hz) loudness envelope and a little noise: closer to what a browser's
/// `AudioEncoder` makes of speech at 24–32 kbit/s (VBR, in-band FEC on).
enum OpusTone {
    static let sampleRate: Int32 = 48000
    /// 20 ms at 48 kHz: one packet per frame, 50 per second.
    static let frameSamples = 960

    /// One second (`packets` × 20 ms) of Opus packets of a voice around `frequency` Hz,
    /// meant to be sent in a loop (the encoder's first frames, which are smaller, are skipped).
    static func packets(frequency: Double, bitrate: Int32, packets count: Int = 50) throws -> [[UInt8]] {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(sampleRate, 1, OPUS_APPLICATION_VOIP, &error), error == OPUS_OK else {
            throw BenchError("opus_encoder_create failed (\(error))")
        }
        defer { opus_encoder_destroy(encoder) }
        _ = communis_opus_encoder_set_bitrate(encoder, bitrate)
        _ = communis_opus_encoder_set_complexity(encoder, 5)
        _ = communis_opus_encoder_set_inband_fec(encoder, 1)
        // In-band FEC only adds redundancy when the encoder expects some loss.
        _ = communis_opus_encoder_set_packet_loss_perc(encoder, 5)
        _ = communis_opus_encoder_set_signal_voice(encoder)

        let skip = 10
        var result: [[UInt8]] = []
        var pcm = [Int16](repeating: 0, count: frameSamples)
        var output = [UInt8](repeating: 0, count: 1275)  // RFC 6716: at most 1275 bytes per frame
        var phase = 0.0
        var generator = SplitMix(seed: UInt64(frequency * 1000))
        for frame in 0..<(skip + count) {
            for i in 0..<frameSamples {
                let t = Double(frame * frameSamples + i) / Double(sampleRate)
                let pitch = frequency * (1 + 0.03 * sin(2 * .pi * 5 * t))
                phase += 2 * .pi * pitch / Double(sampleRate)
                let envelope = 0.35 + 0.3 * sin(2 * .pi * 4 * t)
                let voiced = sin(phase) + 0.5 * sin(2 * phase) + 0.25 * sin(3 * phase)
                let noise = Double(Int64(bitPattern: generator.next() >> 1) % 2000 - 1000) / 1000
                let sample = envelope * (0.55 * voiced + 0.05 * noise)
                pcm[i] = Int16(max(-1, min(1, sample)) * 20000)
            }
            let bytes = pcm.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    opus_encode(encoder, input.baseAddress!, Int32(frameSamples), out.baseAddress!, Int32(out.count))
                }
            }
            guard bytes > 0 else { throw BenchError("opus_encode failed (\(bytes))") }
            if frame >= skip { result.append(Array(output[0..<Int(bytes)])) }
        }
        return result
    }
}

/// A small deterministic generator (SplitMix64) for noise and masks.
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
}
