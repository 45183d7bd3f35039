import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Blog drafts: stored without an event, so they never reach another member.
extension SQLiteStore {
    public func saveDraft(_ post: BlogPost) async throws {
        guard post.status == .draft else {
            throw DomainError.validation([FieldError(field: "status", message: "saveDraft stores drafts only")])
        }
        try await pool.write { db in
            let status = try String.fetchOne(db, sql: "SELECT status FROM blog_posts WHERE id = ?", arguments: [post.id.description])
            if status == BlogPostStatus.published.rawValue {
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
            try db.execute(sql: "DELETE FROM blog_posts WHERE id = ? AND status = 'draft'", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Blog post") }
        }
    }
}
