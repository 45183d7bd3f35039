import Foundation
import GRDB
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `communis bench hub`: the live hub under load, with libwebsockets' mirror server and raw
/// SQLite commits as baselines measured in the same run on the same machine.
public struct HubBench: Sendable {
    public struct Options: Sendable {
        /// (a) members connected while posts go out at `rate`.
        public var connections = 1000
        public var rate = 100.0
        /// Measured seconds of (a) and (d) (after a warm-up).
        public var duration = 10.0
        /// (b) idle members that each of `idlePosts` single posts goes to.
        public var idleConnections = 5000
        public var idlePosts = 10
        /// (c) idle connections whose memory is measured.
        public var memoryConnections = 10000
        /// (d) concurrent writers.
        public var writers = 8
        /// Distinct people (accounts, each with a bearer token); connections are spread over
        /// them round-robin. Presence is per person, so this sets how much presence work
        /// connecting costs.
        public var people = 1000
        public var clientThreads = 1
        public var skipLWS = false
        public var quick = false
        public var keepData = false
        /// Scenarios to run, from "abcd".
        public var scenarios = "abcd"
        /// The `communis` executable to start as the server.
        public var executable: String

        public init(executable: String) { self.executable = executable }

        /// Small sizes for a smoke run.
        public mutating func makeQuick() {
            quick = true
            connections = min(connections, 100)
            idleConnections = min(idleConnections, 200)
            memoryConnections = min(memoryConnections, 500)
            people = min(people, 50)
            duration = min(duration, 3)
            idlePosts = min(idlePosts, 3)
        }
    }

    let options: Options
    let dir: String
    let say: @Sendable (String) -> Void

    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
        let template = NSTemporaryDirectory() + "communis-bench-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { buffer -> String? in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        dir = made ?? NSTemporaryDirectory() + "communis-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    // MARK: Running

