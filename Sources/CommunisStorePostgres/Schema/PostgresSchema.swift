import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema as an append-only list of migrations, written in SQL (never with the
/// app's types), each applied in its own transaction under an advisory lock, so that nodes
/// starting together migrate once. Never edit a migration that has shipped: add one.
///
/// Each area keeps its statements in its own file (`Schema+<Area>.swift`); the order here is
/// the order of foreign keys.
enum PostgresSchema {
    struct Migration: Sendable {
        let id: String
        let statements: [String]
    }

    static var migrations: [Migration] {
        [
            Migration(id: "pg1-people", statements: people),
            Migration(id: "pg1-workspaces", statements: workspaces),
            Migration(id: "pg1-knowledge-bank", statements: knowledgeBank),
            Migration(id: "pg1-live", statements: live),
            Migration(id: "pg1-meetings", statements: meetings),
            Migration(id: "pg1-recordings", statements: recordings),
            Migration(id: "pg1-identity", statements: identity),
            Migration(id: "pg1-search", statements: search),
            Migration(id: "pg1-cluster", statements: cluster),
            Migration(id: "pg1-deferrable-keys", statements: deferrableKeys),
            Migration(id: "pg2-meetings-by-thread", statements: ["CREATE INDEX meetings_thread ON meetings (thread_id)"]),
            Migration(id: "pg2-search-workspaces", statements: searchWorkspaces),
            Migration(id: "pg2-documents", statements: documents),
            Migration(id: "pg3-push", statements: push),
            Migration(id: "pg4-notifications", statements: notifications),
            Migration(id: "pg5-news", statements: news),
        ].filter { !$0.statements.isEmpty }
    }

    /// Every foreign key may be checked at the end of a transaction instead of at each statement
    /// (`SET CONSTRAINTS ALL DEFERRED`), which only copying an installation asks for (rows that
    /// point at rows of their own table arrive in any order). Written last, so it covers every
    /// key the migrations before it made; each migration that adds a key later says DEFERRABLE.
    static let deferrableKeys = ["""
        DO $$
        DECLARE key record;
        BEGIN
            FOR key IN SELECT c.conrelid::regclass AS owner, c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                       WHERE c.contype = 'f' AND NOT c.condeferrable AND n.nspname = current_schema()
            LOOP
                EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', key.owner, key.conname);
            END LOOP;
        END $$
        """]

    /// The key of the advisory lock migrations hold ("communis" in ASCII).
    static let lockKey: Int64 = 0x636F_6D6D_756E_6973
}

extension PostgresStore {
    /// Applies the migrations the database lacks, in order, each in one transaction; returns
    /// the ones applied now. Safe to run from several nodes at once.
    @discardableResult
    public func migrate() async throws -> [String] {
        // Under the lock too: two nodes creating the table at once would collide in the catalog
        // (IF NOT EXISTS is not safe against a concurrent CREATE).
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger).run()
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS communis_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger).run()
        }
        var applied: [String] = []
        for migration in PostgresSchema.migrations {
            let done = try await client.withTransaction(logger: logger) { connection -> Bool in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger).run()
                let exists = try await connection.query("SELECT 1 FROM communis_migrations WHERE id = \(migration.id)", logger: logger)
                    .first() != nil
                guard !exists else { return false }
                for statement in migration.statements {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).run()
                    } catch {
                        throw PostgresStoreError.migration("\(migration.id): \(String(reflecting: error)) in: \(statement.prefix(200))")
                    }
                }
                try await connection.query("INSERT INTO communis_migrations (id) VALUES (\(migration.id))", logger: logger).run()
                return true
            }
            if done { applied.append(migration.id) }
        }
        if !applied.isEmpty {
            logger.info("migrated the PostgreSQL database", metadata: ["db.migrations": "\(applied.joined(separator: ","))", "db.url": "\(location)"])
        }
        return applied
    }

    /// The migrations applied to the database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await client.query("SELECT id FROM communis_migrations ORDER BY applied_at, id", logger: logger).all().map { try $0.get("id") }
    }

    /// Every migration this build knows, in order.
    public static var knownMigrations: [String] { PostgresSchema.migrations.map(\.id) }
}
