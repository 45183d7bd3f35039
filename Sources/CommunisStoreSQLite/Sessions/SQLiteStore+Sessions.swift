import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Throws `notFound("Person")` when the person does not exist, `conflict` when the token
    /// hash is already stored (a collision of random tokens: the caller makes a new one).
    public func insertSession(_ session: SessionRecord) async throws {
        try await pool.write { db in
            do {
                try SessionRow(session).insert(db)
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The session already exists.")
            }
        }
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        try await pool.read { db in try SessionRow.fetchOne(db, key: tokenHash)?.record }
    }

    public func extendSession(tokenHash: String, until: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE sessions SET expires_at = ? WHERE token_hash = ?",
                arguments: [until.unixSeconds, tokenHash]
            )
        }
    }

    public func touchSession(tokenHash: String, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", arguments: [at.unixSeconds, tokenHash])
        }
    }

    public func sessions(of personID: PersonID) async throws -> [SessionRecord] {
        try await pool.read { db in
            try SessionRow.fetchAll(db, sql: """
                SELECT * FROM sessions WHERE person_id = ? ORDER BY created_at DESC, id
                """, arguments: [personID.description]).map(\.record)
        }
    }

    public func deleteSession(id: SessionID, of personID: PersonID) async throws -> String? {
        try await pool.write { db in
            guard let hash = try String.fetchOne(db, sql: "SELECT token_hash FROM sessions WHERE id = ? AND person_id = ?",
                                                 arguments: [id.description, personID.description]) else { return nil }
            try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [hash])
            return hash
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func deleteSessions(of personID: PersonID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE person_id = ?", arguments: [personID.description])
        }
    }

    public func deleteExpiredSessions(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [before.unixSeconds])
            return db.changesCount
        }
    }

    /// Throws `notFound("Person")` when the person does not exist, `conflict` when the id or
    /// the token hash is already stored.
    public func insertApiToken(_ token: ApiTokenRecord) async throws {
        try await pool.write { db in
            do {
                try ApiTokenRow(token).insert(db)
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The API token already exists.")
            }
        }
    }

    public func apiToken(tokenHash: String) async throws -> ApiTokenRecord? {
        try await pool.read { db in
            try ApiTokenRow.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE token_hash = ?", arguments: [tokenHash])?.record
        }
    }

    public func apiTokens(of personID: PersonID) async throws -> [ApiTokenRecord] {
        try await pool.read { db in
            try ApiTokenRow.fetchAll(db, sql: """
                SELECT * FROM api_tokens WHERE person_id = ?
                ORDER BY created_at DESC, id
                """, arguments: [personID.description]).map(\.record)
        }
    }

    public func touchApiToken(id: ApiTokenID, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [at.unixSeconds, id.description])
        }
    }

    public func deleteApiToken(id: ApiTokenID, of personID: PersonID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM api_tokens WHERE id = ? AND person_id = ?",
                arguments: [id.description, personID.description]
            )
            return db.changesCount > 0
        }
    }
}
