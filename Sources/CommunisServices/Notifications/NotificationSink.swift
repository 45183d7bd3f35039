import CommunisModel
import Foundation

/// Something that happened which some people should be told of. Features (news, meetings,
/// discussions) describe it; the notification router decides, per recipient and their
/// settings, whether it goes to the notification centre, by e-mail (now or in a digest) or
/// as a push message, and stores what it must before returning.
public struct NotificationRequest: Sendable, Equatable {
    public var kind: PersonalNotification.Kind
    /// Who should be told. The router skips the actor and anyone who may no longer read
    /// what the notification points at is the caller's responsibility to leave out.
    public var recipients: [PersonID]
    public var actorID: PersonID?
    public var workspaceID: WorkspaceID?
    public var threadID: ThreadID?
    public var postID: PostID?
    public var newsID: NewsID?
    public var meetingID: MeetingID?
    /// A short plain-text line (a news title, a meeting's title, an excerpt).
    public var excerpt: String
    /// The page in the web client it opens, as a hash route (`#/news/<id>`).
    public var link: String
    public var createdAt: Date

    public init(kind: PersonalNotification.Kind, recipients: [PersonID], actorID: PersonID? = nil,
                workspaceID: WorkspaceID? = nil, threadID: ThreadID? = nil, postID: PostID? = nil,
                newsID: NewsID? = nil, meetingID: MeetingID? = nil, excerpt: String, link: String, createdAt: Date) {
        self.kind = kind
        self.recipients = recipients
        self.actorID = actorID
        self.workspaceID = workspaceID
        self.threadID = threadID
        self.postID = postID
        self.newsID = newsID
        self.meetingID = meetingID
        self.excerpt = excerpt
        self.link = link
        self.createdAt = createdAt
    }
}

/// Where features hand notifications over (implemented by the notification router).
public protocol NotificationSink: Sendable {
    func notify(_ request: NotificationRequest) async
}

/// Tells nobody (tests and tools that do not need notifications).
public struct NoNotifications: NotificationSink {
    public init() {}
    public func notify(_ request: NotificationRequest) async {}
}
