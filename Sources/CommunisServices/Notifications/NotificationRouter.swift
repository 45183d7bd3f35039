import CommunisModel
import CommunisStore
import CommunisWire
import Foundation
import Logging

/// Routes a notification to each recipient the way they chose (`NotificationSettings`): into
/// the notification centre (stored, then sent live), by e-mail at once (the outbox) or in a
/// daily/weekly digest (stored items, mailed by `Digests`), and as push to their devices
/// unless it is quiet hours where they are.
///
/// A struct over what owns state (the store, the hub's publisher, the outbox, the push
/// sender); it keeps nothing itself. Persist, then publish: the in-app notifications and the
/// digest items are committed in one write before anything is sent live, mailed or pushed.
public struct NotificationRouter: NotificationSink {
    let store: any CommunisStore
    let publisher: any LivePublisher
    /// Nil without e-mail: immediate e-mail is then not sent (digests wait in the store).
    let outbox: Outbox?
    let push: any PushSending
    let clock: Clock
    /// `server.public_url`, for absolute links in e-mail and push.
    let baseURL: String
    let logger: Logger

    public init(store: any CommunisStore, publisher: any LivePublisher, outbox: Outbox?, push: any PushSending = NoPush(),
                clock: Clock = Clock(), baseURL: String, logger: Logger) {
        self.store = store
        self.publisher = publisher
        self.outbox = outbox
        self.push = push
        self.clock = clock
        self.baseURL = baseURL
        self.logger = logger
    }

    /// What one recipient gets, decided from their settings alone.
    public struct Decision: Sendable, Equatable {
        public var app: Bool
        public var email: EmailCadence
        public var push: Bool
    }

    /// The rule: the kind's preference, with push held back inside quiet hours (in the
    /// person's time zone). E-mail is never held back: a digest is read when one likes.
    public static func decide(_ kind: PersonalNotification.Kind, settings: NotificationSettings, at now: Date) -> Decision {
        let preference = settings.preference(kind)
        let quiet = settings.quietHours.contains(now, timeZone: settings.zone)
        return Decision(app: preference.app, email: preference.email, push: preference.push && !quiet)
    }

    public func notify(_ request: NotificationRequest) async {
        do {
            try await route(request, inApp: true)
        } catch {
            // The feature's own change is already committed; a notification that could not
            // be stored is logged, not turned into a failure of what the person did.
            logger.error("notification not routed", metadata: ["notification.kind": "\(request.kind.rawValue)", "error": "\(error)"])
        }
    }

    /// E-mail and push only, for notifications whose in-app part the caller stored itself.
    func notifyOutsideApp(_ request: NotificationRequest) async {
        do {
            try await route(request, inApp: false)
        } catch {
            logger.error("notification not routed", metadata: ["notification.kind": "\(request.kind.rawValue)", "error": "\(error)"])
        }
    }

    /// Of `people`, those who want `kind` in the app (for mentions, stored with their post).
    func wantInApp(_ kind: PersonalNotification.Kind, among people: [PersonID]) async throws -> Set<PersonID> {
        let settings = try await store.notificationSettings(of: people)
        return Set(people.filter { (settings[$0] ?? .defaults).preference(kind).app })
    }

    /// Routes `request`. With `inApp` false the in-app part was already stored by the caller
    /// (a mention with its post, a review reminder): only e-mail and push are decided here.
    /// Returns the decisions per recipient (for tests).
    @discardableResult
    func route(_ request: NotificationRequest, inApp: Bool) async throws -> [PersonID: Decision] {
        var seen = Set<PersonID>()
        let ids = request.recipients.filter { $0 != request.actorID && seen.insert($0).inserted }
        guard !ids.isEmpty else { return [:] }
        var people: [Person] = []
        for id in ids {
            if let person = try await store.person(id: id), !person.disabled { people.append(person) }
        }
        let settings = try await store.notificationSettings(of: people.map(\.id))
        var actor: Person?
        if let id = request.actorID { actor = try await store.person(id: id) }
        let now = clock.now()
        var decisions: [PersonID: Decision] = [:]
        var stored: [PersonalNotification] = []
        var digest: [DigestItem] = []
        for person in people {
            let decision = Self.decide(request.kind, settings: settings[person.id] ?? .defaults, at: now)
            decisions[person.id] = decision
            if inApp && decision.app {
                stored.append(PersonalNotification(
                    personID: person.id, kind: request.kind, workspaceID: request.workspaceID, threadID: request.threadID,
                    postID: request.postID, actorID: request.actorID, excerpt: request.excerpt, createdAt: request.createdAt,
                    newsID: request.newsID, meetingID: request.meetingID, link: request.link))
            }
            if decision.email == .daily || decision.email == .weekly {
                digest.append(DigestItem(personID: person.id, cadence: decision.email, kind: request.kind, actorName: actor?.name ?? "",
                                         excerpt: request.excerpt, link: request.link, createdAt: now))
            }
        }
        try await store.recordNotifications(stored, digest: digest)
        let actorRef = actor.map { LiveJSON.PersonRef(id: $0.id, name: $0.name) }
        for notification in stored {
            let frame = Wire.frame(type: .notification, value: NotificationJSON(notification, actor: actorRef))
            await publisher.notify(person: notification.personID, frame: frame)
        }
        for person in people {
            guard let decision = decisions[person.id] else { continue }
            let language = Self.language(settings[person.id] ?? .defaults)
            if decision.email == .immediate, let outbox {
                let mail = MailTemplates.notification(
                    to: person.email, name: person.name, kind: request.kind, actor: actor?.name ?? "", excerpt: request.excerpt,
                    link: NotificationTexts.absolute(request.link, base: baseURL), language: language)
                do {
                    try await outbox.enqueue(mail, kind: "notification-\(request.kind.rawValue)")
                } catch {
                    logger.error("notification e-mail not queued", metadata: ["person.id": "\(person.id)", "error": "\(error)"])
                }
            }
            if decision.push {
                let message = PushMessage(
                    title: NotificationTexts.headline(request.kind, actor: actor?.name ?? "", excerpt: request.excerpt, language: language),
                    body: String((NotificationTexts.detail(request.kind, excerpt: request.excerpt) ?? "").prefix(120)),
                    url: NotificationTexts.absolute(request.link, base: ""),
                    tag: "\(request.kind.rawValue):\(request.meetingID?.description ?? request.newsID?.description ?? request.threadID?.description ?? "")")
                await push.push(message, to: person.id)
            }
        }
        return decisions
    }

    static func language(_ settings: NotificationSettings) -> MailTemplates.Language {
        settings.language == "en" ? .en : .sv
    }
}
