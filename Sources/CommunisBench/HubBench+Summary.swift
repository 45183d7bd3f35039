import Foundation
import NIOCore
import NIOPosix
import Glibc

/// The printed part of `communis bench hub`: the per-scenario tables and the targets.
extension HubBench {
    func report(_ r: FanoutResult, _ who: String) {
        say("  \(who): \(r.delivered)/\(r.expected) delivered, \(Format.number(r.deliveriesPerSecond, 0))/s, server CPU \(Format.number(r.cpuPerDeliveryMicros, 2)) µs/delivery, p50 \(Format.number(r.latency.p50, 2)) ms, p99 \(Format.number(r.latency.p99, 2)) ms, closes: \(Format.closes(r.closes))")
        if let error = r.writerFirstError { say("  writer errors: \(r.writerErrors), first: \(error)") }
    }

    func printSummary(options: Options, a: (FanoutResult?, FanoutResult?), b: (FanoutResult?, FanoutResult?), c: MemoryResult?, d: WritersResult?, lwsRan: Bool) {
        say("\n================ communis bench hub: results ================")
        say("server CPU = utime+stime of the server process over the measured window, divided by deliveries;")
        say("latency = receive time − send time written into the post by the writer (same process, monotonic clock),")
        say("so for Communis it includes the durable commit before fan-out (shown separately as 'ack').")
        say("schedstat = the same CPU summed over /proc/<pid>/task/*/schedstat (ns resolution, misses threads that exited).")
        func table(_ title: String, _ pair: (FanoutResult?, FanoutResult?)) {
            guard let ours = pair.0 else { return }
            let theirs = pair.1
            say("\n" + title)
            say(Format.row(["", "Communis", "libwebsockets", "ratio"]))
            func line(_ name: String, _ f: (FanoutResult) -> Double, digits: Int) {
                let x = f(ours)
                let y = theirs.map(f) ?? .nan
                say(Format.row([name, Format.number(x, digits), Format.number(y, digits), Format.ratio(x, y)]))
            }
            say(Format.row(["delivered / expected", "\(ours.delivered)/\(ours.expected)", theirs.map { "\($0.delivered)/\($0.expected)" } ?? "–", ""]))
            line("deliveries per second", { $0.deliveriesPerSecond }, digits: 0)
            line("server CPU per delivery (µs)", { $0.cpuPerDeliveryMicros }, digits: 2)
            line("  same, from schedstat (µs)", { $0.schedPerDeliveryMicros }, digits: 2)
            line("  resolution of the above (± µs)", { $0.delivered > 0 ? 1e6 / ProcStat.ticksPerSecond / Double($0.delivered) : .nan }, digits: 2)
            line("latency p50 (ms)", { $0.latency.p50 }, digits: 2)
            line("latency p99 (ms)", { $0.latency.p99 }, digits: 2)
            line("latency max (ms)", { $0.latency.max }, digits: 2)
            line("client CPU per delivery (µs)", { $0.clientCPUPerDeliveryMicros }, digits: 2)
            say(Format.row(["post ack p50 / p99 (ms)", "\(Format.number(ours.ack.p50, 2)) / \(Format.number(ours.ack.p99, 2))", "n/a", ""]))
            if ours.rssPerConnection != nil || theirs?.rssPerConnection != nil {
                say(Format.row(["server RSS per connection", ours.rssPerConnection.map(Format.kib) ?? "–", theirs?.rssPerConnection.map(Format.kib) ?? "–",
                                Format.ratio(ours.rssPerConnection ?? .nan, theirs?.rssPerConnection ?? .nan)]))
            }
            say(Format.row(["closed connections", Format.closes(ours.closes), theirs.map { Format.closes($0.closes) } ?? "–", ""]))
            if ours.writerErrors > 0 { say("  Communis writer errors: \(ours.writerErrors) (first: \(ours.writerFirstError ?? ""))") }
        }
        table("(a) \(options.connections) members, \(Format.number(options.rate, 0)) posts/s, \(Format.number(options.duration, 0)) s measured", a)
        table("(b) \(options.idlePosts) single posts, each to \(options.idleConnections) idle members", b)
        if let c {
            say("\n(c) resident memory, \(c.connections) idle subscribed connections")
            say(Format.row(["RSS with 0 / with N connections", "\(Format.kib(Double(c.rssBefore))) / \(Format.kib(Double(c.rssAfter)))"]))
            say(Format.row(["RSS per idle connection", Format.kib(c.perConnection)]))
            say(Format.row(["  of which connection (upgrade)", Format.kib(c.perOpenConnection)]))
            say(Format.row(["  of which subscription", Format.kib(c.perSubscription)]))
            say(Format.row(["connect / subscribe time (s)", "\(Format.number(c.connectSeconds)) / \(Format.number(c.subscribeSeconds))"]))
            if !c.closes.isEmpty { say(Format.row(["closed connections", Format.closes(c.closes)])) }
        }
        if let d {
            say("\n(d) \(d.writers) concurrent writers (live post.create, closed loop) vs raw SQLite")
            say(Format.row(["", "Communis", "raw SQLite", "ratio"]))
            say(Format.row(["commits per second", Format.number(d.ackedPerSecond, 0), Format.number(d.rawPerSecond, 0), Format.ratio(d.ackedPerSecond, d.rawPerSecond)]))
            say(Format.row(["ack latency p50 / p99 (ms)", "\(Format.number(d.ackLatency.p50, 2)) / \(Format.number(d.ackLatency.p99, 2))", "", ""]))
            say("  raw SQLite: single-row INSERT per transaction, GRDB DatabasePool, \(d.rawPragmas)")
            if d.errors > 0 { say("  writer errors: \(d.errors) (first: \(d.firstError ?? ""))") }
        }

        say("\n---------------- targets ----------------")
        if options.quick { say("(quick run: sizes are smaller than the targets are defined for)") }
        func verdict(_ met: Bool?) -> String { met.map { $0 ? "MET   " : "MISSED" } ?? "n/a   " }
        for (name, pair) in [("(a)", a), ("(b)", b)] {
            guard let ours = pair.0 else { continue }
            if let theirs = pair.1 {
                let cpu = ours.cpuPerDeliveryMicros / theirs.cpuPerDeliveryMicros
                say("\(verdict(cpu.isFinite ? cpu <= 1.5 : nil)) \(name) CPU per delivery ≤ 1.5× libwebsockets: \(Format.number(ours.cpuPerDeliveryMicros, 2)) µs vs \(Format.number(theirs.cpuPerDeliveryMicros, 2)) µs = \(Format.ratio(ours.cpuPerDeliveryMicros, theirs.cpuPerDeliveryMicros))")
                let p99 = ours.latency.p99 / theirs.latency.p99
                say("\(verdict(p99.isFinite ? p99 <= 2 : nil)) \(name) p99 ≤ 2× libwebsockets' p99: \(Format.number(ours.latency.p99, 2)) ms vs \(Format.number(theirs.latency.p99, 2)) ms = \(Format.ratio(ours.latency.p99, theirs.latency.p99))")
            } else {
                say("n/a    \(name) CPU and p99 against libwebsockets: libwebsockets not run")
            }
        }
        if let ours = b.0 {
            let all = ours.delivered == ours.expected
            say("\(verdict(all && ours.latency.p99 < 100)) (b) one post to \(options.idleConnections) members, all delivered with p99 < 100 ms: \(ours.delivered)/\(ours.expected) delivered, p99 \(Format.number(ours.latency.p99, 2)) ms")
        }
        if let c {
            say("\(verdict(c.perConnection <= 16 * 1024)) (c) ≤ 16 KiB RSS per idle connection at \(c.connections): \(Format.kib(c.perConnection))")
        }
        if let d {
            let ratio = d.ackedPerSecond / d.rawPerSecond
            say("\(verdict(ratio.isFinite ? ratio >= 1 : nil)) (d) acked posts/s ≥ 1× raw single-row commits/s: \(Format.number(d.ackedPerSecond, 0)) / \(Format.number(d.rawPerSecond, 0)) = \(Format.ratio(d.ackedPerSecond, d.rawPerSecond))")
        }
    }
}
