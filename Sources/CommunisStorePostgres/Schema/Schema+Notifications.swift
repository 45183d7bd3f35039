extension PostgresSchema {
    /// The notification centre (issue 14), the same tables as SQLite's `v16-notifications`
    /// (see there for what each holds). Keys are DEFERRABLE like every other (see `deferrableKeys`).
    static let notifications: [String] = [
        "ALTER TABLE notifications ADD COLUMN news_id uuid",
        "ALTER TABLE notifications ADD COLUMN meeting_id uuid REFERENCES meetings (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE",
        "ALTER TABLE notifications ADD COLUMN link text NOT NULL DEFAULT ''",
        "CREATE INDEX notifications_meeting ON notifications (meeting_id) WHERE meeting_id IS NOT NULL",
        """
        CREATE TABLE notification_settings (
            person_id     uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            quiet_enabled boolean NOT NULL,
            quiet_from    text NOT NULL,
            quiet_to      text NOT NULL,
            time_zone     text NOT NULL,
            language      text NOT NULL,
            updated_at    timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE notification_preferences (
            person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            kind      text NOT NULL,
            app       boolean NOT NULL,
            email     text NOT NULL CHECK (email IN ('off', 'immediate', 'daily', 'weekly')),
            push      boolean NOT NULL,
            PRIMARY KEY (person_id, kind)
        )
        """,
        """
        CREATE TABLE follows (
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            kind       text NOT NULL CHECK (kind IN ('workspace', 'person', 'tag', 'category')),
            target     text NOT NULL,
            following  boolean NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (person_id, kind, target)
        )
        """,
        "CREATE INDEX follows_target ON follows (kind, target)",
        """
        CREATE TABLE digest_items (
            id            uuid PRIMARY KEY,
            person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            cadence       text NOT NULL CHECK (cadence IN ('daily', 'weekly')),
            kind          text NOT NULL,
            actor_name    text NOT NULL,
            excerpt       text NOT NULL,
            link          text NOT NULL,
            created_at    timestamptz NOT NULL,
            mailed_period text
        )
        """,
        "CREATE INDEX digest_items_pending ON digest_items (cadence, person_id, created_at) WHERE mailed_period IS NULL",
        """
        CREATE TABLE digest_claims (
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
            cadence    text NOT NULL,
            period     text NOT NULL,
            claimed_at timestamptz NOT NULL,
            PRIMARY KEY (person_id, cadence, period)
        )
        """,
        "CREATE INDEX events_actor ON events (actor_id, created_at) WHERE actor_id IS NOT NULL",
    ]
}
