import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Blog drafts and personal blog posts: stored without an event, so drafts never reach
/// another member and personal posts (no workspace) need no workspace log.
extension SQLiteStore {
    public func saveDraft(_ post: BlogPost) async throws {
        guard post.status == .draft || post.workspaceID == nil else {
            throw DomainError.validation([FieldError(field: "status", message: "published workspace posts are stored with their event")])
        }
        try await pool.write { db in
            let existing = try Row.fetchOne(db, sql: "SELECT status, workspace_id FROM blog_posts WHERE id = ?", arguments: [post.id.description])
            if let existing, existing["status"] as String? == BlogPostStatus.published.rawValue, existing["workspace_id"] as String? != nil {
                throw DomainError.conflict("A published blog post cannot become a draft again.")
            }
            try Self.mappingForeignKey(db, missing: { db in
                if let workspace = post.workspaceID,
                   try Int.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [workspace.description]) == nil {
                    return "Workspace"
                }
                return "Person"
            }) {
                try BlogPostRow(post).upsert(db)
            }
        }
    }

    public func deleteDraft(_ id: BlogPostID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM blog_posts WHERE id = ? AND (status = 'draft' OR workspace_id IS NULL)", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Blog post") }
        }
    }
}
