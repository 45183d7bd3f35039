import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Reading threads, posts, revisions and reactions. Each list is one query (plus its count).
extension SQLiteStore {
    /// Discussions only: a blog post's comment thread is shown with its blog post.
    public func threads(workspace: WorkspaceID, page: PageRequest) async throws -> Page<DiscussionThread> {
        try await pool.read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM threads WHERE workspace_id = ? AND kind = 'discussion'
                """), arguments: [workspace.description]) ?? 0
            let rows = try ThreadRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM threads WHERE workspace_id = ? AND kind = 'discussion'
                ORDER BY last_activity_at DESC, rowid DESC LIMIT ? OFFSET ?
                """), arguments: [workspace.description, page.limit, page.offset])
            return Page(items: rows.map(\.thread), total: total, request: page)
        }
    }

    public func thread(id: ThreadID) async throws -> DiscussionThread? {
        try await pool.read { db in try ThreadRow.fetchOne(db, key: id.description)?.thread }
    }

    /// In the order they were written (rowid breaks ties within a second).
    public func posts(thread: ThreadID, page: PageRequest) async throws -> Page<Post> {
        try await pool.read { db in
            let total = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM posts WHERE thread_id = ?"), arguments: [thread.description]
            ) ?? 0
            let rows = try PostRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM posts WHERE thread_id = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?
                """), arguments: [thread.description, page.limit, page.offset])
            return Page(items: rows.map(\.post), total: total, request: page)
        }
    }

    public func post(id: PostID) async throws -> Post? {
        try await pool.read { db in try PostRow.fetchOne(db, key: id.description)?.post }
    }

    public func revisions(post: PostID) async throws -> [PostRevision] {
        try await pool.read { db in
            try RevisionRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM post_revisions WHERE post_id = ? ORDER BY replaced_at, id
                """), arguments: [post.description]).map(\.revision)
        }
    }

    /// Only targets with reactions have an entry. Emojis in the order they were first given
    /// on that target, people in the order they gave it.
    public func reactions(targets: [UUID]) async throws -> [UUID: [ReactionSummary]] {
        guard !targets.isEmpty else { return [:] }
        let list = jsonArray(targets.map(\.lowercased))
        let rows = try await pool.read { db in
            try ReactionRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM reactions WHERE target_id IN (SELECT value FROM json_each(?)) ORDER BY id
                """), arguments: [list]).map(\.reaction)
        }
        var summaries: [UUID: [ReactionSummary]] = [:]
        for reaction in rows {
            var groups = summaries[reaction.targetID, default: []]
            if let index = groups.firstIndex(where: { $0.emoji == reaction.emoji }) {
                groups[index].personIDs.append(reaction.personID)
            } else {
                groups.append(ReactionSummary(emoji: reaction.emoji, personIDs: [reaction.personID]))
            }
            summaries[reaction.targetID] = groups
        }
        return summaries
    }
}
