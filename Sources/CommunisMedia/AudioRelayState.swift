import NIOCore

/// The bookkeeping of one meeting's relay, without sockets, loops or clocks: who is admitted
/// and muted, each sender's rate budget, sequence gaps, jitter and recent voice activity.
/// `AudioRelay` owns one and carries out what it returns (forward or drop); tests drive it
/// with crafted frames and times. Times are `NIODeadline`s passed in by the caller.
public struct AudioRelayState: Sendable {
    /// What to do with one frame.
    public enum Verdict: Sendable, Equatable {
        /// Forward the frame unchanged to every admitted stream except the sender.
        case forward
        case dropped(Drop)
    }

    public enum Drop: Sendable, Equatable {
        /// The sending stream is not admitted (left, removed, or never joined).
        case unknownStream
        case malformed(AudioFrameError)
        case rateLimited
        case muted
    }

    public let limits: AudioLimits
    private(set) var streams: [UInt16: Stream] = [:]
    /// Frames forwarded so far, across all senders (for `packetsOut` without a per-listener
    /// counter on the hot path).
    private var forwardedTotal = 0
    /// The last set reported by `speakingChange`.
    public private(set) var speaking: [UInt16] = []

    public init(limits: AudioLimits) {
        self.limits = limits
    }

    /// Admitted streams, in no particular order.
    public var streamIds: Dictionary<UInt16, Stream>.Keys { streams.keys }

    // MARK: Membership

    /// Admits `stream` (again, if it was: its figures start over).
    public mutating func add(_ stream: UInt16, muted: Bool, now: NIODeadline) {
        streams[stream] = Stream(
            muted: muted, bucket: TokenBucket(ratePerSecond: limits.maxPacketsPerSecond, now: now),
            forwardedTotalAtJoin: forwardedTotal)
    }

    public mutating func remove(_ stream: UInt16) {
        streams[stream] = nil
    }

    public mutating func setMuted(_ stream: UInt16, _ muted: Bool) {
        streams[stream]?.muted = muted
        if muted { streams[stream]?.lastVoice = nil }
    }

    public mutating func removeAll() {
        streams = [:]
        speaking = []
    }

    // MARK: The hot path

    /// Judges one frame from `stream`'s connection and updates that stream's figures.
    /// Order: header and size (malformed), then sequence and jitter bookkeeping (every
    /// well-formed packet is part of the sender's sequence, forwarded or not), then the rate
    /// limit, then mute; only a forwarded packet counts for speaking.
    public mutating func receive(_ frame: ByteBuffer, from stream: UInt16, now: NIODeadline) -> Verdict {
        let maxPacketBytes = limits.maxPacketBytes
        let speakingLevel = limits.speakingLevel
        guard let verdict = streams[stream]?.receive(frame, from: stream, maxPacketBytes: maxPacketBytes, speakingLevel: speakingLevel, now: now) else {
            return .dropped(.unknownStream)
        }
        if verdict == .forward { forwardedTotal += 1 }
        return verdict
    }

    // MARK: Speaking

    /// Streams that sent a forwarded packet with voice activity, or at least as loud as
    /// `speakingLevel`, within `speakingWindow` before `now`; sorted.
    public func speaking(at now: NIODeadline) -> [UInt16] {
        let window = TimeAmount.nanoseconds(Int64(limits.speakingWindow.components.seconds) * 1_000_000_000
            + limits.speakingWindow.components.attoseconds / 1_000_000_000)
        return streams.compactMap { id, stream in
            guard let last = stream.lastVoice, now - last <= window else { return nil }
            return id
        }.sorted()
    }

    /// The new speaking set if it differs from the last one reported, else nil.
    public mutating func speakingChange(at now: NIODeadline) -> [UInt16]? {
        let current = speaking(at: now)
        guard current != speaking else { return nil }
        speaking = current
        return current
    }

    // MARK: Statistics

    /// The figures of one stream (`droppedSlow` is the listener's, filled in by the caller).
    public func statistics(of id: UInt16) -> AudioStreamStatistics? {
        guard let stream = streams[id] else { return nil }
        // Everything forwarded since this stream joined went to it, except its own packets.
        let packetsOut = forwardedTotal - stream.forwardedTotalAtJoin - stream.forwarded
        return AudioStreamStatistics(
            streamId: id, packetsIn: stream.packetsIn, packetsOut: packetsOut, lost: stream.sequence.lost,
            jitterMs: stream.jitter.milliseconds, malformed: stream.malformed, rateLimited: stream.rateLimited,
            mutedDropped: stream.mutedDropped)
    }

    /// One admitted participant's state.
    public struct Stream: Sendable {
        var muted: Bool
        var bucket: TokenBucket
        var sequence = SequenceTracker()
        var jitter = JitterEstimator()
        var lastVoice: NIODeadline?
        let forwardedTotalAtJoin: Int
        var packetsIn = 0
        var forwarded = 0
        var malformed = 0
        var rateLimited = 0
        var mutedDropped = 0

