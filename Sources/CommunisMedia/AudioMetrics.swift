import Synchronization

/// Process-wide audio counters, for `/api/v1/admin/metrics`. Incremented by every meeting's
/// relay and by the WebSocket layer (`unrouted`, `droppedSlow`) from any thread: each
/// counter is a relaxed atomic, so the hot path pays one uncontended add per counter and
/// never takes a lock. A snapshot is a set of counters read one after another, not a
/// consistent cut across all of them.
public final class AudioMetrics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var packetsIn = 0
        public var packetsOut = 0
        public var droppedSlow = 0
        public var droppedStale = 0
        public var malformed = 0
        /// Binary frames from connections that are not admitted to any meeting.
        public var unrouted = 0
        public var rateLimited = 0
        public var mutedDropped = 0
        public init() {}
    }

    /// Frames that arrived from admitted participants (forwarded or not).
    public let packetsIn = Atomic<Int>(0)
    /// Frames handed to listeners (one per listener per forwarded packet).
    public let packetsOut = Atomic<Int>(0)
    /// Frames dropped from a listener's queue because its connection could not keep up.
    public let droppedSlow = Atomic<Int>(0)
    /// Frames dropped from a listener's queue because they were older than
    /// `meeting.audio_max_age_ms` when the connection could take them again.
    public let droppedStale = Atomic<Int>(0)
    /// Frames with a bad header, the wrong stream id, or an empty or oversized packet.
    public let malformed = Atomic<Int>(0)
    /// Binary frames from connections that are not admitted to any meeting.
    public let unrouted = Atomic<Int>(0)
    /// Frames over a sender's packet rate.
    public let rateLimited = Atomic<Int>(0)
    /// Frames from muted senders.
    public let mutedDropped = Atomic<Int>(0)

    public init() {}

    public func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        snapshot.packetsIn = packetsIn.load(ordering: .relaxed)
        snapshot.packetsOut = packetsOut.load(ordering: .relaxed)
        snapshot.droppedSlow = droppedSlow.load(ordering: .relaxed)
        snapshot.droppedStale = droppedStale.load(ordering: .relaxed)
        snapshot.malformed = malformed.load(ordering: .relaxed)
        snapshot.unrouted = unrouted.load(ordering: .relaxed)
        snapshot.rateLimited = rateLimited.load(ordering: .relaxed)
        snapshot.mutedDropped = mutedDropped.load(ordering: .relaxed)
        return snapshot
    }
}

extension Atomic where Value == Int {
    /// Adds `amount` (relaxed: these are statistics, ordering with other memory is not needed).
    @inlinable
    public func add(_ amount: Int = 1) {
        wrappingAdd(amount, ordering: .relaxed)
    }
}
