import CommunisModel
import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Testing

/// The cluster's meeting point in the database, with two nodes (two stores, each its own
/// pool) on one PostgreSQL: doorbells only for committed batches, notes, heartbeats, presence
/// and meeting leases.
@Suite("PostgresStore as the meeting point of a cluster", .timeLimit(.minutes(3)))
struct ClusterStoreTests {
    /// Collects what `store`'s signals deliver.
    actor Heard {
        var signals: [ClusterSignal] = []
        func add(_ signal: ClusterSignal) { signals.append(signal) }
        func waitFor(_ what: String, _ predicate: @Sendable ([ClusterSignal]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !predicate(signals) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("no \(what) within 30 s; heard \(signals)")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test("a committed apply rings one doorbell on every node; a failed one rings none; notes reach every node, large ones are refused")
    func doorbells() async throws {
        try await LiveConcurrencyTests.withTwoNodes { nodeA, nodeB in
            let heard = Heard()
            let listening = Task { for await signal in nodeB.clusterSignals() { await heard.add(signal) } }
            defer { listening.cancel() }
            try await heard.waitFor("listening") { $0.contains(.listening) }

            let (eva, space) = try await Live.world(nodeA)
            let (thread, _) = try await Live.thread(nodeA, "Ringklocka", in: space.id, by: eva.id)
            try await heard.waitFor("the doorbell of seq 1") { $0.contains(.logAdvanced(space.id, seq: 1)) }
            // A change that fails (a reply to a missing thread) commits nothing and rings nothing.
            let orphan = Post(workspaceID: space.id, threadID: ThreadID(), authorID: eva.id, body: "x", createdAt: Instant.t0)
            await #expect(throws: (any Error).self) { try await Live.apply(nodeA, .createPost(orphan), in: space.id) }
            _ = try await Live.reply(nodeA, to: thread.id, in: space.id, by: eva.id, "Två")
            try await heard.waitFor("the doorbell of seq 2") { $0.contains(.logAdvanced(space.id, seq: 2)) }
            let doorbells = await heard.signals.filter { if case .logAdvanced = $0 { true } else { false } }
            #expect(doorbells == [.logAdvanced(space.id, seq: 1), .logAdvanced(space.id, seq: 2)], "one per committed batch, in order")
            #expect(try await nodeB.logHeads([space.id, WorkspaceID()]) == [space.id: 2], "unknown workspaces are left out")

            try await nodeA.sendNote("hej från a")
            try await heard.waitFor("the note") { $0.contains(.note("hej från a")) }
            await #expect(throws: (any Error).self) { try await nodeA.sendNote(String(repeating: "x", count: 7_001)) }
        }
    }

    @Test("heartbeats list the nodes seen within the window; presence of a silent node is ignored, then removed")
    func heartbeatsAndPresence() async throws {
        try await LiveConcurrencyTests.withTwoNodes { nodeA, nodeB in
            let (eva, space) = try await Live.world(nodeA)
            let now = Date()
            _ = try await nodeA.heartbeat(ClusterNode(id: "a", address: "http://a:1", startedAt: now, seenAt: now, linkKeyHash: "ha"), window: 10)
            let seen = try await nodeB.heartbeat(ClusterNode(id: "b", address: "http://b:1", startedAt: now, seenAt: now), window: 10)
            #expect(seen.map(\.id) == ["a", "b"])
            #expect(try await nodeB.clusterNode("a")?.linkKeyHash == "ha")

            try await nodeA.setPresence(node: "a", workspace: space.id, people: [ClusterPresence(node: "a", person: eva.id, name: "Eva", status: "away")])
            #expect(try await nodeB.presence(in: [space.id], excluding: "b", window: 10, at: now)[space.id]
                == [ClusterPresence(node: "a", person: eva.id, name: "Eva", status: "away")])
            #expect(try await nodeA.presence(in: [space.id], excluding: "a", window: 10, at: now).isEmpty, "a node does not read its own rows")
            // Eleven seconds later node a has not beaten again: its people are gone for the others.
            #expect(try await nodeB.presence(in: [space.id], excluding: "b", window: 10, at: now.addingTimeInterval(11)).isEmpty)
            try await nodeA.setPresence(node: "a", workspace: space.id, people: [])
            #expect(try await nodeB.presence(in: [space.id], excluding: "b", window: 10, at: now).isEmpty, "an empty list removes them")
        }
    }

    @Test("a meeting's lease: the first claim wins, others see the holder, an expired lease moves, renew and release")
    func meetingLeases() async throws {
        try await LiveConcurrencyTests.withTwoNodes { nodeA, nodeB in
            let eva = try await Fixture.insert(nodeA, Fixture.person("Eva"))
            let space = try await Fixture.createWorkspace(nodeA, "IT", owner: eva.id)
            let meeting = Meeting(workspaceID: space.id, title: "Möte", scheduledFor: nil, createdBy: eva.id, createdAt: Instant.t0, threadID: ThreadID())
            try await nodeA.createMeeting(meeting)
            let now = Date()
            for node in [("a", nodeA), ("b", nodeB)] {
                _ = try await node.1.heartbeat(ClusterNode(id: node.0, address: "http://\(node.0):1", startedAt: now, seenAt: now), window: 10)
            }
            // Both claim at once: one wins, and both are told the same holder.
            async let first = nodeA.claimMeeting(meeting.id, node: "a", until: now.addingTimeInterval(15), at: now)
            async let second = nodeB.claimMeeting(meeting.id, node: "b", until: now.addingTimeInterval(15), at: now)
            let holders = try await [first, second]
            #expect(Set(holders).count == 1)
            let holder = holders[0], other = holder == "a" ? "b" : "a"
            #expect(try await nodeA.meetingHolder(meeting.id, at: now)?.id == holder)
            #expect(try await nodeB.claimMeeting(meeting.id, node: other, until: now.addingTimeInterval(15), at: now.addingTimeInterval(5)) == holder)

            try await nodeA.setMeetingRoster(meeting.id, node: other, roster: Data("[\"not the holder\"]".utf8))
            #expect(try await nodeB.meetingRoster(meeting.id, at: now) == nil, "only the holder records the roster")
            try await nodeA.setMeetingRoster(meeting.id, node: holder, roster: Data("[]".utf8))
            #expect(try await nodeB.meetingRoster(meeting.id, at: now) == Data("[]".utf8))

            #expect(try await nodeA.renewMeetings([meeting.id], node: holder, until: now.addingTimeInterval(30)) == [meeting.id])
            #expect(try await nodeA.renewMeetings([meeting.id], node: other, until: now.addingTimeInterval(30)).isEmpty)
            // Past the renewed lease, the other node takes the meeting over.
            #expect(try await nodeB.claimMeeting(meeting.id, node: other, until: now.addingTimeInterval(60), at: now.addingTimeInterval(31)) == other)
            #expect(try await nodeB.meetingHolder(meeting.id, at: now.addingTimeInterval(31))?.id == other)
            try await nodeB.releaseMeeting(meeting.id, node: other)
            #expect(try await nodeA.meetingHolder(meeting.id, at: now.addingTimeInterval(31)) == nil)
        }
    }
}
