import COpus

/// A libopus error code with libopus's own message.
public struct OpusError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32
    public init(code: Int32) { self.code = code }
    public var description: String { "opus error \(code): \(String(cString: opus_strerror(code)))" }
}

/// The format this server speaks: 48 kHz, mono, 20 ms frames.
public enum OpusFormat {
    public static let sampleRate: Int32 = 48_000
    public static let channels: Int32 = 1
    /// Samples in one 20 ms frame at 48 kHz.
    public static let frameSamples = 960
    /// The largest packet libopus produces (RFC 6716: at most 1275 bytes per frame).
    public static let maxPacketBytes = 1275
    /// The longest packet is 120 ms: the most PCM one packet can decode to.
    public static let maxFrameSamples = 5760
}

/// A libopus encoder for 48 kHz mono voice (the browser's settings: VoIP application, voice
/// signal, in-band FEC). Not thread-safe: one owner at a time. Used off the relay path (tests,
/// the benchmark's load client), never on it.
public final class OpusEncoder {
    private let state: OpaquePointer
    private var output = [UInt8](repeating: 0, count: OpusFormat.maxPacketBytes)

    /// - Parameters:
    ///   - bitrate: bits per second (the browser uses about 24–32 kbit/s).
    ///   - complexity: 0…10.
    ///   - inbandFEC: carry a low-bitrate copy of the previous frame for loss recovery.
    ///   - expectedLossPercent: FEC is only used when the encoder expects loss.
    ///   - application: libopus's application mode (VoIP for the browser's voice; the
    ///     recording mixer may choose another).
    public init(bitrate: Int32 = 32_000, complexity: Int32 = 5, inbandFEC: Bool = true, expectedLossPercent: Int32 = 5,
                application: Application = .voip) throws {
        var error: Int32 = OPUS_OK
        guard let state = opus_encoder_create(OpusFormat.sampleRate, OpusFormat.channels, application.code, &error), error == OPUS_OK else {
            throw OpusError(code: error)
        }
        self.state = state
        for result in [
            communis_opus_encoder_set_bitrate(state, bitrate),
            communis_opus_encoder_set_complexity(state, complexity),
            communis_opus_encoder_set_signal_voice(state),
            communis_opus_encoder_set_inband_fec(state, inbandFEC ? 1 : 0),
            communis_opus_encoder_set_packet_loss_perc(state, expectedLossPercent),
        ] where result != OPUS_OK {
            opus_encoder_destroy(state)
            throw OpusError(code: result)
        }
    }

    deinit { opus_encoder_destroy(state) }

    /// libopus's application modes (`OPUS_APPLICATION_*`).
    public enum Application: Sendable, Equatable {
        /// Speech, tuned for intelligibility (what browsers use for calls).
        case voip
        /// General audio, closest to the input.
        case audio
        /// Lowest delay (CELT only).
        case restrictedLowDelay

        var code: Int32 {
            switch self {
            case .voip: OPUS_APPLICATION_VOIP
            case .audio: OPUS_APPLICATION_AUDIO
            case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
            }
        }
    }

    /// Encodes one frame of float samples in −1…1 into `output` (at least
    /// `OpusFormat.maxPacketBytes` long) without allocating; returns the packet's length.
    public func encode(_ pcm: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        let length = opus_encode_float(state, pcm.baseAddress!, Int32(pcm.count), output.baseAddress!, Int32(output.count))
        guard length > 0 else { throw OpusError(code: length) }
        return Int(length)
    }

    /// Samples the encoder delays its output by: the Ogg Opus pre-skip of what it encodes.
    public var lookahead: Int {
        var value: Int32 = 0
        _ = communis_opus_encoder_get_lookahead(state, &value)
        return Int(value)
    }

    /// Encodes one frame (2.5, 5, 10, 20, 40 or 60 ms of 48 kHz samples; normally 960).
    public func encode(pcm: [Int16]) throws -> [UInt8] {
        let length = pcm.withUnsafeBufferPointer { samples in
            output.withUnsafeMutableBufferPointer { out in
                opus_encode(state, samples.baseAddress!, Int32(samples.count), out.baseAddress!, Int32(out.count))
            }
        }
        guard length > 0 else { throw OpusError(code: length) }
        return Array(output[0..<Int(length)])
    }

