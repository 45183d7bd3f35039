import ArgumentParser
import CommunisBench
import Foundation

/// `communis bench …`: benchmarks that print figures (never timed unit tests).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures.",
        subcommands: [Hub.self])

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
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
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
            #if DEBUG
            say("warning: this is a debug build; figures of a debug build are not representative (build with -c release)")
            #endif
            do {
                try await HubBench(options: options, say: { say($0) }).run()
            } catch {
                FileHandle.standardError.write(Data("bench hub failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
