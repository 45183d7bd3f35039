import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Deleting means the text is gone: the events that carried a deleted post's (or blog post's)
/// text are rewritten in the same transaction, so neither the home feed nor a resuming client
/// can bring it back. The events stay (their seqs are part of the log). The rewritten payloads
/// are the SQLite engine's, byte for byte (sorted keys, slashes unescaped).
extension LiveWriter {
    /// Called by `apply` right after a change is written, in its transaction (which holds the
    /// workspace's head row, so no other writer rewrites the same events meanwhile).
    func redact(after change: LiveChange, workspace: WorkspaceID) async throws {
        switch change {
        case .deletePost(let id, _, let by):
            try await redactPost(id, workspace: workspace, by: by)
            try await run("UPDATE notifications SET excerpt = '' WHERE post_id = \(id.uuid)")
        case .deleteBlogPost(let id):
            try await redactBlogPost(id, workspace: workspace)
            // Mentions in the post and its comments point at its comment thread (same id).
            try await run("UPDATE notifications SET excerpt = '' WHERE thread_id = \(id.uuid)")
        default:
            break
        }
    }

    /// Blanks the post's text in every stored event of the workspace that carries it.
    private func redactPost(_ id: PostID, workspace: WorkspaceID, by: PersonID) async throws {
        // Only events from the post's creation on can carry it: the time bound keeps the scan
        // on the (workspace, created_at) index instead of the whole log.
        let since: Date? = try await run("SELECT created_at FROM posts WHERE id = \(id.uuid)").first?.get("created_at")
        try await redact(workspace: workspace, containing: id.description, since: since, EventRedaction.post(id, by: by))
    }

    /// Blanks a deleted blog post's title and text, and its comments, in the workspace's events.
    private func redactBlogPost(_ id: BlogPostID, workspace: WorkspaceID) async throws {
        // The row is already deleted here: every event of the workspace may carry it.
        try await redact(workspace: workspace, containing: id.description, since: nil, EventRedaction.blogPost(id))
    }

    private func redact(
        workspace: WorkspaceID, containing needle: String, since: Date?, _ change: (inout [String: Any]) -> Bool
    ) async throws {
        // position() over the stored bytes narrows the candidates without decoding every event.
        var sql: SQL = """
            SELECT seq, payload FROM events
            WHERE workspace_id = \(workspace.uuid) AND position(\(ByteBuffer(string: needle)) IN payload) > 0
            """
        if let since { sql += " AND created_at >= \(since)" }
        for row in try await run(sql.query) {
            let data = try row.get("payload", as: Data.self)
            // A payload that is no JSON object carries no post: nothing to blank there.
            guard var payload = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], change(&payload) else { continue }
            let rewritten = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
            let seq = try row.get("seq", as: Int64.self)
            try await run("UPDATE events SET payload = \(ByteBuffer(bytes: rewritten)) WHERE workspace_id = \(workspace.uuid) AND seq = \(seq)")
        }
    }
}
