import CommunisStore
import Foundation
import GRDB
import Synchronization

extension SQLiteStore {
    /// One process owns the file, so the claim row decides the period and a set of the jobs
    /// running now keeps a job that outlasts its period from starting twice.
    public func runJob(_ name: String, every interval: TimeInterval, node: String, at now: Date,
                       _ body: @Sendable () async throws -> Void) async throws -> Bool {
        guard runningJobs.withLock({ $0.insert(name).inserted }) else { return false }
        defer { _ = runningJobs.withLock { $0.remove(name) } }
        let claimed = try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO periodic_jobs (name, node_id, last_run_at) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, last_run_at = excluded.last_run_at
                  WHERE periodic_jobs.last_run_at <= ?
                """, arguments: [name, node, now.timeIntervalSince1970, now.timeIntervalSince1970 - interval])
            return db.changesCount > 0
        }
        if claimed { try await body() }
        return claimed
    }
}
