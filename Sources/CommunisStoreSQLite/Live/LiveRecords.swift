import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `events`.
struct EventRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "events"

    var event: WorkspaceEvent

    init(_ event: WorkspaceEvent) { self.event = event }

    init(row: Row) throws {
        let table = "events"
        event = WorkspaceEvent(
            workspaceID: try row.id("workspace_id", table: table), seq: row["seq"], kind: row["kind"],
            payload: row["payload"], actorID: try row.optionalID("actor_id", table: table),
            createdAt: Date(timeIntervalSince1970: row["created_at"])
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["workspace_id"] = event.workspaceID.description
        container["seq"] = event.seq
        container["kind"] = event.kind
        container["payload"] = event.payload
        container["actor_id"] = event.actorID?.description
        container["created_at"] = event.createdAt.unixSeconds
    }
}

/// A row of `threads`: a discussion, or the comment thread of a blog post.
struct ThreadRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "threads"

    enum Kind: String {
        case discussion
        /// Shares its blog post's id; not listed among the workspace's discussions.
        case blogComments = "blog-comments"
    }

    var thread: DiscussionThread
    var kind: Kind

    init(_ thread: DiscussionThread, kind: Kind) {
        self.thread = thread
        self.kind = kind
    }

    init(row: Row) throws {
        let table = "threads"
        let kindText: String = row["kind"]
        guard let kind = Kind(rawValue: kindText) else { throw CorruptRow(table: table, column: "kind", value: kindText) }
        self.kind = kind
        thread = DiscussionThread(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table),
            title: row["title"], authorID: try row.id("author_id", table: table),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastActivityAt: Date(timeIntervalSince1970: row["last_activity_at"]), postCount: row["post_count"]
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = thread.id.description
        container["workspace_id"] = thread.workspaceID.description
        container["kind"] = kind.rawValue
        container["title"] = thread.title
        container["author_id"] = thread.authorID.description
        container["created_at"] = thread.createdAt.unixSeconds
        container["last_activity_at"] = thread.lastActivityAt.unixSeconds
        container["post_count"] = thread.postCount
    }
}

/// A row of `posts`.
struct PostRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "posts"

    var post: Post

    init(_ post: Post) { self.post = post }

    init(row: Row) throws {
        let table = "posts"
        let editedAt: Double? = row["edited_at"]
        let deletedAt: Double? = row["deleted_at"]
        post = Post(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table),
            threadID: try row.id("thread_id", table: table), authorID: try row.id("author_id", table: table),
            parentID: try row.optionalID("parent_id", table: table), body: row["body"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            editedAt: editedAt.map(Date.init(timeIntervalSince1970:)),
            deletedAt: deletedAt.map(Date.init(timeIntervalSince1970:)),
            deletedBy: try row.optionalID("deleted_by", table: table)
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = post.id.description
        container["thread_id"] = post.threadID.description
        container["workspace_id"] = post.workspaceID.description
        container["author_id"] = post.authorID.description
        container["parent_id"] = post.parentID?.description
        container["body"] = post.body
        container["created_at"] = post.createdAt.unixSeconds
        container["edited_at"] = post.editedAt?.unixSeconds
        container["deleted_at"] = post.deletedAt?.unixSeconds
        container["deleted_by"] = post.deletedBy?.description
    }
}

/// A row of `post_revisions`. Written only by SQL that copies the replaced text
/// (`SQLiteStore.edit`), so it is only read.
struct RevisionRow: FetchableRecord {
    static let databaseTableName = "post_revisions"

    var revision: PostRevision

    init(row: Row) throws {
        let table = "post_revisions"
        revision = PostRevision(
            postID: try row.id("post_id", table: table), body: row["body"],
            replacedAt: Date(timeIntervalSince1970: row["replaced_at"]), editorID: try row.id("editor_id", table: table)
        )
    }
}

/// A row of `reactions`; its rowid keeps the order in which reactions were first given.
struct ReactionRow: FetchableRecord {
    static let databaseTableName = "reactions"

    var reaction: Reaction

    init(row: Row) throws {
        let targetText: String = row["target_id"]
        guard let target = UUID(uuidString: targetText) else {
            throw CorruptRow(table: "reactions", column: "target_id", value: targetText)
        }
        reaction = Reaction(targetID: target, personID: try row.id("person_id", table: "reactions"), emoji: row["emoji"])
    }
}

