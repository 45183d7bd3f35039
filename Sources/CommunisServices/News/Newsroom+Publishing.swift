import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Announcing publication (at once, or when a scheduled item comes due) and reminders.
extension Newsroom {
    /// How long before the deadline the automatic reminder goes out.
    public static let reminderLead: TimeInterval = 86_400
    static let batchSize = 50

    /// Announces the item if it is published now and nobody has announced it yet.
    func announceIfDue(_ id: NewsID) async throws {
        guard let news = try await store.news(id: id), news.state(at: clock.now()) == .published,
              try await store.claimAnnouncement(id, at: clock.now()) else { return }
        try await announce(news)
    }

    /// The live `news.published` to the audience's open connections and a `.news` notification.
    func announce(_ news: News) async throws {
        let audience = try await publishLive(news, type: .newsPublished)
        let recipients = audience.filter { $0 != news.authorID }
        guard !recipients.isEmpty else { return }
        await notifications.notify(NotificationRequest(
            kind: .news, recipients: recipients, actorID: news.authorID, newsID: news.id, excerpt: news.content.title,
            link: "#/news/\(news.id)", createdAt: clock.now()))
    }

    /// Sends the item's summary to each person of its audience (to their open connections;
    /// the hub drops it for people without one). Returns the audience.
    @discardableResult
    func publishLive(_ news: News, type: LiveEvent) async -> [PersonID] {
        let audience: [PersonID]
        do {
            audience = try await store.newsAudience(news.id, unacknowledgedOnly: false)
        } catch {
            // Published already (persisted); the live copy is a convenience a reload repairs.
            logger.warning("news audience could not be read for the live event", metadata: ["news.id": "\(news.id)", "error": "\(error)"])
            return []
        }
        let author = try? await store.person(id: news.authorID)
        let view = NewsView(news: news, author: author, extras: NewsExtras(), state: news.state(at: clock.now()), canEdit: false)
        let frame = Wire.frame(type: type, value: NewsJSON(view, full: false))
        for person in audience { await publisher.notify(person: person, frame: frame) }
        return audience
    }

    /// The periodic job: announces every item that came due (once, whichever node claims it)
    /// and sends the automatic reminder a day before each deadline. Returns how many of each.
    @discardableResult
    public func runScheduled() async throws -> (published: Int, reminded: Int) {
        var published = 0
        while true {
            let due = try await store.claimDueNews(now: clock.now(), limit: Self.batchSize)
            for news in due { try await announce(news) }
            published += due.count
            if due.count < Self.batchSize { break }
        }
        var reminded = 0
        while true {
            let due = try await store.claimDueReminders(now: clock.now(), within: Self.reminderLead, limit: Self.batchSize)
            for news in due { reminded += try await sendReminder(news) }
            if due.count < Self.batchSize { break }
        }
        return (published, reminded)
    }

    /// `POST /news/{id}/reminders`: an ack-due notification to those who have not acknowledged.
    public func remind(viewer: Viewer, id: NewsID) async throws -> Int {
        try await requireEditor(viewer)
        guard let news = try await store.news(id: id) else { throw DomainError.notFound("News") }
        guard news.content.acknowledgementRequired else {
            throw DomainError.conflict("The news item does not ask for an acknowledgement.")
        }
        return try await sendReminder(news)
    }

    func sendReminder(_ news: News) async throws -> Int {
        let recipients = try await store.newsAudience(news.id, unacknowledgedOnly: true)
        guard !recipients.isEmpty else { return 0 }
        await notifications.notify(NotificationRequest(
            kind: .acknowledgementDue, recipients: recipients, newsID: news.id, excerpt: news.content.title, link: "#/news/\(news.id)",
            createdAt: clock.now()))
        return recipients.count
    }
}
