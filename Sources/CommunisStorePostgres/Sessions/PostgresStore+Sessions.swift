import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    static let sessionColumns = "token_hash, id, person_id, csrf_token, created_at, expires_at, method, address, user_agent, last_seen_at"

    static func session(_ row: PostgresRandomAccessRow) throws -> SessionRecord {
        SessionRecord(
            id: try row.id("id"), tokenHash: try row.get("token_hash"), personID: try row.id("person_id"), csrfToken: try row.get("csrf_token"),
            createdAt: try row.get("created_at"), expiresAt: try row.get("expires_at"), method: try row.enum("method"),
            address: try row.get("address"), userAgent: try row.get("user_agent"), lastSeenAt: try row.get("last_seen_at"))
    }

    /// Throws `notFound("Person")` when the person does not exist, `conflict` when the token
    /// hash is already stored (a collision of random tokens: the caller makes a new one).
    public func insertSession(_ session: SessionRecord) async throws {
        do {
            try await client.query("""
                INSERT INTO sessions (token_hash, id, person_id, csrf_token, created_at, expires_at, method, address, user_agent, last_seen_at)
                VALUES (\(session.tokenHash), \(session.id.uuid), \(session.personID.uuid), \(session.csrfToken), \(session.createdAt),
                        \(session.expiresAt), \(session.method.rawValue), \(session.address), \(String(session.userAgent.prefix(300))),
                        \(session.lastSeenAt))
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Person")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The session already exists.")
        }
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        try await client.query("SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE token_hash = \(tokenHash)", logger: logger)
            .first().map(Self.session)
    }

    public func extendSession(tokenHash: String, until: Date) async throws {
        try await client.query("UPDATE sessions SET expires_at = \(until) WHERE token_hash = \(tokenHash)", logger: logger).run()
    }

    public func touchSession(tokenHash: String, at: Date) async throws {
        try await client.query("UPDATE sessions SET last_seen_at = \(at) WHERE token_hash = \(tokenHash)", logger: logger).run()
    }

    public func deleteSession(tokenHash: String) async throws {
        try await client.query("DELETE FROM sessions WHERE token_hash = \(tokenHash)", logger: logger).run()
    }

    public func deleteSessions(of personID: PersonID) async throws {
        try await client.query("DELETE FROM sessions WHERE person_id = \(personID.uuid)", logger: logger).run()
    }

    public func sessions(of personID: PersonID) async throws -> [SessionRecord] {
        try await client.query("""
            SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE person_id = \(personID.uuid) ORDER BY created_at DESC, id
            """, logger: logger).all().map(Self.session)
    }

    public func deleteSession(id: SessionID, of personID: PersonID) async throws -> String? {
        try await client.query("""
            DELETE FROM sessions WHERE id = \(id.uuid) AND person_id = \(personID.uuid) RETURNING token_hash
            """, logger: logger).first()?.get("token_hash")
    }

    public func deleteExpiredSessions(before: Date) async throws -> Int {
        try await client.query("DELETE FROM sessions WHERE expires_at < \(before) RETURNING 1", logger: logger).all().count
    }

    /// Throws `notFound("Person")` when the person does not exist, `conflict` when the id or
    /// the token hash is already stored.
    public func insertApiToken(_ token: ApiTokenRecord) async throws {
        do {
            try await client.query("""
                INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, last_used_at)
                VALUES (\(token.id.uuid), \(token.personID.uuid), \(token.name), \(token.tokenHash), \(token.createdAt), \(token.lastUsedAt))
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Person")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The API token already exists.")
        }
    }

    static func apiToken(_ row: PostgresRandomAccessRow) throws -> ApiTokenRecord {
        ApiTokenRecord(id: try row.id("id"), personID: try row.id("person_id"), name: try row.get("name"), tokenHash: try row.get("token_hash"),
                       createdAt: try row.get("created_at"), lastUsedAt: try row.get("last_used_at"))
    }

    public func apiToken(tokenHash: String) async throws -> ApiTokenRecord? {
        try await client.query("SELECT * FROM api_tokens WHERE token_hash = \(tokenHash)", logger: logger).first().map(Self.apiToken)
    }

    public func apiTokens(of personID: PersonID) async throws -> [ApiTokenRecord] {
        try await client.query("SELECT * FROM api_tokens WHERE person_id = \(personID.uuid) ORDER BY created_at DESC, id", logger: logger)
            .all().map(Self.apiToken)
    }

    public func touchApiToken(id: ApiTokenID, at: Date) async throws {
        try await client.query("UPDATE api_tokens SET last_used_at = \(at) WHERE id = \(id.uuid)", logger: logger).run()
    }

    public func deleteApiToken(id: ApiTokenID, of personID: PersonID) async throws -> Bool {
        try await client.query("DELETE FROM api_tokens WHERE id = \(id.uuid) AND person_id = \(personID.uuid) RETURNING 1", logger: logger)
            .first() != nil
    }
}
