import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `communis bench relay`: meeting audio relayed by the server, M meetings × P participants
/// with T talkers each sending 50 real Opus packets a second, against a bare NIO WebSocket
/// relay of the same shape (the floor of this stack) measured in the same run.
public struct RelayBench: Sendable {
    public struct Options: Sendable {
        public var scenarios: [RelayShape] = RelayBench.defaultScenarios
        /// Measured seconds per scenario, after `warmup` seconds of the same load.
        public var duration = 10.0
        public var warmup = 2.0
        public var clientThreads = 1
        /// Distinct people (accounts with tokens); participant i of a scenario is person
        /// i mod people, so with people ≥ M×P everyone is someone else.
        public var people = 500
        /// Opus bit rate of the talkers' voices.
        public var bitrate: Int32 = 28000
        public var runCommunis = true
        public var runFloor = true
        public var quick = false
        public var keepData = false
        /// When set, every thread of the bench and of each server gets this nice value while
        /// measured (a busy shared machine; lowering it needs CAP_SYS_NICE).
        public var nice: Int32?
        /// The `communis` executable, started as the server and as the floor server.
        public var executable: String

        public init(executable: String) { self.executable = executable }

        /// A smoke run: the same shapes, short windows, fewer accounts.
        public mutating func makeQuick() {
            quick = true
            duration = min(duration, 3)
            warmup = min(warmup, 1)
            people = min(people, 100)
        }
    }

    /// The issue's shapes: 1×20 with 5 talkers, 1×50 with 10, 100×5 all talking, 10×20 with 5.
    public static let defaultScenarios = [
        RelayShape(meetings: 1, participants: 20, talkers: 5),
        RelayShape(meetings: 1, participants: 50, talkers: 10),
        RelayShape(meetings: 100, participants: 5, talkers: 5),
        RelayShape(meetings: 10, participants: 20, talkers: 5),
    ]

    let options: Options
    let dir: String
    let say: @Sendable (String) -> Void

    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
        let template = NSTemporaryDirectory() + "communis-relay-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { buffer -> String? in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        dir = made ?? NSTemporaryDirectory() + "communis-relay-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// What setup made on the Communis side.
    struct Fixture: Sendable {
        var adminToken: String
        var workspaceID: String
        var tokens: [String]
    }

    /// One scenario, both servers.
    struct ScenarioResult: Sendable {
        var shape: RelayShape
        var communis: RelayMeasurement?
        var communisError: String?
        var floor: RelayMeasurement?
        var floorError: String?
    }

    // MARK: Running

