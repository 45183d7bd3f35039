import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Personal notifications (mentions come with their change through `apply`; review
/// reminders are made here), and the feed tokens of Atom feeds.
extension PostgresStore {
    public func notifications(of person: PersonID, page: PageRequest) async throws -> Page<PersonalNotification> {
        try await client.withConnection { connection in
            let total = try await connection.query("""
                SELECT count(*) AS n FROM notifications WHERE person_id = \(person.uuid)
                """, logger: logger).first()?.get("n", as: Int.self) ?? 0
            let items = try await connection.query("""
                SELECT \(unescaped: LiveRows.notificationColumns) FROM notifications WHERE person_id = \(person.uuid)
                ORDER BY created_at DESC, ordinal DESC LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all().map(LiveRows.notification)
            return Page(items: items, total: total, request: page)
        }
    }

    public func unreadNotificationCount(of person: PersonID) async throws -> Int {
        try await client.query("""
            SELECT count(*) AS n FROM notifications WHERE person_id = \(person.uuid) AND read_at IS NULL
            """, logger: logger).first()?.get("n", as: Int.self) ?? 0
    }

    /// `upTo` is also recorded as the time they were read.
    public func markNotificationsRead(of person: PersonID, upTo: Date) async throws {
        _ = try await client.query("""
            UPDATE notifications SET read_at = \(upTo) WHERE person_id = \(person.uuid) AND read_at IS NULL AND created_at <= \(upTo)
            """, logger: logger).collect()
    }

    /// One statement: finds the due articles (on `how_tos_review_due`), inserts a reminder for
    /// each and returns the ones inserted. The unique index `notifications_how_to` makes a
    /// second reminder for the same article and day impossible, also when two nodes run this
    /// at the same moment: the later insert waits for the earlier and then skips the row
    /// (`ON CONFLICT DO NOTHING`), so each reminder is returned by one call only.
    public func recordReviewReminders(today: String, at: Date, limit: Int) async throws -> [PersonalNotification] {
        guard limit > 0 else { return [] }
        return try await client.query("""
            WITH due AS (
                SELECT h.id, h.workspace_id, h.owner_id, h.title, h.review_by
                FROM how_tos h
                JOIN people p ON p.id = h.owner_id AND NOT p.disabled
                WHERE h.status = 'current' AND h.review_by IS NOT NULL AND h.review_by <= \(today)
                  AND CASE WHEN h.workspace_id IS NULL THEN p.role <> 'guest'
                           ELSE EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = h.workspace_id AND m.person_id = h.owner_id)
                      END
                  AND NOT EXISTS (SELECT 1 FROM notifications n
                                  WHERE n.how_to_id = h.id AND n.kind = 'review-due' AND n.review_by = h.review_by)
                ORDER BY h.review_by, h.id
                LIMIT \(limit)
            ), told AS (
                INSERT INTO notifications (id, person_id, kind, workspace_id, how_to_id, review_by, excerpt, created_at)
                SELECT gen_random_uuid(), owner_id, 'review-due', workspace_id, id, review_by, title, \(at) FROM due
                ON CONFLICT DO NOTHING
                RETURNING \(unescaped: LiveRows.notificationColumns)
            )
            SELECT * FROM told ORDER BY review_by, how_to_id
            """, logger: logger).all().map(LiveRows.notification)
    }

    /// Replaces the person's token. `notFound("Person")` for an unknown person, `conflict`
    /// when another person holds the same hash.
    public func setFeedToken(hash: String, for person: PersonID) async throws {
        do {
            try await LiveRows.mappingForeignKey("Person") {
                try await client.query("""
                    INSERT INTO feed_tokens (person_id, token_hash) VALUES (\(person.uuid), \(hash))
                    ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash
                    """, logger: logger).collect()
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The feed token is already in use.")
        }
    }

    public func person(feedTokenHash: String) async throws -> PersonID? {
        try await client.query("SELECT person_id FROM feed_tokens WHERE token_hash = \(feedTokenHash)", logger: logger)
            .first().map { try $0.id("person_id") }
    }
}
