extension PostgresSchema {
    /// Web Push (SQLite's v15, the same tables and columns, so `communis migrate-data` copies
    /// them as they are): each device's subscription, one row per endpoint, gone with its
    /// person; and the installation's VAPID key, which every node signs with.
    static let push = [
        """
        CREATE TABLE push_subscriptions (
            id         uuid PRIMARY KEY,
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            endpoint   text NOT NULL UNIQUE,
            p256dh     text NOT NULL,
            auth       text NOT NULL,
            user_agent text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX push_subscriptions_person ON push_subscriptions (person_id, created_at)",
        """
        CREATE TABLE push_keys (
            name        text PRIMARY KEY,
            private_key text NOT NULL,
            created_at  timestamptz NOT NULL
        )
        """,
    ]
}
