import GRDB

extension Schema {
    /// v8: notifications that are not about a workspace's content, starting with "the review-by
    /// day of a how-to you own has come" (kind `review-due`).
    ///
    /// `notifications` is rebuilt (SQLite cannot relax NOT NULL in place): create the new
    /// table, copy every row (with its rowid, which the list uses to order notifications made
    /// in the same instant), drop the old one, rename, recreate the indexes. Nothing refers
    /// to `notifications` (no foreign key, trigger or view), so the rebuild touches no other
    /// table; GRDB runs the migration with foreign keys off and checks them all afterwards.
    ///
    /// - `workspace_id` may be NULL: a review-due notification of an organisation-wide article.
    ///   A mention still always has a workspace (CHECK).
    /// - `actor_id` may be NULL: nobody did anything when a review day comes.
    /// - `how_to_id` (goes with the article: a deleted article's reminders go too) and
    ///   `review_by`, the `YYYY-MM-DD` day the reminder is about.
    /// - The unique index `notifications_how_to` (how_to_id, kind, review_by) is the memory of
    ///   which review day was already told: at most one review-due notification per article
    ///   and day, whatever restarts or races happen. Rows without a how-to (NULL) never clash.
    /// - `how_tos_review_due` serves the periodic "which articles are due" query.
    static func registerReviewNotifications(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-review-notifications") { db in
            try db.execute(sql: """
                CREATE TABLE notifications_v8 (
                    id           TEXT PRIMARY KEY NOT NULL,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    kind         TEXT NOT NULL,
                    workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                    thread_id    TEXT,
                    post_id      TEXT,
                    how_to_id    TEXT REFERENCES how_tos (id) ON DELETE CASCADE,
                    review_by    TEXT,
                    actor_id     TEXT,
                    excerpt      TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    read_at      REAL,
                    CHECK (kind <> 'mention' OR (workspace_id IS NOT NULL AND actor_id IS NOT NULL)),
                    CHECK (kind <> 'review-due' OR (how_to_id IS NOT NULL AND review_by IS NOT NULL))
                ) STRICT;

                INSERT INTO notifications_v8 (rowid, id, person_id, kind, workspace_id, thread_id, post_id, actor_id, excerpt, created_at, read_at)
                    SELECT rowid, id, person_id, kind, workspace_id, thread_id, post_id, actor_id, excerpt, created_at, read_at
                    FROM notifications;
                DROP TABLE notifications;
                ALTER TABLE notifications_v8 RENAME TO notifications;

                CREATE INDEX notifications_person ON notifications (person_id, created_at);
                CREATE INDEX notifications_unread ON notifications (person_id, created_at) WHERE read_at IS NULL;
                CREATE INDEX notifications_workspace ON notifications (workspace_id);
                CREATE UNIQUE INDEX notifications_how_to ON notifications (how_to_id, kind, review_by);

                CREATE INDEX how_tos_review_due ON how_tos (review_by) WHERE status = 'current' AND review_by IS NOT NULL;
                """)
        }
    }
}