/// A row of `blog_posts`.
struct BlogPostRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "blog_posts"

    var blogPost: BlogPost

    init(_ blogPost: BlogPost) { self.blogPost = blogPost }

    init(row: Row) throws {
        let table = "blog_posts"
        let statusText: String = row["status"]
        guard let status = BlogPostStatus(rawValue: statusText) else {
            throw CorruptRow(table: table, column: "status", value: statusText)
        }
        let publishedAt: Double? = row["published_at"]
        blogPost = BlogPost(
            id: try row.id("id", table: table), workspaceID: try row.optionalID("workspace_id", table: table),
            authorID: try row.id("author_id", table: table), title: row["title"], body: row["body"], status: status,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            publishedAt: publishedAt.map(Date.init(timeIntervalSince1970:))
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = blogPost.id.description
        container["workspace_id"] = blogPost.workspaceID?.description
        container["author_id"] = blogPost.authorID.description
        container["title"] = blogPost.title
        container["body"] = blogPost.body
        container["status"] = blogPost.status.rawValue
        container["created_at"] = blogPost.createdAt.unixSeconds
        container["updated_at"] = blogPost.updatedAt.unixSeconds
        container["published_at"] = blogPost.publishedAt?.unixSeconds
    }
}

/// A row of `notifications`.
struct NotificationRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "notifications"

    var notification: PersonalNotification

    init(_ notification: PersonalNotification) { self.notification = notification }

    init(row: Row) throws {
        let table = "notifications"
        let kindText: String = row["kind"]
        guard let kind = PersonalNotification.Kind(rawValue: kindText) else {
            throw CorruptRow(table: table, column: "kind", value: kindText)
        }
        let readAt: Double? = row["read_at"]
        notification = PersonalNotification(
            id: try row.id("id", table: table), personID: try row.id("person_id", table: table), kind: kind,
            workspaceID: try row.optionalID("workspace_id", table: table), threadID: try row.optionalID("thread_id", table: table),
            postID: try row.optionalID("post_id", table: table), howToID: try row.optionalID("how_to_id", table: table),
            reviewBy: row["review_by"], actorID: try row.optionalID("actor_id", table: table),
            excerpt: row["excerpt"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            readAt: readAt.map(Date.init(timeIntervalSince1970:)),
            newsID: try row.optionalID("news_id", table: table), meetingID: try row.optionalID("meeting_id", table: table),
            link: row["link"] ?? ""
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = notification.id.description
        container["person_id"] = notification.personID.description
        container["kind"] = notification.kind.rawValue
        container["workspace_id"] = notification.workspaceID?.description
        container["thread_id"] = notification.threadID?.description
        container["post_id"] = notification.postID?.description
        container["how_to_id"] = notification.howToID?.description
        container["review_by"] = notification.reviewBy
        container["actor_id"] = notification.actorID?.description
        container["excerpt"] = notification.excerpt
        container["created_at"] = notification.createdAt.unixSeconds
        container["read_at"] = notification.readAt?.unixSeconds
        container["news_id"] = notification.newsID?.description
        container["meeting_id"] = notification.meetingID?.description
        container["link"] = notification.link
    }
}

/// A row of `idempotency_keys`: which event a person's key produced.
struct IdempotencyRow: PersistableRecord {
    static let databaseTableName = "idempotency_keys"

    var key: IdempotencyKey
    var workspaceID: WorkspaceID
    var seq: Int64
    var createdAt: Date

    func encode(to container: inout PersistenceContainer) throws {
        container["person_id"] = key.personID.description
        container["key"] = key.key
        container["workspace_id"] = workspaceID.description
        container["seq"] = seq
        container["created_at"] = createdAt.unixSeconds
    }
}

extension Row {
    /// A parsed id from a nullable UUID column.
    func optionalID<Tag>(_ column: String, table: String) throws -> ID<Tag>? {
        guard let text: String = self[column] else { return nil }
        guard let id = ID<Tag>(text) else { throw CorruptRow(table: table, column: column, value: text) }
        return id
    }
}
