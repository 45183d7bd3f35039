import GRDB

extension Schema {
    /// v15: Web Push — each device's subscription (one row per endpoint, gone with its person)
    /// and the installation's VAPID key.
    static func registerPush(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v15-push") { db in
            try db.execute(sql: """
                CREATE TABLE push_subscriptions (
                    id         TEXT PRIMARY KEY NOT NULL,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    endpoint   TEXT NOT NULL UNIQUE,
                    p256dh     TEXT NOT NULL,
                    auth       TEXT NOT NULL,
                    user_agent TEXT NOT NULL DEFAULT '',
                    created_at REAL NOT NULL
                ) STRICT;
                CREATE INDEX push_subscriptions_person ON push_subscriptions (person_id, created_at);
                CREATE TABLE push_keys (
                    name        TEXT PRIMARY KEY NOT NULL,
                    private_key TEXT NOT NULL,
                    created_at  REAL NOT NULL
                ) STRICT;
                """)
        }
    }
}
