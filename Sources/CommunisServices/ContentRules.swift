import CommunisMarkdown
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// What discussions and blogs share: membership checks, validation of text, storing a change
/// with its event and mention notifications, then publishing it.
struct ContentRules: Sendable {
    let store: any CommunisStore & LiveStore
    let publisher: any LivePublisher
    let clock: Clock
    /// Applies each person's settings to mentions (in the app or not, e-mail, push); without
    /// it every mentioned member gets the mention in the app only.
    var router: NotificationRouter? = nil

    /// Writing needs membership (guests included, in their workspaces). Returns the role.
    @discardableResult
    func requireMember(_ viewer: Viewer, _ workspace: WorkspaceID) async throws -> MembershipRole {
        if let role = try await store.membership(workspace: workspace, person: viewer.id) { return role }
        guard let found = try await store.workspace(id: workspace),
              WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: nil) else {
            throw DomainError.notFound("Workspace")
        }
        throw DomainError.forbidden("Only members can write in this workspace.")
    }

    /// Reading follows the workspace's rules: members, and any employee for an open one.
    func requireReader(_ viewer: Viewer, _ workspace: WorkspaceID) async throws {
        let role = try await store.membership(workspace: workspace, person: viewer.id)
        guard let found = try await store.workspace(id: workspace),
              WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: role) else {
            throw DomainError.notFound("Workspace")
        }
        guard WorkspacePolicy.canRead(found.visibility, viewer: viewer.role, membership: role) else {
            throw DomainError.forbidden("Only members can read this workspace.")
        }
    }

    func body(_ raw: String, validator: inout Validator) -> String {
        // Markdown keeps its line structure: trim only the ends, keep inner whitespace.
        let body = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.isEmpty { validator.fail("body", "must not be empty") }
        if body.count > ContentLimits.bodyLength { validator.fail("body", "must be at most \(ContentLimits.bodyLength) characters") }
        if body.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
            validator.fail("body", "must not contain control characters")
        }
        return body
    }

    func key(_ raw: String?, validator: inout Validator) -> String? {
        guard let raw else { return nil }
        if raw.isEmpty || raw.count > ContentLimits.idempotencyKeyLength {
            validator.fail("idempotencyKey", "must be 1 to \(ContentLimits.idempotencyKeyLength) characters")
        }
        return raw
    }

    /// Stores the change with its event (and notifications for members mentioned in
    /// `mentionsIn`), then publishes. A duplicate is not published again. The kind is a
    /// `LiveEvent`; the store keeps its text (see `LiveEvent` for why).
    func apply<P: Encodable>(
        _ change: LiveChange, kind: LiveEvent, payload: P, viewer: Viewer, workspace: WorkspaceID, key: String?,
        mentionsIn body: String?, threadID: ThreadID?, postID: PostID?
    ) async throws -> Applied {
        let now = clock.now()
        var mentioned: [PersonID] = []
        var excerpt = ""
        if let body {
            excerpt = String(Markdown.plainText(body).prefix(200))
            for id in Markdown.mentions(body).compactMap(PersonID.init) where id != viewer.id && !mentioned.contains(id) {
                // Only members are told: others could not open what they were mentioned in.
                guard try await store.membership(workspace: workspace, person: id) != nil else { continue }
                mentioned.append(id)
            }
        }
        // Those who turned mentions off in the app are not told there (e-mail and push below).
        let inApp = try await router?.wantInApp(.mention, among: mentioned) ?? Set(mentioned)
        let notifications = mentioned.filter(inApp.contains).map {
            PersonalNotification(personID: $0, kind: .mention, workspaceID: workspace, threadID: threadID, postID: postID,
                                 actorID: viewer.id, excerpt: excerpt, createdAt: now, link: Self.link(workspace: workspace, thread: threadID))
        }
        let draft = EventDraft(workspaceID: workspace, kind: kind.rawValue, payload: Wire.json(payload), actorID: viewer.id, createdAt: now)
        let applied = try await store.apply(
            change, event: draft, notifications: notifications,
            idempotency: key.map { IdempotencyKey(personID: viewer.id, key: $0) })
        if case .applied(let event) = applied {
            await publisher.publish(event)
            for notification in notifications {
                let frame = Wire.frame(type: .notification, value: NotificationJSON(notification, actor: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)))
                await publisher.notify(person: notification.personID, frame: frame)
            }
            if let router, !mentioned.isEmpty {
                await router.notifyOutsideApp(NotificationRequest(
                    kind: .mention, recipients: mentioned, actorID: viewer.id, workspaceID: workspace, threadID: threadID, postID: postID,
                    excerpt: excerpt, link: Self.link(workspace: workspace, thread: threadID), createdAt: now))
            }
        }
        return applied
    }

    /// The web client's page of a workspace (and thread).
    static func link(workspace: WorkspaceID, thread: ThreadID?) -> String {
        thread.map { "#/workspaces/\(workspace)?thread=\($0)" } ?? "#/workspaces/\(workspace)"
    }

    /// For a duplicate, the answer is what the first attempt produced, provided the first
    /// attempt was the same command (`kind`, and `same` on what it stored); a key reused for
    /// something else is a conflict, so a client never believes a different text was posted.
    func decode<T: Decodable>(_ applied: Applied, kind: LiveEvent, as type: T.Type, fallback: T, same: (T) -> Bool) throws -> T {
        guard applied.isDuplicate else { return fallback }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard applied.event.kind == kind.rawValue, let value = try? decoder.decode(T.self, from: applied.event.payload), same(value) else {
            throw DomainError.conflict("This idempotency key was already used for a different command.")
        }
        return value
    }

    func reactions(of target: UUID) async throws -> [LiveJSON.ReactionJSON] {
        (try await store.reactions(targets: [target])[target] ?? []).map { LiveJSON.ReactionJSON(emoji: $0.emoji, people: $0.personIDs) }
    }

    func personRef(_ id: PersonID) async throws -> LiveJSON.PersonRef {
        LiveJSON.PersonRef(id: id, name: try await store.person(id: id)?.name ?? "")
    }

    func names(_ ids: Set<PersonID>) async throws -> Names {
        try await Names.load(ids, from: store)
    }

    func postJSON(_ page: Page<Post>) async throws -> Page<LiveJSON.PostJSON> {
        let names = try await names(Set(page.items.map(\.authorID) + page.items.compactMap(\.deletedBy)))
        let reactions = try await store.reactions(targets: page.items.map(\.id.uuid))
        return page.map { post in
            LiveJSON.PostJSON(
                post, author: names.ref(post.authorID), deletedBy: post.deletedBy.map(names.ref),
                reactions: (reactions[post.id.uuid] ?? []).map { LiveJSON.ReactionJSON(emoji: $0.emoji, people: $0.personIDs) })
        }
    }

    /// One emoji (possibly with modifiers and joiners), not plain text.
    static func isEmoji(_ text: String) -> Bool {
        guard text.count == 1, text.unicodeScalars.count <= 16 else { return false }
        return text.unicodeScalars.contains { $0.properties.isEmojiPresentation || ($0.properties.isEmoji && $0.value > 0xFF) }
    }
}

