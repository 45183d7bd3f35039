import GRDB

extension Schema {
    /// v11: the claim of each periodic job's current period (`JobStore.runJob`), the same table
    /// the PostgreSQL engine shares between the nodes of a cluster.
    static func registerJobs(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-periodic-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE periodic_jobs (
                    name        TEXT PRIMARY KEY NOT NULL,
                    node_id     TEXT NOT NULL,
                    last_run_at REAL NOT NULL
                ) STRICT;
                """)
        }
    }

    /// v12: a meeting is found by its chat thread (the feed and search leave meeting chats
    /// out, thread views mark them).
    static func registerMeetingChats(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-meetings-by-thread") { db in
            try db.execute(sql: "CREATE INDEX meetings_thread ON meetings (thread_id)")
        }
    }
}
