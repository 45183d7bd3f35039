import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Failed-login counters, password resets and OIDC logins under way.
extension PostgresStore {
    /// The scope of the counter of an address alone (no account scope starts with `*`).
    static let addressScope = "*"

    public func loginBlockedUntil(scope: String, address: String, now: Date) async throws -> Date? {
        try await client.query("""
            SELECT max(blocked_until) AS until FROM login_failures
            WHERE address = \(address) AND scope IN (\(scope), \(Self.addressScope)) AND blocked_until > \(now)
            """, logger: logger).first()?.get("until")
    }

    public func recordLoginFailure(scope: String, address: String, person: PersonID?, at: Date, policy: LoginDelayPolicy) async throws -> Date? {
        try await transaction { connection in
            // Each counter is created (and so locked) by this transaction, or read FOR UPDATE,
            // so failures from two nodes at once count twice, never once.
            func previous(_ key: String) async throws -> LoginFailureCounter? {
                let created = try await connection.query("""
                    INSERT INTO login_failures (scope, address, failures, first_failure_at, last_failure_at)
                    VALUES (\(key), \(address), 1, \(at), \(at)) ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger).first() != nil
                guard !created else { return nil }
                return try await connection.query("""
                    SELECT * FROM login_failures WHERE scope = \(key) AND address = \(address) FOR UPDATE
                    """, logger: logger).first().map { row in
                    LoginFailureCounter(failures: try row.get("failures"), firstFailureAt: try row.get("first_failure_at"),
                                        lastFailureAt: try row.get("last_failure_at"), blockedUntil: try row.get("blocked_until"))
                }
            }
            let account = LoginFailureCounter.afterAccountFailure(try await previous(scope), at: at, policy: policy)
            try await Self.write(account, scope: scope, address: address, person: person, on: connection, logger: logger)
            let perAddress = LoginFailureCounter.afterAddressFailure(try await previous(Self.addressScope), at: at, policy: policy)
            try await Self.write(perAddress, scope: Self.addressScope, address: address, person: nil, on: connection, logger: logger)
            return [account.blockedUntil, perAddress.blockedUntil].compactMap { $0 }.max()
        }
    }

    private static func write(_ counter: LoginFailureCounter, scope: String, address: String, person: PersonID?,
                              on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE login_failures SET person_id = \(person?.uuid), failures = \(counter.failures), first_failure_at = \(counter.firstFailureAt),
                last_failure_at = \(counter.lastFailureAt), blocked_until = \(counter.blockedUntil)
            WHERE scope = \(scope) AND address = \(address)
            """, logger: logger).run()
    }

    public func clearLoginFailures(scope: String, address: String) async throws {
        try await client.query("DELETE FROM login_failures WHERE scope = \(scope) AND address = \(address)", logger: logger).run()
    }

    public func clearLoginFailures(person: PersonID) async throws {
        try await client.query("DELETE FROM login_failures WHERE person_id = \(person.uuid)", logger: logger).run()
    }

    public func loginDelays(of people: [PersonID], now: Date) async throws -> [PersonID: Date] {
        guard !people.isEmpty else { return [:] }
        var result: [PersonID: Date] = [:]
        for row in try await client.query("""
            SELECT person_id, max(blocked_until) AS until FROM login_failures
            WHERE person_id = ANY(\(people.map(\.uuid))) AND blocked_until > \(now) GROUP BY person_id
            """, logger: logger).all() {
            result[try row.id("person_id")] = try row.get("until")
        }
        return result
    }

    public func pruneLoginFailures(before: Date) async throws -> Int {
        try await client.query("""
            DELETE FROM login_failures WHERE last_failure_at < \(before) AND coalesce(blocked_until, '-infinity') < \(before) RETURNING 1
            """, logger: logger).all().count
    }

    // MARK: Password resets

    public func insertPasswordReset(_ reset: PasswordResetRecord) async throws {
        do {
            try await client.query("""
                INSERT INTO password_resets (token_hash, person_id, created_at, expires_at, used_at)
                VALUES (\(reset.tokenHash), \(reset.personID.uuid), \(reset.createdAt), \(reset.expiresAt), \(reset.usedAt))
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Person")
        }
    }

    public func passwordReset(tokenHash: String) async throws -> PasswordResetRecord? {
        try await client.query("SELECT * FROM password_resets WHERE token_hash = \(tokenHash)", logger: logger).first().map { row in
            PasswordResetRecord(tokenHash: try row.get("token_hash"), personID: try row.id("person_id"), createdAt: try row.get("created_at"),
                                expiresAt: try row.get("expires_at"), usedAt: try row.get("used_at"))
        }
    }

    public func countPasswordResets(of person: PersonID, since: Date) async throws -> Int {
        try await client.query("""
            SELECT count(*) AS n FROM password_resets WHERE person_id = \(person.uuid) AND created_at >= \(since)
            """, logger: logger).first()?.get("n") ?? 0
    }

    public func completePasswordReset(tokenHash: String, passwordHash: String, at: Date) async throws -> PersonID {
        try await transaction { connection in
            guard let row = try await connection.query("""
                SELECT person_id, expires_at, used_at FROM password_resets WHERE token_hash = \(tokenHash) FOR UPDATE
                """, logger: logger).first(),
                  try row.get("used_at", as: Date?.self) == nil, at < (try row.get("expires_at", as: Date.self)) else {
                throw DomainError.resetInvalid
            }
            let person: PersonID = try row.id("person_id")
            try await connection.query("UPDATE people SET password_hash = \(passwordHash) WHERE id = \(person.uuid)", logger: logger).run()
            try await connection.query("UPDATE password_resets SET used_at = \(at) WHERE person_id = \(person.uuid) AND used_at IS NULL", logger: logger)
                .run()
            try await connection.query("DELETE FROM sessions WHERE person_id = \(person.uuid)", logger: logger).run()
            try await connection.query("DELETE FROM login_failures WHERE person_id = \(person.uuid)", logger: logger).run()
            return person
        }
    }

    // MARK: OIDC logins under way

    public func insertOIDCLogin(_ login: OIDCLoginRecord) async throws {
        try await client.query("""
            INSERT INTO oidc_logins (flow_hash, state, nonce, code_verifier, return_to, created_at, expires_at)
            VALUES (\(login.flowHash), \(login.state), \(login.nonce), \(login.codeVerifier), \(login.returnTo), \(login.createdAt), \(login.expiresAt))
            """, logger: logger).run()
    }

    public func takeOIDCLogin(flowHash: String, now: Date) async throws -> OIDCLoginRecord? {
        guard let row = try await client.query("DELETE FROM oidc_logins WHERE flow_hash = \(flowHash) RETURNING *", logger: logger).first() else {
            return nil
        }
        let record = OIDCLoginRecord(
            flowHash: try row.get("flow_hash"), state: try row.get("state"), nonce: try row.get("nonce"), codeVerifier: try row.get("code_verifier"),
            returnTo: try row.get("return_to"), createdAt: try row.get("created_at"), expiresAt: try row.get("expires_at"))
        return record.expiresAt > now ? record : nil
    }

    public func pruneLoginRecords(before: Date) async throws -> Int {
        let resets = try await client.query("DELETE FROM password_resets WHERE expires_at < \(before) RETURNING 1", logger: logger).all().count
        let logins = try await client.query("DELETE FROM oidc_logins WHERE expires_at < \(before) RETURNING 1", logger: logger).all().count
        return resets + logins
    }
}
