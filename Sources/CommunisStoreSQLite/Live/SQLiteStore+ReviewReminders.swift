import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Review reminders: the `review-due` notifications of the knowledge bank (migration v8).
extension SQLiteStore {
    /// The due query runs on `how_tos_review_due` and checks "already told" on the unique
    /// index `notifications_how_to`, which also makes a second insert for the same article and
    /// day impossible (`INSERT OR IGNORE`: such a row is simply not returned).
    public func recordReviewReminders(today: String, at: Date, limit: Int) async throws -> [PersonalNotification] {
        try await pool.write { db in
            let due = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT h.id, h.workspace_id, h.owner_id, h.title, h.review_by
                FROM how_tos h
                JOIN people p ON p.id = h.owner_id AND p.disabled = 0
                WHERE h.status = 'current' AND h.review_by IS NOT NULL AND h.review_by <= ?
                  AND CASE WHEN h.workspace_id IS NULL THEN p.role <> 'guest'
                           ELSE EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = h.workspace_id AND m.person_id = h.owner_id)
                      END
                  AND NOT EXISTS (SELECT 1 FROM notifications n
                                  WHERE n.how_to_id = h.id AND n.kind = 'review-due' AND n.review_by = h.review_by)
                ORDER BY h.review_by, h.id
                LIMIT ?
                """), arguments: [today, limit])
            var told: [PersonalNotification] = []
            for row in due {
                let table = "how_tos"
                let notification = PersonalNotification(
                    personID: try row.id("owner_id", table: table), kind: .reviewDue,
                    workspaceID: try row.optionalID("workspace_id", table: table),
                    howToID: try row.id("id", table: table), reviewBy: row["review_by"], actorID: nil,
                    excerpt: row["title"], createdAt: at)
                try NotificationRow(notification).insert(db, onConflict: .ignore)
                if db.changesCount > 0 { told.append(notification) }
            }
            return told
        }
    }
}
