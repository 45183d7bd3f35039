@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import GRDB
import Testing

/// Migration v8 (notifications without a workspace, review reminders) and the constraints
/// behind reminders, on a real SQLite file. Who is told when is `ReviewReminderContract`.
@Suite("SQLiteStore review reminders")
struct ReviewNotificationStoreTests {
    @Test("v8 keeps the notifications a v7 database already has, in their order, and then allows a null workspace")
    func migrationKeepsNotifications() async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }

        // Given a database at v7 with two mentions made in the same instant (one read).
        let old = try SQLiteStore(path: database.path, logger: TemporaryDatabase.logger)
        try Schema.migrator.migrate(old.pool, upTo: "v7-recordings")
        #expect(try old.appliedMigrations().last == "v7-recordings")
        // People written as a v7 build wrote them (the current record has later columns).
        let eva = Fixture.person("Eva"), olle = Fixture.person("Olle")
        try await old.pool.write { db in
            for person in [eva, olle] {
                try db.execute(sql: """
                    INSERT INTO people (id, email, name, role, search_text, created_at) VALUES (?, ?, ?, 'member', ?, ?)
                    """, arguments: [person.id.description, person.email, person.name, person.name.lowercased(), Instant.t0.timeIntervalSince1970])
            }
        }
        let skola = try await Fixture.createWorkspace(old, "Skolstart", owner: eva.id)
        let first = NotificationID(), second = NotificationID()
        let thread = UUID().uuidString.lowercased()
        try await old.pool.write { db in
            for (id, readAt) in [(first, Instant.at(5).timeIntervalSince1970 as Double?), (second, nil)] {
                try db.execute(sql: """
                    INSERT INTO notifications (id, person_id, kind, workspace_id, thread_id, post_id, actor_id, excerpt, created_at, read_at)
                    VALUES (?, ?, 'mention', ?, ?, NULL, ?, '@Eva titta här', ?, ?)
                    """, arguments: [id.description, eva.id.description, skola.id.description, thread, olle.id.description,
                                     Instant.t0.timeIntervalSince1970, readAt])
            }
        }
        try await old.close()

        // When the current build opens it.
        let store = try database.open()
        #expect(try store.appliedMigrations() == SQLiteStore.knownMigrations)
        let known = SQLiteStore.knownMigrations
        #expect(known.firstIndex(of: "v8-review-notifications") == known.firstIndex(of: "v7-recordings").map { $0 + 1 })

        // Then both mentions are there as before: newest insert first, read state kept.
        let listed = try await store.notifications(of: eva.id, page: PageRequest())
        #expect(listed.items.map(\.id) == [second, first])
        #expect(listed.items.allSatisfy { $0.kind == .mention && $0.workspaceID == skola.id && $0.actorID == olle.id && $0.howToID == nil })
        #expect(listed.items.last?.readAt == Instant.at(5))
        #expect(try await store.unreadNotificationCount(of: eva.id) == 1)
        let (violations, indexes) = try await store.pool.read { db in
            (try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notifications' AND sql IS NOT NULL ORDER BY name"))
        }
        #expect(violations == 0)
        // (v16 adds notifications_meeting for the notification centre.)
        #expect(indexes == ["notifications_how_to", "notifications_meeting", "notifications_person", "notifications_unread", "notifications_workspace"])

        // And an organisation-wide article's reminder (no workspace, no actor) can be stored.
        try await store.createHowTo(ReviewReminderContract.article("Boka rum", in: nil, by: eva.id, reviewBy: "2027-01-01"))
        let told = try await store.recordReviewReminders(today: "2027-01-01", at: Instant.at(10), limit: 10)
        #expect(told.count == 1 && told.first?.workspaceID == nil && told.first?.actorID == nil)
        #expect(try await store.notifications(of: eva.id, page: PageRequest()).items.first == told.first)
        try await store.close()
    }

    @Test("the database refuses a second reminder for the same article and day, and a mention without a workspace")
    func constraints() async throws {
        try await TemporaryDatabase.with { store, _ in
            let eva = try await Fixture.insert(store, Fixture.person("Eva"))
            let howTo = ReviewReminderContract.article("Boka rum", in: nil, by: eva.id, reviewBy: "2027-01-01")
            try await store.createHowTo(howTo)
            _ = try await store.recordReviewReminders(today: "2027-01-01", at: Instant.t0, limit: 10)
            let again = PersonalNotification(personID: eva.id, kind: .reviewDue, workspaceID: nil, howToID: howTo.id, reviewBy: "2027-01-01",
                                             actorID: nil, excerpt: "Boka rum", createdAt: Instant.at(1))
            let orphan = PersonalNotification(personID: eva.id, kind: .mention, workspaceID: nil, actorID: eva.id, excerpt: "@Eva", createdAt: Instant.t0)
            for refused in [again, orphan] {
                await #expect(throws: DatabaseError.self) {
                    try await store.pool.write { db in try NotificationRow(refused).insert(db) }
                }
            }
        }
    }
}