    /// Runs everything; children are killed whatever happens.
    public func run() async throws {
        Children.installSignalHandlers()
        let limit = Limits.raiseOpenFiles()
        defer {
            Children.killAll()
            if !options.keepData { try? FileManager.default.removeItem(atPath: dir) }
        }
        var options = self.options
        let need = max(options.connections, options.idleConnections, options.memoryConnections) + 200
        if UInt64(need) > limit {
            let most = Int(limit) - 200
            say("note: the open-file limit is \(limit); connection counts capped at \(most)")
            options.connections = min(options.connections, most)
            options.idleConnections = min(options.idleConnections, most)
            options.memoryConnections = min(options.memoryConnections, most)
        }
        options.people = max(1, min(options.people, max(options.connections, options.idleConnections, options.memoryConnections)))
        options.writers = max(1, options.writers)
        let lwsPath = "/usr/bin/libwebsockets-test-server"
        let lws = !options.skipLWS && FileManager.default.isExecutableFile(atPath: lwsPath)
        if !options.skipLWS && !lws {
            say("note: \(lwsPath) not found (apt-get install libwebsockets-test-server); libwebsockets baselines skipped")
        }

        say("communis bench hub — work folder \(dir), open-file limit \(limit), \(ProcessInfo.processInfo.activeProcessorCount) cores, client loops \(options.clientThreads)")
        say("sizes: (a) \(options.connections) members × \(Format.number(options.rate, 0)) posts/s for \(Format.number(options.duration, 0)) s; (b) \(options.idlePosts) single posts to \(options.idleConnections) idle members; (c) \(options.memoryConnections) idle connections; (d) \(options.writers) writers for \(Format.number(options.duration, 0)) s; \(options.people) distinct people")

        let started = Date()
        let fixture = try await prepare(options)
        say(String(format: "setup done in %.1f s", Date().timeIntervalSince(started)))

        let swarm = Swarm(threads: max(1, options.clientThreads))
        defer { swarm.shutdown() }

        var a: (FanoutResult?, FanoutResult?) = (nil, nil)
        var b: (FanoutResult?, FanoutResult?) = (nil, nil)
        var c: MemoryResult?
        var d: WritersResult?
        let warmupPosts = max(1, Int(options.rate))  // one second of posts

        if options.scenarios.contains("a") {
            say("\n(a) \(options.connections) members, \(Format.number(options.rate, 0)) posts/s")
            a.0 = try await withCommunis(options, label: "a") { server, port in
                try await fanout(swarm: swarm, target: .communis(port: port, fixture: fixture, pid: server.pid), receivers: options.connections,
                                 rate: options.rate, warmupPosts: warmupPosts, measuredPosts: Int(options.rate * options.duration), options: options)
            }
            report(a.0!, "Communis")
            if lws {
                a.1 = try await withLWS(label: "a") { server, port in
                    try await fanout(swarm: swarm, target: .lws(port: port, pid: server.pid), receivers: options.connections,
                                     rate: options.rate, warmupPosts: warmupPosts, measuredPosts: Int(options.rate * options.duration), options: options)
                }
                report(a.1!, "libwebsockets")
            }
        }
        if options.scenarios.contains("b") {
            say("\n(b) \(options.idlePosts) single posts to \(options.idleConnections) idle members")
            b.0 = try await withCommunis(options, label: "b") { server, port in
                try await oneToMany(swarm: swarm, target: .communis(port: port, fixture: fixture, pid: server.pid), receivers: options.idleConnections, posts: options.idlePosts, options: options)
            }
            report(b.0!, "Communis")
            if lws {
                b.1 = try await withLWS(label: "b") { server, port in
                    try await oneToMany(swarm: swarm, target: .lws(port: port, pid: server.pid), receivers: options.idleConnections, posts: options.idlePosts, options: options)
                }
                report(b.1!, "libwebsockets")
            }
        }
        if options.scenarios.contains("c") {
            say("\n(c) memory of \(options.memoryConnections) idle connections")
            c = try await withCommunis(options, label: "c") { server, port in
                try await memory(swarm: swarm, port: port, pid: server.pid, fixture: fixture, count: options.memoryConnections, options: options)
            }
            say("  RSS \(Format.kib(Double(c!.rssBefore))) → \(Format.kib(Double(c!.rssConnected))) connected → \(Format.kib(Double(c!.rssAfter))) subscribed: \(Format.kib(c!.perConnection)) per connection (subscribed in \(Format.number(c!.subscribeSeconds)) s)")
        }
        if options.scenarios.contains("d") {
            say("\n(d) \(options.writers) concurrent writers vs raw SQLite commits")
            var result = try await withCommunis(options, label: "d") { server, port in
                try await writers(swarm: swarm, port: port, fixture: fixture, options: options)
            }
            try rawSQLite(seconds: options.duration, into: &result)
            d = result
            say("  \(result.acked) acked posts in \(Format.number(result.seconds)) s = \(Format.number(result.ackedPerSecond, 0))/s; raw commits \(Format.number(result.rawPerSecond, 0))/s")
        }

        printSummary(options: options, a: a, b: b, c: c, d: d, lwsRan: lws)
        say(String(format: "\nwhole run: %.0f s", Date().timeIntervalSince(started)))
    }

    private func report(_ r: FanoutResult, _ who: String) {
        say("  \(who): \(r.delivered)/\(r.expected) delivered, \(Format.number(r.deliveriesPerSecond, 0))/s, server CPU \(Format.number(r.cpuPerDeliveryMicros, 2)) µs/delivery, p50 \(Format.number(r.latency.p50, 2)) ms, p99 \(Format.number(r.latency.p99, 2)) ms, closes: \(Format.closes(r.closes))")
        if let error = r.writerFirstError { say("  writer errors: \(r.writerErrors), first: \(error)") }
    }

    // MARK: Servers

    private var baseEnvironment: [String: String] {
        let env = ProcessInfo.processInfo.environment
        var clean: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR"] { if let value = env[key] { clean[key] = value } }
        return clean
    }

