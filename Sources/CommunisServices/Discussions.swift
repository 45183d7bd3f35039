import CommunisMarkdown
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Limits on what people write in discussions and blogs.
public enum ContentLimits {
    public static let titleLength = 200
    /// Markdown source; generous for a long post, small enough for one WebSocket message.
    public static let bodyLength = 20_000
    public static let idempotencyKeyLength = 100
}

/// The result of a write: what to acknowledge to the writer.
public struct Written<Value: Sendable>: Sendable {
    public var value: Value
    /// The workspace event's seq; the writer's client has then "seen" it.
    public var seq: Int64
    /// True when the idempotency key had been used before and nothing new was written.
    public var duplicate: Bool
}

/// Discussions (diskussioner): threads, replies, @mentions, reactions, edits with history,
/// deletion. Every write is checked against membership, stored with its event in one
/// transaction, then published live.
public struct Discussions: Sendable {
    let store: any CommunisStore & LiveStore
    let publisher: any LivePublisher
    let clock: Clock
    let content: ContentRules
    let chats: MeetingChats

    /// `notifications`: mentions follow each person's settings and replies are routed
    /// (`reply` to those who started or wrote in the thread); without it mentions go to the
    /// app only and replies tell nobody.
    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, clock: Clock = Clock(), notifications: NotificationRouter? = nil) {
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.content = ContentRules(store: store, publisher: publisher, clock: clock, router: notifications)
        self.chats = MeetingChats(store: store)
    }

    public func createThread(viewer: Viewer, workspace: WorkspaceID, title rawTitle: String, body rawBody: String, idempotencyKey: String?) async throws -> Written<LiveJSON.ThreadCreated> {
        try await openThread(viewer: viewer, workspace: workspace, title: rawTitle, body: rawBody, idempotencyKey: idempotencyKey, chatOf: nil)
    }

    /// The chat of a new meeting (`Meetings.create`): the thread has the meeting's title and id
    /// (`meeting.threadID`), and its opening post is the server's own text.
    func createChat(viewer: Viewer, meeting: Meeting) async throws -> Written<LiveJSON.ThreadCreated> {
        try await openThread(
            viewer: viewer, workspace: meeting.workspaceID, title: meeting.title,
            body: MeetingChats.openingText(creator: viewer.person.name, meeting: meeting), idempotencyKey: nil, chatOf: meeting)
    }

    private func openThread(viewer: Viewer, workspace: WorkspaceID, title rawTitle: String, body rawBody: String, idempotencyKey: String?,
                            chatOf meeting: Meeting?) async throws -> Written<LiveJSON.ThreadCreated> {
        try await content.requireMember(viewer, workspace)
        var validator = Validator()
        let title = validator.text(rawTitle, field: "title", required: true, max: ContentLimits.titleLength)
        let body = content.body(rawBody, validator: &validator)
        let key = content.key(idempotencyKey, validator: &validator)
        try validator.check()
        let now = clock.now()
        let thread = DiscussionThread(id: meeting?.threadID ?? ThreadID(), workspaceID: workspace, title: title, authorID: viewer.id, createdAt: now, postCount: 1)
        let post = Post(workspaceID: workspace, threadID: thread.id, authorID: viewer.id, body: body, createdAt: now)
        let me = LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)
        var payload = LiveJSON.ThreadCreated(thread: LiveJSON.ThreadJSON(thread, author: me), post: LiveJSON.PostJSON(post, author: me))
        if let meeting {
            payload.thread.meeting = LiveJSON.MeetingRef(id: meeting.id, title: meeting.title)
            payload.post.meetingId = meeting.id
            payload.post.generated = .meetingCreated(meeting, by: me)
        }
        let applied = try await content.apply(
            .createThread(thread, opening: post), kind: .threadCreated, payload: payload, viewer: viewer,
            workspace: workspace, key: key, mentionsIn: body, threadID: thread.id, postID: post.id)
        let value = try content.decode(applied, kind: .threadCreated, as: LiveJSON.ThreadCreated.self, fallback: payload) {
            $0.thread.workspaceId == workspace && $0.thread.title == title && $0.post.body == body
        }
        if !applied.isDuplicate {
            await DocumentLinks.record(in: store, .post, id: "\(post.id)", workspace: workspace, markdown: body, previously: nil, at: now)
        }
        return Written(value: value, seq: applied.event.seq, duplicate: applied.isDuplicate)
    }

    public func reply(viewer: Viewer, thread threadID: ThreadID, body rawBody: String, parent: PostID?, idempotencyKey: String?) async throws -> Written<LiveJSON.PostEvent> {
        let thread = try await discussionThread(threadID)
        let meeting = try await chats.meeting(of: threadID)
        if try await !chats.isInvitedGuest(viewer, of: meeting) { try await content.requireMember(viewer, thread.workspaceID) }
        var validator = Validator()
        let body = content.body(rawBody, validator: &validator)
        let key = content.key(idempotencyKey, validator: &validator)
        try validator.check()
        if let parent {
            guard let parentPost = try await store.post(id: parent), parentPost.threadID == threadID else { throw DomainError.notFound("Post") }
        }
        let post = Post(workspaceID: thread.workspaceID, threadID: threadID, authorID: viewer.id, parentID: parent, body: body, createdAt: clock.now())
        var payload = LiveJSON.PostEvent(post: LiveJSON.PostJSON(post, author: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)))
        payload.post.meetingId = meeting?.id
        let applied = try await content.apply(
            .createPost(post), kind: .postCreated, payload: payload, viewer: viewer,
            workspace: thread.workspaceID, key: key, mentionsIn: body, threadID: threadID, postID: post.id)
        let value = try content.decode(applied, kind: .postCreated, as: LiveJSON.PostEvent.self, fallback: payload) {
            $0.post.threadId == threadID && $0.post.parentId == parent && $0.post.body == body
        }
        if !applied.isDuplicate {
            await DocumentLinks.record(in: store, .post, id: "\(post.id)", workspace: thread.workspaceID, markdown: body, previously: nil, at: post.createdAt)
            // A meeting's chat is a conversation in the moment, not a thread to be told of.
            if meeting == nil, let router = content.router {
                // The reply is committed: failing to read who to tell must not turn it into an
                // error for its author (nobody is told then; the reply itself stands).
                let recipients = (try? await Replies.recipients(of: post, in: thread, store: store)) ?? []
                await router.notify(NotificationRequest(
                    kind: .reply, recipients: recipients, actorID: viewer.id,
                    workspaceID: thread.workspaceID, threadID: threadID, postID: post.id, excerpt: String(Markdown.plainText(body).prefix(200)),
                    link: ContentRules.link(workspace: thread.workspaceID, thread: threadID), createdAt: post.createdAt))
            }
        }
        return Written(value: value, seq: applied.event.seq, duplicate: applied.isDuplicate)
    }

    /// Only the author edits; the earlier text is kept as a revision.
    public func edit(viewer: Viewer, post postID: PostID, body rawBody: String) async throws -> Written<LiveJSON.PostEvent> {
        guard var post = try await store.post(id: postID), !post.isDeleted else { throw DomainError.notFound("Post") }
        let meeting = try await chats.meeting(of: post.threadID)
        if try await !chats.isInvitedGuest(viewer, of: meeting) { try await content.requireMember(viewer, post.workspaceID) }
        guard post.authorID == viewer.id else { throw DomainError.forbidden("Only the author can edit a post.") }
        var validator = Validator()
        let body = content.body(rawBody, validator: &validator)
        try validator.check()
        let now = clock.now()
        let previous = post.body
        post.body = body
        post.editedAt = now
        let reactions = try await content.reactions(of: post.id.uuid)
        var payload = LiveJSON.PostEvent(post: LiveJSON.PostJSON(post, author: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name), reactions: reactions))
        payload.post.meetingId = meeting?.id
        let applied = try await content.apply(
            .editPost(postID, body: body, at: now, by: viewer.id), kind: .postEdited, payload: payload, viewer: viewer,
            workspace: post.workspaceID, key: nil, mentionsIn: nil, threadID: post.threadID, postID: postID)
        await DocumentLinks.record(in: store, .post, id: "\(postID)", workspace: post.workspaceID, markdown: body, previously: previous, at: now)
        return Written(value: payload, seq: applied.event.seq, duplicate: false)
    }

    /// The author or an owner of the workspace deletes; the thread keeps a "removed" marker.
    public func delete(viewer: Viewer, post postID: PostID) async throws -> Written<LiveJSON.PostEvent> {
        guard var post = try await store.post(id: postID), !post.isDeleted else { throw DomainError.notFound("Post") }
        let meeting = try await chats.meeting(of: post.threadID)
        let role: MembershipRole? = try await chats.isInvitedGuest(viewer, of: meeting) ? nil : try await content.requireMember(viewer, post.workspaceID)
        guard post.authorID == viewer.id || role == .owner else {
            throw DomainError.forbidden("Only the author or an owner of the workspace can delete a post.")
        }
        let now = clock.now()
        let previous = post.body
        post.deletedAt = now
        post.deletedBy = viewer.id
        let author = try await content.personRef(post.authorID)
        var payload = LiveJSON.PostEvent(post: LiveJSON.PostJSON(post, author: author, deletedBy: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)))
        payload.post.meetingId = meeting?.id
        let applied = try await content.apply(
            .deletePost(postID, at: now, by: viewer.id), kind: .postDeleted, payload: payload, viewer: viewer,
            workspace: post.workspaceID, key: nil, mentionsIn: nil, threadID: post.threadID, postID: postID)
        await DocumentLinks.record(in: store, .post, id: "\(postID)", workspace: post.workspaceID, markdown: nil, previously: previous, at: now)
        return Written(value: payload, seq: applied.event.seq, duplicate: false)
    }

    /// Adds or removes the viewer's reaction on a post or a blog post.
    public func react(viewer: Viewer, target: UUID, emoji: String, add: Bool) async throws -> Written<LiveJSON.ReactionEvent> {
        let workspace: WorkspaceID
        if let post = try await store.post(id: PostID(target)), !post.isDeleted {
            workspace = post.workspaceID
        } else if let blog = try await store.blogPost(id: BlogPostID(target)), blog.status == .published, let id = blog.workspaceID {
            workspace = id
        } else {
            throw DomainError.notFound("Post")
        }
        try await content.requireMember(viewer, workspace)
        guard ContentRules.isEmoji(emoji) else {
            throw DomainError.validation([FieldError(field: "emoji", message: "must be one emoji")])
        }
        let reaction = Reaction(targetID: target, personID: viewer.id, emoji: emoji)
        let payload = LiveJSON.ReactionEvent(targetId: target, emoji: emoji, person: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
        let applied = try await content.apply(
            add ? .addReaction(reaction) : .removeReaction(reaction), kind: add ? .reactionAdded : .reactionRemoved,
            payload: payload, viewer: viewer, workspace: workspace, key: nil, mentionsIn: nil, threadID: nil, postID: nil)
        return Written(value: payload, seq: applied.event.seq, duplicate: false)
    }

    // MARK: Reading

    public func threads(viewer: Viewer, workspace: WorkspaceID, page: PageRequest) async throws -> Page<LiveJSON.ThreadJSON> {
        try await content.requireReader(viewer, workspace)
        let threads = try await store.threads(workspace: workspace, page: page)
        let names = try await content.names(Set(threads.items.map(\.authorID)))
        return try await chats.decorate(threads.map { LiveJSON.ThreadJSON($0, author: names.ref($0.authorID)) })
    }

    public func thread(viewer: Viewer, id: ThreadID) async throws -> LiveJSON.ThreadJSON {
        let (thread, meeting) = try await readableThread(viewer, id)
        return chats.decorate(LiveJSON.ThreadJSON(thread, author: try await content.personRef(thread.authorID)), meeting: meeting)
    }

    public func posts(viewer: Viewer, thread threadID: ThreadID, page: PageRequest) async throws -> Page<LiveJSON.PostJSON> {
        let (thread, meeting) = try await readableThread(viewer, threadID)
        return chats.decorate(try await content.postJSON(try await store.posts(thread: threadID, page: page)), thread: thread, meeting: meeting)
    }

    /// Readers of the workspace read its threads; a meeting's invited guests read its chat.
    private func readableThread(_ viewer: Viewer, _ id: ThreadID) async throws -> (DiscussionThread, Meeting?) {
        let thread = try await discussionThread(id)
        let meeting = try await chats.meeting(of: id)
        if try await !chats.isInvitedGuest(viewer, of: meeting) { try await content.requireReader(viewer, thread.workspaceID) }
        return (thread, meeting)
    }

    /// A discussion thread; a blog post's comment thread is reached only through the blog.
    private func discussionThread(_ id: ThreadID) async throws -> DiscussionThread {
        guard let thread = try await store.thread(id: id), try await store.blogPost(id: BlogPostID(id.uuid)) == nil else {
            throw DomainError.notFound("Thread")
        }
        return thread
    }

    public struct RevisionJSON: Codable, Sendable {
        public var body: String
        public var replacedAt: Date
        public var editor: LiveJSON.PersonRef
    }

    public func revisions(viewer: Viewer, post postID: PostID) async throws -> [RevisionJSON] {
        guard let post = try await store.post(id: postID) else { throw DomainError.notFound("Post") }
        try await content.requireReader(viewer, post.workspaceID)
        let revisions = try await store.revisions(post: postID)
        let names = try await content.names(Set(revisions.map(\.editorID)))
        return revisions.map { RevisionJSON(body: $0.body, replacedAt: $0.replacedAt, editor: names.ref($0.editorID)) }
    }
}
