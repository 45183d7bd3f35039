import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Reading blogs, personal notifications and feed tokens.
extension SQLiteStore {
    /// Drafts (only `draftsOf`'s) come first, most recently updated first; then published
    /// posts, newest first. `author` narrows a workspace blog to one author, and names the
    /// blog when `workspace` is nil.
    public func blogPosts(
        workspace: WorkspaceID?, author: PersonID?, draftsOf: PersonID?, page: PageRequest
    ) async throws -> Page<BlogPost> {
        let filter = """
            workspace_id IS :workspace \(author == nil ? "" : "AND author_id = :author")
            AND (status = 'published' OR author_id = :drafts_of)
            """
        let arguments: [String: (any DatabaseValueConvertible)?] = [
            "workspace": workspace?.description, "author": author?.description, "drafts_of": draftsOf?.description,
        ]
        // A named argument the SQL does not use is an error, hence the filter.
        let countArguments = StatementArguments(arguments.filter { author != nil || $0.key != "author" })
        let pageArguments = countArguments + ["limit": page.limit, "offset": page.offset]
        return try await pool.read { db in
            let total = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM blog_posts WHERE \(filter)"), arguments: countArguments
            ) ?? 0
            let rows = try BlogPostRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM blog_posts WHERE \(filter)
                ORDER BY status = 'draft' DESC, COALESCE(published_at, updated_at) DESC, rowid DESC
                LIMIT :limit OFFSET :offset
                """), arguments: pageArguments)
            return Page(items: rows.map(\.blogPost), total: total, request: page)
        }
    }

    public func blogPost(id: BlogPostID) async throws -> BlogPost? {
        try await pool.read { db in try BlogPostRow.fetchOne(db, key: id.description)?.blogPost }
    }

    public func notifications(of person: PersonID, page: PageRequest) async throws -> Page<PersonalNotification> {
        try await pool.read { db in
            let total = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM notifications WHERE person_id = ?"),
                arguments: [person.description]
            ) ?? 0
            let rows = try NotificationRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM notifications WHERE person_id = ?
                ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?
                """), arguments: [person.description, page.limit, page.offset])
            return Page(items: rows.map(\.notification), total: total, request: page)
        }
    }

    public func unreadNotificationCount(of person: PersonID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM notifications WHERE person_id = ? AND read_at IS NULL"),
                arguments: [person.description]
            ) ?? 0
        }
    }

    /// `upTo` is also recorded as the time they were read.
    public func markNotificationsRead(of person: PersonID, upTo: Date) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: """
                UPDATE notifications SET read_at = ?1
                WHERE person_id = ?2 AND read_at IS NULL AND created_at <= ?1
                """).execute(arguments: [upTo.unixSeconds, person.description])
        }
    }

    /// Replaces the person's token. Throws `notFound("Person")` for an unknown person and
    /// `conflict` when another person holds the same hash.
    public func setFeedToken(hash: String, for person: PersonID) async throws {
        try await pool.write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO feed_tokens (person_id, token_hash) VALUES (?, ?)
                    ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash
                    """, arguments: [person.description, hash])
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The feed token is already in use.")
            }
        }
    }

    public func person(feedTokenHash: String) async throws -> PersonID? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT person_id FROM feed_tokens WHERE token_hash = ?", arguments: [feedTokenHash])
                .flatMap(PersonID.init)
        }
    }
}
