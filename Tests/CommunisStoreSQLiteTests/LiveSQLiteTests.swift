@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import GRDB
import Testing

/// What only the SQLite engine can show: the file keeps everything, and the hot queries use
/// their indexes.
@Suite("SQLiteStore live")
struct LiveSQLiteTests {
    @Test("the live data survives closing and reopening the file")
    func survivesReopen() async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }

        let first = try database.open()
        let (eva, skola) = try await Live.world(first)
        let (thread, opening) = try await Live.thread(first, "Kvar", in: skola.id, by: eva.id)
        let reply = try await Live.reply(first, to: thread.id, in: skola.id, by: eva.id, "Svar", at: Instant.at(1))
        try await Live.apply(first, .editPost(reply.id, body: "Ändrat", at: Instant.at(2), by: eva.id), in: skola.id)
        try await Live.apply(first, .addReaction(Reaction(targetID: opening.id.uuid, personID: eva.id, emoji: "👍")), in: skola.id)
        let blog = Live.blog("Blogg", in: nil, by: eva.id, .draft)
        try await Live.apply(first, .saveBlogPost(blog), in: skola.id, key: IdempotencyKey(personID: eva.id, key: "blog"))
        let mention = PersonalNotification(
            personID: eva.id, kind: .mention, workspaceID: skola.id, threadID: thread.id, postID: reply.id,
            actorID: eva.id, excerpt: "@Eva", createdAt: Instant.at(3)
        )
        try await Live.apply(first, .createPost(Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "@Eva", createdAt: Instant.at(3))),
                             in: skola.id, notifications: [mention])
        try await first.setFeedToken(hash: "feed", for: eva.id)
        _ = try await first.pruneEvents(before: Instant.at(100), keep: 4)
        let events = try await first.events(workspace: skola.id, after: 0, limit: 100)
        try await first.close()

        let second = try database.open()
        #expect(try await second.latestSeq(workspace: skola.id) == 6)
        #expect(try await second.oldestSeq(workspace: skola.id) == 3)
        #expect(try await second.events(workspace: skola.id, after: 0, limit: 100) == events)
        #expect(try await second.thread(id: thread.id)?.postCount == 3)
        #expect(try await second.post(id: reply.id)?.body == "Ändrat")
        #expect(try await second.revisions(post: reply.id).map(\.body) == ["Svar"])
        #expect(try await second.reactions(targets: [opening.id.uuid])[opening.id.uuid] == [ReactionSummary(emoji: "👍", personIDs: [eva.id])])
        #expect(try await second.blogPost(id: blog.id) == blog)
        #expect(try await second.notifications(of: eva.id, page: PageRequest()).items == [mention])
        #expect(try await second.person(feedTokenHash: "feed") == eva.id)
        let again = try await Live.apply(second, .saveBlogPost(blog), in: skola.id, key: IdempotencyKey(personID: eva.id, key: "blog"))
        #expect(again == .duplicate(events.first { $0.seq == 5 }!))
        #expect(try await second.latestSeq(workspace: skola.id) == 6)
        try await second.close()
    }

    @Test("the home feed reads each member workspace through its index and sorts a bounded set")
    func feedPlan() async throws {
        try await TemporaryDatabase.with { store, _ in
            let arguments: StatementArguments = [
                "person": "p", "kinds": "[\"a\"]", "limit": 10, "at": 1.0, "workspace": "w", "seq": 1,
            ]
            for sql in [SQLiteStore.feedSQL, SQLiteStore.feedAfterCursorSQL] {
                let plan = try await Self.plan(store, sql, arguments)
                #expect(plan.contains("SEARCH m USING COVERING INDEX memberships_person_id (person_id=?)"), "\(plan)")
                #expect(plan.contains("SEARCH e USING INDEX events_feed (workspace_id=? AND created_at>"), "\(plan)")
                #expect(plan.contains("SEARCH b USING COVERING INDEX events_feed (workspace_id=?"), "\(plan)")
                // Only bounded sets are scanned: the person's followed workspaces and the CTEs'
                // at most `limit` rows each; never a table (e, b, memberships m).
                let scans = plan.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("SCAN ") }
                #expect(!scans.contains { ["SCAN e", "SCAN b", "SCAN m", "SCAN events", "SCAN memberships", "SCAN follows"].contains($0) }, "\(plan)")
                #expect(plan.contains("SEARCH e USING INDEX events_actor (actor_id=?"), "people followed are read by author: \(plan)")
            }
        }
    }

    @Test("catching up reads a range of the primary key")
    func eventsPlan() async throws {
        try await TemporaryDatabase.with { store, _ in
            let plan = try await Self.plan(store, "SELECT * FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?", ["w", 1, 10])
            #expect(plan.contains("SEARCH events USING PRIMARY KEY (workspace_id=? AND seq>?)"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }

    /// The `detail` column of EXPLAIN QUERY PLAN, one line per step.
    static func plan(_ store: SQLiteStore, _ sql: String, _ arguments: StatementArguments) async throws -> String {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments)
                .map { row -> String in row["detail"] }.joined(separator: "\n")
        }
    }
}
