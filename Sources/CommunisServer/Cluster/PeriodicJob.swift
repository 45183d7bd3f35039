import CommunisStore
import Foundation
import Logging
import ServiceLifecycle

/// Where periodic jobs claim their periods: the store (one claim row per job, shared by every
/// node of a cluster) and this node's name and counters.
public struct JobRunner: Sendable {
    let store: any JobStore
    let node: String
    let metrics: NodeMetrics?

    public init(store: any JobStore, node: String, metrics: NodeMetrics? = nil) {
        self.store = store
        self.node = node
        self.metrics = metrics
    }
}

/// A job of the server that runs every `interval` (pruning, sweeping, reminders,
/// housekeeping, directory sync): on one node at a time however many nodes share the
/// database, and once per period (`JobStore.runJob`). Each node looks four times per period
/// (at most once a minute), so the job runs within a quarter period of coming due even when
/// the node that ran it last has gone. The period is measured on the wall clock of the
/// machines, not the domain clock (tests move that one).
struct PeriodicJob: Service {
    let name: String
    let interval: Duration
    /// How long after start the first look is (0: at once, catching up on what came due while
    /// the server was down).
    var firstDelay: Duration = .zero
    let jobs: JobRunner
    let logger: Logger
    let work: @Sendable () async throws -> Void

    func run() async throws {
        if firstDelay > .zero { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: firstDelay) } }
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let look = min(interval / 4, .seconds(60))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A hair less than the period: a look that comes a millisecond early must not
                // push the run a whole look later.
                if try await jobs.store.runJob(name, every: seconds * 0.99, node: jobs.node, at: Date(), work) {
                    jobs.metrics?.jobRan(name)
                }
            } catch {
                // The claim is taken before the work: a failed run waits for the next period.
                logger.warning("periodic job failed; it runs again next period", metadata: ["job": "\(name)", "error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: look) }
        }
    }
}