        mutating func receive(_ frame: ByteBuffer, from id: UInt16, maxPacketBytes: Int, speakingLevel: UInt8, now: NIODeadline) -> Verdict {
            packetsIn += 1
            let header: AudioFrameHeader
            switch AudioFrameHeader.validate(frame, from: id, maxPacketBytes: maxPacketBytes) {
            case .failure(let error):
                malformed += 1
                return .dropped(.malformed(error))
            case .success(let valid):
                header = valid
            }
            sequence.record(header.sequence)
            jitter.record(timestamp: header.timestamp, arrival: now)
            guard bucket.take(now: now) else {
                rateLimited += 1
                return .dropped(.rateLimited)
            }
            guard !muted else {
                mutedDropped += 1
                return .dropped(.muted)
            }
            forwarded += 1
            if header.voiceActivity || header.level <= speakingLevel { lastVoice = now }
            return .forward
        }
    }
}

/// A sender's packet budget: `ratePerSecond` tokens a second, holding at most one second's
/// worth (the allowed burst). Starts full.
public struct TokenBucket: Sendable {
    public let ratePerSecond: Int
    /// Credit in nanoseconds of elapsed time, so refills stay integer arithmetic: one token
    /// costs 1e9 / rate ns, the bucket holds one second.
    private var credit: Int64
    private var last: NIODeadline
    private let capacity: Int64
    private let tokenCost: Int64

    public init(ratePerSecond: Int, now: NIODeadline) {
        self.ratePerSecond = max(ratePerSecond, 1)
        self.tokenCost = 1_000_000_000 / Int64(self.ratePerSecond)
        self.capacity = tokenCost * Int64(self.ratePerSecond)
        self.credit = capacity
        self.last = now
    }

    /// Takes one token if there is one.
    public mutating func take(now: NIODeadline) -> Bool {
        if now > last {
            credit = min(capacity, credit + (now - last).nanoseconds)
            last = now
        }
        guard credit >= tokenCost else { return false }
        credit -= tokenCost
        return true
    }
}

/// Counts gaps in a 16-bit wrapping sequence. A step forward of up to `maxDropout` counts
/// the skipped numbers as lost; a late packet within the last 64 numbers that was counted
/// lost is taken back (reordered, not lost), a repeat is ignored; any larger jump (a client
/// that restarted its numbering) resynchronises without counting anything (RFC 3550 A.1
/// does the same with MAX_DROPOUT 3000).
public struct SequenceTracker: Sendable {
    public static let maxDropout = 3000
    public private(set) var lost = 0
    public private(set) var highest: UInt16 = 0
    /// Bit i set: `highest - i` has arrived.
    private var seen: UInt64 = 0
    private var started = false

    public init() {}

    public mutating func record(_ sequence: UInt16) {
        guard started else {
            started = true
            highest = sequence
            seen = 1
            return
        }
        let delta = Int(Int16(bitPattern: sequence &- highest))
        if delta > 0, delta <= Self.maxDropout {
            lost += delta - 1
            seen = delta >= 64 ? 1 : (seen << UInt64(delta)) | 1
            highest = sequence
        } else if delta <= 0, delta > -64 {
            let bit = UInt64(1) << UInt64(-delta)
            if seen & bit == 0 {
                seen |= bit
                lost = max(0, lost - 1)
            }
        } else {
            highest = sequence
            seen = 1
        }
    }
}

/// RFC 3550 §6.4.1 inter-arrival jitter: J += (|D| − J) / 16, where D is the change in
/// transit time (arrival minus timestamp, both in 48 kHz samples) between consecutive packets.
public struct JitterEstimator: Sendable {
    /// In 48 kHz sample units.
    public private(set) var jitter: Double = 0
    private var lastTransit: Int32?

    public init() {}

    public var milliseconds: Double { jitter * 1000 / Double(AudioFrameHeader.clockRate) }

    public mutating func record(timestamp: UInt32, arrival: NIODeadline) {
        // Arrival on the same 48 kHz clock; only differences matter, so wrapping is fine.
        let arrivalSamples = UInt32(truncatingIfNeeded: arrival.uptimeNanoseconds &* 48 / 1_000_000)
        let transit = Int32(bitPattern: arrivalSamples &- timestamp)
        if let lastTransit {
            let d = transit &- lastTransit
            let magnitude = Double(d.magnitude)
            // A jump of more than ten seconds is a restart of the sender's clock, not jitter.
            if magnitude < Double(10 * AudioFrameHeader.clockRate) {
                jitter += (magnitude - jitter) / 16
            }
        }
        lastTransit = transit
    }
}
