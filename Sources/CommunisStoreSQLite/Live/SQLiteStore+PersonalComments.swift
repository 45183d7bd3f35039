import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Comments and reactions on personal blog posts, stored without events.
extension SQLiteStore {
    public func addPersonalComment(_ comment: PersonalComment) async throws {
        try await pool.write { db in
            try Self.mappingForeignKey(db, missing: { _ in "Blog post" }) {
                try db.execute(sql: """
                    INSERT INTO personal_comments (id, blog_post_id, author_id, body, created_at, deleted_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [comment.id.description, comment.blogPostID.description, comment.authorID.description,
                                     comment.body, comment.createdAt.timeIntervalSince1970, comment.deletedAt?.timeIntervalSince1970])
            }
        }
    }

    public func personalComments(blogPost: BlogPostID, page: PageRequest) async throws -> Page<PersonalComment> {
        try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM personal_comments WHERE blog_post_id = ?", arguments: [blogPost.description]) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM personal_comments WHERE blog_post_id = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?
                """, arguments: [blogPost.description, page.limit, page.offset])
            return Page(items: try rows.map(Self.personalComment(row:)), total: total, request: page)
        }
    }

    public func personalComment(id: PostID) async throws -> PersonalComment? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM personal_comments WHERE id = ?", arguments: [id.description]).map(Self.personalComment(row:))
        }
    }

    public func deletePersonalComment(id: PostID, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE personal_comments SET body = '', deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                           arguments: [at.timeIntervalSince1970, id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Comment") }
        }
    }

    public func setReaction(_ reaction: Reaction, present: Bool) async throws {
        try await pool.write { db in
            let target = reaction.targetID.uuidString.lowercased()
            if present {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM blog_posts WHERE id = ?)", arguments: [target]) == true else {
                    throw DomainError.notFound("Blog post")
                }
                try Self.mappingForeignKey(db, missing: { _ in "Person" }) {
                    try db.execute(sql: "INSERT OR IGNORE INTO reactions (target_id, person_id, emoji) VALUES (?, ?, ?)",
                                   arguments: [target, reaction.personID.description, reaction.emoji])
                }
            } else {
                try db.execute(sql: "DELETE FROM reactions WHERE target_id = ? AND person_id = ? AND emoji = ?",
                               arguments: [target, reaction.personID.description, reaction.emoji])
            }
        }
    }

    static func personalComment(row: Row) throws -> PersonalComment {
        guard let id = PostID(row["id"] as String), let post = BlogPostID(row["blog_post_id"] as String),
              let author = PersonID(row["author_id"] as String) else {
            throw DomainError.conflict("A stored comment has a malformed id.")
        }
        let deleted: Double? = row["deleted_at"]
        return PersonalComment(id: id, blogPostID: post, authorID: author, body: row["body"],
                               createdAt: Date(timeIntervalSince1970: row["created_at"]), deletedAt: deleted.map(Date.init(timeIntervalSince1970:)))
    }
}
