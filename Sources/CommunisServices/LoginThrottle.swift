import Foundation

/// Counts login attempts per client address in a sliding window, so one address cannot try
/// passwords against many accounts. (Per-account locking is stored with the account, so it
/// survives restarts; this per-address limit is in memory.)
public actor LoginThrottle {
    public let limit: Int
    public let window: TimeInterval
    private var attempts: [String: [Date]] = [:]
    private var sweeps = 0

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Records an attempt from `address`; returns nil if allowed, or the number of seconds to
    /// wait when the address is over its limit (the attempt is then not counted).
    public func attempt(from address: String, at now: Date) -> TimeInterval? {
        sweepIfDue(now: now)
        var recent = (attempts[address] ?? []).filter { now.timeIntervalSince($0) < window }
        if recent.count >= limit, let oldest = recent.first {
            attempts[address] = recent
            return max(1, window - now.timeIntervalSince(oldest))
        }
        recent.append(now)
        attempts[address] = recent
        return nil
    }

    /// Forgets old entries now and then so the table stays small under address churn.
    private func sweepIfDue(now: Date) {
        sweeps += 1
        guard sweeps % 1000 == 0 else { return }
        attempts = attempts.filter { _, times in times.contains { now.timeIntervalSince($0) < window } }
    }
}
