import Foundation

/// The printed part of `communis bench relay`: a line per run, the tables, the targets.
extension RelayBench {
    func report(_ r: RelayMeasurement, _ who: String) {
        say("  \(who): \(r.delivered)/\(r.expected) delivered (\(Format.number(r.deliveredFraction * 100, 3)) %), \(Format.number(r.deliveredPerSecond, 0))/s; server CPU \(Format.number(r.cpuPerPacketMicros, 2)) µs/packet (\(Format.number(r.serverCPUShare * 100, 0)) % of a core); p50 \(Format.number(r.latency.p50, 2)) ms, p99 \(Format.number(r.latency.p99, 2)) ms; client CPU \(Format.number(r.clientCPUShare * 100, 0)) %, other processes \(Format.number(r.otherCPUShare * 100, 0)) % of a core; closes: \(Format.closes(r.closes))")
        var oddities: [String] = []
        func nice(_ range: ClosedRange<Int>?) -> String { range.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)…\($0.upperBound)" } ?? "?" }
        if r.niceClient.map({ $0 != 0...0 }) ?? false || r.niceServer.map({ $0 != 0...0 }) ?? false {
            say("  \(who): nice values of the threads: client \(nice(r.niceClient)), server \(nice(r.niceServer)); autogroups: client \(r.groupClient ?? "none"), server \(r.groupServer ?? "none")")
        }
        if r.clientSkipped > 0 { oddities.append("the client skipped \(r.clientSkipped) packets (its loop was over \(AudioWire.maxCatchUpNanos / 1_000_000) ms late: it lacked CPU)") }
        if r.selfEcho > 0 { oddities.append("\(r.selfEcho) frames came back to their sender") }
        if r.unknown > 0 { oddities.append("\(r.unknown) frames of unknown streams") }
        if r.malformed > 0 { oddities.append("\(r.malformed) malformed frames") }
        if r.delivered > r.expected { oddities.append("more delivered than expected: duplicates?") }
        if !oddities.isEmpty { say("  \(who): " + oddities.joined(separator: "; ")) }
        if let counters = r.serverCounters, r.delivered > 0, counters["packetsOut"] == 0 {
            say("  \(who): the server's metrics read packetsOut 0 while packets flowed: /api/v1/admin/metrics does not see the relays' counters")
        }
        if let counters = r.serverCounters {
            say("  \(who) server counters over the run (warm-up included): " + counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
    }

    func printSummary(options: Options, results: [ScenarioResult]) {
        say("\n================ communis bench relay: results ================")
        say("Each talker sends 50 Opus packets/s (20 ms, real libopus packets); the server forwards each to the")
        say("P−1 other participants of its meeting. Measured over \(Format.number(options.duration, 0)) s after \(Format.number(options.warmup, 0)) s of warm-up.")
        say("server CPU = utime+stime of the server process over the window ÷ packets delivered in the window;")
        say("latency = receive time at the listener − send time at the talker (one process, monotonic clock; the client")
        say("keeps a table of (stream, seq) → send time, nothing is written into the payload); drops = expected − delivered")
        say("of the packets sent in the window. floor = NIO's WebSocket upgrader + a handler that forwards each binary")
        say("frame to the other connections of its group and nothing else (`communis bench relay-floor-server`).")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        say("Client and server share this machine's \(cores) cores (client event loops: \(options.clientThreads)); the client's CPU is shown.")

        for result in results {
            let ours = result.communis
            let floor = result.floor
            say("\n\(result.shape) — \(result.shape.meetings) × \(result.shape.participants), \(result.shape.talkers) talking per meeting")
            say(Format.row(["", "Communis", "floor (NIO)", "ratio C/floor"]))
            func line(_ name: String, _ f: (RelayMeasurement) -> Double, digits: Int, ratio: Bool = true) {
                let x = ours.map(f) ?? .nan
                let y = floor.map(f) ?? .nan
                say(Format.row([name, Format.number(x, digits), Format.number(y, digits), ratio ? Format.ratio(x, y) : ""]))
            }
            line("expected packets/s", { $0.expectedPerSecond }, digits: 0, ratio: false)
            line("delivered packets/s", { $0.deliveredPerSecond }, digits: 0)
            line("delivered of expected (%)", { $0.deliveredFraction * 100 }, digits: 3, ratio: false)
            line("drops (expected − delivered)", { Double($0.drops) }, digits: 0, ratio: false)
            line("server CPU per packet (µs)", { $0.cpuPerPacketMicros }, digits: 2)
            line("  same, from schedstat (µs)", { $0.schedPerPacketMicros }, digits: 2)
            line("  resolution of the above (± µs)", { $0.arrivedInWindow > 0 ? 1e6 / ProcStat.ticksPerSecond / Double($0.arrivedInWindow) : .nan }, digits: 3, ratio: false)
            line("server CPU (% of one core)", { $0.serverCPUShare * 100 }, digits: 0)
            line("latency p50 (ms)", { $0.latency.p50 }, digits: 2)
            line("latency p99 (ms)", { $0.latency.p99 }, digits: 2)
            line("latency max (ms)", { $0.latency.max }, digits: 2)
            line("client CPU per packet (µs)", { $0.clientCPUPerPacketMicros }, digits: 2, ratio: false)
            line("client CPU (% of one core)", { $0.clientCPUShare * 100 }, digits: 0, ratio: false)
            line("other processes' CPU (% of a core)", { $0.otherCPUShare * 100 }, digits: 0, ratio: false)
            line("all cores busy (%)", { ($0.serverCPUShare + $0.clientCPUShare + $0.otherCPUShare) * 100 / Double(cores) }, digits: 0, ratio: false)
            line("client pacing lag p99 (ms)", { $0.pacingLag.p99 }, digits: 2, ratio: false)
            line("packets the client skipped", { Double($0.clientSkipped) }, digits: 0, ratio: false)
            line("server RSS (MiB)", { $0.serverRSS.map { Double($0) / 1048576 } ?? .nan }, digits: 1)
            say(Format.row(["closed connections", ours.map { Format.closes($0.closes) } ?? "–", floor.map { Format.closes($0.closes) } ?? "–", ""]))
            line("text frames received (events)", { Double($0.textFrames) }, digits: 0, ratio: false)
            if let counters = ours?.serverCounters {
                let dropped = counters.filter { $0.key.hasSuffix("droppedSlow") }.values.reduce(0, +)
                let limited = counters.filter { $0.key.hasSuffix("rateLimited") }.values.reduce(0, +)
                say(Format.row(["server: droppedSlow / rateLimited", "\(dropped) / \(limited)", "", ""]))
                if let out = counters["packetsOut"], let into = counters["packetsIn"] {
                    say(Format.row(["server: packets in / out (run)", "\(into) / \(out)", "", ""]))
                }
            } else if ours != nil {
                say(Format.row(["server's own drop counters", "not readable", "", ""]))
            }
            if let error = result.communisError { say("  Communis failed: \(error.split(separator: "\n").first ?? "")") }
            if let error = result.floorError { say("  floor failed: \(error.split(separator: "\n").first ?? "")") }
        }

        say("\n---------------- overview ----------------")
        say(Format.pad("scenario", 14) + ["C µs/pkt", "floor µs/pkt", "C/floor", "C p99 ms", "floor p99", "C deliv. %", "floor deliv. %"].map { Format.pad($0, 15, right: true) }.joined())
        for result in results {
            let c = result.communis
            let f = result.floor
            let cells = [
                Format.number(c?.cpuPerPacketMicros ?? .nan, 2), Format.number(f?.cpuPerPacketMicros ?? .nan, 2),
                Format.ratio(c?.cpuPerPacketMicros ?? .nan, f?.cpuPerPacketMicros ?? .nan),
                Format.number(c?.latency.p99 ?? .nan, 2), Format.number(f?.latency.p99 ?? .nan, 2),
                Format.number((c?.deliveredFraction ?? .nan) * 100, 3), Format.number((f?.deliveredFraction ?? .nan) * 100, 3),
            ]
            say(Format.pad(result.shape.description, 14) + cells.map { Format.pad($0, 15, right: true) }.joined())
        }

        say("\n---------------- targets ----------------")
        if options.quick { say("(quick run: short windows; figures are indicative)") }
        func verdict(_ met: Bool?) -> String { met.map { $0 ? "MET   " : "MISSED" } ?? "n/a   " }
        let cpuShape = RelayShape(meetings: 1, participants: 50, talkers: 10)
        if let r = results.first(where: { $0.shape == cpuShape })?.communis {
            let cpu = r.cpuPerPacketMicros
            say("\(verdict(cpu.isFinite ? cpu <= 10 : nil)) ≤ 10 µs server CPU per delivered packet at 1×50/10: \(Format.number(cpu, 2)) µs (floor \(Format.number(results.first { $0.shape == cpuShape }?.floor?.cpuPerPacketMicros ?? .nan, 2)) µs; murmur 1.3.4: 8–15 µs)")
        } else {
            say("n/a    ≤ 10 µs server CPU per delivered packet at 1×50/10: not run")
        }
        let measured = results.compactMap { r in r.communis.map { (r.shape, $0) } }
        if measured.isEmpty {
            say("n/a    p99 relay latency < 5 ms: Communis not run")
        } else {
            let worst = measured.max { ($0.1.latency.p99.isNaN ? .infinity : $0.1.latency.p99) < ($1.1.latency.p99.isNaN ? .infinity : $1.1.latency.p99) }!
            let all = measured.allSatisfy { $0.1.latency.p99 < 5 }
            say("\(verdict(all)) p99 relay latency < 5 ms in every scenario: " + measured.map { "\($0.0) \(Format.number($0.1.latency.p99, 2)) ms" }.joined(separator: ", ") + (all ? "" : " (worst \(worst.0))"))
            // Where the cores were (nearly) all busy, latency measures queueing behind the
            // client and other processes as much as the relay: say so, with the floor's p99.
            for (shape, r) in measured where !(r.latency.p99 < 5) {
                let busy = r.serverCPUShare + r.clientCPUShare + r.otherCPUShare
                let floorP99 = results.first { $0.shape == shape }?.floor?.latency.p99 ?? .nan
                if busy >= 0.9 * Double(cores) {
                    say("       \(shape): the \(cores) cores were saturated (server \(Format.number(r.serverCPUShare * 100, 0)) % + client \(Format.number(r.clientCPUShare * 100, 0)) % + other processes \(Format.number(r.otherCPUShare * 100, 0)) % of a core); the floor's p99 there: \(Format.number(floorP99, 2)) ms")
                } else {
                    say("       \(shape): cores not saturated (\(Format.number(busy * 100, 0)) % of \(cores * 100) %); the floor's p99 there: \(Format.number(floorP99, 2)) ms")
                }
            }
        }
        let holdShape = RelayShape(meetings: 100, participants: 5, talkers: 5)
        if let r = results.first(where: { $0.shape == holdShape })?.communis {
            let fraction = r.deliveredFraction
            let slow = r.serverCounters?.filter { $0.key.hasSuffix("droppedSlow") }.values.reduce(0, +)
            say("\(verdict(fraction.isFinite ? fraction >= 0.999 : nil)) 100×5 all talking held without drops (≥ 99.9 % delivered): \(Format.number(fraction * 100, 3)) % of \(r.expected), \(Format.number(r.deliveredPerSecond, 0)) packets/s delivered, \(r.drops) missing\(slow.map { ", server droppedSlow \($0)" } ?? "")")
        } else {
            say("n/a    100×5 all talking held without drops: not run")
        }
    }
}
