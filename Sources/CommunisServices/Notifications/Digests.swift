import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Mails the daily and weekly digests: for each person with waiting items, once their
/// period has begun where they live (07:00 every day; Monday 07:00 for the week), one
/// message with every item made before that moment, in their language, with links.
///
/// The store claims (person, cadence, period) in the same transaction that marks the items
/// and queues the mail, so a digest goes out once per period whatever restarts, crashes or
/// other nodes do; items made after the period began wait for the next one.
public struct Digests: Sendable {
    let store: any CommunisStore
    let wakeup: MailWakeup?
    let clock: Clock
    let baseURL: String
    let logger: Logger

    public init(store: any CommunisStore, wakeup: MailWakeup?, clock: Clock = Clock(), baseURL: String, logger: Logger) {
        self.store = store
        self.wakeup = wakeup
        self.clock = clock
        self.baseURL = baseURL
        self.logger = logger
    }

    /// Sends what is due now; returns how many digests were queued.
    @discardableResult
    public func run() async throws -> Int {
        var sent = 0
        let now = clock.now()
        for cadence in [EmailCadence.daily, .weekly] {
            let people = try await store.peopleWithPendingDigest(cadence: cadence)
            guard !people.isEmpty else { continue }
            let settings = try await store.notificationSettings(of: people)
            for id in people {
                let chosen = settings[id] ?? .defaults
                guard let person = try await store.person(id: id), !person.disabled,
                      let period = DigestSchedule.period(cadence, at: now, timeZone: chosen.zone) else { continue }
                let language = NotificationRouter.language(chosen)
                let base = baseURL
                let taken = try await store.claimDigest(person: id, cadence: cadence, period: period.key, before: period.start, at: now) { items in
                    let message = MailTemplates.digest(
                        to: person.email, name: person.name, cadence: cadence,
                        items: items.map { (NotificationTexts.headline($0.kind, actor: $0.actorName, excerpt: $0.excerpt, language: language),
                                            NotificationTexts.absolute($0.link, base: base)) },
                        centre: NotificationTexts.absolute("#/notifications", base: base), language: language)
                    return OutboxMail(kind: "notification-digest", recipient: message.to, recipientName: message.toName, subject: message.subject,
                                      text: message.text, html: message.html, nextAttemptAt: now, createdAt: now)
                }
                if !taken.isEmpty {
                    sent += 1
                    logger.info("notification digest queued", metadata: ["person.id": "\(id)", "digest.period": "\(period.key)", "digest.items": "\(taken.count)"])
                }
            }
        }
        if sent > 0 { wakeup?.wake() }
        return sent
    }
}
