import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Tells the owners of how-tos that their review-by day has come ("Dags att granska
/// lathunden"): one `review-due` notification per article and review-by day, stored, then
/// sent live to the owner's open connections (persist, then publish).
///
/// The store remembers which day was told (a unique index), so running this again, after a
/// restart, or after the server was down for days, tells each owner exactly once; what came
/// due while nobody was running is caught up on the next run. "Today" is the organisation's
/// calendar day (Europe/Stockholm), the same day `HowTos` flags articles as due on.
public struct ReviewReminders: Sendable {
    let store: any CommunisStore
    let publisher: any LivePublisher
    let clock: Clock
    let timeZone: TimeZone
    let batchSize: Int
    /// Sends reminders by e-mail and push as each owner chose (the in-app one is stored here).
    let notifications: NotificationRouter?

    /// `batchSize`: articles handled per store transaction (the writer is held that long).
    public init(store: any CommunisStore, publisher: any LivePublisher, clock: Clock = Clock(),
                timeZone: TimeZone = TimeZone(identifier: "Europe/Stockholm") ?? .gmt, batchSize: Int = 100,
                notifications: NotificationRouter? = nil) {
        self.notifications = notifications
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.timeZone = timeZone
        self.batchSize = max(batchSize, 1)
    }

    /// Records and publishes every reminder that is due and not yet told; returns how many.
    @discardableResult
    public func run() async throws -> Int {
        let today = HowTos(store: store, clock: clock, timeZone: timeZone).today()
        var told = 0
        while true {
            // Each batch is committed before it is published; the next batch cannot see the
            // same article and day again, so the loop always ends.
            let batch = try await store.recordReviewReminders(today: today, at: clock.now(), limit: batchSize)
            for notification in batch {
                let frame = Wire.frame(type: .notification, value: NotificationJSON(notification, actor: nil))
                await publisher.notify(person: notification.personID, frame: frame)
                await notifications?.notifyOutsideApp(NotificationRequest(
                    kind: .reviewDue, recipients: [notification.personID], workspaceID: notification.workspaceID,
                    excerpt: notification.excerpt, link: notification.howToID.map { "#/knowledge/\($0)" } ?? "", createdAt: notification.createdAt))
            }
            told += batch.count
            if batch.count < batchSize { return told }
        }
    }
}
