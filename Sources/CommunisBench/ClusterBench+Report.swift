import Foundation

/// The printed part of `communis bench cluster`: one line per scenario, then the table.
extension ClusterBench {
    func report(_ r: ScenarioResult) {
        say("  \(r.acked) acked posts in \(Format.number(r.seconds, 1)) s = \(Format.number(r.ackedPerSecond, 0))/s; delivered \(r.delivered)/\(r.expected), p50 \(Format.number(r.latency.p50, 2)) ms, p99 \(Format.number(r.latency.p99, 2)) ms; ack p50 \(Format.number(r.ack.p50, 2)) ms")
        if let observed = r.observerLatency {
            say("  same node (\(r.nodes.first ?? "a")): delivered \(r.observersDelivered)/\(r.observersExpected), p50 \(Format.number(observed.p50, 2)) ms, p99 \(Format.number(observed.p99, 2)) ms")
        }
        say("  doorbells / catch-ups: " + r.counters.map { "\($0.node) \(Self.count($0.doorbells)) / \(Self.count($0.catchups))" }.joined(separator: ", "))
        if r.errors > 0 { say("  writer errors: \(r.errors) (first: \(r.firstError ?? ""))") }
    }

    static func count(_ value: Int) -> String { value < 0 ? "?" : String(value) }

    func printSummary(single: ScenarioResult, two: ScenarioResult) {
        say("\n================ communis bench cluster: results ================")
        say("\(options.writers) writers (closed loop, post.create with idempotency keys), \(options.subscribers) subscribers of the workspace, \(Format.number(options.duration, 1)) s measured;")
        say("latency = receive time − send time written into the post by the writer (same process, monotonic clock):")
        say("it includes the durable PostgreSQL commit and, across nodes, the doorbell (NOTIFY) and node b's read of the log.")
        say("Nodes, PostgreSQL and the load client share this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores.")
        say("")
        say(Format.row(["", "one node", "two nodes", "ratio"]))
        say(Format.row(["writers → subscribers", "a → a", "a → b", ""]))
        func line(_ name: String, _ f: (ScenarioResult) -> Double, digits: Int) {
            let x = f(single)
            let y = f(two)
            say(Format.row([name, Format.number(x, digits), Format.number(y, digits), Format.ratio(y, x)]))
        }
        line("acked posts per second", { $0.ackedPerSecond }, digits: 0)
        line("delivery latency p50 (ms)", { $0.latency.p50 }, digits: 2)
        line("delivery latency p99 (ms)", { $0.latency.p99 }, digits: 2)
        line("delivery latency max (ms)", { $0.latency.max }, digits: 2)
        line("ack latency p50 (ms)", { $0.ack.p50 }, digits: 2)
        line("ack latency p99 (ms)", { $0.ack.p99 }, digits: 2)
        say(Format.row(["delivered / expected", "\(single.delivered)/\(single.expected)", "\(two.delivered)/\(two.expected)", ""]))
        if let observed = two.observerLatency {
            say(Format.row(["same node a → a p50 / p99 (ms)", "", "\(Format.number(observed.p50, 2)) / \(Format.number(observed.p99, 2))", ""]))
            say(Format.row(["  delivered / expected", "", "\(two.observersDelivered)/\(two.observersExpected)", ""]))
        }
        func counters(_ r: ScenarioResult, _ pick: (NodeCounters) -> Int) -> String {
            r.counters.map { "\($0.node) \(Self.count(pick($0)))" }.joined(separator: ", ")
        }
        say(Format.row(["doorbells heard (per node)", counters(single, \.doorbells), counters(two, \.doorbells), ""]))
        say(Format.row(["catch-ups (room behind the log at a check)", counters(single, \.catchups), counters(two, \.catchups), ""]))
        func perPost(_ r: ScenarioResult) -> Double {
            // The subscriber node's doorbells per acked post (a doorbell rings per committed batch).
            guard let bell = r.counters.last, bell.doorbells >= 0, r.ackedTotal > 0 else { return .nan }
            return Double(bell.doorbells) / Double(r.ackedTotal)
        }
        line("  subscriber node's per acked post", perPost, digits: 2)
        say("  (doorbells: from just before the writers start to after the last delivery, per post of that whole span)")
        say(Format.row(["load average at start (1 min)", single.load, two.load, ""]))
        say(Format.row(["writer errors", String(single.errors), String(two.errors), ""]))
        say(Format.row(["closed connections", Format.closes(single.closes), Format.closes(two.closes), ""]))
        for r in [single, two] where r.errors > 0 { say("  \(r.label): first writer error: \(r.firstError ?? "")") }
        if options.quick { say("(quick run: short and small; the figures are a smoke test)") }
    }
}