    public func run() async throws {
        Children.installSignalHandlers()
        let limit = Limits.raiseOpenFiles()
        // The session's scheduler group outlives the run: give it back its nice value.
        let groupNice = options.nice != nil ? Niceness.groupValue(of: getpid()) : nil
        defer {
            if let groupNice { Niceness.applyToGroup(groupNice, of: getpid()) }
            Children.killAll()
            if !options.keepData { try? FileManager.default.removeItem(atPath: dir) }
        }
        var options = self.options
        let most = options.scenarios.map(\.connections).max() ?? 0
        if UInt64(most + 200) > limit { throw BenchError("the open-file limit is \(limit); the largest scenario needs \(most + 200)") }
        options.people = max(1, min(options.people, most))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        say("communis bench relay — work folder \(dir), \(cores) cores, client event loops \(options.clientThreads)")
        say("note: the load client runs on the same \(cores) cores as the server it measures; its own CPU is shown per scenario")
        say("load average now: \(ProcStat.loadAverage()) (when above \(cores), other processes compete for the cores and the figures are noisy; their CPU is shown per scenario)")
        if let nice = options.nice {
            say("nice value \(nice) for every thread of the load client and of each server while measured" + (Niceness.apply(nice, to: getpid()) ? "" : " — REFUSED (needs CAP_SYS_NICE); running at the inherited value"))
        }
        say("scenarios (meetings×participants/talkers): \(options.scenarios.map(\.description).joined(separator: ", ")); \(Format.number(options.warmup, 0)) s warm-up + \(Format.number(options.duration, 0)) s measured each")

        let started = Date()
        let maxTalkers = options.scenarios.map(\.totalTalkers).max() ?? 1
        let tones = try (0..<min(16, maxTalkers)).map { i in
            try OpusTone.packets(frequency: 140 + 23 * Double(i), bitrate: options.bitrate)
        }
        let sizes = tones.flatMap { $0.map(\.count) }
        let mean = Double(sizes.reduce(0, +)) / Double(max(1, sizes.count))
        say("audio: \(tones.count) voices × 50 Opus packets (libopus, \(options.bitrate / 1000) kbit/s VBR, FEC on, 20 ms), looped: \(Format.number(mean, 1)) bytes per packet on average (\(sizes.min() ?? 0)–\(sizes.max() ?? 0)), + 10-byte header")

        var fixture: Fixture?
        if options.runCommunis {
            fixture = try await prepare(options)
            say(String(format: "setup done in %.1f s", Date().timeIntervalSince(started)))
        }

        var results: [ScenarioResult] = []
        for shape in options.scenarios {
            say("\n\(shape): \(shape.meetings) meeting\(shape.meetings == 1 ? "" : "s") × \(shape.participants) participants, \(shape.talkers) talking in each; \(Format.number(shape.expectedPerSecond, 0)) packets/s to deliver")
            say("  load average: \(ProcStat.loadAverage())")
            var result = ScenarioResult(shape: shape)
            if let fixture {
                do {
                    result.communis = try await withCommunis(options, label: "\(shape.meetings)x\(shape.participants)") { server, port in
                        try await communisRun(shape: shape, fixture: fixture, port: port, pid: server.pid, tones: tones, options: options)
                    }
                    report(result.communis!, "Communis")
                } catch {
                    result.communisError = "\(error)"
                    say("  Communis: FAILED: \(error)")
                }
            }
            if options.runFloor {
                do {
                    result.floor = try await withFloor(options, label: "\(shape.meetings)x\(shape.participants)") { server, port in
                        try await floorRun(shape: shape, port: port, pid: server.pid, tones: tones, options: options)
                    }
                    report(result.floor!, "floor")
                } catch {
                    result.floorError = "\(error)"
                    say("  floor: FAILED: \(error)")
                }
            }
            results.append(result)
        }
        printSummary(options: options, results: results)
        say(String(format: "\nwhole run: %.0f s", Date().timeIntervalSince(started)))
    }

    // MARK: Servers

    private var dataDir: String { dir + "/data" }

    /// The admin account (CLI), then over HTTP: one workspace and `people` members with tokens.
    func prepare(_ options: Options) async throws -> Fixture {
        let add = try ChildProcess(
            name: "user add", executable: options.executable,
            arguments: ["user", "add", "--data-dir", dataDir, "--email", Setup.adminEmail, "--name", "Bench Admin", "--password", Setup.adminPassword, "--admin"],
            environment: BenchEnvironment.communis, directory: dir, logPath: dir + "/user-add.log")
        add.process.waitUntilExit()
        Children.remove(add)
        guard add.process.terminationStatus == 0 else { throw BenchError("communis user add failed:\n\(add.tail())") }
        say("setup: \(options.people) people with bearer tokens in one workspace (HTTP API)")
        return try await withCommunis(options, label: "setup") { _, port in
            let api = API(port: port)
            let admin = try await Setup.adminToken(api: api)
            let workspace = try await Setup.workspace(api: api, adminToken: admin, name: "Bench relay", description: "communis bench relay")
            let tokens = try await Setup.members(api: api, adminToken: admin, workspaceID: workspace, count: options.people, log: say)
            return Fixture(adminToken: admin, workspaceID: workspace, tokens: tokens)
        }
    }