    /// Overrides for the benchmark: cheap bcrypt for setup, no login throttling, command rate
    /// limits out of the way, pings rare (libwebsockets' test server sends none, and pings are
    /// not what is measured), quiet logs.
    private var communisEnvironment: [String: String] {
        baseEnvironment.merging([
            "COMMUNIS_AUTH_BCRYPT_COST": "4",
            "COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
            "COMMUNIS_LIVE_COMMAND_BURST": "10000",
            "COMMUNIS_LIVE_COMMANDS_PER_SECOND": "10000",
            "COMMUNIS_LIVE_PING_INTERVAL_SECONDS": "600",
            "COMMUNIS_LIVE_IDLE_TIMEOUT_SECONDS": "1200",
            "COMMUNIS_HTTP_SILENCE_TIMEOUT_SECONDS": "300",
            "COMMUNIS_LOG_LEVEL": "warning",
        ]) { $1 }
    }

    private var dataDir: String { dir + "/data" }

    /// Creates the admin account, starts a server once to make the fixture over the HTTP API.
    private func prepare(_ options: Options) async throws -> Fixture {
        let add = try ChildProcess(
            name: "user add", executable: options.executable,
            arguments: ["user", "add", "--data-dir", dataDir, "--email", Setup.adminEmail, "--name", "Bench Admin", "--password", Setup.adminPassword, "--admin"],
            environment: communisEnvironment, directory: dir, logPath: dir + "/user-add.log")
        add.process.waitUntilExit()
        Children.remove(add)
        guard add.process.terminationStatus == 0 else { throw BenchError("communis user add failed:\n\(add.tail())") }
        say("setup: \(options.people) people with bearer tokens, one workspace, \(1 + options.writers) threads (HTTP API)")
        return try await withCommunis(options, label: "setup") { _, port in
            try await Setup.make(api: API(port: port), people: options.people, writerThreads: options.writers, log: say)
        }
    }

