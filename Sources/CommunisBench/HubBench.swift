import Foundation
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


    // MARK: Servers

    private var baseEnvironment: [String: String] { BenchEnvironment.base }

    /// See `BenchEnvironment.communis`.
    private var communisEnvironment: [String: String] { BenchEnvironment.communis }

    private var dataDir: String { dir + "/data" }

    /// Creates the admin account, starts a server once to make the fixture over the HTTP API.
    func prepare(_ options: Options) async throws -> Fixture {
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

    func withCommunis<T>(_ options: Options, label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
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

    func withLWS<T>(label: String, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
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

    func canConnect(port: Int) -> Bool {
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

    func connectReceivers(_ swarm: Swarm, _ target: Target, count: Int) async throws {
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

    func openWriter(_ swarm: Swarm, _ target: Target, index: Int) async throws -> Writer {
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: target.port)
        return try await Writer.open(style: target.writerStyle, connector: connector, loop: swarm.loops[0], path: target.path, headers: target.headers(index), index: -1 - index)
    }

    // MARK: (a) fan-out at a steady rate

    func fanout(swarm: Swarm, target: Target, receivers: Int, rate: Double, warmupPosts: Int, measuredPosts: Int, options: Options) async throws -> FanoutResult {
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

    func ackLatency(_ snapshot: Writer.Snapshot, from: Int) -> Latency {
        var values: [Int64] = []
        for k in from..<snapshot.sendTimes.count where snapshot.ackTimes[k] > 0 {
            values.append(snapshot.ackTimes[k] - snapshot.sendTimes[k])
        }
        return Latency(values)
    }

    func resetCloses(_ swarm: Swarm) async {
        for recorder in swarm.recorders { _ = try? await recorder.loop.submit { recorder.closes = [:] }.get() }
    }

    // MARK: (b) one post to many idle members

    func oneToMany(swarm: Swarm, target: Target, receivers: Int, posts: Int, options: Options) async throws -> FanoutResult {
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


    // MARK: (d) concurrent writers against raw SQLite commits



    // MARK: Summary

}
