import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `communis bench cluster`: live posts through one `communis serve` node on PostgreSQL, then
/// through two nodes on one database (writers on node a, subscribers on node b, so every
/// event crosses the doorbell and the log read), with the same load in the same run on a
/// throw-away PostgreSQL the bench starts itself (default settings).
public struct ClusterBench: Sendable {
    public struct Options: Sendable {
        /// Measured seconds per scenario (after `warmup`).
        public var duration = 10.0
        public var warmup = 1.0
        /// Concurrent writers, each in its own thread, closed loop (the next post when the
        /// previous one is acknowledged).
        public var writers = 4
        /// Subscribed connections that receive every post.
        public var subscribers = 50
        /// Two nodes: a few subscribers on node a too, for the same-node latency in that run.
        public var observers = 5
        public var clientThreads = 1
        public var quick = false
        public var keepData = false
        /// The `communis` executable to start as the nodes (and the CLI).
        public var executable: String

        public init(executable: String) { self.executable = executable }

        /// Small sizes for a smoke run.
        public mutating func makeQuick() {
            quick = true
            duration = min(duration, 2)
            warmup = min(warmup, 0.5)
            writers = min(writers, 2)
            subscribers = min(subscribers, 5)
            observers = min(observers, 2)
        }
    }

    let options: Options
    let dir: String
    let say: @Sendable (String) -> Void

    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
        dir = Self.temporaryFolder("communis-bench-cluster-")
    }

    static func temporaryFolder(_ prefix: String) -> String {
        var bytes = Array((NSTemporaryDirectory() + prefix + "XXXXXX").utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { buffer -> String? in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        let path = made ?? NSTemporaryDirectory() + prefix + "\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    // MARK: Running

    /// Runs both scenarios; PostgreSQL and the nodes are stopped whatever happens.
    public func run() async throws {
        Children.installSignalHandlers()
        let limit = Limits.raiseOpenFiles()
        let postgres = try ThrowawayPostgres(logPath: dir + "/postgres.log")
        defer {
            postgres.stop()
            Children.killAll()
            if !options.keepData {
                postgres.remove()
                try? FileManager.default.removeItem(atPath: dir)
            }
        }
        let options = self.options
        say("communis bench cluster — work folder \(dir), PostgreSQL folder \(postgres.folder), open-file limit \(limit), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        say("load: \(options.writers) writers (post.create with idempotency keys, closed loop), \(options.subscribers) subscribers, \(Format.number(options.warmup)) s warm-up + \(Format.number(options.duration)) s measured per scenario")

        let started = Date()
        try await postgres.start()
        say("PostgreSQL \(postgres.version) started on 127.0.0.1:\(postgres.port) (server defaults apart from listen address, port and socket folder)")

        let swarm = Swarm(threads: max(1, options.clientThreads))
        defer { swarm.shutdown() }

        say("\n(1) one node: writers and subscribers on node a")
        let single = try await scenario(postgres, label: "single", database: "bench_single", nodeIDs: ["a"], swarm: swarm, observers: false)
        report(single)

        say("\n(2) two nodes: writers on node a, subscribers on node b (\(options.observers) more subscribers on a)")
        let two = try await scenario(postgres, label: "two", database: "bench_two", nodeIDs: ["a", "b"], swarm: swarm, observers: options.observers > 0)
        report(two)

        printSummary(single: single, two: two)
        postgres.stop()
        say(String(format: "\nwhole run: %.0f s", Date().timeIntervalSince(started)))
    }

    // MARK: Nodes and setup

    struct Node {
        let id: String
        let port: Int
        let process: ChildProcess
    }

    /// A fresh database, migrated by `communis migrate`, with the admin from `communis user add`.
    func prepareDatabase(_ postgres: ThrowawayPostgres, name: String) async throws -> String {
        let url = try await postgres.createDatabase(name, logPath: dir + "/createdb-\(name).log")
        try await runCLI("migrate", ["migrate", "--storage-url", url], log: dir + "/migrate-\(name).log")
        try await runCLI("user add", ["user", "add", "--storage-url", url, "--email", Setup.adminEmail, "--name", "Bench Admin",
                                      "--password", Setup.adminPassword, "--admin"], log: dir + "/user-add-\(name).log")
        return url
    }

    func runCLI(_ name: String, _ arguments: [String], log: String) async throws {
        let child = try ChildProcess(name: "communis \(name)", executable: options.executable, arguments: arguments,
                                     environment: BenchEnvironment.communis, directory: dir, logPath: log)
        defer { Children.remove(child) }
        try await ChildProcess.waitForExit(child, timeout: 120)
        guard child.process.terminationStatus == 0 else { throw BenchError("communis \(name) failed:\n\(child.tail())") }
    }

    func startNode(_ id: String, url: String, label: String) async throws -> Node {
        let port = try Ports.free()
        var environment = BenchEnvironment.communis
        environment["COMMUNIS_CLUSTER_NODE_ID"] = id
        let process = try ChildProcess(
            name: "communis serve (\(id))", executable: options.executable,
            arguments: ["serve", "--storage-url", url, "--host", "127.0.0.1", "--port", String(port), "--recordings-dir", dir + "/recordings"],
            environment: environment, directory: dir, logPath: dir + "/server-\(label)-\(id).log")
        do {
            try await API(port: port).waitHealthy(timeout: 60) { process.isRunning }
        } catch {
            process.stop()
            throw BenchError("node \(id): \(error)\n--- server log (\(process.logPath)) ---\n\(process.tail())")
        }
        return Node(id: id, port: port, process: process)
    }

    struct ClusterFixture: Sendable {
        var adminToken: String
        var workspaceID: String
        var tokens: [String]
        var threads: [String]
        var topic: String { "workspace:\(workspaceID)" }
    }

    /// Over the HTTP API of `port`: one workspace, `people` members with bearer tokens, one
    /// thread per writer, and an admin bearer token for the metrics.
    func makeFixture(port: Int, people: Int, threads: Int) async throws -> ClusterFixture {
        let api = API(port: port)
        let admin = try await Setup.adminToken(api: api)
        let workspaceID = try await Setup.workspace(api: api, adminToken: admin, name: "Bench cluster", description: "communis bench cluster")
        let tokens = try await Setup.members(api: api, adminToken: admin, workspaceID: workspaceID, count: people, log: say)
        var ids: [String] = []
        for i in 0..<threads {
            let answer = try await api.call("POST", "/api/v1/workspaces/\(workspaceID)/threads", body: ["title": "Writer \(i)", "body": "Benchmark thread."], bearer: admin)
            guard let id = ((answer.json as? [String: Any])?["result"] as? [String: Any]).flatMap({ ($0["thread"] as? [String: Any])?["id"] as? String }) else {
                throw BenchError("thread creation returned no result.thread.id: \(answer.text.prefix(200))")
            }
            ids.append(id)
        }
        return ClusterFixture(adminToken: admin, workspaceID: workspaceID, tokens: tokens, threads: ids)
    }

    // MARK: A scenario

    struct NodeCounters: Sendable {
        var node: String
        var doorbells = 0
        var catchups = 0
    }

    struct ScenarioResult: Sendable {
        var label = ""
        var nodes: [String] = []
        var seconds = 0.0
        var acked = 0
        /// Acknowledged posts of the whole run (warm-up and measured window).
        var ackedTotal = 0
        var errors = 0
        var firstError: String?
        /// Acknowledged posts sent in the measured window × subscribers.
        var expected = 0
        var delivered = 0
        var latency = Latency()
        var ack = Latency()
        var observersExpected = 0
        var observersDelivered = 0
        var observerLatency: Latency?
        var counters: [NodeCounters] = []
        var closes: [Int: Int] = [:]
        /// The 1-minute load average when the writers started: other work on the machine.
        var load = ""
        var ackedPerSecond: Double { seconds > 0 ? Double(acked) / seconds : .nan }
    }

    /// Fresh database, its nodes, the fixture on the first node; writers on the first node,
    /// subscribers on the last, observers (if any) on the first.
    func scenario(_ postgres: ThrowawayPostgres, label: String, database: String, nodeIDs: [String], swarm: Swarm, observers: Bool) async throws -> ScenarioResult {
        let started = Date()
        let url = try await prepareDatabase(postgres, name: database)
        var nodes: [Node] = []
        defer { for node in nodes { node.process.stop() } }
        do {
            for id in nodeIDs { nodes.append(try await startNode(id, url: url, label: label)) }
            let writerNode = nodes.first!
            let subscriberNode = nodes.last!
            let observerCount = observers ? options.observers : 0
            let people = options.subscribers + options.writers + observerCount
            let fixture = try await makeFixture(port: writerNode.port, people: people, threads: options.writers)
            say(String(format: "  setup (database, migrate, \(people) people with tokens, \(nodes.count) node\(nodes.count == 1 ? "" : "s")) in %.1f s", Date().timeIntervalSince(started)))
            var result = try await measure(swarm: swarm, fixture: fixture, writerNode: writerNode, subscriberNode: subscriberNode,
                                           observerNode: observerCount > 0 ? writerNode : nil, observerCount: observerCount, nodes: nodes)
            result.label = label
            result.nodes = nodes.map(\.id)
            return result
        } catch {
            var text = "\(error)"
            for node in nodes { text += "\n--- node \(node.id) log (\(node.process.logPath)) ---\n\(node.process.tail())" }
            text += "\n--- PostgreSQL log (\(postgres.logPath)) ---\n\(postgres.tail())"
            throw BenchError(text)
        }
    }

    func measure(swarm: Swarm, fixture: ClusterFixture, writerNode: Node, subscriberNode: Node, observerNode: Node?, observerCount: Int, nodes: [Node]) async throws -> ScenarioResult {
        let s = options.subscribers
        let w = options.writers
        let tokens = fixture.tokens
        let topic = fixture.topic

        // Subscribers (people 0..<s) on the subscriber node.
        let connector = WSConnector(group: swarm.group, host: "127.0.0.1", port: subscriberNode.port)
        let clock = ContinuousClock()
        var began = clock.now
        try await swarm.connect(count: s, connector: connector, path: "/api/v1/live", headers: { [("Authorization", "Bearer \(tokens[$0 % s])")] }, subscribe: topic)
        say("  \(s) subscribers connected and subscribed on node \(subscriberNode.id) in \(Format.number(Self.seconds(clock.now - began), 2)) s")

        // Observers (people s+w..<s+w+o) on the observer node, in a swarm of their own.
        var observerSwarm: Swarm?
        defer {
            observerSwarm?.shutdown()
        }
        if let observerNode, observerCount > 0 {
            let own = Swarm(threads: 1)
            observerSwarm = own
            let offset = s + w
            began = clock.now
            try await own.connect(count: observerCount, connector: WSConnector(group: own.group, host: "127.0.0.1", port: observerNode.port),
                                  path: "/api/v1/live", headers: { [("Authorization", "Bearer \(tokens[offset + $0 % observerCount])")] }, subscribe: topic)
            say("  \(observerCount) observers connected and subscribed on node \(observerNode.id) in \(Format.number(Self.seconds(clock.now - began), 2)) s")
        }

        // Writers (people s..<s+w) on the writer node, spread over the client's loops.
        let tag = "cb-\(getpid())-\(fixture.workspaceID.prefix(8))"
        let writerConnector = WSConnector(group: swarm.group, host: "127.0.0.1", port: writerNode.port)
        var writers: [ClusterWriter] = []
        defer { for writer in writers { writer.connection?.close() } }
        for i in 0..<w {
            writers.append(try await ClusterWriter.open(
                index: i, thread: fixture.threads[i], tag: tag, connector: writerConnector, loop: swarm.loops[i % swarm.loops.count],
                headers: [("Authorization", "Bearer \(tokens[s + i])")]))
        }
        say("  \(w) writers connected to node \(writerNode.id)")
        try await Task.sleep(for: .milliseconds(500))

        let before = await readCounters(nodes, token: fixture.adminToken)
        let load = String(ProcStat.loadAverage().split(separator: " ").first ?? "?")
        for writer in writers { try await writer.start() }
        try await Task.sleep(for: .seconds(options.warmup))
        var first: [ClusterWriter.Counts] = []
        for writer in writers { first.append(try await writer.counts()) }
        let t0 = clock.now
        try await Task.sleep(for: .seconds(options.duration))
        var last: [ClusterWriter.Counts] = []
        for writer in writers { last.append(try await writer.counts()) }
        let elapsed = Self.seconds(clock.now - t0)
        for writer in writers { try await writer.stop() }
        // Let the last posts in flight be acknowledged, then wait for every delivery.
        try await Task.sleep(for: .milliseconds(300))
        var snapshots: [ClusterWriter.Snapshot] = []
        for writer in writers { snapshots.append(try await writer.snapshot()) }
        let ackedAll = snapshots.reduce(0) { $0 + $1.acked }
        _ = await swarm.waitFor(ackedAll * s, timeout: .seconds(15))
        if let observerSwarm { _ = await observerSwarm.waitFor(ackedAll * observerCount, timeout: .seconds(5)) }
        try await Task.sleep(for: .milliseconds(200))
        let after = await readCounters(nodes, token: fixture.adminToken)

        var result = ScenarioResult()
        result.seconds = elapsed
        result.ackedTotal = ackedAll
        result.load = load
        var ackValues: [Int64] = []
        // Posts sent in the measured window and acknowledged, per writer: [from, to).
        var window: [(from: Int, to: Int, acked: Set<Int>)] = []
        var ackedInWindow = 0
        for (i, snapshot) in snapshots.enumerated() {
            let from = first[i].sent
            let to = last[i].sent
            result.acked += last[i].acked - first[i].acked
            result.errors += last[i].errors - first[i].errors
            if result.firstError == nil { result.firstError = snapshot.firstError }
            var acked = Set<Int>()
            for n in from..<min(to, snapshot.sendTimes.count) where snapshot.ackTimes[n] > 0 {
                acked.insert(n)
                ackValues.append(snapshot.ackTimes[n] - snapshot.sendTimes[n])
            }
            ackedInWindow += acked.count
            window.append((from, to, acked))
        }
        result.ack = Latency(ackValues)

        func measured(_ ks: [Int32], _ latencies: [Int64]) -> [Int64] {
            var values: [Int64] = []
            values.reserveCapacity(latencies.count)
            for (k, latency) in zip(ks, latencies) {
                let writer = Int(k) / ClusterWriter.stride
                let n = Int(k) % ClusterWriter.stride
                guard writer < window.count, n >= window[writer].from, n < window[writer].to else { continue }
                values.append(latency)
            }
            return values
        }
        let (ks, latencies) = await swarm.drain()
        let values = measured(ks, latencies)
        result.expected = ackedInWindow * s
        result.delivered = values.count
        result.latency = Latency(values)
        if let observerSwarm {
            let (oks, olatencies) = await observerSwarm.drain()
            let observed = measured(oks, olatencies)
            result.observersExpected = ackedInWindow * observerCount
            result.observersDelivered = observed.count
            result.observerLatency = Latency(observed)
            await observerSwarm.closeAll()
        }
        result.counters = zip(before, after).map { b, a in
            NodeCounters(node: a.node, doorbells: a.doorbells - b.doorbells, catchups: a.catchups - b.catchups)
        }
        result.closes = await swarm.closes()
        await swarm.closeAll()
        return result
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// `communis_cluster_doorbells_total` and `communis_cluster_catchups_total` of each node,
    /// from `GET /api/v1/admin/metrics` as the admin (-1 when unreadable).
    func readCounters(_ nodes: [Node], token: String) async -> [NodeCounters] {
        var all: [NodeCounters] = []
        for node in nodes {
            var counters = NodeCounters(node: node.id, doorbells: -1, catchups: -1)
            if let answer = try? await API(port: node.port).call("GET", "/api/v1/admin/metrics", bearer: token, expect: [200]) {
                for line in answer.text.split(separator: "\n") where !line.hasPrefix("#") {
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let value = Double(parts[1]) else { continue }
                    if parts[0] == "communis_cluster_doorbells_total" { counters.doorbells = Int(value) }
                    if parts[0] == "communis_cluster_catchups_total" { counters.catchups = Int(value) }
                }
            }
            all.append(counters)
        }
        return all
    }
}
