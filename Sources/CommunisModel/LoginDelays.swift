import Foundation

/// How failed logins slow down guessing without letting anyone lock a colleague out.
///
/// Failures are counted per (account, client address): after `freeAttempts` failures in a
/// row from one address, each further attempt from that address must wait 1, 2, 4, …
/// seconds, up to `maxDelay`. Another address is not affected, so wrong passwords typed
/// from one place never stop the real person elsewhere. Separately, an address may fail at
/// most `addressFailures` times per `addressWindow` over all accounts (password spraying);
/// only failures count, so many colleagues behind one municipal NAT address can still log in.
public struct LoginDelayPolicy: Sendable, Equatable {
    public var freeAttempts: Int
    public var maxDelay: TimeInterval
    public var addressFailures: Int
    public var addressWindow: TimeInterval
    /// A failure count older than this (no failure since) starts again from zero.
    public var forgetAfter: TimeInterval

    public init(freeAttempts: Int = 5, maxDelay: TimeInterval = 900, addressFailures: Int = 100, addressWindow: TimeInterval = 600, forgetAfter: TimeInterval = 86_400) {
        self.freeAttempts = freeAttempts
        self.maxDelay = maxDelay
        self.addressFailures = addressFailures
        self.addressWindow = addressWindow
        self.forgetAfter = forgetAfter
    }

    /// The wait before the next attempt after `failures` failures in a row.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeAttempts else { return 0 }
        let exponent = min(failures - freeAttempts, 30)
        return min(maxDelay, Double(1 << exponent))
    }
}

/// One counter of failed logins: for an (account, address) pair or for an address alone.
public struct LoginFailureCounter: Sendable, Equatable {
    public var failures: Int
    public var firstFailureAt: Date
    public var lastFailureAt: Date
    /// No attempt is checked before this moment.
    public var blockedUntil: Date?

    public init(failures: Int, firstFailureAt: Date, lastFailureAt: Date, blockedUntil: Date?) {
        self.failures = failures
        self.firstFailureAt = firstFailureAt
        self.lastFailureAt = lastFailureAt
        self.blockedUntil = blockedUntil
    }

    /// The counter of an (account, address) pair after one more failure at `now`.
    public static func afterAccountFailure(_ previous: LoginFailureCounter?, at now: Date, policy: LoginDelayPolicy) -> LoginFailureCounter {
        var counter = previous.flatMap { now.timeIntervalSince($0.lastFailureAt) < policy.forgetAfter ? $0 : nil }
            ?? LoginFailureCounter(failures: 0, firstFailureAt: now, lastFailureAt: now, blockedUntil: nil)
        counter.failures += 1
        counter.lastFailureAt = now
        let delay = policy.delay(afterFailures: counter.failures)
        counter.blockedUntil = delay > 0 ? now.addingTimeInterval(delay) : nil
        return counter
    }

    /// The counter of an address after one more failure at `now` (a fixed window that starts
    /// at the first failure; at the limit the address waits until the window ends).
    public static func afterAddressFailure(_ previous: LoginFailureCounter?, at now: Date, policy: LoginDelayPolicy) -> LoginFailureCounter {
        var counter = previous.flatMap { now.timeIntervalSince($0.firstFailureAt) < policy.addressWindow ? $0 : nil }
            ?? LoginFailureCounter(failures: 0, firstFailureAt: now, lastFailureAt: now, blockedUntil: nil)
        counter.failures += 1
        counter.lastFailureAt = now
        counter.blockedUntil = counter.failures >= policy.addressFailures
            ? counter.firstFailureAt.addingTimeInterval(policy.addressWindow) : nil
        return counter
    }
}
