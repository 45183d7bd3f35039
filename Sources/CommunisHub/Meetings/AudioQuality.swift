import CommunisMedia

/// How well a participant's connection carries the meeting (Participant `quality`).
/// Ordered: `good` < `fair` < `poor`, so the worse of two is their `max`.
public enum MeetingQuality: String, Codable, Sendable, Comparable, CaseIterable {
    case good, fair, poor

    private var rank: Int {
        switch self {
        case .good: 0
        case .fair: 1
        case .poor: 2
        }
    }

    public static func < (lhs: MeetingQuality, rhs: MeetingQuality) -> Bool { lhs.rank < rhs.rank }
}

/// Whether a participant's connection is there (Participant `connection`).
public enum MeetingConnection: String, Codable, Sendable {
    case ok, reconnecting
}

/// One participant's quality: what their client reported (`meeting.quality`), what the relay
/// sees of them, and what was last announced (and when: at most one change per
/// `MeetingState.qualityInterval`).
public struct QualityTrack: Sendable, Equatable {
    public var reported: MeetingQuality = .good
    public var relay: MeetingQuality = .good
    public var announced: MeetingQuality = .good
    var lastAnnounced: ContinuousClock.Instant?

    public var combined: MeetingQuality { max(reported, relay) }
}

/// The relay's view of each participant's connection, from its figures sampled every few
/// seconds: their sending (sequence gaps in %, RFC 3550 jitter) and their receiving (audio
/// dropped for them, slow or stale, in the last `window`). A pure value; the meeting's room
/// feeds it `AudioRelay.statistics()` and hands the levels to `MeetingState.relayQuality`.
public struct RelayQualityMeter: Sendable {
    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var packetsIn: Int
        var lost: Int
        var dropped: Int
    }

    /// The span the figures are judged over (docs/protocol.md: "in the last 10 s").
    public static let window: Duration = .seconds(10)
    private var history: [UInt16: [Sample]] = [:]

    public init() {}

    /// The level of each stream in `figures`, judged on the change since the oldest sample
    /// within `window`. Streams not in `figures` are forgotten.
    public mutating func levels(_ figures: [AudioStreamStatistics], now: ContinuousClock.Instant) -> [UInt16: MeetingQuality] {
        var levels: [UInt16: MeetingQuality] = [:]
        var kept: [UInt16: [Sample]] = [:]
        for figure in figures {
            let sample = Sample(at: now, packetsIn: figure.packetsIn, lost: figure.lost, dropped: figure.droppedSlow + figure.droppedStale)
            var samples = history[figure.streamId] ?? []
            // Counters that went down: the stream was added to the relay again (a rejoin).
            if let last = samples.last, last.packetsIn > sample.packetsIn || last.lost > sample.lost || last.dropped > sample.dropped {
                samples = []
            }
            samples.append(sample)
            while samples.count > 2, samples[1].at <= now - Self.window { samples.removeFirst() }
            kept[figure.streamId] = samples
            levels[figure.streamId] = Self.level(from: samples[0], to: sample, jitterMs: figure.jitterMs)
        }
        history = kept
        return levels
    }

    /// Thresholds: where a 20 ms Opus stream stays intelligible with the client's jitter
    /// buffer (a few % loss, tens of ms of jitter, a fraction of a second dropped in 10 s).
    static func level(from base: Sample, to now: Sample, jitterMs: Double) -> MeetingQuality {
        var level = MeetingQuality.good
        let received = now.packetsIn - base.packetsIn
        let lost = now.lost - base.lost
        // Loss means something only over a second's worth of packets or more.
        if received + lost >= 50 {
            let percent = Double(lost) * 100 / Double(received + lost)
            level = max(level, percent >= 10 ? .poor : percent >= 3 ? .fair : .good)
        }
        // Jitter of a stream that sends (a muted client sends nothing: its jitter is old).
        if received > 0 {
            level = max(level, jitterMs >= 120 ? .poor : jitterMs >= 50 ? .fair : .good)
        }
        // Audio dropped for them: 10 frames are 200 ms of one talker.
        let dropped = now.dropped - base.dropped
        level = max(level, dropped > 100 ? .poor : dropped > 10 ? .fair : .good)
        return level
    }
}
