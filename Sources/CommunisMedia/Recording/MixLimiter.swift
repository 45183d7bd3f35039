#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A peak limiter for the mixed signal: loud overlapping talkers are turned down smoothly
/// instead of being clipped.
///
/// The signal is handled in blocks of `blockSize` samples (1 ms) with one block of look-ahead,
/// so the output is delayed by `delay` samples. For every block the limiter knows the peak of
/// that block and of the next one; the gain that keeps both under `ceiling` is reached by a
/// linear ramp across the block. Both ends of the ramp are at most `ceiling / peak(block)`
/// (the start was chosen with this block already in view), so no output sample exceeds
/// `ceiling`: the guarantee holds without a final hard clip. When the signal gets quieter
/// the gain recovers exponentially (`release`, about 100 ms), so speech is not pumped.
///
/// Not thread-safe: owned by the recording mixer.
struct MixLimiter {
    /// Samples per block (1 ms at 48 kHz); the output lags the input by this much.
    static let blockSize = 48
    var delay: Int { Self.blockSize }

    /// The largest output magnitude (−0.5 dBFS).
    let ceiling: Float
    /// Fraction of the distance to the wanted gain recovered per block when it rises.
    let release: Float
    private var gain: Float = 1
    /// The block waiting for the next one (look-ahead).
    private var pending = [Float](repeating: 0, count: MixLimiter.blockSize)
    private var pendingPeak: Float = 0
    /// Blocks whose gain was lowered, for statistics.
    private(set) var limitedBlocks = 0

    init(ceiling: Float = 0.944, releaseMilliseconds: Float = 100) {
        self.ceiling = ceiling
        self.release = 1 - expf(-1 / releaseMilliseconds)
    }

    /// Limits `samples` in place (a multiple of `blockSize` long). The output is the input
    /// delayed by one block: the first block of the first call is the silence before it.
    mutating func process(_ samples: UnsafeMutableBufferPointer<Float>) {
        precondition(samples.count % Self.blockSize == 0)
        let block = Self.blockSize
        var incoming = [Float](repeating: 0, count: block)
        var start = 0
        while start < samples.count {
            var peak: Float = 0
            for index in 0..<block {
                let value = samples[start + index]
                incoming[index] = value
                peak = max(peak, abs(value))
            }
            // The gain wanted at the end of the pending block: low enough for it and the next.
            let loudest = max(pendingPeak, peak)
            let wanted = loudest > ceiling ? ceiling / loudest : 1
            let end = wanted < gain ? wanted : min(wanted, gain + (wanted - gain) * release)
            if end < 1 && wanted < 1 { limitedBlocks += 1 }
            let step = (end - gain) / Float(block)
            for index in 0..<block {
                samples[start + index] = pending[index] * (gain + step * Float(index + 1))
            }
            gain = end
            for index in 0..<block { pending[index] = incoming[index] }
            pendingPeak = peak
            start += block
        }
    }
}
