import CommunisModel
import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Logging
import Testing

/// The event log under the load a cluster puts on it: several nodes (each its own store and
/// connection pool) writing to the same workspaces at once, on a real PostgreSQL.
@Suite("PostgresStore live log under concurrent writers", .timeLimit(.minutes(3)))
struct LiveConcurrencyTests {
    /// Runs `body` with two stores on one fresh, migrated database (two nodes, each its own
    /// connection pool), closing both afterwards.
    static func withTwoNodes(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        let server = try await PostgresServer.shared()
        let location = try PostgresLocation(url: try await server.createDatabase())
        try await PostgresStore.withStore(location, logger: PostgresStoreTests.logger, maximumConnections: 1) { try await $0.migrate() }
        let nodeA = try PostgresStore.open(location, logger: PostgresStoreTests.logger, maximumConnections: 6)
        let nodeB = try PostgresStore.open(location, logger: PostgresStoreTests.logger, maximumConnections: 6)
        do {
            try await body(nodeA, nodeB)
        } catch {
            // The test's failure is the one worth reporting.
            try? await nodeA.close()
            try? await nodeB.close()
            throw error
        }
        try await nodeA.close()
        try await nodeB.close()
    }

    /// What a writer was told, and what it sent.
    struct Ack: Sendable {
        let workspace: WorkspaceID
        let seq: Int64
        let payload: Data
    }

