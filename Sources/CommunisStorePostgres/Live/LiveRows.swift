import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading the rows of the live tables (`events`, `threads`, `posts`, `post_revisions`,
/// `reactions`, `blog_posts`, `notifications`, `personal_comments`): each has its column list
/// (never `*`: `ordinal` is the engine's, not the model's) and a function that makes the value.
enum LiveRows {
    static let eventColumns = "workspace_id, seq, kind, payload, actor_id, created_at"

    static func event(_ row: PostgresRandomAccessRow) throws -> WorkspaceEvent {
        WorkspaceEvent(
            workspaceID: try row.id("workspace_id"), seq: try row.get("seq"), kind: try row.get("kind"),
            payload: try row.get("payload", as: Data.self), actorID: try row.optionalID("actor_id"), createdAt: try row.get("created_at"))
    }

    static let threadColumns = "id, workspace_id, title, author_id, created_at, last_activity_at, post_count"

    static func thread(_ row: PostgresRandomAccessRow) throws -> DiscussionThread {
        DiscussionThread(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), title: try row.get("title"), authorID: try row.id("author_id"),
            createdAt: try row.get("created_at"), lastActivityAt: try row.get("last_activity_at"),
            postCount: try row.get("post_count", as: Int.self))
    }

    static let postColumns = "id, workspace_id, thread_id, author_id, parent_id, body, created_at, edited_at, deleted_at, deleted_by"

    static func post(_ row: PostgresRandomAccessRow) throws -> Post {
        Post(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), threadID: try row.id("thread_id"),
            authorID: try row.id("author_id"), parentID: try row.optionalID("parent_id"), body: try row.get("body"),
            createdAt: try row.get("created_at"), editedAt: try row.get("edited_at"), deletedAt: try row.get("deleted_at"),
            deletedBy: try row.optionalID("deleted_by"))
    }

    static func revision(_ row: PostgresRandomAccessRow) throws -> PostRevision {
        PostRevision(postID: try row.id("post_id"), body: try row.get("body"), replacedAt: try row.get("replaced_at"),
                     editorID: try row.id("editor_id"))
    }

    static let blogPostColumns = "id, workspace_id, author_id, title, body, status, created_at, updated_at, published_at"

    static func blogPost(_ row: PostgresRandomAccessRow) throws -> BlogPost {
        BlogPost(
            id: try row.id("id"), workspaceID: try row.optionalID("workspace_id"), authorID: try row.id("author_id"),
            title: try row.get("title"), body: try row.get("body"), status: try row.enum("status"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"), publishedAt: try row.get("published_at"))
    }

    static let notificationColumns = """
        id, person_id, kind, workspace_id, thread_id, post_id, how_to_id, review_by, actor_id, excerpt, created_at, read_at,
        news_id, meeting_id, link
        """

    static func notification(_ row: PostgresRandomAccessRow) throws -> PersonalNotification {
        PersonalNotification(
            id: try row.id("id"), personID: try row.id("person_id"), kind: try row.enum("kind"),
            workspaceID: try row.optionalID("workspace_id"), threadID: try row.optionalID("thread_id"),
            postID: try row.optionalID("post_id"), howToID: try row.optionalID("how_to_id"), reviewBy: try row.get("review_by"),
            actorID: try row.optionalID("actor_id"), excerpt: try row.get("excerpt"), createdAt: try row.get("created_at"),
            readAt: try row.get("read_at"), newsID: try row.optionalID("news_id"), meetingID: try row.optionalID("meeting_id"),
            link: try row.get("link"))
    }

    static let personalCommentColumns = "id, blog_post_id, author_id, body, created_at, deleted_at"

    static func personalComment(_ row: PostgresRandomAccessRow) throws -> PersonalComment {
        PersonalComment(
            id: try row.id("id"), blogPostID: try row.id("blog_post_id"), authorID: try row.id("author_id"), body: try row.get("body"),
            createdAt: try row.get("created_at"), deletedAt: try row.get("deleted_at"))
    }

    /// What a violated foreign key of the live tables says is missing, by its constraint
    /// (PostgreSQL names them `<table>_<column>_fkey`); nil for a constraint not listed.
    static func missing(_ error: PSQLError) -> String? {
        switch error.constraint {
        case "workspace_sequences_workspace_id_fkey", "events_workspace_id_fkey", "threads_workspace_id_fkey",
             "blog_posts_workspace_id_fkey", "notifications_workspace_id_fkey":
            "Workspace"
        case "blog_posts_author_id_fkey", "reactions_person_id_fkey", "notifications_person_id_fkey",
             "idempotency_keys_person_id_fkey", "feed_tokens_person_id_fkey":
            "Person"
        case "posts_thread_id_fkey": "Thread"
        case "notifications_how_to_id_fkey": "How-to"
        case "personal_comments_blog_post_id_fkey": "Blog post"
        default: nil
        }
    }

    /// Runs `body`, turning a violated foreign key into `DomainError.notFound` of what is
    /// missing (`fallback` when the constraint is not one of the live tables').
    @discardableResult
    static func mappingForeignKey<T>(_ fallback: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound(missing(error) ?? fallback)
        }
    }
}
