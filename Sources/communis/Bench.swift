import ArgumentParser
import CommunisBench
import Foundation
import NIOCore

/// `communis bench …`: benchmarks that print figures (never timed unit tests).
struct Bench: AsyncParsableCommand {
    /// This executable, which the benchmarks start again as the server (and the floor).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs one benchmark: warns when the figures come from a debug build, and turns a failure
    /// into a message naming the benchmark and exit code 1.
    static func run(_ name: String, _ body: () async throws -> Void) async throws {
        #if DEBUG
        say("warning: this is a debug build; figures of a debug build are not representative (build with -c release)")
        #endif
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("bench \(name) failed: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures.",
        subcommands: [Hub.self, Relay.self, Search.self, Recording.self, Cluster.self, RelayFloorServer.self])

    struct Hub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The live hub under load, against libwebsockets and raw SQLite in the same run.",
            discussion: """
            Starts this executable as `communis serve` on a free 127.0.0.1 port with a fresh data \
            folder per run (one server process per scenario), makes the accounts, one workspace, \
            its members and one bearer token per person over the HTTP API, then drives \
            /api/v1/live from an in-process NIO client (one raw WebSocket per member, each \
            subscribed to the workspace):
              (a) --connections members while one writer posts --rate posts/s (live post.create);
              (b) --idle-posts single posts, each to --idle-connections idle members;
              (c) resident memory per idle subscribed connection at --memory-connections;
              (d) acknowledged posts/s from --writers concurrent writers (closed loop) against
                  raw single-row SQLite WAL commits/s (GRDB, same folder, same duration).
            (a) and (b) are repeated against Debian's libwebsockets-test-server \
            (lws-mirror-protocol echoes every message to every client) with the same client and \
            load. Reported: deliveries/s, server CPU per delivery (utime+stime from /proc), \
            p50/p99 latency from the send time written into each post, RSS from /proc VmRSS, and \
            the ratios; then which targets are met. Use a release build: \
            `swift build -c release --product communis`, then `.build/release/communis bench hub`. \
            Needs `apt-get install libwebsockets-test-server` for the baseline (else --skip-lws). \
            A full run takes a few minutes; --quick is a smoke run with small sizes. The open-file \
            limit is raised to the hard limit (the server inherits it); every child process is \
            killed at the end, on errors and on Ctrl-C.
            """)

        @Option(help: "(a) Members connected while posts go out.") var connections = 1000
        @Option(help: "(a) Posts per second.") var rate = 100.0
        @Option(help: "Measured seconds of (a) and (d), after one second of warm-up.") var duration = 10.0
        @Option(name: .customLong("idle-connections"), help: "(b) Idle members each single post goes to.") var idleConnections = 5000
        @Option(name: .customLong("idle-posts"), help: "(b) Single posts sent, one at a time.") var idlePosts = 10
        @Option(name: .customLong("memory-connections"), help: "(c) Idle connections whose memory is measured.") var memoryConnections = 10000
        @Option(help: "(d) Concurrent writers.") var writers = 8
        @Option(help: "Distinct people (accounts with tokens); connections are spread over them round-robin.") var people = 1000
        @Option(name: .customLong("client-threads"), help: "Event loop threads of the load client.") var clientThreads = 1
        @Option(help: "Scenarios to run, a subset of abcd.") var scenarios = "abcd"
        @Flag(help: "Smoke run with small sizes (100 members, 200 idle, 500 for memory, 3 s).") var quick = false
        @Flag(name: .customLong("skip-lws"), help: "Do not run the libwebsockets baseline.") var skipLWS = false
        @Flag(name: .customLong("keep-data"), help: "Keep the work folder (server logs, databases) after the run.") var keepData = false

        func validate() throws {
            if connections < 1 || idleConnections < 1 || memoryConnections < 1 { throw ValidationError("connection counts must be at least 1") }
            if rate <= 0 || duration <= 0 { throw ValidationError("--rate and --duration must be positive") }
            if scenarios.isEmpty || !scenarios.allSatisfy({ "abcd".contains($0) }) { throw ValidationError("--scenarios takes letters from abcd") }
        }

