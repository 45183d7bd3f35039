import CommunisModel
import CommunisStore
import Foundation
import Logging
import PostgresNIO

/// Writing live changes. Each `apply` is ONE transaction: it checks the idempotency key, takes
/// the workspace's head row, makes the change, redacts what a deletion removed, appends the
/// event, inserts the notifications and records the key. A thrown error rolls all of it back,
/// so no seq is consumed and the key stays unused.
///
/// Why the seq is gapless and readable in order, with any number of writers on any number of
/// nodes: the seq is not a sequence (a rolled-back `nextval` leaves a hole) but the counter
/// in the workspace's `workspace_sequences` row, incremented by an upsert that keeps that row
/// locked until the transaction ends. So the writers of one workspace commit one after
/// another, in seq order: the writer that takes n + 1 waits until the one holding n has
/// committed (and PostgreSQL makes a commit visible before it releases its locks), or rolled
/// back (and then n itself is taken again). Hence an event is readable when `apply` returns,
/// and when seq n of a workspace is readable, every lower seq of it is too — what a room
/// filling a gap from the log relies on. Writers of different workspaces never wait for
/// each other.
///
/// The head row is taken before the change, so everything one workspace's writers do (the
/// first comment creating a blog post's comment thread, an edit copying the text it replaces,
/// a deletion rewriting the events that carried the text) happens one writer at a time, as
/// under SQLite's single writer.
///
/// Group commit: each apply is its own transaction. PostgreSQL already shares one WAL flush
/// among the transactions that commit at the same moment (a commit flushes the WAL up to its
/// record, which covers the records of every concurrent committer written before it), so
/// concurrent applies on separate pool connections do not pay one disk sync each. Putting
/// applies of several workspaces in one transaction, as the SQLite engine does, would make
/// each wait for the others' statements while holding its head row, let two nodes batching
/// the same workspaces in different orders deadlock, and roll back every change of the batch
/// on any error (savepoints would cost a round trip each); it pays under SQLite's single
/// writer, not here.
extension PostgresStore {
    public func apply(
        _ change: LiveChange, event: EventDraft, notifications: [PersonalNotification], idempotency: IdempotencyKey?
    ) async throws -> Applied {
        let logger = logger
        do {
            return try await transaction { connection in
                if let idempotency, let first = try await Self.firstEvent(of: idempotency, on: connection, logger: logger) {
                    return .duplicate(first)
                }
                let seq = try await Self.takeSeq(event.workspaceID, on: connection, logger: logger)
                let writer = LiveWriter(connection: connection, logger: logger)
                try await writer.write(change, workspace: event.workspaceID)
                try await writer.redact(after: change, workspace: event.workspaceID)
                let appended = WorkspaceEvent(
                    workspaceID: event.workspaceID, seq: seq, kind: event.kind, payload: event.payload,
                    actorID: event.actorID, createdAt: event.createdAt)
                try await writer.append(appended, notifications: notifications, idempotency: idempotency)
                // The doorbell for the other nodes: delivered when (and only if) this commits.
                try await Self.ringDoorbell(event.workspaceID, seq: seq, on: connection, logger: logger)
                return .applied(appended)
            }
        } catch {
            // The same request sent twice at once: both found the key unused, and the second
            // failed when it met the first's rows (its key, or the ids of its change) after
            // the first had committed. It gets the first's event, as a retry would.
            if let idempotency, let first = try await client.withConnection({ connection in
                try await Self.firstEvent(of: idempotency, on: connection, logger: logger)
            }) {
                return .duplicate(first)
            }
            throw error
        }
    }

    /// The event an idempotency key already produced, if any.
    static func firstEvent(of key: IdempotencyKey, on connection: PostgresConnection, logger: Logger) async throws -> WorkspaceEvent? {
        try await connection.query("""
            SELECT e.workspace_id, e.seq, e.kind, e.payload, e.actor_id, e.created_at
            FROM idempotency_keys k JOIN events e ON e.workspace_id = k.workspace_id AND e.seq = k.seq
            WHERE k.person_id = \(key.personID.uuid) AND k.key = \(key.key)
            """, logger: logger).first().map(LiveRows.event)
    }