    /// Encodes one frame of float samples in −1…1.
    public func encode(pcm: [Float]) throws -> [UInt8] {
        let length = pcm.withUnsafeBufferPointer { samples in
            output.withUnsafeMutableBufferPointer { out in
                opus_encode_float(state, samples.baseAddress!, Int32(samples.count), out.baseAddress!, Int32(out.count))
            }
        }
        guard length > 0 else { throw OpusError(code: length) }
        return Array(output[0..<Int(length)])
    }
}

/// A libopus decoder for 48 kHz mono. Not thread-safe: one owner at a time. For tests and
/// recordings (off the relay path).
public final class OpusDecoder {
    private let state: OpaquePointer
    private var pcm = [Int16](repeating: 0, count: OpusFormat.maxFrameSamples)
    /// Samples of the last decoded packet: the length a concealed frame gets.
    private var lastFrameSamples = OpusFormat.frameSamples

    public init() throws {
        var error: Int32 = OPUS_OK
        guard let state = opus_decoder_create(OpusFormat.sampleRate, OpusFormat.channels, &error), error == OPUS_OK else {
            throw OpusError(code: error)
        }
        self.state = state
    }

    deinit { opus_decoder_destroy(state) }

    /// Decodes one packet to 48 kHz mono samples. `nil` means the packet was lost: the
    /// decoder conceals it (packet-loss concealment) with a frame as long as the last one.
    public func decode(_ packet: [UInt8]?) throws -> [Int16] {
        if let packet {
            return try packet.withUnsafeBufferPointer { try decode(UnsafeRawBufferPointer($0)) }
        }
        return try decode(nil as UnsafeRawBufferPointer?)
    }

    /// Decodes one packet given as raw bytes (for example a slice of a received frame);
    /// `nil` conceals a lost packet.
    public func decode(_ packet: UnsafeRawBufferPointer?) throws -> [Int16] {
        let count: Int32 = pcm.withUnsafeMutableBufferPointer { out in
            if let packet, packet.count > 0 {
                return opus_decode(state, packet.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(packet.count),
                                   out.baseAddress!, Int32(out.count), 0)
            }
            return opus_decode(state, nil, 0, out.baseAddress!, Int32(lastFrameSamples), 0)
        }
        guard count >= 0 else { throw OpusError(code: count) }
        if packet != nil { lastFrameSamples = Int(count) }
        return Array(pcm[0..<Int(count)])
    }

    /// Decodes one packet to float samples (−1…1) into `output` (at least
    /// `OpusFormat.maxFrameSamples` long) without allocating; `nil` conceals a lost packet
    /// with a frame as long as the last one. Returns the number of samples.
    public func decode(_ packet: UnsafeRawBufferPointer?, into output: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let count: Int32
        if let packet, packet.count > 0 {
            count = opus_decode_float(state, packet.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(packet.count),
                                      output.baseAddress!, Int32(output.count), 0)
        } else {
            count = opus_decode_float(state, nil, 0, output.baseAddress!, Int32(min(lastFrameSamples, output.count)), 0)
        }
        guard count >= 0 else { throw OpusError(code: count) }
        if let packet, packet.count > 0 { lastFrameSamples = Int(count) }
        return Int(count)
    }

    /// Samples in `packet` at 48 kHz (all its frames), or an error for an invalid packet.
    public static func sampleCount(of packet: UnsafeRawBufferPointer) throws -> Int {
        guard let base = packet.baseAddress?.assumingMemoryBound(to: UInt8.self), packet.count > 0 else { throw OpusError(code: OPUS_BAD_ARG) }
        let samples = opus_packet_get_nb_samples(base, Int32(packet.count), OpusFormat.sampleRate)
        guard samples > 0 else { throw OpusError(code: samples) }
        return Int(samples)
    }
}
