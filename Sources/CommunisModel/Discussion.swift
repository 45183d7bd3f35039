import Foundation

/// A discussion thread (diskussion) in a workspace. Its first post is the opening message.
public struct DiscussionThread: Sendable, Equatable, Identifiable {
    public var id: ThreadID
    public var workspaceID: WorkspaceID
    public var title: String
    public var authorID: PersonID
    public var createdAt: Date
    public var lastActivityAt: Date
    /// Posts in the thread, including the opening one and deleted ones (shown as removed).
    public var postCount: Int

    public init(id: ThreadID = ThreadID(), workspaceID: WorkspaceID, title: String, authorID: PersonID, createdAt: Date, lastActivityAt: Date? = nil, postCount: Int = 0) {
        self.id = id
        self.workspaceID = workspaceID
        self.title = title
        self.authorID = authorID
        self.createdAt = createdAt
        self.lastActivityAt = lastActivityAt ?? createdAt
        self.postCount = postCount
    }
}

/// One message in a thread, or a comment on a blog post. Deleted posts keep their place
/// (the thread shows that something was removed) but lose their text.
public struct Post: Sendable, Equatable, Identifiable {
    public var id: PostID
    public var workspaceID: WorkspaceID
    /// The thread, or for a blog comment the blog post's id reused as its comment thread.
    public var threadID: ThreadID
    public var authorID: PersonID
    /// The post this one answers, for replies within a thread.
    public var parentID: PostID?
    /// Markdown, the safe subset.
    public var body: String
    public var createdAt: Date
    public var editedAt: Date?
    public var deletedAt: Date?
    public var deletedBy: PersonID?

    public init(id: PostID = PostID(), workspaceID: WorkspaceID, threadID: ThreadID, authorID: PersonID, parentID: PostID? = nil, body: String, createdAt: Date, editedAt: Date? = nil, deletedAt: Date? = nil, deletedBy: PersonID? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.threadID = threadID
        self.authorID = authorID
        self.parentID = parentID
        self.body = body
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deletedAt = deletedAt
        self.deletedBy = deletedBy
    }

    public var isDeleted: Bool { deletedAt != nil }
}

/// An earlier text of an edited post: edits keep their history.
public struct PostRevision: Sendable, Equatable {
    public var postID: PostID
    public var body: String
    /// When this text was replaced.
    public var replacedAt: Date
    public var editorID: PersonID

    public init(postID: PostID, body: String, replacedAt: Date, editorID: PersonID) {
        self.postID = postID
        self.body = body
        self.replacedAt = replacedAt
        self.editorID = editorID
    }
}

/// Who reacted with what on a post or blog post.
public struct Reaction: Sendable, Equatable, Hashable {
    public var targetID: UUID
    public var personID: PersonID
    public var emoji: String

    public init(targetID: UUID, personID: PersonID, emoji: String) {
        self.targetID = targetID
        self.personID = personID
        self.emoji = emoji
    }
}

public enum BlogPostStatus: String, Sendable, Codable {
    case draft
    case published
}

/// A blog post, in a workspace's blog or on its author's own blog (workspaceID nil).
public struct BlogPost: Sendable, Equatable, Identifiable {
    public var id: BlogPostID
    public var workspaceID: WorkspaceID?
    public var authorID: PersonID
    public var title: String
    public var body: String
    public var status: BlogPostStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?

    public init(id: BlogPostID = BlogPostID(), workspaceID: WorkspaceID?, authorID: PersonID, title: String, body: String, status: BlogPostStatus, createdAt: Date, updatedAt: Date? = nil, publishedAt: Date? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.authorID = authorID
        self.title = title
        self.body = body
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.publishedAt = publishedAt
    }

    /// The comment thread of a blog post shares the post's id.
    public var commentThreadID: ThreadID { ThreadID(id.uuid) }
}

