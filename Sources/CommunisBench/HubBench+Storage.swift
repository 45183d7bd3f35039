import Foundation
import CommunisStoreSQLite
import NIOCore
import NIOPosix
import Glibc

/// Scenarios (c) memory per idle connection and (d) acknowledged writes against raw SQLite.
extension HubBench {
    func memory(swarm: Swarm, port: Int, pid: Int32, fixture: Fixture, count: Int, options: Options) async throws -> MemoryResult {
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

    func writers(swarm: Swarm, port: Int, fixture: Fixture, options: Options) async throws -> WritersResult {
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
    /// as the server opens its database (`SQLiteBaselines.durableInserts`).
    func rawSQLite(seconds: Double, into result: inout WritersResult) throws {
        let inserts = try SQLiteBaselines.durableInserts(file: dir + "/raw.sqlite", seconds: seconds)
        result.rawCommits = inserts.commits
        result.rawSeconds = inserts.seconds
        result.rawPragmas = inserts.pragmas
    }
}
