import Foundation
import Logging

/// One document fetched from the provider and kept for a while (the discovery document, the
/// key set). Owns the copy, when it was fetched, the last failure and the fetch under way:
/// concurrent logins share one fetch, a failure is not retried for `retryAfterFailure` (a
/// provider that is down is not asked on every login), and a copy past its age that cannot
/// be renewed is still used, with a warning, rather than stopping every login.
actor CachedDocument<Value: Sendable> {
    private let maxAge: Duration
    private let retryAfterFailure: Duration
    private let clock = ContinuousClock()
    private var stored: (value: Value, source: String, at: ContinuousClock.Instant)?
    private var lastFailure: (error: any Error, source: String, at: ContinuousClock.Instant)?
    private var running: (task: Task<Value, any Error>, source: String)?

    init(maxAge: Duration, retryAfterFailure: Duration) {
        self.maxAge = maxAge
        self.retryAfterFailure = retryAfterFailure
    }

    /// The copy from `source` if it is young enough, else a fresh one.
    func value(from source: String, logger: Logger, fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = clock.now
        if let stored, stored.source == source, stored.at.duration(to: now) < maxAge {
            return stored.value
        }
        if let lastFailure, lastFailure.source == source, lastFailure.at.duration(to: now) < retryAfterFailure {
            if let stored, stored.source == source { return stored.value }
            throw lastFailure.error
        }
        return try await fetchOrJoin(source: source, logger: logger, staleAllowed: true, fetch: fetch)
    }

    /// A fresh copy whatever the age of the stored one (the caller limits how often).
    func refreshed(from source: String, logger: Logger, fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await fetchOrJoin(source: source, logger: logger, staleAllowed: false, fetch: fetch)
    }

    private func fetchOrJoin(source: String, logger: Logger, staleAllowed: Bool,
                             fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task: Task<Value, any Error>
        if let running, running.source == source {
            task = running.task
        } else {
            // Unstructured on purpose: a login whose request is cancelled must not cancel the
            // fetch that other logins wait for. Every fetch has its own deadline.
            task = Task { try await fetch() }
            running = (task, source)
        }
        do {
            let value = try await task.value
            if running?.task == task {
                running = nil
                stored = (value, source, clock.now)
                lastFailure = nil
            }
            return value
        } catch {
            if running?.task == task {
                running = nil
                lastFailure = (error, source, clock.now)
            }
            if staleAllowed, let stored, stored.source == source {
                logger.warning("could not renew a document from the identity provider; using the copy fetched earlier", metadata: [
                    "oidc.source": "\(source)", "error": "\(error)",
                ])
                return stored.value
            }
            throw error
        }
    }
}