/// A personal notification, such as being @mentioned. Stored, and sent live when online.
///
/// Kinds and what they carry:
/// - `mention`: someone (`actorID`) @mentioned the person in a workspace (`workspaceID`, and
///   `threadID`/`postID` when it was in a thread); `excerpt` is the start of the text.
/// - `review-due`: the review-by day (`reviewBy`) of a how-to the person owns (`howToID`) has
///   come. No actor (the server tells them); `workspaceID` is the article's workspace, nil for
///   an organisation-wide article; `excerpt` is the article's title when it was due. One per
///   article and review-by day.
/// - `reply`, `news`, `meeting-started`, `ack-due`: made by the notification router; `newsID`
///   or `meetingID` say what they are about and `link` is the web client's page for it (a
///   hash route such as `#/meetings/<id>`).
public struct PersonalNotification: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        case mention
        case reviewDue = "review-due"
        /// Someone replied in a thread the person started or wrote in.
        case reply
        /// A news article for the person was published (or revised materially).
        case news
        /// A meeting started in one of the person's workspaces.
        case meetingStarted = "meeting-started"
        /// A news article's "läst och förstått" is due (the deadline nears, unacknowledged).
        case acknowledgementDue = "ack-due"
    }

    public var id: NotificationID
    public var personID: PersonID
    public var kind: Kind
    public var workspaceID: WorkspaceID?
    public var threadID: ThreadID?
    public var postID: PostID?
    public var howToID: HowToID?
    /// The review-by day (`YYYY-MM-DD`) a `review-due` notification is about.
    public var reviewBy: String?
    /// Who did what the notification tells of; nil when nobody did (a review day came).
    public var actorID: PersonID?
    /// A short plain-text excerpt of what was written (a how-to's title for `review-due`).
    public var excerpt: String
    public var createdAt: Date
    public var readAt: Date?
    /// The news article a `news` or `ack-due` notification is about.
    public var newsID: NewsID?
    /// The meeting a `meeting-started` notification is about.
    public var meetingID: MeetingID?
    /// The page it opens in the web client (a hash route), empty when the client builds it.
    public var link: String

    public init(id: NotificationID = NotificationID(), personID: PersonID, kind: Kind, workspaceID: WorkspaceID?, threadID: ThreadID? = nil,
                postID: PostID? = nil, howToID: HowToID? = nil, reviewBy: String? = nil, actorID: PersonID?, excerpt: String,
                createdAt: Date, readAt: Date? = nil, newsID: NewsID? = nil, meetingID: MeetingID? = nil, link: String = "") {
        self.id = id
        self.personID = personID
        self.kind = kind
        self.workspaceID = workspaceID
        self.threadID = threadID
        self.postID = postID
        self.howToID = howToID
        self.reviewBy = reviewBy
        self.actorID = actorID
        self.excerpt = excerpt
        self.createdAt = createdAt
        self.readAt = readAt
        self.newsID = newsID
        self.meetingID = meetingID
        self.link = link
    }
}

/// An event in a workspace's log. Every change that members see live is one event, stored in
/// the same transaction as the change and numbered without gaps per workspace, so a client
/// that reconnects can ask for exactly what it missed.
public struct WorkspaceEvent: Sendable, Equatable {
    public var workspaceID: WorkspaceID
    public var seq: Int64
    /// What happened, e.g. `post.created` (see docs/protocol.md).
    public var kind: String
    /// The event's JSON payload, encoded once by the service and sent as is.
    public var payload: Data
    public var actorID: PersonID?
    public var createdAt: Date

    public init(workspaceID: WorkspaceID, seq: Int64, kind: String, payload: Data, actorID: PersonID?, createdAt: Date) {
        self.workspaceID = workspaceID
        self.seq = seq
        self.kind = kind
        self.payload = payload
        self.actorID = actorID
        self.createdAt = createdAt
    }
}

/// A comment on a post of a personal blog. Personal blogs have no workspace, so their
/// comments are not workspace posts and are not announced live.
public struct PersonalComment: Sendable, Equatable, Identifiable {
    public var id: PostID
    public var blogPostID: BlogPostID
    public var authorID: PersonID
    public var body: String
    public var createdAt: Date
    public var deletedAt: Date?

    public init(id: PostID = PostID(), blogPostID: BlogPostID, authorID: PersonID, body: String, createdAt: Date, deletedAt: Date? = nil) {
        self.id = id
        self.blogPostID = blogPostID
        self.authorID = authorID
        self.body = body
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }
}
