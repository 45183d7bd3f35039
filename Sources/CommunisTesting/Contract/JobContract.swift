import CommunisStore
import Foundation
import Synchronization
import Testing

/// `JobStore.runJob`: a periodic job runs once per period however many nodes (or tasks) ask,
/// never twice at once, and a failed run waits for the next period like a successful one.
public enum JobContract {
    public static let cases: [ContractCase] = [
        ContractCase("a job runs once per period, whichever node asks", oncePerPeriod),
        ContractCase("a job that outlasts its period is not started again while it runs", notTwiceAtOnce),
        ContractCase("a job that fails waits for the next period; other jobs are independent", failedRunCounts),
    ]

    static func oncePerPeriod(_ store: any CommunisStore) async throws {
        let runs = Mutex(0)
        let body: @Sendable () async throws -> Void = { runs.withLock { $0 += 1 } }
        #expect(try await store.runJob("prune", every: 60, node: "a", at: Instant.t0, body))
        #expect(try await !store.runJob("prune", every: 60, node: "b", at: Instant.at(30), body), "another node within the period")
        #expect(try await !store.runJob("prune", every: 60, node: "a", at: Instant.at(59), body), "the same node within the period")
        #expect(try await store.runJob("prune", every: 60, node: "b", at: Instant.at(60), body), "the next period, on any node")
        #expect(runs.withLock { $0 } == 2)
    }

    static func notTwiceAtOnce(_ store: any CommunisStore) async throws {
        let started = AsyncStream<Void>.makeStream()
        let finish = AsyncStream<Void>.makeStream()
        let long = Task {
            try await store.runJob("sync", every: 1, node: "a", at: Instant.t0) {
                started.continuation.yield()
                for await _ in finish.stream { break }
            }
        }
        for await _ in started.stream { break }
        // Two periods later, while the first run still runs.
        let second = try await store.runJob("sync", every: 1, node: "b", at: Instant.at(2)) {
            Issue.record("ran while the first run was still running")
        }
        #expect(!second)
        finish.continuation.yield()
        #expect(try await long.value)
        #expect(try await store.runJob("sync", every: 1, node: "b", at: Instant.at(3)) {})
    }

    struct Failure: Error {}

    static func failedRunCounts(_ store: any CommunisStore) async throws {
        await #expect(throws: Failure.self) {
            try await store.runJob("remind", every: 60, node: "a", at: Instant.t0) { throw Failure() }
        }
        #expect(try await !store.runJob("remind", every: 60, node: "a", at: Instant.at(1)) {})
        #expect(try await store.runJob("sweep", every: 60, node: "a", at: Instant.at(1)) {}, "another job has its own period")
        #expect(try await store.runJob("remind", every: 60, node: "a", at: Instant.at(60)) {})
    }
}