    func withCommunis<T>(_ options: Options, label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
        let port = try Ports.free()
        let server = try ChildProcess(
            name: "communis serve", executable: options.executable,
            arguments: ["serve", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", String(port)],
            environment: BenchEnvironment.communis, directory: dir, logPath: dir + "/server-\(label).log")
        defer { server.stop() }
        do {
            try await API(port: port).waitHealthy(timeout: 30) { server.isRunning }
            return try await body(server, port)
        } catch {
            throw BenchError("\(error)\n--- server log (\(server.logPath)) ---\n\(server.tail())")
        }
    }

    /// `communis bench relay-floor-server`: NIO's WebSocket upgrader and a handler that
    /// forwards each binary frame to the other connections of its group, nothing else.
    func withFloor<T>(_ options: Options, label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
        let port = try Ports.free()
        let server = try ChildProcess(
            name: "relay floor server", executable: options.executable,
            arguments: ["bench", "relay-floor-server", "--port", String(port)],
            environment: BenchEnvironment.base, directory: dir, logPath: dir + "/floor-\(label).log")
        defer { server.stop() }
        let deadline = Date().addingTimeInterval(10)
        while true {
            guard server.isRunning else { throw BenchError("the floor server exited:\n\(server.tail())") }
            if Ports.accepts(port) { break }
            guard Date() < deadline else { throw BenchError("the floor server did not listen on \(port)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            return try await body(server, port)
        } catch {
            throw BenchError("\(error)\n--- floor server log ---\n\(server.tail())")
        }
    }

    // MARK: The two targets

    func communisRun(shape: RelayShape, fixture: Fixture, port: Int, pid: Int32, tones: [[[UInt8]]], options: Options) async throws -> RelayMeasurement {
        let api = API(port: port)
        var meetings: [String] = []
        for m in 0..<shape.meetings {
            let answer = try await api.call("POST", "/api/v1/workspaces/\(fixture.workspaceID)/meetings", body: ["title": "Bench \(shape) #\(m)"], bearer: fixture.adminToken)
            guard let id = answer.string("id") ?? answer.string("meeting", "id") else {
                throw BenchError("POST /api/v1/workspaces/{id}/meetings returned no id: \(answer.text.prefix(200))")
            }
            meetings.append(id)
        }
        let tokens = fixture.tokens
        let meetingIDs = meetings
        let counters0 = await ServerCounters.read(api: api, token: fixture.adminToken)
        var result = try await measure(shape: shape, port: port, pid: pid, tones: tones, options: options,
                                       path: { _ in "/api/v1/live" },
                                       headers: { [("Authorization", "Bearer \(tokens[$0.index % tokens.count])")] },
                                       join: { #"{"v":1,"type":"meeting.join","ref":"j","topic":"meeting:\#(meetingIDs[$0.meeting])","data":{"muted":false}}"# })
        if let counters0, let counters1 = await ServerCounters.read(api: api, token: fixture.adminToken) {
            result.serverCounters = counters1.minus(counters0)
        }
        return result
    }

    func floorRun(shape: RelayShape, port: Int, pid: Int32, tones: [[[UInt8]]], options: Options) async throws -> RelayMeasurement {
        try await measure(shape: shape, port: port, pid: pid, tones: tones, options: options,
                          path: { "/floor/\($0.meeting)" }, headers: { _ in [] }, join: nil)
    }

    /// Connects and joins everyone, lets the talkers talk for warm-up + duration, measures the
    /// window in between, waits for the last packets and works out the figures.
    func measure(shape: RelayShape, port: Int, pid: Int32, tones: [[[UInt8]]], options: Options,
                 path: @escaping @Sendable (RelayPeer) -> String, headers: @escaping @Sendable (RelayPeer) -> [(String, String)],
                 join: (@Sendable (RelayPeer) -> String)?) async throws -> RelayMeasurement {
        let load = RelayLoad(shape: shape, threads: options.clientThreads)
        do {
            let clock = ContinuousClock()
            let began = clock.now
            try await load.connect(port: port, path: path, headers: headers, join: join)
            try await load.load(tones: tones)
            if let nice = options.nice {
                Niceness.apply(nice, to: getpid())
                Niceness.apply(nice, to: pid)
                Niceness.applyToGroup(nice, of: getpid())
                Niceness.applyToGroup(nice, of: pid)
            }
            let joined = clock.now - began
            say("  \(shape.connections) connected\(join != nil ? " and joined" : "") in \(Format.number(Double(joined.components.seconds) + Double(joined.components.attoseconds) / 1e18, 2)) s")
            // Let join traffic (participant events) settle before anyone talks.
            try await Task.sleep(for: .milliseconds(500))
            await load.setRecording(true)

            let base = monotonicNanos() + 100_000_000
            let windowStart = base + Int64(options.warmup * 1e9)
            let windowEnd = windowStart + Int64(options.duration * 1e9)
            let finished = load.talk(base: base, stopAt: windowEnd)

            try await sleep(until: windowStart)
            var m = RelayMeasurement(shape: shape)
            let cpu0 = ProcStat.cpuSeconds(pid) ?? .nan
            let sched0 = ProcStat.schedSeconds(pid) ?? .nan
            let self0 = ProcStat.cpuSeconds(getpid()) ?? .nan
            let machine0 = ProcStat.machineBusySeconds() ?? .nan
            let w0 = monotonicNanos()
            try await sleep(until: windowEnd)
            let w1 = monotonicNanos()
            m.serverCPUSeconds = (ProcStat.cpuSeconds(pid) ?? .nan) - cpu0
            m.serverSchedSeconds = (ProcStat.schedSeconds(pid) ?? .nan) - sched0
            m.clientCPUSeconds = (ProcStat.cpuSeconds(getpid()) ?? .nan) - self0
            m.otherCPUSeconds = (ProcStat.machineBusySeconds() ?? .nan) - machine0 - m.serverCPUSeconds - m.clientCPUSeconds
            m.seconds = Double(w1 - w0) / 1e9
            m.serverRSS = ProcStat.rssBytes(pid)
            m.niceClient = Niceness.range(of: getpid())
            m.niceServer = Niceness.range(of: pid)
            m.groupClient = Niceness.group(of: getpid())
            m.groupServer = Niceness.group(of: pid)

            try await finished.get()
            await load.settle()
            await load.setRecording(false)
            let collected = try await load.collect()
            m.evaluate(collected, window: w0..<w1)
            await load.closeAll()
            try await load.group.shutdownGracefully()
            return m
        } catch {
            try? await load.group.shutdownGracefully()
            throw error
        }
    }

    private func sleep(until deadline: Int64) async throws {
        let left = deadline - monotonicNanos()
        if left > 0 { try await Task.sleep(for: .nanoseconds(left)) }
    }
}

/// What one scenario run against one server found.
struct RelayMeasurement: Sendable {
    var shape: RelayShape
    /// Length of the measured window.
    var seconds = 0.0
    /// Packets the talkers sent within the window, and those × (P − 1).
    var sentInWindow = 0
    var expected = 0
    /// Of the expected packets, how many reached their listeners (at any time before the end).
    var delivered = 0
    /// Packets that arrived within the window (whenever sent): the denominator of CPU.
    var arrivedInWindow = 0
    var serverCPUSeconds = Double.nan
    var serverSchedSeconds = Double.nan
    var clientCPUSeconds = Double.nan
    /// Busy time of the whole machine over the window minus server and client: other processes.
    var otherCPUSeconds = Double.nan
    var serverRSS: Int?
    /// Nice values of the threads of the client and of the server at the end of the window.
    var niceClient: ClosedRange<Int>?
    var niceServer: ClosedRange<Int>?
    /// Their scheduler autogroups ("/autogroup-N nice V"), when the kernel has them.
    var groupClient: String?
    var groupServer: String?
    var latency = Latency()
    /// How late the client's timers fired against the packets' due times.
    var pacingLag = Latency()
    /// Packets the client skipped because its loop was too late (whole run).
    var clientSkipped = 0
    var selfEcho = 0
    var unknown = 0
    var malformed = 0
    var textFrames = 0
    var closes: [Int: Int] = [:]
    /// Deltas of the server's own audio counters over the run (warm-up included), if readable.
    var serverCounters: [String: Int]?

    init(shape: RelayShape) { self.shape = shape }

    var drops: Int { expected - delivered }
    var deliveredFraction: Double { expected > 0 ? Double(delivered) / Double(expected) : .nan }
    var expectedPerSecond: Double { seconds > 0 ? Double(expected) / seconds : .nan }
    var deliveredPerSecond: Double { seconds > 0 ? Double(arrivedInWindow) / seconds : .nan }
    var cpuPerPacketMicros: Double { arrivedInWindow > 0 ? serverCPUSeconds / Double(arrivedInWindow) * 1e6 : .nan }
    var schedPerPacketMicros: Double { arrivedInWindow > 0 ? serverSchedSeconds / Double(arrivedInWindow) * 1e6 : .nan }
    var clientCPUPerPacketMicros: Double { arrivedInWindow > 0 ? clientCPUSeconds / Double(arrivedInWindow) * 1e6 : .nan }
    var serverCPUShare: Double { seconds > 0 ? serverCPUSeconds / seconds : .nan }
    var clientCPUShare: Double { seconds > 0 ? clientCPUSeconds / seconds : .nan }
    var otherCPUShare: Double { seconds > 0 ? max(0, otherCPUSeconds) / seconds : .nan }

    /// Joins receipts to send times: a receipt (talker, seq) is packet n of that talker with
    /// n ≡ seq mod 65536, the latest such n that was sent.
    mutating func evaluate(_ c: RelayLoad.Collected, window: Range<Int64>) {
        for times in c.sendTimes {
            for t in times where window.contains(t) { sentInWindow += 1 }
        }
        expected = sentInWindow * (shape.participants - 1)
        var latencies: [Int64] = []
        latencies.reserveCapacity(expected)
        for i in c.rTime.indices {
            let received = c.rTime[i]
            if window.contains(received) { arrivedInWindow += 1 }
            let times = c.sendTimes[Int(c.rTalker[i])]
            var n = Int(c.rSeq[i])
            guard n < times.count else { unknown += 1; continue }
            n += (times.count - 1 - n) / 65536 * 65536
            let sent = times[n]
            if sent != 0 && window.contains(sent) {
                delivered += 1
                latencies.append(received - sent)
            }
        }
        latency = Latency(latencies)
        pacingLag = Latency(c.lateness)
        clientSkipped = c.skipped
        selfEcho = c.selfEcho
        unknown += c.unknown
        malformed = c.malformed
        textFrames = c.textFrames
        closes = c.closes
    }
}

/// The server's own audio counters from `GET /api/v1/admin/metrics` (admin token): the
/// Prometheus text lines `communis_audio_<name>_total <n>` (e.g. packets_in, dropped_slow),
/// or, should the route answer JSON, every numeric field named like a relay counter.
enum ServerCounters {
    static let names: Set<String> = ["packetsIn", "packetsOut", "droppedSlow", "malformed", "unrouted", "rateLimited", "mutedDropped"]

    struct Values: Sendable {
        var values: [String: Int]
        func minus(_ other: Values) -> [String: Int] {
            values.reduce(into: [:]) { result, entry in result[entry.key] = entry.value - (other.values[entry.key] ?? 0) }
        }
    }

    static func read(api: API, token: String) async -> Values? {
        guard let answer = try? await api.call("GET", "/api/v1/admin/metrics", bearer: token, expect: [200]) else { return nil }
        var found: [String: Int] = [:]
        if let json = answer.json {
            func walk(_ value: Any, _ path: String) {
                if let object = value as? [String: Any] {
                    for (key, child) in object { walk(child, path.isEmpty ? key : path + "." + key) }
                } else if let number = value as? NSNumber, let last = path.split(separator: ".").last, names.contains(String(last)) {
                    found[String(last)] = number.intValue
                }
            }
            walk(json, "")
        } else {
            for line in answer.text.split(separator: "\n") where line.hasPrefix("communis_audio_") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Double(parts[1]) else { continue }
                var name = parts[0].dropFirst("communis_audio_".count)
                if name.hasSuffix("_total") { name = name.dropLast("_total".count) }
                // packets_in → packetsIn
                let words = name.split(separator: "_")
                let camel = (words.first.map(String.init) ?? "") + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
                found[camel] = Int(value)
            }
        }
        return found.isEmpty ? nil : Values(values: found)
    }
}
