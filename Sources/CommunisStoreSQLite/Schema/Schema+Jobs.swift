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
}
