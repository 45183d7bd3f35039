import CommunisModel
import Foundation

/// The notification centre's own storage: notifications made by the router (mentions still
/// come with their post through `LiveStore.apply`), per-person settings, follows, and the
/// items waiting for a daily or weekly digest e-mail.
///
/// Guarantees:
/// - **Ack after commit.** `recordNotifications` returns after the notifications and digest
///   items are durable, in one transaction: what a caller then publishes or mails survives a crash.
/// - **One digest per period.** `claimDigest` takes a person's waiting items and records the
///   claim of (person, cadence, period) in ONE transaction together with the mail made of them;
///   a second claim of the same period, from any node and after any restart, gets nothing.
public protocol NotificationStore: Sendable {
    /// Inserts in-app notifications and digest items, all or nothing.
    func recordNotifications(_ notifications: [PersonalNotification], digest: [DigestItem]) async throws

    /// The settings of each person asked for who has stored some; the others have the defaults.
    func notificationSettings(of people: [PersonID]) async throws -> [PersonID: NotificationSettings]
    /// Replaces the person's settings (every kind in `settings.kinds`). `notFound("Person")` for an unknown person.
    func setNotificationSettings(_ settings: NotificationSettings, for person: PersonID, at: Date) async throws

    /// The person's follows, explicit unfollows of member workspaces included, oldest first.
    func follows(of person: PersonID) async throws -> [Follow]
    /// Inserts or replaces (person, kind, target). `notFound("Person")` for an unknown person.
    func setFollow(_ follow: Follow) async throws
    /// Removes the row (nothing when there is none).
    func removeFollow(person: PersonID, kind: FollowKind, target: String) async throws
    /// Everyone who follows (`following` true) any of the tags or categories (folded forms),
    /// active accounts only.
    func followers(ofTags tags: [String], categories: [String]) async throws -> Set<PersonID>

    /// People with digest items of `cadence` not yet mailed.
    func peopleWithPendingDigest(cadence: EmailCadence) async throws -> [PersonID]
    /// In ONE transaction: when (person, cadence, period) was not claimed yet and the person
    /// has unmailed items of that cadence created before `before`, records the claim, marks
    /// those items mailed, enqueues the mail `compose` makes of them (oldest first) and returns
    /// the items; otherwise writes nothing and returns `[]`. `compose` returning nil (no
    /// address) still records the claim.
    func claimDigest(person: PersonID, cadence: EmailCadence, period: String, before: Date, at: Date,
                     compose: @Sendable ([DigestItem]) -> OutboxMail?) async throws -> [DigestItem]
}
