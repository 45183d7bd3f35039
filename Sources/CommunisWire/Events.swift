import CommunisModel
import Foundation

/// The JSON shapes of live events and answers. Each event's `type` is its kind; its `data`
/// is one of these. docs/protocol.md shows an example of each.
public enum LiveJSON {
    public struct PersonRef: Codable, Sendable, Equatable {
        public var id: PersonID
        public var name: String
        public init(id: PersonID, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct ReactionJSON: Codable, Sendable, Equatable {
        public var emoji: String
        public var count: Int
        public var people: [PersonID]
        public init(emoji: String, people: [PersonID]) {
            self.emoji = emoji
            self.count = people.count
            self.people = people
        }
    }

    public struct PostJSON: Codable, Sendable, Equatable {
        public var id: PostID
        public var workspaceId: WorkspaceID
        public var threadId: ThreadID
        public var parentId: PostID?
        public var author: PersonRef
        /// Markdown (the safe subset); empty when deleted.
        public var body: String
        public var createdAt: Date
        public var editedAt: Date?
        public var deleted: Bool
        public var deletedBy: PersonRef?
        public var reactions: [ReactionJSON]
        /// The meeting whose chat this post is in.
        public var meetingId: MeetingID?
        /// Set when the server wrote the post: clients show it in the reader's language from
        /// these fields; `body` holds the Swedish text for clients that do not know the kind.
        public var generated: Generated?

        public init(_ post: Post, author: PersonRef, deletedBy: PersonRef? = nil, reactions: [ReactionJSON] = []) {
            id = post.id
            workspaceId = post.workspaceID
            threadId = post.threadID
            parentId = post.parentID
            self.author = author
            body = post.isDeleted ? "" : post.body
            createdAt = post.createdAt
            editedAt = post.editedAt
            deleted = post.isDeleted
            self.deletedBy = deletedBy
            self.reactions = reactions
        }
    }

    /// What the server wrote in a post of its own (`kind` `meeting-created`: the opening of a
    /// meeting's chat).
    public struct Generated: Codable, Sendable, Equatable {
        public var kind: String
        public var by: PersonRef
        public var title: String
        public var scheduledFor: Date?

        public init(kind: String, by: PersonRef, title: String, scheduledFor: Date?) {
            self.kind = kind
            self.by = by
            self.title = title
            self.scheduledFor = scheduledFor
        }

        public static func meetingCreated(_ meeting: Meeting, by: PersonRef) -> Generated {
            Generated(kind: "meeting-created", by: by, title: meeting.title, scheduledFor: meeting.scheduledFor)
        }
    }

    /// The meeting whose chat a thread is.
    public struct MeetingRef: Codable, Sendable, Equatable {
        public var id: MeetingID
        public var title: String

        public init(id: MeetingID, title: String) {
            self.id = id
            self.title = title
        }
    }

    public struct ThreadJSON: Codable, Sendable, Equatable {
        public var id: ThreadID
        public var workspaceId: WorkspaceID
        public var title: String
        public var author: PersonRef
        public var createdAt: Date
        public var lastActivityAt: Date
        public var postCount: Int
        /// Present when the thread is a meeting's chat.
        public var meeting: MeetingRef?

        public init(_ thread: DiscussionThread, author: PersonRef) {
            id = thread.id
            workspaceId = thread.workspaceID
            title = thread.title
            self.author = author
            createdAt = thread.createdAt
            lastActivityAt = thread.lastActivityAt
            postCount = thread.postCount
        }
    }

    public struct BlogPostJSON: Codable, Sendable, Equatable {
        public var id: BlogPostID
        public var workspaceId: WorkspaceID?
        public var author: PersonRef
        public var title: String
        public var body: String
        public var status: BlogPostStatus
        public var createdAt: Date
        public var updatedAt: Date
        public var publishedAt: Date?
        public var reactions: [ReactionJSON]
        public var commentCount: Int

        public init(_ post: BlogPost, author: PersonRef, reactions: [ReactionJSON] = [], commentCount: Int = 0) {
            id = post.id
            workspaceId = post.workspaceID
            self.author = author
            title = post.title
            body = post.body
            status = post.status
            createdAt = post.createdAt
            updatedAt = post.updatedAt
            publishedAt = post.publishedAt
            self.reactions = reactions
            self.commentCount = commentCount
        }
    }

    // Event payloads.
    public struct ThreadCreated: Codable, Sendable, Equatable { public var thread: ThreadJSON; public var post: PostJSON
        public init(thread: ThreadJSON, post: PostJSON) { self.thread = thread; self.post = post } }
    public struct PostEvent: Codable, Sendable, Equatable { public var post: PostJSON
        public init(post: PostJSON) { self.post = post } }
    public struct ReactionEvent: Codable, Sendable, Equatable {
        /// A post's or blog post's id, lowercase like every id.
        public var targetId: String
        public var emoji: String
        public var person: PersonRef
        public init(targetId: UUID, emoji: String, person: PersonRef) {
            self.targetId = targetId.uuidString.lowercased()
            self.emoji = emoji
            self.person = person
        }
    }
    public struct BlogEvent: Codable, Sendable, Equatable { public var blogPost: BlogPostJSON
        public init(blogPost: BlogPostJSON) { self.blogPost = blogPost } }
    public struct BlogDeleted: Codable, Sendable, Equatable { public var blogPostId: BlogPostID
        public init(blogPostId: BlogPostID) { self.blogPostId = blogPostId } }
}
