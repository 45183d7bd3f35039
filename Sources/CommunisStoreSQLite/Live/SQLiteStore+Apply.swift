import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Writing live changes: each `apply` is one write transaction that checks the idempotency
/// key, makes the change, takes the next seq of the workspace and appends the event, so an
/// event exists exactly when its change does. A thrown error rolls all of it back (no seq
/// is consumed). Statements are cached; the only reads are the checks a change needs.
/// (`LiveStore` conformance comes through `CommunisStore`.)
extension SQLiteStore {
    /// Writers are committed in groups: while one transaction is being written, the next
    /// changes queue up and then go in together, each in its own savepoint (a failing change
    /// rolls back alone). Every caller is answered only after its group has committed, so an
    /// acknowledged change is on disk; one commit (and one WAL sync) serves many writers.
    public func apply(
        _ change: LiveChange, event: EventDraft, notifications: [PersonalNotification], idempotency: IdempotencyKey?
    ) async throws -> Applied {
        try await writeBatcher.submit { db in
            try Self.applyNow(change, event: event, notifications: notifications, idempotency: idempotency, db)
        }
    }

    static func applyNow(
        _ change: LiveChange, event: EventDraft, notifications: [PersonalNotification], idempotency: IdempotencyKey?, _ db: Database
    ) throws -> Applied {
            if let idempotency, let first = try Self.firstEvent(of: idempotency, db) {
                return .duplicate(first)
            }
            try Self.write(change, workspace: event.workspaceID, db)
            try Self.redact(after: change, workspace: event.workspaceID, db)
            let appended = WorkspaceEvent(
                workspaceID: event.workspaceID, seq: try Self.nextSeq(event.workspaceID, db), kind: event.kind,
                payload: event.payload, actorID: event.actorID, createdAt: event.createdAt
            )
            try EventRow(appended).insert(db)
            for notification in notifications {
                try Self.mappingForeignKey(db, missing: { db in
                    try PersonRow.exists(db, key: notification.personID.description) ? "Workspace" : "Person"
                }) {
                    try NotificationRow(notification).insert(db)
                }
            }
            if let idempotency {
                let row = IdempotencyRow(key: idempotency, workspaceID: appended.workspaceID, seq: appended.seq, createdAt: appended.createdAt)
                try Self.mappingForeignKey(db, missing: { _ in "Person" }) { try row.insert(db) }
            }
            return .applied(appended)
    }

    /// The event an idempotency key already produced, if any.
    private static func firstEvent(of key: IdempotencyKey, _ db: Database) throws -> WorkspaceEvent? {
        let statement = try db.cachedStatement(sql: """
            SELECT e.* FROM idempotency_keys k
            JOIN events e ON e.workspace_id = k.workspace_id AND e.seq = k.seq
            WHERE k.person_id = ? AND k.key = ?
            """)
        return try EventRow.fetchOne(statement, arguments: [key.personID.description, key.key])?.event
    }