    private func withCommunis<T>(_ options: Options, label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
        let port = try Ports.free()
        let server = try ChildProcess(
            name: "communis serve", executable: options.executable,
            arguments: ["serve", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", String(port)],
            environment: communisEnvironment, directory: dir, logPath: dir + "/server-\(label).log")
        defer { server.stop() }
        do {
            try await API(port: port).waitHealthy(timeout: 30) { server.isRunning }
            return try await body(server, port)
        } catch {
            throw BenchError("\(error)\n--- server log (\(server.logPath)) ---\n\(server.tail())")
        }
    }

    private func withLWS<T>(label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
        let port = try Ports.free()
        let server = try ChildProcess(
            name: "libwebsockets-test-server", executable: "/usr/bin/libwebsockets-test-server",
            arguments: ["--port=\(port)", "-d", "1"],
            environment: baseEnvironment, directory: dir, logPath: dir + "/lws-\(label).log")
        defer { server.stop() }
        // Wait until it accepts connections.
        let deadline = Date().addingTimeInterval(10)
        while true {
            guard server.isRunning else { throw BenchError("libwebsockets-test-server exited:\n\(server.tail())") }
            if canConnect(port: port) { break }
            guard Date() < deadline else { throw BenchError("libwebsockets-test-server did not listen on \(port)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            return try await body(server, port)
        } catch {
            throw BenchError("\(error)\n--- libwebsockets log ---\n\(server.tail())")
        }
    }

    private func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    // MARK: Targets

    enum Target {
        case communis(port: Int, fixture: Fixture, pid: Int32)
        case lws(port: Int, pid: Int32)

        var port: Int {
            switch self {
            case .communis(let port, _, _), .lws(let port, _): return port
            }
        }
        var pid: Int32 {
            switch self {
            case .communis(_, _, let pid), .lws(_, let pid): return pid
            }
        }
        var path: String {
            switch self {
            case .communis: return "/api/v1/live"
            case .lws: return "/"
            }
        }
        var topic: String? {
            if case .communis(_, let fixture, _) = self { return fixture.topic }
            return nil
        }

        func headers(_ index: Int) -> [(String, String)] {
            switch self {
            case .communis(_, let fixture, _): return [("Authorization", "Bearer \(fixture.tokens[index % fixture.tokens.count])")]
            case .lws: return [("Sec-WebSocket-Protocol", "lws-mirror-protocol")]
            }
        }

        var writerStyle: Writer.Style {
            switch self {
            case .communis(_, let fixture, _): return .communis(thread: fixture.fanoutThread)
            case .lws: return .mirror
            }
        }
    }

    private func connectReceivers(_ swarm: Swarm, _ target: Target, count: Int) async throws {
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: target.port)
        let clock = ContinuousClock()
        let start = clock.now
        let step = max(1000, count / 5)
        let say = self.say
        try await swarm.connect(count: count, connector: connector, path: target.path, headers: { target.headers($0) }, subscribe: target.topic) { done in
            if done % step == 0 && done < count { say("  \(done)/\(count) connected") }
        }
        let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        say("  \(count) connected\(target.topic != nil ? " and subscribed" : "") in \(Format.number(seconds)) s")
        // Let presence and the subscription traffic settle.
        try await Task.sleep(for: .milliseconds(500))
        _ = await swarm.drain()
    }

    private func openWriter(_ swarm: Swarm, _ target: Target, index: Int) async throws -> Writer {
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: target.port)
        return try await Writer.open(style: target.writerStyle, connector: connector, loop: swarm.loops[0], path: target.path, headers: target.headers(index), index: -1 - index)
    }

    // MARK: (a) fan-out at a steady rate

    private func fanout(swarm: Swarm, target: Target, receivers: Int, rate: Double, warmupPosts: Int, measuredPosts: Int, options: Options) async throws -> FanoutResult {
        try await connectReceivers(swarm, target, count: receivers)
        let writer = try await openWriter(swarm, target, index: 0)
        defer { writer.connection.close() }

        try await writer.run(rate: rate, until: warmupPosts)
        _ = await swarm.waitFor(receivers * warmupPosts, timeout: .seconds(5))
        _ = await swarm.drain()

        var result = FanoutResult()
        result.expected = receivers * measuredPosts
        let cpu0 = ProcStat.cpuSeconds(target.pid) ?? .nan
        let sched0 = ProcStat.schedSeconds(target.pid) ?? .nan
        let self0 = ProcStat.cpuSeconds(getpid()) ?? .nan
        try await writer.run(rate: rate, until: warmupPosts + measuredPosts)
        _ = await swarm.waitFor(result.expected, timeout: .seconds(5))
        result.serverCPUSeconds = (ProcStat.cpuSeconds(target.pid) ?? .nan) - cpu0
        result.serverSchedSeconds = (ProcStat.schedSeconds(target.pid) ?? .nan) - sched0
        result.clientCPUSeconds = (ProcStat.cpuSeconds(getpid()) ?? .nan) - self0

        let (ks, latencies) = await swarm.drain()
        let snapshot = try await writer.snapshot()
        result.postsSent = measuredPosts
        var measured: [Int64] = []
        measured.reserveCapacity(latencies.count)
        var lastArrival = Int64.min
        for (k, latency) in zip(ks, latencies) where Int(k) >= warmupPosts && Int(k) < snapshot.sendTimes.count {
            measured.append(latency)
            lastArrival = max(lastArrival, snapshot.sendTimes[Int(k)] + latency)
        }
        result.delivered = measured.count
        result.latency = Latency(measured)
        if result.delivered > 0 {
            result.seconds = Double(lastArrival - snapshot.sendTimes[warmupPosts]) / 1e9
            result.deliveriesPerSecond = Double(result.delivered) / result.seconds
        }
        result.ack = ackLatency(snapshot, from: warmupPosts)
        result.writerErrors = snapshot.errors
        result.writerFirstError = snapshot.firstError
        result.closes = await swarm.closes()
        await swarm.closeAll()
        return result
    }

    private func ackLatency(_ snapshot: Writer.Snapshot, from: Int) -> Latency {
        var values: [Int64] = []
        for k in from..<snapshot.sendTimes.count where snapshot.ackTimes[k] > 0 {
            values.append(snapshot.ackTimes[k] - snapshot.sendTimes[k])
        }
        return Latency(values)
    }

    private func resetCloses(_ swarm: Swarm) async {
        for recorder in swarm.recorders { _ = try? await recorder.loop.submit { recorder.closes = [:] }.get() }
    }

    // MARK: (b) one post to many idle members

    private func oneToMany(swarm: Swarm, target: Target, receivers: Int, posts: Int, options: Options) async throws -> FanoutResult {
        var result = FanoutResult()
        result.connections = receivers
        result.rssBefore = ProcStat.rssBytes(target.pid)
        try await connectReceivers(swarm, target, count: receivers)
        result.rssAfter = ProcStat.rssBytes(target.pid)
        let writer = try await openWriter(swarm, target, index: 0)
        defer { writer.connection.close() }

        // One warm-up post.
        try await writer.run(rate: 1e6, until: 1)
        _ = await swarm.waitFor(receivers, timeout: .seconds(10))
        _ = await swarm.drain()

        result.expected = receivers * posts
        let cpu0 = ProcStat.cpuSeconds(target.pid) ?? .nan
        let sched0 = ProcStat.schedSeconds(target.pid) ?? .nan
        let self0 = ProcStat.cpuSeconds(getpid()) ?? .nan
        for p in 1...posts {
            let clock = ContinuousClock()
            let began = clock.now
            try await writer.run(rate: 1e6, until: 1 + p)
            _ = await swarm.waitFor(receivers * p, timeout: .seconds(10))
            try await Task.sleep(until: began + .milliseconds(options.quick ? 300 : 700), clock: clock)
        }
        result.serverCPUSeconds = (ProcStat.cpuSeconds(target.pid) ?? .nan) - cpu0
        result.serverSchedSeconds = (ProcStat.schedSeconds(target.pid) ?? .nan) - sched0
        result.clientCPUSeconds = (ProcStat.cpuSeconds(getpid()) ?? .nan) - self0

        let (ks, latencies) = await swarm.drain()
        let snapshot = try await writer.snapshot()
        var spans: [Int: Int64] = [:]
        var measured: [Int64] = []
        for (k, latency) in zip(ks, latencies) where k >= 1 {
            measured.append(latency)
            spans[Int(k)] = max(spans[Int(k)] ?? 0, latency)
        }
        result.postsSent = posts
        result.delivered = measured.count
        result.latency = Latency(measured)
        let spanTotal = spans.values.reduce(0, +)
        if spanTotal > 0 {
            result.seconds = Double(spanTotal) / 1e9
            result.deliveriesPerSecond = Double(result.delivered) / result.seconds
        }
        result.ack = ackLatency(snapshot, from: 1)
        result.writerErrors = snapshot.errors
        result.writerFirstError = snapshot.firstError
        result.closes = await swarm.closes()
        await swarm.closeAll()
        return result
    }

    // MARK: (c) memory per idle connection

    private func memory(swarm: Swarm, port: Int, pid: Int32, fixture: Fixture, count: Int, options: Options) async throws -> MemoryResult {
        let target = Target.communis(port: port, fixture: fixture, pid: pid)
        // Warm the server up with one connection (first-use allocations), then measure.
        try await connectReceivers(swarm, target, count: 1)
        await swarm.closeAll()
        try await Task.sleep(for: .seconds(1))
        var result = MemoryResult()
        result.rssBefore = ProcStat.rssBytes(pid) ?? 0
        // Connect first (upgrade + authentication), then subscribe, to split the cost.
        let clock = ContinuousClock()
        var start = clock.now
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: port)
        let step = max(1000, count / 5)
        let say = self.say
        try await swarm.connect(count: count, connector: connector, path: target.path, headers: { target.headers($0) }, subscribe: nil) { done in
            if done % step == 0 && done < count { say("  \(done)/\(count) connected") }
        }
        var elapsed = (clock.now - start).components
        result.connectSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        try await Task.sleep(for: .seconds(1))
        result.rssConnected = ProcStat.rssBytes(pid) ?? 0
        say("  \(count) connected in \(Format.number(result.connectSeconds)) s; subscribing")
        start = clock.now
        try await swarm.subscribeAll(topic: fixture.topic)
        elapsed = (clock.now - start).components
        result.subscribeSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        try await Task.sleep(for: .seconds(2))
        result.rssAfter = ProcStat.rssBytes(pid) ?? 0
        result.connections = count
        result.closes = await swarm.closes()
        await swarm.closeAll()
        return result
    }