/// The names of the people a list mentions (authors, actors), fetched once per person.
struct Names {
    var byID: [PersonID: String]

    func ref(_ id: PersonID) -> LiveJSON.PersonRef { LiveJSON.PersonRef(id: id, name: byID[id] ?? "") }

    static func load(_ ids: Set<PersonID>, from store: any PeopleStore) async throws -> Names {
        var byID: [PersonID: String] = [:]
        for id in ids { byID[id] = try await store.person(id: id)?.name }
        return Names(byID: byID)
    }
}

/// A notification as sent live and listed. Fields without a value are left out: a
/// `review-due` notification has no actor (and no workspace when the article is
/// organisation-wide); it carries `howToId`, `title` and `reviewBy` instead.
public struct NotificationJSON: Codable, Sendable {
    public var id: NotificationID
    public var kind: PersonalNotification.Kind
    public var workspaceId: WorkspaceID?
    public var threadId: ThreadID?
    public var postId: PostID?
    public var howToId: HowToID?
    /// The how-to's title (when it became due), for `review-due`.
    public var title: String?
    /// The review-by day `YYYY-MM-DD`, for `review-due`.
    public var reviewBy: String?
    public var actor: LiveJSON.PersonRef?
    public var excerpt: String
    public var createdAt: Date
    public var read: Bool
    /// The news article (`news`, `ack-due`).
    public var newsId: NewsID?
    /// The meeting (`meeting-started`).
    public var meetingId: MeetingID?
    /// The web client's page it opens (a hash route); absent when the client builds it.
    public var link: String?

    public init(_ notification: PersonalNotification, actor: LiveJSON.PersonRef?) {
        id = notification.id
        kind = notification.kind
        workspaceId = notification.workspaceID
        threadId = notification.threadID
        postId = notification.postID
        howToId = notification.howToID
        title = notification.kind == .reviewDue ? notification.excerpt : nil
        reviewBy = notification.reviewBy
        self.actor = actor
        excerpt = notification.excerpt
        createdAt = notification.createdAt
        read = notification.readAt != nil
        newsId = notification.newsID
        meetingId = notification.meetingID
        link = notification.link.isEmpty ? nil : notification.link
    }
}

extension Applied {
    var isDuplicate: Bool { if case .duplicate = self { true } else { false } }
}