    @Test("8 writers × 50 applies to 2 workspaces through 2 nodes: seqs 1…N without gaps, every ack in the log, a reader never sees a gap")
    func gaplessAcrossNodes() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in try await Self.gaplessAcrossNodes(nodeA, nodeB) }
    }

    static func gaplessAcrossNodes(_ nodeA: PostgresStore, _ nodeB: PostgresStore) async throws {
        let eva = try await Fixture.insert(nodeA, Fixture.person("Eva"))
        let spaces = [try await Fixture.createWorkspace(nodeA, "Skolstart", owner: eva.id),
                      try await Fixture.createWorkspace(nodeA, "Bygglov", owner: eva.id)]
        var made: [ThreadID] = []
        for space in spaces { made.append(try await Live.thread(nodeA, "Rusning", in: space.id, by: eva.id).0.id) }
        let threads = made
        let writers = 8, perWriter = 50
        let perWorkspace = Int64(writers * perWriter / 2 + 1)

        let started = ContinuousClock.now
        let (acks, readerFailures) = try await withThrowingTaskGroup(of: ([Ack], [String]).self) { group in
            // A reader on each node follows each workspace as a room filling gaps would: what
            // it reads after seq n must start at n + 1.
            for (node, space) in [(nodeB, spaces[0]), (nodeA, spaces[1])] {
                group.addTask { ([], try await follow(space.id, on: node, until: perWorkspace)) }
            }
            for writer in 0..<writers {
                group.addTask {
                    let node = writer.isMultiple(of: 2) ? nodeA : nodeB
                    var acks: [Ack] = []
                    for index in 0..<perWriter {
                        let which = (writer + index) % 2
                        let space = spaces[which].id
                        let post = Post(workspaceID: space, threadID: threads[which], authorID: eva.id, body: "\(writer)-\(index)", createdAt: Instant.t0)
                        let payload = Data(#"{"writer":\#(writer),"index":\#(index)}"#.utf8)
                        let applied = try await node.apply(
                            .createPost(post), event: EventDraft(workspaceID: space, kind: "post.created", payload: payload, actorID: eva.id, createdAt: Instant.t0),
                            notifications: [], idempotency: IdempotencyKey(personID: eva.id, key: "\(writer)-\(index)"))
                        #expect(applied == .applied(applied.event))
                        // Readable on the other node as soon as the ack is given.
                        let other = node === nodeA ? nodeB : nodeA
                        #expect(try await other.events(workspace: space, after: applied.event.seq - 1, limit: 1).first?.payload == payload)
                        acks.append(Ack(workspace: space, seq: applied.event.seq, payload: payload))
                    }
                    return (acks, [])
                }
            }
            return try await group.reduce(into: ([Ack](), [String]())) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let elapsed = ContinuousClock.now - started
        PostgresStoreTests.logger.notice("applies across two nodes", metadata: [
            "applies": "\(acks.count)", "elapsed": "\(elapsed)",
            "per.second": "\(Int(Double(acks.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)))",
        ])

        #expect(readerFailures.isEmpty, "\(readerFailures.prefix(5))")
        #expect(acks.count == writers * perWriter)
        for (which, space) in spaces.enumerated() {
            let log = try await nodeB.events(workspace: space.id, after: 0, limit: 10_000)
            #expect(log.map(\.seq) == Array(1...perWorkspace), "gapless 1…N in workspace \(which)")
            #expect(try await nodeA.latestSeq(workspace: space.id) == perWorkspace)
            let mine = acks.filter { $0.workspace == space.id }
            #expect(mine.map(\.seq).sorted() == Array(2...perWorkspace), "every ack a distinct seq of the log")
            let bySeq = Dictionary(uniqueKeysWithValues: log.map { ($0.seq, $0.payload) })
            #expect(mine.allSatisfy { bySeq[$0.seq] == $0.payload }, "each ack's seq holds the event that writer sent")
            #expect(try await nodeA.thread(id: threads[which])?.postCount == Int(perWorkspace))
        }
    }

    /// Reads `workspace`'s log from the start until it holds `total` events; returns what it
    /// saw go wrong (a batch that does not continue where the previous one ended).
    static func follow(_ workspace: WorkspaceID, on node: PostgresStore, until total: Int64) async throws -> [String] {
        var last: Int64 = 0
        var failures: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)
        while last < total, ContinuousClock.now < deadline {
            let batch = try await node.events(workspace: workspace, after: last, limit: 7)
            if let first = batch.first, first.seq != last + 1 || batch.map(\.seq) != Array(first.seq..<(first.seq + Int64(batch.count))) {
                failures.append("after \(last) read \(batch.map(\.seq))")
            }
            if let end = batch.last?.seq { last = end } else { try await Task.sleep(for: .milliseconds(2)) }
        }
        if last < total { failures.append("the reader saw only \(last) of \(total) events") }
        return failures
    }

    @Test("the same idempotency key sent at once from two nodes, into one or two workspaces, gives one event; the others get it as a duplicate")
    func racingRetries() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in try await Self.racingRetries(nodeA, nodeB) }
    }

    static func racingRetries(_ nodeA: PostgresStore, _ nodeB: PostgresStore) async throws {
        let eva = try await Fixture.insert(nodeA, Fixture.person("Eva"))
        let spaces = [try await Fixture.createWorkspace(nodeA, "Skolstart", owner: eva.id),
                      try await Fixture.createWorkspace(nodeA, "Bygglov", owner: eva.id)]
        var made: [ThreadID] = []
        for space in spaces { made.append(try await Live.thread(nodeA, "Rusning", in: space.id, by: eva.id).0.id) }
        let threads = made
        let rounds = 20, attempts = 6

        for round in 0..<rounds {
            // Even rounds: every attempt in one workspace (its head row serialises them); odd
            // rounds: spread over both, so the attempts meet only at the key.
            let outcomes = try await withThrowingTaskGroup(of: (Applied, PostID).self) { group in
                for attempt in 0..<attempts {
                    group.addTask {
                        let node = attempt.isMultiple(of: 2) ? nodeA : nodeB
                        let which = round.isMultiple(of: 2) ? 0 : attempt % 2
                        // Each retry carries a new post id, as a client that rebuilt it would.
                        let post = Post(workspaceID: spaces[which].id, threadID: threads[which], authorID: eva.id, body: "Svar \(round)", createdAt: Instant.at(Double(round)))
                        let applied = try await node.apply(
                            .createPost(post), event: Live.draft(spaces[which].id, at: Instant.at(Double(round))),
                            notifications: [], idempotency: IdempotencyKey(personID: eva.id, key: "round-\(round)"))
                        return (applied, post.id)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let applied = outcomes.filter { if case .applied = $0.0 { true } else { false } }
            #expect(applied.count == 1, "round \(round): exactly one attempt writes")
            #expect(Set(outcomes.map(\.0.event.seq)).count == 1 && Set(outcomes.map(\.0.event.workspaceID)).count == 1,
                    "round \(round): every attempt is told the same event")
            var stored = 0
            for (_, id) in outcomes where try await nodeB.post(id: id) != nil { stored += 1 }
            #expect(stored == 1, "round \(round): one post stored")
        }

        var total: Int64 = 0
        for (which, space) in spaces.enumerated() {
            let latest = try await nodeB.latestSeq(workspace: space.id)
            #expect(try await nodeA.events(workspace: space.id, after: 0, limit: 1000).map(\.seq) == Array(1...latest))
            #expect(try await nodeA.thread(id: threads[which])?.postCount == Int(latest))
            total += latest - 1
        }
        #expect(total == Int64(rounds), "one event per round in all")
    }

    @Test("a deletion while other nodes write blanks the text in every stored event that carried it, and the log stays gapless")
    func redactionUnderLoad() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in try await Self.redactionUnderLoad(nodeA, nodeB) }
    }

    static func redactionUnderLoad(_ nodeA: PostgresStore, _ nodeB: PostgresStore) async throws {
        let eva = try await Fixture.insert(nodeA, Fixture.person("Eva"))
        let skola = try await Fixture.createWorkspace(nodeA, "Skolstart", owner: eva.id)
        let (thread, _) = try await Live.thread(nodeA, "Lösenord", in: skola.id, by: eva.id)
        let secret = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "Hemligt: sommar2026", createdAt: Instant.at(1))
        func payload(_ post: Post, _ body: String) -> Data {
            Data(#"{"post":{"body":"\#(body)","id":"\#(post.id)","threadId":"\#(post.threadID)"}}"#.utf8)
        }
        _ = try await nodeA.apply(.createPost(secret), event: EventDraft(workspaceID: skola.id, kind: "post.created", payload: payload(secret, secret.body),
                                                                        actorID: eva.id, createdAt: Instant.at(1)), notifications: [], idempotency: nil)
        _ = try await nodeA.apply(.editPost(secret.id, body: "Hemligt: vinter2026", at: Instant.at(2), by: eva.id),
                                  event: EventDraft(workspaceID: skola.id, kind: "post.edited", payload: payload(secret, "Hemligt: vinter2026"),
                                                    actorID: eva.id, createdAt: Instant.at(2)), notifications: [], idempotency: nil)
        let blog = Live.blog("Utkast till lösenordspolicy", in: skola.id, by: eva.id, at: Instant.at(3))
        _ = try await nodeA.apply(.saveBlogPost(blog), event: EventDraft(
            workspaceID: skola.id, kind: "blog.published",
            payload: Data(#"{"blogPost":{"body":"Hemligt: höst2026","id":"\#(blog.id)","title":"\#(blog.title)"}}"#.utf8),
            actorID: eva.id, createdAt: Instant.at(3)), notifications: [], idempotency: nil)
        let comment = Post(workspaceID: skola.id, threadID: blog.commentThreadID, authorID: eva.id, body: "Hemligt: vår2026", createdAt: Instant.at(4))
        _ = try await nodeA.apply(.createPost(comment), event: EventDraft(workspaceID: skola.id, kind: "post.created", payload: payload(comment, comment.body),
                                                                         actorID: eva.id, createdAt: Instant.at(4)), notifications: [], idempotency: nil)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<20 {
                        let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "Öppet \(writer)-\(index)", createdAt: Instant.at(5))
                        _ = try await nodeB.apply(.createPost(post), event: EventDraft(workspaceID: skola.id, kind: "post.created",
                                                                                      payload: payload(post, post.body), actorID: eva.id, createdAt: Instant.at(5)),
                                                  notifications: [], idempotency: nil)
                    }
                }
            }
            group.addTask {
                _ = try await nodeA.apply(.deletePost(secret.id, at: Instant.at(6), by: eva.id), event: Live.draft(skola.id, "post.deleted", at: Instant.at(6)),
                                          notifications: [], idempotency: nil)
                _ = try await nodeA.apply(.deleteBlogPost(blog.id), event: Live.draft(skola.id, "blog.deleted", at: Instant.at(6)),
                                          notifications: [], idempotency: nil)
            }
            try await group.waitForAll()
        }

        let log = try await nodeB.events(workspace: skola.id, after: 0, limit: 1000)
        #expect(log.map(\.seq) == Array(1...Int64(7 + 80)))
        #expect(!log.contains { String(decoding: $0.payload, as: UTF8.self).contains("Hemligt") }, "no event holds the deleted text")
        let blanked = #"{"post":{"body":"","deleted":true,"deletedBy":{"id":"\#(eva.id)","name":""},"id":"\#(secret.id)","reactions":[],"threadId":"\#(thread.id)"}}"#
        #expect(log[1].payload == Data(blanked.utf8) && log[2].payload == Data(blanked.utf8), "rewritten as the SQLite engine does, byte for byte")
        #expect(log[3].payload == Data(#"{"blogPost":{"body":"","deleted":true,"id":"\#(blog.id)","title":""}}"#.utf8))
        #expect(log[4].payload == Data(#"{"post":{"body":"","deleted":true,"id":"\#(comment.id)","threadId":"\#(blog.id)"}}"#.utf8))
        #expect(try await nodeA.post(id: comment.id) == nil, "the comment thread went with its blog post")
    }
}
