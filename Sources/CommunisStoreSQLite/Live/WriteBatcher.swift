import CommunisStore
import Foundation
import GRDB

/// Group commit for live writes. Owns the queue of changes waiting for the writer: the
/// first arrival starts a drain loop; whatever queues meanwhile is written together in the
/// next transaction, each change in its own savepoint. Results are handed back only after
/// the transaction has committed.
actor WriteBatcher {
    typealias Work = @Sendable (Database) throws -> Applied

    private let pool: DatabasePool
    /// Bounds one transaction, so a burst cannot hold the writer for long.
    private let maxBatch: Int
    private var pending: [(work: Work, reply: CheckedContinuation<Applied, any Error>)] = []
    private var draining = false

    init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    func submit(_ work: @escaping Work) async throws -> Applied {
        try await withCheckedThrowingContinuation { reply in
            pending.append((work, reply))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let works = batch.map(\.work)
            let results: [Result<Applied, any Error>]
            do {
                results = try await pool.write { db in
                    works.map { work in
                        Result {
                            var applied: Applied?
                            try db.inSavepoint {
                                applied = try work(db)
                                return .commit
                            }
                            return applied!
                        }
                    }
                }
            } catch {
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (item, result) in zip(batch, results) { item.reply.resume(with: result) }
        }
        draining = false
    }
}