    /// Takes the next seq of the workspace and keeps its head row locked until the transaction
    /// ends (see above). The row is made on the workspace's first event; the counter outlives
    /// pruned events, so a seq is never handed out twice. A missing workspace is `notFound`.
    static func takeSeq(_ workspace: WorkspaceID, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await LiveRows.mappingForeignKey("Workspace") {
            guard let row = try await connection.query("""
                INSERT INTO workspace_sequences AS s (workspace_id, last_seq) VALUES (\(workspace.uuid), 1)
                ON CONFLICT (workspace_id) DO UPDATE SET last_seq = s.last_seq + 1
                RETURNING last_seq
                """, logger: logger).first() else { throw DomainError.notFound("Workspace") }
            return try row.get("last_seq", as: Int64.self)
        }
    }
}

/// The statements of one `apply`, on its transaction's connection.
struct LiveWriter {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).all()
    }

    func write(_ change: LiveChange, workspace: WorkspaceID) async throws {
        switch change {
        case .createThread(let thread, let opening):
            try await createThread(thread, opening: opening)
        case .createPost(let post):
            try await createPost(post)
        case .editPost(let id, let body, let at, let by):
            try await editPost(id, body: body, at: at, by: by)
        case .deletePost(let id, let at, let by):
            try await deletePost(id, at: at, by: by)
        case .addReaction(let reaction):
            try await addReaction(reaction)
        case .removeReaction(let reaction):
            try await run("""
                DELETE FROM reactions
                WHERE target_id = \(reaction.targetID) AND person_id = \(reaction.personID.uuid) AND emoji = \(reaction.emoji)
                """)
        case .saveBlogPost(let blogPost):
            try await saveBlogPost(blogPost)
        case .deleteBlogPost(let id):
            // Triggers take the comment thread (with its posts) and the reactions along.
            let deleted = try await run("DELETE FROM blog_posts WHERE id = \(id.uuid) RETURNING id")
            guard !deleted.isEmpty else { throw DomainError.notFound("Blog post") }
        case .document(let change):
            try await writeDocument(change, workspace: workspace)
        }
    }

    /// The event, the notifications and the idempotency key, in one statement: the key's
    /// foreign key is checked at the statement's end, when its event is there.
    func append(_ event: WorkspaceEvent, notifications: [PersonalNotification], idempotency: IdempotencyKey?) async throws {
        var sql: SQL = """
            WITH appended AS (
                INSERT INTO events (workspace_id, seq, kind, payload, actor_id, created_at)
                VALUES (\(event.workspaceID.uuid), \(event.seq), \(event.kind), \(ByteBuffer(bytes: event.payload)),
                        \(event.actorID?.uuid), \(event.createdAt))
                RETURNING workspace_id, seq
            )
            """
        if !notifications.isEmpty {
            sql += """
                , told AS (
                    INSERT INTO notifications (id, person_id, kind, workspace_id, thread_id, post_id, how_to_id, review_by,
                                               actor_id, excerpt, created_at, read_at, news_id, meeting_id, link) VALUES
                """
            for (index, notification) in notifications.enumerated() {
                sql += """
                    \(raw: index == 0 ? "" : ",")(\(notification.id.uuid), \(notification.personID.uuid), \(notification.kind.rawValue),
                     \(notification.workspaceID?.uuid), \(notification.threadID?.uuid), \(notification.postID?.uuid),
                     \(notification.howToID?.uuid), \(notification.reviewBy), \(notification.actorID?.uuid), \(notification.excerpt),
                     \(notification.createdAt), \(notification.readAt), \(notification.newsID?.uuid), \(notification.meetingID?.uuid),
                     \(notification.link))
                    """
            }
            sql += ")"
        }
        if let idempotency {
            sql += """
                , keyed AS (
                    INSERT INTO idempotency_keys (person_id, key, workspace_id, seq, created_at)
                    SELECT \(idempotency.personID.uuid), \(idempotency.key), workspace_id, seq, \(event.createdAt) FROM appended
                )
                """
        }
        sql += " SELECT seq FROM appended"
        try await LiveRows.mappingForeignKey("Person") { try await run(sql.query) }
    }

    private func createThread(_ thread: DiscussionThread, opening: Post) async throws {
        guard opening.threadID == thread.id, opening.workspaceID == thread.workspaceID else {
            throw DomainError.validation([FieldError(field: "opening", message: "The opening post must belong to the new thread.")])
        }
        do {
            try await LiveRows.mappingForeignKey("Workspace") {
                try await run("""
                    INSERT INTO threads (id, workspace_id, kind, title, author_id, created_at, last_activity_at, post_count)
                    VALUES (\(thread.id.uuid), \(thread.workspaceID.uuid), 'discussion', \(thread.title), \(thread.authorID.uuid),
                            \(thread.createdAt), \(max(thread.lastActivityAt, opening.createdAt)), 1)
                    """)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The thread already exists.")
        }
        try await insertPost(opening, parentCheck: false)
    }

    /// Bumps the thread first (which also proves it exists in the post's workspace); a blog
    /// comment whose comment thread does not exist yet creates it.
    private func createPost(_ post: Post) async throws {
        if try await !bumpThread(of: post) {
            try await createCommentThread(for: post)
        }
        try await insertPost(post, parentCheck: post.parentID != nil)
    }

    private func bumpThread(of post: Post) async throws -> Bool {
        let bumped = try await run("""
            UPDATE threads SET post_count = post_count + 1, last_activity_at = GREATEST(last_activity_at, \(post.createdAt))
            WHERE id = \(post.threadID.uuid) AND workspace_id = \(post.workspaceID.uuid) RETURNING id
            """)
        return !bumped.isEmpty
    }

    /// The comment thread of the blog post whose id is `post.threadID`, with the post counted.
    /// `notFound("Thread")` when there is no such blog post in the post's workspace (or on a
    /// personal blog), or its comment thread is in another workspace.
    private func createCommentThread(for post: Post) async throws {
        let created = try await LiveRows.mappingForeignKey("Workspace") {
            try await run("""
                INSERT INTO threads (id, workspace_id, kind, title, author_id, created_at, last_activity_at, post_count)
                SELECT b.id, \(post.workspaceID.uuid), 'blog-comments', b.title, b.author_id, \(post.createdAt), \(post.createdAt), 1
                FROM blog_posts b
                WHERE b.id = \(post.threadID.uuid) AND (b.workspace_id IS NULL OR b.workspace_id = \(post.workspaceID.uuid))
                ON CONFLICT (id) DO NOTHING
                RETURNING id
                """)
        }
        // Nothing inserted: no such blog post, or the thread exists after all (made by another
        // writer meanwhile, which the bump now finds, or in another workspace, which it does not).
        if created.isEmpty {
            guard try await bumpThread(of: post) else { throw DomainError.notFound("Thread") }
        }
    }

    /// Inserts the post; with `parentCheck`, only when its parent is in the same thread.
    private func insertPost(_ post: Post, parentCheck: Bool) async throws {
        let inserted: [PostgresRandomAccessRow]
        do {
            inserted = try await LiveRows.mappingForeignKey("Thread") {
                try await run("""
                    INSERT INTO posts (id, thread_id, workspace_id, author_id, parent_id, body, created_at, edited_at, deleted_at, deleted_by)
                    SELECT \(post.id.uuid), \(post.threadID.uuid), \(post.workspaceID.uuid), \(post.authorID.uuid), \(post.parentID?.uuid),
                           \(post.body), \(post.createdAt), \(post.editedAt), \(post.deletedAt), \(post.deletedBy?.uuid)
                    WHERE NOT \(parentCheck)
                       OR EXISTS (SELECT 1 FROM posts p WHERE p.id = \(post.parentID?.uuid) AND p.thread_id = \(post.threadID.uuid))
                    RETURNING id
                    """)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The post already exists.")
        }
        guard !inserted.isEmpty else { throw DomainError.notFound("Post") }
    }

    /// Copies the current text into a revision and replaces it, in one statement; the row is
    /// locked first, so two edits of one post chain their revisions.
    private func editPost(_ id: PostID, body: String, at: Date, by: PersonID) async throws {
        let edited = try await run("""
            WITH stored AS (
                SELECT id, body FROM posts WHERE id = \(id.uuid) AND deleted_at IS NULL FOR UPDATE
            ), revision AS (
                INSERT INTO post_revisions (post_id, body, replaced_at, editor_id) SELECT id, body, \(at), \(by.uuid) FROM stored
            )
            UPDATE posts p SET body = \(body), edited_at = \(at) FROM stored WHERE p.id = stored.id RETURNING p.id
            """)
        guard !edited.isEmpty else { throw DomainError.notFound("Post") }
    }

    /// The post keeps its place in the thread; its text, revisions and reactions go.
    private func deletePost(_ id: PostID, at: Date, by: PersonID) async throws {
        let deleted = try await run("""
            WITH deleted AS (
                UPDATE posts SET body = '', deleted_at = \(at), deleted_by = \(by.uuid)
                WHERE id = \(id.uuid) AND deleted_at IS NULL RETURNING id
            ), gone_revisions AS (
                DELETE FROM post_revisions WHERE post_id IN (SELECT id FROM deleted)
            ), gone_reactions AS (
                DELETE FROM reactions WHERE target_id IN (SELECT id FROM deleted)
            )
            SELECT id FROM deleted
            """)
        guard !deleted.isEmpty else { throw DomainError.notFound("Post") }
    }

    /// Idempotent: a repeated reaction changes nothing (the event is still appended).
    private func addReaction(_ reaction: Reaction) async throws {
        let target = reaction.targetID
        let rows = try await LiveRows.mappingForeignKey("Person") {
            try await run("""
                WITH target AS (
                    SELECT EXISTS (SELECT 1 FROM posts WHERE id = \(target) AND deleted_at IS NULL)
                        OR EXISTS (SELECT 1 FROM blog_posts WHERE id = \(target)) AS found
                ), added AS (
                    INSERT INTO reactions (target_id, person_id, emoji)
                    SELECT \(target), \(reaction.personID.uuid), \(reaction.emoji) FROM target WHERE found
                    ON CONFLICT DO NOTHING
                )
                SELECT found FROM target
                """)
        }
        guard try rows.first?.get("found", as: Bool.self) == true else { throw DomainError.notFound("Post") }
    }

    /// Inserts or replaces every column; the comment thread (if any) follows the title.
    private func saveBlogPost(_ post: BlogPost) async throws {
        try await LiveRows.mappingForeignKey("Person") {
            try await run("""
                WITH saved AS (
                    \(unescaped: LiveWriter.upsertBlogPost)
                    VALUES (\(post.id.uuid), \(post.workspaceID?.uuid), \(post.authorID.uuid), \(post.title), \(post.body),
                            \(post.status.rawValue), \(post.createdAt), \(post.updatedAt), \(post.publishedAt))
                    \(unescaped: LiveWriter.upsertBlogPostConflict)
                    RETURNING id, title
                )
                UPDATE threads t SET title = saved.title FROM saved WHERE t.id = saved.id AND t.kind = 'blog-comments'
                """)
        }
    }

    /// The upsert of a whole `blog_posts` row (with `upsertBlogPostConflict` after its VALUES);
    /// the row keeps its `ordinal`, as SQLite's upsert keeps the rowid.
    static let upsertBlogPost = """
        INSERT INTO blog_posts (id, workspace_id, author_id, title, body, status, created_at, updated_at, published_at)
        """
    static let upsertBlogPostConflict = """
        ON CONFLICT (id) DO UPDATE SET
            workspace_id = excluded.workspace_id, author_id = excluded.author_id, title = excluded.title, body = excluded.body,
            status = excluded.status, created_at = excluded.created_at, updated_at = excluded.updated_at,
            published_at = excluded.published_at
        """
}