    /// Takes the next seq of the workspace: the counter outlives pruned events, so a seq is
    /// never handed out twice.
    private static func nextSeq(_ workspace: WorkspaceID, _ db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO workspace_sequences (workspace_id, last_seq) VALUES (?, 1)
            ON CONFLICT (workspace_id) DO UPDATE SET last_seq = last_seq + 1
            RETURNING last_seq
            """)
        return try mappingForeignKey(db, missing: { _ in "Workspace" }) {
            guard let seq = try Int64.fetchOne(statement, arguments: [workspace.description]) else {
                throw DomainError.notFound("Workspace")
            }
            return seq
        }
    }

    private static func write(_ change: LiveChange, workspace: WorkspaceID, _ db: Database) throws {
        switch change {
        case .createThread(let thread, let opening):
            try createThread(thread, opening: opening, db)
        case .createPost(let post):
            try createPost(post, db)
        case .editPost(let id, let body, let at, let by):
            try editPost(id, body: body, at: at, by: by, db)
        case .deletePost(let id, let at, let by):
            try deletePost(id, at: at, by: by, db)
        case .addReaction(let reaction):
            try addReaction(reaction, db)
        case .removeReaction(let reaction):
            try db.cachedStatement(sql: "DELETE FROM reactions WHERE target_id = ? AND person_id = ? AND emoji = ?")
                .execute(arguments: [reaction.targetID.lowercased, reaction.personID.description, reaction.emoji])
        case .saveBlogPost(let blogPost):
            try saveBlogPost(blogPost, db)
        case .deleteBlogPost(let id):
            // Triggers take the comment thread (with its posts) and the reactions along.
            try db.cachedStatement(sql: "DELETE FROM blog_posts WHERE id = ?").execute(arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Blog post") }
        case .document(let change):
            try writeDocument(change, workspace: workspace, db)
        }
    }

    private static func createThread(_ thread: DiscussionThread, opening: Post, _ db: Database) throws {
        guard opening.threadID == thread.id, opening.workspaceID == thread.workspaceID else {
            throw DomainError.validation([FieldError(field: "opening", message: "The opening post must belong to the new thread.")])
        }
        var stored = thread
        stored.postCount = 1
        stored.lastActivityAt = max(thread.lastActivityAt, opening.createdAt)
        try insertThread(ThreadRow(stored, kind: .discussion), db)
        try insertPost(opening, db)
    }

    /// Bumps the thread first (which also proves it exists in the post's workspace); a blog
    /// comment whose comment thread does not exist yet creates it.
    private static func createPost(_ post: Post, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE threads SET post_count = post_count + 1, last_activity_at = max(last_activity_at, ?)
            WHERE id = ? AND workspace_id = ?
            """).execute(arguments: [post.createdAt.unixSeconds, post.threadID.description, post.workspaceID.description])
        if db.changesCount == 0 {
            try createCommentThread(for: post, db)
        }
        if let parent = post.parentID {
            let parentInThread = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM posts WHERE id = ? AND thread_id = ?)"),
                arguments: [parent.description, post.threadID.description]
            ) ?? false
            guard parentInThread else { throw DomainError.notFound("Post") }
        }
        try insertPost(post, db)
    }

    /// The comment thread of the blog post whose id is `post.threadID`, with the post counted.
    /// Throws `notFound("Thread")` when there is no such blog post (in the post's workspace).
    private static func createCommentThread(for post: Post, _ db: Database) throws {
        guard let blog = try BlogPostRow.fetchOne(db, key: post.threadID.description)?.blogPost,
              blog.workspaceID == nil || blog.workspaceID == post.workspaceID
        else { throw DomainError.notFound("Thread") }
        let thread = DiscussionThread(
            id: post.threadID, workspaceID: post.workspaceID, title: blog.title, authorID: blog.authorID,
            createdAt: post.createdAt, lastActivityAt: post.createdAt, postCount: 1
        )
        do {
            try insertThread(ThreadRow(thread, kind: .blogComments), db)
        } catch DomainError.conflict {
            // The comment thread exists, but in another workspace than the post claims.
            throw DomainError.notFound("Thread")
        }
    }

    private static func insertThread(_ row: ThreadRow, _ db: Database) throws {
        do {
            try row.insert(db)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DomainError.conflict("The thread already exists.")
        } catch let error as DatabaseError where error.isForeignKeyViolation {
            throw DomainError.notFound("Workspace")
        }
    }

    private static func insertPost(_ post: Post, _ db: Database) throws {
        do {
            try PostRow(post).insert(db)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DomainError.conflict("The post already exists.")
        } catch let error as DatabaseError where error.isForeignKeyViolation {
            throw DomainError.notFound("Thread")
        }
    }

    /// Copies the current text into a revision, then replaces it: two statements, no read.
    private static func editPost(_ id: PostID, body: String, at: Date, by: PersonID, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO post_revisions (post_id, body, replaced_at, editor_id)
            SELECT id, body, ?, ? FROM posts WHERE id = ? AND deleted_at IS NULL
            """).execute(arguments: [at.unixSeconds, by.description, id.description])
        guard db.changesCount > 0 else { throw DomainError.notFound("Post") }
        try db.cachedStatement(sql: "UPDATE posts SET body = ?, edited_at = ? WHERE id = ?")
            .execute(arguments: [body, at.unixSeconds, id.description])
    }

    /// The post keeps its place in the thread; its text, revisions and reactions go.
    private static func deletePost(_ id: PostID, at: Date, by: PersonID, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE posts SET body = '', deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL
            """).execute(arguments: [at.unixSeconds, by.description, id.description])
        guard db.changesCount > 0 else { throw DomainError.notFound("Post") }
        try db.cachedStatement(sql: "DELETE FROM post_revisions WHERE post_id = ?").execute(arguments: [id.description])
        try db.cachedStatement(sql: "DELETE FROM reactions WHERE target_id = ?").execute(arguments: [id.description])
    }

    /// Idempotent: a repeated reaction changes nothing (the event is still appended).
    private static func addReaction(_ reaction: Reaction, _ db: Database) throws {
        let target = reaction.targetID.lowercased
        let exists = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM posts WHERE id = ?1 AND deleted_at IS NULL)
                OR EXISTS (SELECT 1 FROM blog_posts WHERE id = ?1)
            """), arguments: [target]) ?? false
        guard exists else { throw DomainError.notFound("Post") }
        try mappingForeignKey(db, missing: { _ in "Person" }) {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO reactions (target_id, person_id, emoji) VALUES (?, ?, ?)")
                .execute(arguments: [target, reaction.personID.description, reaction.emoji])
        }
    }

    /// Inserts or replaces every column; the comment thread (if any) follows the title.
    private static func saveBlogPost(_ blogPost: BlogPost, _ db: Database) throws {
        let row = BlogPostRow(blogPost)
        try mappingForeignKey(db, missing: { db in
            if let workspace = blogPost.workspaceID, try !WorkspaceRow.exists(db, key: workspace.description) {
                return "Workspace"
            }
            return "Person"
        }) {
            try row.upsert(db)
        }
        try db.cachedStatement(sql: "UPDATE threads SET title = ? WHERE id = ? AND kind = 'blog-comments'")
            .execute(arguments: [blogPost.title, blogPost.id.description])
    }

    /// Runs `body`, turning a violated foreign key into `notFound` of what `missing` finds
    /// absent (asked only on that error path, within the same transaction).
    static func mappingForeignKey<T>(
        _ db: Database, missing: (Database) throws -> String, _ body: () throws -> T
    ) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.isForeignKeyViolation {
            throw DomainError.notFound(try missing(db))
        }
    }
}

extension UUID {
    /// The stored form of a UUID: lowercase, like `ID.description`.
    var lowercased: String { uuidString.lowercased() }
}
