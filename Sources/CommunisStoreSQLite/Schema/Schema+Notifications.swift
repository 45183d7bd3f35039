import GRDB

extension Schema {
    /// v16: the notification centre (issue 14).
    ///
    /// - `notifications` gains `news_id` (no foreign key: news is another migration's table;
    ///   a notification outliving its article opens a "not found" page), `meeting_id` (goes
    ///   with its meeting) and `link`, the web client's page it opens.
    /// - `notification_settings` (one row per person who chose) and
    ///   `notification_preferences` (per person and kind: app, e-mail cadence, push). A person
    ///   without rows has the defaults (`NotificationSettings.defaults`).
    /// - `follows`: (person, kind, target); `following = 0` is an explicit unfollow of a
    ///   member workspace. `follows_target` finds the followers of a tag or a person.
    /// - `digest_items`: notifications waiting for a daily or weekly e-mail; `mailed_period`
    ///   is set when a digest took them. `digest_claims` is the memory of which period was
    ///   mailed to whom: its primary key makes a second digest for a period impossible.
    /// - `events_actor` serves the home feed's "people I follow".
    static func registerNotifications(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v16-notifications") { db in
            try db.execute(sql: """
                ALTER TABLE notifications ADD COLUMN news_id TEXT;
                ALTER TABLE notifications ADD COLUMN meeting_id TEXT REFERENCES meetings (id) ON DELETE CASCADE;
                ALTER TABLE notifications ADD COLUMN link TEXT NOT NULL DEFAULT '';
                CREATE INDEX notifications_meeting ON notifications (meeting_id) WHERE meeting_id IS NOT NULL;

                CREATE TABLE notification_settings (
                    person_id     TEXT PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    quiet_enabled INTEGER NOT NULL CHECK (quiet_enabled IN (0, 1)),
                    quiet_from    TEXT NOT NULL,
                    quiet_to      TEXT NOT NULL,
                    time_zone     TEXT NOT NULL,
                    language      TEXT NOT NULL,
                    updated_at    REAL NOT NULL
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE notification_preferences (
                    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    kind      TEXT NOT NULL,
                    app       INTEGER NOT NULL CHECK (app IN (0, 1)),
                    email     TEXT NOT NULL CHECK (email IN ('off', 'immediate', 'daily', 'weekly')),
                    push      INTEGER NOT NULL CHECK (push IN (0, 1)),
                    PRIMARY KEY (person_id, kind)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE follows (
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    kind       TEXT NOT NULL CHECK (kind IN ('workspace', 'person', 'tag', 'category')),
                    target     TEXT NOT NULL,
                    following  INTEGER NOT NULL CHECK (following IN (0, 1)),
                    created_at REAL NOT NULL,
                    PRIMARY KEY (person_id, kind, target)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX follows_target ON follows (kind, target);

                CREATE TABLE digest_items (
                    id            TEXT PRIMARY KEY NOT NULL,
                    person_id     TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    cadence       TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly')),
                    kind          TEXT NOT NULL,
                    actor_name    TEXT NOT NULL,
                    excerpt       TEXT NOT NULL,
                    link          TEXT NOT NULL,
                    created_at    REAL NOT NULL,
                    mailed_period TEXT
                ) STRICT;
                CREATE INDEX digest_items_pending ON digest_items (cadence, person_id, created_at) WHERE mailed_period IS NULL;

                CREATE TABLE digest_claims (
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    cadence    TEXT NOT NULL,
                    period     TEXT NOT NULL,
                    claimed_at REAL NOT NULL,
                    PRIMARY KEY (person_id, cadence, period)
                ) STRICT, WITHOUT ROWID;

                CREATE INDEX events_actor ON events (actor_id, created_at) WHERE actor_id IS NOT NULL;
                """)
        }
    }
}
