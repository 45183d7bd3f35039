import PostgresNIO

extension PostgresStore {
    /// Runs `body` in one transaction on a pooled connection and gives back what `body` throws
    /// as it was thrown (postgres-nio wraps it in `PostgresTransactionError`, which would turn
    /// every `DomainError` into an unreadable one). A deadlock or serialization failure rolled
    /// the whole transaction back, so it is run again, at most `attempts` times.
    func transaction<T>(
        attempts: Int = 3, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        var attempt = 1
        while true {
            do {
                return try await client.withTransaction(logger: logger, isolation: isolation, body)
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
                if let failure = cause as? PSQLError, failure.isSerializationFailure, attempt < attempts {
                    attempt += 1
                    logger.debug("a transaction was rolled back by the database and is run again", metadata: [
                        "db.sqlstate": "\(failure.sqlState ?? "")", "db.attempt": "\(attempt)",
                    ])
                    continue
                }
                throw cause
            }
        }
    }
}