    // MARK: (d) concurrent writers against raw SQLite commits

    private func writers(swarm: Swarm, port: Int, fixture: Fixture, options: Options) async throws -> WritersResult {
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: port)
        var writers: [Writer] = []
        for i in 0..<options.writers {
            let loop = swarm.loops[i % swarm.loops.count]
            let headers = [("Authorization", "Bearer \(fixture.tokens[i % fixture.tokens.count])")]
            writers.append(try await Writer.open(style: .communis(thread: fixture.writerThreads[i % fixture.writerThreads.count]), connector: connector, loop: loop, path: "/api/v1/live", headers: headers, index: -1 - i))
        }
        defer { for writer in writers { writer.connection.close() } }
        for writer in writers {
            try await writer.connection.channel.eventLoop.submit {
                writer.closedLoop = true
                writer.sendNext()
            }.get()
        }
        func acked() async throws -> (Int, Int) {
            var total = 0
            var errors = 0
            for writer in writers {
                let (a, e) = try await writer.connection.channel.eventLoop.submit { (writer.acked, writer.errors) }.get()
                total += a
                errors += e
            }
            return (total, errors)
        }
        try await Task.sleep(for: .seconds(1))
        let clock = ContinuousClock()
        let (a0, e0) = try await acked()
        let t0 = clock.now
        try await Task.sleep(for: .seconds(options.duration))
        let (a1, e1) = try await acked()
        let elapsed = (clock.now - t0).components
        for writer in writers {
            try await writer.connection.channel.eventLoop.submit { writer.closedLoop = false }.get()
        }
        try await Task.sleep(for: .milliseconds(200))
        var result = WritersResult()
        result.writers = writers.count
        result.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        result.acked = a1 - a0
        result.errors = e1 - e0
        var ackValues: [Int64] = []
        for writer in writers {
            let snapshot = try await writer.snapshot()
            if result.firstError == nil { result.firstError = snapshot.firstError }
            for k in 0..<snapshot.sendTimes.count where snapshot.ackTimes[k] > 0 {
                ackValues.append(snapshot.ackTimes[k] - snapshot.sendTimes[k])
            }
        }
        result.ackLatency = Latency(ackValues)
        return result
    }

    /// Single-row inserts, each its own transaction, on a WAL file in the same folder, opened
    /// as the server opens its database (a GRDB DatabasePool with default settings).
    private func rawSQLite(seconds: Double, into result: inout WritersResult) throws {
        let pool = try DatabasePool(path: dir + "/raw.sqlite")
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at REAL NOT NULL)")
        }
        let pragmas = try pool.read { db in
            "journal_mode=\(try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"), synchronous=\(try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)"
        }
        func insert(_ i: Int) throws {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO raw (body, created_at) VALUES (?, ?)", arguments: ["bench k=\(i)", Date().timeIntervalSince1970])
            }
        }
        for i in 0..<100 { try insert(i) }  // warm-up
        let start = monotonicNanos()
        let end = start + Int64(seconds * 1e9)
        var count = 0
        while monotonicNanos() < end {
            try insert(count)
            count += 1
        }
        result.rawCommits = count
        result.rawSeconds = Double(monotonicNanos() - start) / 1e9
        result.rawPragmas = pragmas
    }

    // MARK: Summary

    private func printSummary(options: Options, a: (FanoutResult?, FanoutResult?), b: (FanoutResult?, FanoutResult?), c: MemoryResult?, d: WritersResult?, lwsRan: Bool) {
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
