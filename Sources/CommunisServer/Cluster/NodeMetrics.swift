import Foundation
import Synchronization

/// This node's own counters for `/api/v1/admin/metrics` (each node of a cluster answers with
/// its own; the node id labels them): doorbells heard, events read for other nodes' writes,
/// nodes alive, and the periodic jobs it ran.
public final class NodeMetrics: Sendable {
    public let node: String
    private struct Counts {
        var doorbells = 0
        var caughtUp = 0
        var nodesAlive = 1
        var jobs: [String: Int] = [:]
        var notesSent = 0
        var notesDropped = 0
    }
    private let counts = Mutex(Counts())

    public init(node: String) { self.node = node }

    func doorbell() { counts.withLock { $0.doorbells += 1 } }
    func caughtUp() { counts.withLock { $0.caughtUp += 1 } }
    func nodesAlive(_ n: Int) { counts.withLock { $0.nodesAlive = n } }
    func jobRan(_ name: String) { counts.withLock { $0.jobs[name, default: 0] += 1 } }
    func noteSent() { counts.withLock { $0.notesSent += 1 } }
    func noteDropped() { counts.withLock { $0.notesDropped += 1 } }

    /// Prometheus text lines.
    var metrics: [PrometheusText.Metric] {
        let counts = counts.withLock { $0 }
        let node = PrometheusText.label(self.node)
        var metrics = [
            PrometheusText.Metric(name: "communis_node_info{node=\(node)}", kind: .gauge, help: "This node (its id in the label).", value: 1),
            PrometheusText.Metric(name: "communis_cluster_nodes", kind: .gauge, help: "Nodes of the cluster alive (heartbeat within 10 s), this one included.", value: counts.nodesAlive),
            PrometheusText.Metric(name: "communis_cluster_doorbells_total", kind: .counter, help: "Doorbells heard: batches committed by any node.", value: counts.doorbells),
            PrometheusText.Metric(name: "communis_cluster_catchups_total", kind: .counter, help: "Times the once-a-second check found a room behind the log (a doorbell missed, or a commit not yet published) and read the rest.", value: counts.caughtUp),
            PrometheusText.Metric(name: "communis_cluster_notes_sent_total", kind: .counter, help: "Notes (presence, typing, session and membership ends) sent to the other nodes.", value: counts.notesSent),
            PrometheusText.Metric(name: "communis_cluster_notes_dropped_total", kind: .counter, help: "Notes not sent (too large or the database did not take them).", value: counts.notesDropped),
        ]
        for (job, runs) in counts.jobs.sorted(by: { $0.key < $1.key }) {
            metrics.append(PrometheusText.Metric(name: "communis_jobs_run_total{job=\(PrometheusText.label(job))}", kind: .counter,
                                                 help: "Periodic jobs this node ran (one node per period in a cluster).", value: runs))
        }
        return metrics
    }
}
