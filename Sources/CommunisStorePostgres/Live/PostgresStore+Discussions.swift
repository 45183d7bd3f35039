import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading threads, posts, revisions and reactions. Each list is one query plus its count,
/// on one connection.
extension PostgresStore {
    /// Discussions only: a blog post's comment thread is shown with its blog post.
    public func threads(workspace: WorkspaceID, page: PageRequest) async throws -> Page<DiscussionThread> {
        try await client.withConnection { connection in
            let total = try await connection.query("""
                SELECT count(*) AS n FROM threads WHERE workspace_id = \(workspace.uuid) AND kind = 'discussion'
                """, logger: logger).first()?.get("n", as: Int.self) ?? 0
            let items = try await connection.query("""
                SELECT \(unescaped: LiveRows.threadColumns) FROM threads WHERE workspace_id = \(workspace.uuid) AND kind = 'discussion'
                ORDER BY last_activity_at DESC, ordinal DESC LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(LiveRows.thread)
            return Page(items: items, total: total, request: page)
        }
    }

    public func thread(id: ThreadID) async throws -> DiscussionThread? {
        try await client.query("SELECT \(unescaped: LiveRows.threadColumns) FROM threads WHERE id = \(id.uuid)", logger: logger)
            .first().map(LiveRows.thread)
    }

    /// In the order they were written (`ordinal` breaks ties between equal times).
    public func posts(thread: ThreadID, page: PageRequest) async throws -> Page<Post> {
        try await client.withConnection { connection in
            let total = try await connection.query("SELECT count(*) AS n FROM posts WHERE thread_id = \(thread.uuid)", logger: logger)
                .first()?.get("n", as: Int.self) ?? 0
            let items = try await connection.query("""
                SELECT \(unescaped: LiveRows.postColumns) FROM posts WHERE thread_id = \(thread.uuid)
                ORDER BY created_at, ordinal LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(LiveRows.post)
            return Page(items: items, total: total, request: page)
        }
    }

    public func post(id: PostID) async throws -> Post? {
        try await client.query("SELECT \(unescaped: LiveRows.postColumns) FROM posts WHERE id = \(id.uuid)", logger: logger)
            .first().map(LiveRows.post)
    }

    public func revisions(post: PostID) async throws -> [PostRevision] {
        try await client.query("""
            SELECT post_id, body, replaced_at, editor_id FROM post_revisions WHERE post_id = \(post.uuid) ORDER BY replaced_at, id
            """, logger: logger).all().map(LiveRows.revision)
    }

    /// Only targets with reactions have an entry. Emojis in the order they were first given
    /// on that target (among the reactions that remain), people in the order they gave it.
    public func reactions(targets: [UUID]) async throws -> [UUID: [ReactionSummary]] {
        guard !targets.isEmpty else { return [:] }
        let rows = try await client.query("""
            SELECT target_id, person_id, emoji FROM reactions WHERE target_id = ANY(\(targets)) ORDER BY id
            """, logger: logger).all()
        var summaries: [UUID: [ReactionSummary]] = [:]
        for row in rows {
            let target = try row.get("target_id", as: UUID.self)
            let person: PersonID = try row.id("person_id")
            let emoji = try row.get("emoji", as: String.self)
            var groups = summaries[target, default: []]
            if let index = groups.firstIndex(where: { $0.emoji == emoji }) {
                groups[index].personIDs.append(person)
            } else {
                groups.append(ReactionSummary(emoji: emoji, personIDs: [person]))
            }
            summaries[target] = groups
        }
        return summaries
    }
}
