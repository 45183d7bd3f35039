import NIOCore

/// One participant's place on the recording's timeline: where each of its packets goes, which
/// packets wait to be mixed, and what its decoder has reached. Pure bookkeeping (no decoding,
/// no I/O); `RecordingMixer` owns one per stream and does the decoding.
///
/// Placement: the first packet of a stream is anchored at its arrival time (in 48 kHz samples
/// since the recording started): `offset = arrival − timestamp`, and every later packet goes
/// to `offset + timestamp` (timestamps unwrapped to 64 bits), so network jitter does not move
/// audio around. When a placement is more than `reanchorSamples` (1 s) away from the packet's
/// arrival, the sender's clock is taken to have restarted (a client that restarts its encoder
/// after mute restarts its timestamps and sequence numbers, docs/protocol.md): the stream is
/// anchored again at that packet and a new *epoch* begins, across which nothing is concealed.
struct RecordingStream {
    /// A packet waiting for its time to be mixed.
    struct Pending {
        var epoch: Int
        /// Sequence number unwrapped to 64 bits within its epoch.
        var sequence: Int64
        /// First sample on the recording's timeline.
        var placement: Int64
        var samples: Int
        /// The Opus packet (a slice of the received frame, not copied).
        var payload: ByteBuffer
    }

    /// What `accept` decided about one packet.
    enum Admission: Equatable {
        case queued
        /// Its time has already been mixed, or its sequence number was already passed.
        case late
        /// The same sequence number is already waiting.
        case duplicate
    }

    /// A placement further than this from the arrival time restarts the anchor (1 s).
    static let reanchorSamples: Int64 = 48_000

    private(set) var epoch = 0
    /// `placement = offset + unwrapped timestamp`; nil until the first packet (or after
    /// `restart`).
    private var offset: Int64?
    private var lastSequence: UInt16 = 0
    private var lastUnwrappedSequence: Int64 = 0
    private var lastTimestamp: UInt32 = 0
    private var lastUnwrappedTimestamp: Int64 = 0

    /// Waiting packets, ordered by (epoch, sequence).
    private(set) var pending: [Pending] = []

    // Decoder progress (set by the mixer as it decodes).
    /// Epoch of the last decoded (or concealed) frame; nil before the first.
    var decodedEpoch: Int?
    /// The sequence number expected next from the decoder's point of view.
    var nextSequence: Int64 = 0
    /// Where the next decoded audio would start if nothing was lost.
    var nextPosition: Int64 = 0
    /// Length of the last decoded packet: what a concealed frame covers.
    var lastFrameSamples = OpusFormat.frameSamples
    /// Samples written to the participant's own file so far (its timeline).
    var filePosition: Int64 = 0

    /// Forgets the anchor: the next packet starts a new epoch at its arrival (a participant
    /// removed and admitted again).
    mutating func restart() {
        offset = nil
    }

    /// Places one packet on the timeline and queues it, unless its time has already been
    /// mixed (`renderedThrough`).
    mutating func accept(header: AudioFrameHeader, payload: ByteBuffer, samples: Int, arrival: Int64, renderedThrough: Int64) -> Admission {
        var sequence: Int64
        var timestamp: Int64
        if let offset {
            sequence = lastUnwrappedSequence + Int64(Int16(bitPattern: header.sequence &- lastSequence))
            timestamp = lastUnwrappedTimestamp + Int64(Int32(bitPattern: header.timestamp &- lastTimestamp))
            if abs(offset + timestamp - arrival) > Self.reanchorSamples {
                (sequence, timestamp) = anchor(header, arrival: arrival)
            }
        } else {
            (sequence, timestamp) = anchor(header, arrival: arrival)
        }
        if sequence > lastUnwrappedSequence {
            lastSequence = header.sequence
            lastUnwrappedSequence = sequence
            lastTimestamp = header.timestamp
            lastUnwrappedTimestamp = timestamp
        }
        let placement = offset! + timestamp
        if placement < renderedThrough { return .late }
        if decodedEpoch == epoch, sequence < nextSequence { return .late }
        let packet = Pending(epoch: epoch, sequence: sequence, placement: placement, samples: samples, payload: payload)
        var index = pending.count
        while index > 0, (pending[index - 1].epoch, pending[index - 1].sequence) >= (epoch, sequence) {
            if pending[index - 1].epoch == epoch, pending[index - 1].sequence == sequence { return .duplicate }
            index -= 1
        }
        pending.insert(packet, at: index)
        return .queued
    }

    private mutating func anchor(_ header: AudioFrameHeader, arrival: Int64) -> (Int64, Int64) {
        if offset != nil || decodedEpoch != nil || !pending.isEmpty { epoch += 1 }
        let sequence = Int64(header.sequence)
        let timestamp = Int64(header.timestamp)
        offset = arrival - timestamp
        lastSequence = header.sequence
        lastUnwrappedSequence = sequence
        lastTimestamp = header.timestamp
        lastUnwrappedTimestamp = timestamp
        return (sequence, timestamp)
    }

    /// What to do next for the mix of the frame that ends at `frameEnd`.
    enum Step {
        /// Conceal one lost frame at `nextPosition` (a short gap with contiguous timestamps,
        /// and the packet after it is already here).
        case conceal
        /// Decode the first waiting packet (removed from `pending`).
        case decode(Pending)
        /// Nothing more is due before `frameEnd`.
        case done
    }

    /// The next step for the frame `[frameStart, frameEnd)`. Up to `maxConcealed` missing
    /// frames in a row are concealed (libopus packet-loss concealment) when the packets
    /// around them have contiguous timestamps; longer gaps stay silent.
    mutating func next(frameStart: Int64, frameEnd: Int64, maxConcealed: Int) -> Step {
        guard let first = pending.first else { return .done }
        if decodedEpoch == first.epoch, first.sequence > nextSequence, nextPosition >= frameStart, nextPosition < frameEnd {
            let missing = first.sequence - nextSequence
            let expected = nextPosition + missing * Int64(lastFrameSamples)
            if missing <= Int64(maxConcealed), abs(first.placement - expected) <= Int64(MixLimiter.blockSize) {
                return .conceal
            }
        }
        guard first.placement < frameEnd else { return .done }
        return .decode(pending.removeFirst())
    }
}
