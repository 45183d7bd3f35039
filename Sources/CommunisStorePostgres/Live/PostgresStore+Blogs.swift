import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Blogs: reading them, drafts and personal blog posts (stored without an event, so drafts
/// never reach another member and personal posts need no workspace log), and the comments
/// and reactions of personal blogs.
extension PostgresStore {
    /// Drafts (only `draftsOf`'s) come first, most recently updated first; then published
    /// posts, newest first. `author` narrows a workspace blog to one author, and names the
    /// blog when `workspace` is nil.
    public func blogPosts(
        workspace: WorkspaceID?, author: PersonID?, draftsOf: PersonID?, page: PageRequest
    ) async throws -> Page<BlogPost> {
        var filter: SQL = "workspace_id IS NULL"
        if let workspace { filter = "workspace_id = \(workspace.uuid)" }
        if let author { filter += " AND author_id = \(author.uuid)" }
        filter += " AND (status = 'published' OR author_id = \(draftsOf?.uuid))"
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM blog_posts WHERE \(filter)"
            let total = try await connection.query(count.query, logger: logger).first()?.get("n", as: Int.self) ?? 0
            let select: SQL = """
                SELECT \(raw: LiveRows.blogPostColumns) FROM blog_posts WHERE \(filter)
                ORDER BY status = 'draft' DESC, COALESCE(published_at, updated_at) DESC, ordinal DESC
                LIMIT \(page.limit) OFFSET \(page.offset)
                """
            let items = try await connection.query(select.query, logger: logger).all().map(LiveRows.blogPost)
            return Page(items: items, total: total, request: page)
        }
    }

    public func blogPost(id: BlogPostID) async throws -> BlogPost? {
        try await client.query("SELECT \(unescaped: LiveRows.blogPostColumns) FROM blog_posts WHERE id = \(id.uuid)", logger: logger)
            .first().map(LiveRows.blogPost)
    }

    /// One statement: the upsert replaces a stored post only when it is not a published
    /// workspace post, so a concurrent `apply` publishing it cannot be undone by a draft.
    public func saveDraft(_ post: BlogPost) async throws {
        guard post.status == .draft || post.workspaceID == nil else {
            throw DomainError.validation([FieldError(field: "status", message: "published workspace posts are stored with their event")])
        }
        let saved = try await LiveRows.mappingForeignKey("Person") {
            try await client.query("""
                \(unescaped: LiveWriter.upsertBlogPost)
                VALUES (\(post.id.uuid), \(post.workspaceID?.uuid), \(post.authorID.uuid), \(post.title), \(post.body),
                        \(post.status.rawValue), \(post.createdAt), \(post.updatedAt), \(post.publishedAt))
                \(unescaped: LiveWriter.upsertBlogPostConflict)
                WHERE blog_posts.status = 'draft' OR blog_posts.workspace_id IS NULL
                RETURNING id
                """, logger: logger).all()
        }
        guard !saved.isEmpty else { throw DomainError.conflict("A published blog post cannot become a draft again.") }
    }

    public func deleteDraft(_ id: BlogPostID) async throws {
        let deleted = try await client.query("""
            DELETE FROM blog_posts WHERE id = \(id.uuid) AND (status = 'draft' OR workspace_id IS NULL) RETURNING id
            """, logger: logger).all()
        guard !deleted.isEmpty else { throw DomainError.notFound("Blog post") }
    }

    public func addPersonalComment(_ comment: PersonalComment) async throws {
        do {
            try await LiveRows.mappingForeignKey("Blog post") {
                try await client.query("""
                    INSERT INTO personal_comments (id, blog_post_id, author_id, body, created_at, deleted_at)
                    VALUES (\(comment.id.uuid), \(comment.blogPostID.uuid), \(comment.authorID.uuid), \(comment.body),
                            \(comment.createdAt), \(comment.deletedAt))
                    """, logger: logger).collect()
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The comment already exists.")
        }
    }

    public func personalComments(blogPost: BlogPostID, page: PageRequest) async throws -> Page<PersonalComment> {
        try await client.withConnection { connection in
            let total = try await connection.query("""
                SELECT count(*) AS n FROM personal_comments WHERE blog_post_id = \(blogPost.uuid)
                """, logger: logger).first()?.get("n", as: Int.self) ?? 0
            let items = try await connection.query("""
                SELECT \(unescaped: LiveRows.personalCommentColumns) FROM personal_comments WHERE blog_post_id = \(blogPost.uuid)
                ORDER BY created_at, ordinal LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(LiveRows.personalComment)
            return Page(items: items, total: total, request: page)
        }
    }

    public func personalComment(id: PostID) async throws -> PersonalComment? {
        try await client.query("""
            SELECT \(unescaped: LiveRows.personalCommentColumns) FROM personal_comments WHERE id = \(id.uuid)
            """, logger: logger).first().map(LiveRows.personalComment)
    }

    public func deletePersonalComment(id: PostID, at: Date) async throws {
        let deleted = try await client.query("""
            UPDATE personal_comments SET body = '', deleted_at = \(at) WHERE id = \(id.uuid) AND deleted_at IS NULL RETURNING id
            """, logger: logger).all()
        guard !deleted.isEmpty else { throw DomainError.notFound("Comment") }
    }

    /// Reactions on personal blog posts: no event, idempotent both ways.
    public func setReaction(_ reaction: Reaction, present: Bool) async throws {
        guard present else {
            _ = try await client.query("""
                DELETE FROM reactions
                WHERE target_id = \(reaction.targetID) AND person_id = \(reaction.personID.uuid) AND emoji = \(reaction.emoji)
                """, logger: logger).collect()
            return
        }
        let rows = try await LiveRows.mappingForeignKey("Person") {
            try await client.query("""
                WITH target AS (
                    SELECT EXISTS (SELECT 1 FROM blog_posts WHERE id = \(reaction.targetID)) AS found
                ), added AS (
                    INSERT INTO reactions (target_id, person_id, emoji)
                    SELECT \(reaction.targetID), \(reaction.personID.uuid), \(reaction.emoji) FROM target WHERE found
                    ON CONFLICT DO NOTHING
                )
                SELECT found FROM target
                """, logger: logger).all()
        }
        guard try rows.first?.get("found", as: Bool.self) == true else { throw DomainError.notFound("Blog post") }
    }
}
