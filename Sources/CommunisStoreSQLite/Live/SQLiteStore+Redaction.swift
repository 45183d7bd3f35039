import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Deleting means the text is gone: the events that carried a deleted post's (or blog
/// post's) text are rewritten in the same transaction, so neither the home feed nor a
/// resuming client can bring it back. The events stay (their seqs are part of the log).
extension SQLiteStore {
    /// Called by `apply` right after a change is written, in its transaction.
    static func redact(after change: LiveChange, workspace: WorkspaceID, _ db: Database) throws {
        switch change {
        case .deletePost(let id, let at, let by):
            try redactPost(id, workspace: workspace, at: at, by: by, db)
            try db.execute(sql: "UPDATE notifications SET excerpt = '' WHERE post_id = ?", arguments: [id.description])
        case .deleteBlogPost(let id):
            try redactBlogPost(id, workspace: workspace, db)
            // Mentions in the post and its comments point at its comment thread (same id).
            try db.execute(sql: "UPDATE notifications SET excerpt = '' WHERE thread_id = ?", arguments: [id.description])
        default:
            break
        }
    }

    /// Blanks the post's text in every stored event of the workspace that carries it.
    static func redactPost(_ id: PostID, workspace: WorkspaceID, at: Date, by: PersonID, _ db: Database) throws {
        // Only events from the post's creation on can carry it: the time bound keeps the scan
        // on the (workspace, created_at) index instead of the whole log.
        let since = try Double.fetchOne(db, sql: "SELECT created_at FROM posts WHERE id = ?", arguments: [id.description]) ?? 0
        try redact(workspace: workspace, containing: id.description, since: since, db, EventRedaction.post(id, by: by))
    }

    /// Blanks a deleted blog post's title and text in the workspace's stored events.
    static func redactBlogPost(_ id: BlogPostID, workspace: WorkspaceID, _ db: Database) throws {
        // The row is already deleted here; its events cannot predate the workspace's oldest kept one anyway.
        try redact(workspace: workspace, containing: id.description, since: 0, db, EventRedaction.blogPost(id))
    }

    private static func redact(workspace: WorkspaceID, containing needle: String, since: Double, _ db: Database, _ change: (inout [String: Any]) -> Bool) throws {
        // instr() over the stored JSON narrows the candidates without decoding every event.
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, payload FROM events WHERE workspace_id = ? AND created_at >= ? AND instr(CAST(payload AS TEXT), ?) > 0
            """, arguments: [workspace.description, since, needle])
        for row in rows {
            let data: Data = row["payload"]
            guard var payload = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], change(&payload) else { continue }
            let rewritten = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
            try db.execute(sql: "UPDATE events SET payload = ? WHERE workspace_id = ? AND seq = ?",
                           arguments: [rewritten, workspace.description, row["seq"] as Int64])
        }
    }
}