        func run() async throws {
            let executable = Bench.executable
            var options = HubBench.Options(executable: executable)
            options.connections = connections
            options.rate = rate
            options.duration = duration
            options.idleConnections = idleConnections
            options.idlePosts = max(1, idlePosts)
            options.memoryConnections = memoryConnections
            options.writers = writers
            options.people = people
            options.clientThreads = clientThreads
            options.scenarios = scenarios
            options.skipLWS = skipLWS
            options.keepData = keepData
            if quick { options.makeQuick() }
            try await Bench.run("hub") { try await HubBench(options: options, say: { say($0) }).run() }
        }
    }

    struct Relay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Meeting audio relayed by the server, against a bare NIO WebSocket relay in the same run.",
            discussion: """
            Starts this executable as `communis serve` on a free 127.0.0.1 port with a fresh data \
            folder (one server process per scenario), makes the admin, one workspace and --people \
            members with bearer tokens over the HTTP API, creates the meetings, and drives \
            /api/v1/live from an in-process NIO client: every participant is its own WebSocket \
            joined with meeting.join; the first T of each meeting talk, each sending 50 real Opus \
            packets/s (libopus, encoded once at start and looped) behind the 10-byte audio header, \
            paced by timers on the client's event loops with start phases spread over 20 ms. \
            Each scenario is MxP/T: M meetings × P participants, T talking (default: 1x20/5, \
            1x50/10, 100x5/5, 10x20/5). The same load is then driven against the floor: \
            `communis bench relay-floor-server` (NIO's WebSocket upgrader + a handler that forwards \
            each binary frame to the other connections of its group, nothing else), also a child \
            process. Reported per scenario: expected vs delivered packets/s, server CPU per \
            delivered packet (utime+stime from /proc over the measured window), p50/p99 latency \
            send → receive (the client keeps each (stream, seq)'s send time; nothing in the \
            payload), drops, the server's own counters from /api/v1/admin/metrics when readable, \
            the ratios to the floor, then which targets are met. Client and server share the \
            machine's cores. Use a release build. --quick: 1 s warm-up + 3 s measured.
            """)

        @Option(help: "Scenarios, comma-separated MxP/T (M meetings × P participants, T talking; MxP = all talk).")
        var scenarios = "1x20/5,1x50/10,100x5/5,10x20/5"
        @Option(help: "Measured seconds per scenario.") var duration = 10.0
        @Option(help: "Seconds of the same load before the measured window.") var warmup = 2.0
        @Option(name: .customLong("client-threads"), help: "Event loop threads of the load client (this machine's cores are shared with the server).")
        var clientThreads = 1
        @Option(help: "Distinct people (accounts with tokens); participant i is person i mod people.") var people = 500
        @Option(help: "Opus bit rate of the talkers, bit/s (browsers: 24000–32000).") var bitrate = 28000
        @Option(help: ArgumentHelp("Nice value for every thread of the load client and the servers while measured, e.g. -10 on a busy shared machine (needs CAP_SYS_NICE).", valueName: "n"))
        var nice: Int32?
        @Flag(help: "Smoke run: 1 s warm-up, 3 s measured, at most 100 people.") var quick = false
        @Flag(name: .customLong("skip-floor"), help: "Do not run the bare NIO relay.") var skipFloor = false
        @Flag(name: .customLong("floor-only"), help: "Run only the bare NIO relay (no Communis server).") var floorOnly = false
        @Flag(name: .customLong("keep-data"), help: "Keep the work folder (server logs, database) after the run.") var keepData = false

        func parsedScenarios() throws -> [RelayShape] {
            let shapes = scenarios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !shapes.isEmpty else { throw ValidationError("--scenarios is empty") }
            return try shapes.map { text in
                guard let shape = RelayShape(text) else { throw ValidationError("--scenarios: '\(text)' is not MxP/T (e.g. 1x50/10, M ≥ 1, P ≥ 2, 1 ≤ T ≤ P)") }
                return shape
            }
        }

        func validate() throws {
            _ = try parsedScenarios()
            if duration <= 0 || warmup < 0 { throw ValidationError("--duration must be positive and --warmup not negative") }
            if clientThreads < 1 || people < 1 { throw ValidationError("--client-threads and --people must be at least 1") }
            if !(6000...510_000).contains(bitrate) { throw ValidationError("--bitrate is 6000–510000 (Opus)") }
            if skipFloor && floorOnly { throw ValidationError("--skip-floor and --floor-only exclude each other") }
            if let nice, !(-20...19).contains(nice) { throw ValidationError("--nice is -20…19") }
        }

        func run() async throws {
            let executable = Bench.executable
            var options = RelayBench.Options(executable: executable)
            options.scenarios = try parsedScenarios()
            options.duration = duration
            options.warmup = warmup
            options.clientThreads = clientThreads
            options.people = people
            options.bitrate = Int32(bitrate)
            options.runFloor = !skipFloor
            options.runCommunis = !floorOnly
            options.keepData = keepData
            options.nice = nice
            if quick { options.makeQuick() }
            try await Bench.run("relay") { try await RelayBench(options: options, say: { say($0) }).run() }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search latency through the real endpoint, against raw FTS5 on the same corpus in the same run.",
            discussion: """
            Migrates a fresh data folder (`communis user add` makes the searching account), writes \
            --documents Swedish-like documents (threads of 20 posts, Zipf word frequencies, å/ä/ö) \
            over --workspaces workspaces (10 % open, 60 % closed, 30 % secret) straight into the \
            database so the v6 triggers index them, then starts `communis serve` as a child process \
            and times GET /api/v1/search with the bearer token of a member of --member-of workspaces \
            (rare, common, two-word, prefix and newest-first queries, --repeats each, one at a time) \
            and the same FTS5 MATCH on a read connection of the file. Reports p50/p99, the ratio, \
            whether p99 ≤ 2 × raw + 1 ms, and whether the most common word stays under 50 ms. \
            Use a release build. --quick: 50,000 documents.
            """)

        @Option(help: "Documents in the corpus.") var documents = 1_000_000
        @Option(help: "Workspaces the documents are spread over.") var workspaces = 1000
        @Option(name: .customLong("member-of"), help: "Closed/secret workspaces the searcher is a member of.") var memberOf = 20
        @Option(help: "Timed requests per query.") var repeats = 200
        @Flag(help: "Smoke run: 50,000 documents, 200 workspaces, 50 repeats.") var quick = false
        @Flag(name: .customLong("keep-data"), help: "Keep the work folder after the run.") var keepData = false

        func run() async throws {
            let executable = Bench.executable
            var options = SearchBench.Options(executable: executable)
            options.documents = max(documents, 20)
            options.workspaces = max(workspaces, 1)
            options.memberOf = max(memberOf, 0)
            options.repeats = max(repeats, 1)
            options.keepData = keepData
            if quick { options.makeQuick() }
            try await Bench.run("search") { try await SearchBench(options: options, say: { say($0) }).run() }
        }
    }

    struct Recording: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recording a meeting (decode, mix, encode, write) against the bare libopus work, in the same run.",
            discussion: """
            Generates --seconds of a meeting of --participants people, each sending 50 real Opus \
            packets/s (libopus, the browser's settings); --talkers talk with distinct voice-like \
            signals, the others send packets of quiet background noise (about −55 dBFS, as an \
            unmuted browser does). Then measures, as CPU time of one thread \
            (CLOCK_THREAD_CPUTIME_ID), (a) raw libopus: decoding every packet, summing, and \
            encoding one 20 ms frame per 20 ms, and (b) RecordingMixer doing the whole job \
            (timeline with jitter, mix, limiter, encode, the mixed Ogg Opus file and every \
            participant's own file in a temporary folder), --repetitions times each, \
            alternating. Prints every run, the medians and the ratio (target ≤ 1.3×). In process, \
            no server. Use a release build; about half a minute.
            """)

        @Option(help: "People in the meeting, each sending 50 packets/s.") var participants = 20
        @Option(help: "How many of them talk (the others send quiet noise).") var talkers = 5
        @Option(help: "Seconds of meeting generated and recorded per run.") var seconds = 60
        @Option(help: "Runs of each measurement.") var repetitions = 3
        @Option(help: "Bit rate of the mixed file, bit/s.") var bitrate = 32000
        @Option(help: "libopus complexity of the mixed file, 0–10.") var complexity = 5
        @Flag(help: "Smoke run: 10 s, 2 repetitions.") var quick = false
        @Flag(name: .customLong("keep-data"), help: "Keep the last run's files.") var keepData = false

        func validate() throws {
            if participants < 1 || talkers < 0 || talkers > participants { throw ValidationError("need 1 ≤ participants and 0 ≤ talkers ≤ participants") }
            if participants > 65535 { throw ValidationError("at most 65535 participants (stream ids)") }
            if seconds < 1 || repetitions < 1 { throw ValidationError("--seconds and --repetitions must be at least 1") }
            if !(6000...510_000).contains(bitrate) { throw ValidationError("--bitrate is 6000–510000 (Opus)") }
            if !(0...10).contains(complexity) { throw ValidationError("--complexity is 0–10") }
        }

        func run() async throws {
            var options = RecordingBench.Options()
            options.participants = participants
            options.talkers = talkers
            options.seconds = quick ? min(seconds, 10) : seconds
            options.repetitions = quick ? min(repetitions, 2) : repetitions
            options.bitrate = Int32(bitrate)
            options.complexity = Int32(complexity)
            options.keepData = keepData
            try await Bench.run("recording") { try RecordingBench(options: options, say: { say($0) }).run() }
        }
    }

    struct Cluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live posts through one node and across two nodes on one PostgreSQL database, in the same run.",
            discussion: """
            Starts its own throw-away PostgreSQL (Debian's initdb and postgres from \
            /usr/lib/postgresql/<newest>/bin, in a temporary folder, a free 127.0.0.1 port, every \
            server setting at its default but listen address, port and socket folder; as the \
            postgres user when run as root), then per scenario a fresh database (createdb, \
            `communis migrate`, `communis user add --admin`), this executable as `communis serve` \
            nodes (COMMUNIS_CLUSTER_NODE_ID), one workspace with its members and bearer tokens over \
            the HTTP API, and drives /api/v1/live from an in-process NIO client:
              (1) one node: --writers writers (post.create with idempotency keys, each sending the \
                  next post when the previous one is acknowledged) and --subscribers subscribers \
                  of the workspace, all on node a;
              (2) two nodes: the writers on node a, the subscribers on node b, so every event \
                  reaches them through the doorbell (NOTIFY) and b's read of the log; a few \
                  subscribers on a as well, for the same-node latency in that run.
            Reported per scenario after --warmup: acknowledged posts/s, delivery latency \
            (send time written into each post → event received) p50/p99/max, ack latency, \
            deliveries against expected, and each node's communis_cluster_doorbells_total and \
            communis_cluster_catchups_total from /api/v1/admin/metrics (read as the admin); then \
            the table with the two-node/one-node ratios. Use a release build. Every child process \
            (nodes, PostgreSQL) is stopped at the end, on errors and on Ctrl-C.
            """)

        @Option(help: "Measured seconds per scenario.") var duration = 10.0
        @Option(help: "Seconds of the same load before the measured window.") var warmup = 1.0
        @Option(help: "Concurrent writers (closed loop).") var writers = 4
        @Option(help: "Subscribed connections receiving every post.") var subscribers = 50
        @Option(help: "Two nodes: subscribers on the writers' node too, for the same-node latency (0: none).") var observers = 5
        @Option(name: .customLong("client-threads"), help: "Event loop threads of the load client.") var clientThreads = 1
        @Flag(help: "Smoke run: 2 s measured, 2 writers, 5 subscribers.") var quick = false
        @Flag(name: .customLong("keep-data"), help: "Keep the work folders (logs, PostgreSQL data) after the run.") var keepData = false

        func validate() throws {
            if duration <= 0 || warmup < 0 { throw ValidationError("--duration must be positive and --warmup not negative") }
            if !(1...200).contains(writers) { throw ValidationError("--writers is 1–200") }
            if subscribers < 1 || observers < 0 || clientThreads < 1 { throw ValidationError("--subscribers and --client-threads must be at least 1, --observers not negative") }
        }

        func run() async throws {
            var options = ClusterBench.Options(executable: Bench.executable)
            options.duration = duration
            options.warmup = warmup
            options.writers = writers
            options.subscribers = subscribers
            options.observers = observers
            options.clientThreads = clientThreads
            options.keepData = keepData
            if quick { options.makeQuick() }
            try await Bench.run("cluster") { try await ClusterBench(options: options, say: { say($0) }).run() }
        }
    }

    /// The floor of `bench relay`, run by it as a child process so that its CPU is measured
    /// like the server's.
    struct RelayFloorServer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "relay-floor-server",
            abstract: "The bare NIO WebSocket relay that `bench relay` measures as the floor.",
            discussion: """
            Listens on --host:--port. A WebSocket to /floor/<group> joins that group; every binary \
            frame it sends is forwarded, unchanged, to every other connection of the group. Nothing \
            else: no authentication, no header checks, no queues.
            """,
            shouldDisplay: false)

        @Option var host = "127.0.0.1"
        @Option var port: Int
        @Option(help: "Event loop threads (default: one per core, like `communis serve`).") var threads = System.coreCount

        func run() throws {
            try RelayFloor.serve(host: host, port: port, threads: threads, say: { say($0) })
        }
    }
}
