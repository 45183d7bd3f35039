import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Failed-login counters, password resets and OIDC logins under way.
extension SQLiteStore {
    /// The scope of the counter of an address alone (no account scope starts with `*`).
    static let addressScope = "*"

    public func loginBlockedUntil(scope: String, address: String, now: Date) async throws -> Date? {
        try await pool.read { db in
            let until = try Double.fetchOne(db, sql: """
                SELECT max(blocked_until) FROM login_failures
                WHERE address = ? AND scope IN (?, ?) AND blocked_until > ?
                """, arguments: [address, scope, Self.addressScope, now.unixSeconds])
            return until.map(Date.init(timeIntervalSince1970:))
        }
    }

    public func recordLoginFailure(scope: String, address: String, person: PersonID?, at: Date, policy: LoginDelayPolicy) async throws -> Date? {
        try await pool.write { db in
            let account = LoginFailureCounter.afterAccountFailure(try Self.counter(scope, address, db), at: at, policy: policy)
            try Self.write(account, scope: scope, address: address, person: person, db)
            let perAddress = LoginFailureCounter.afterAddressFailure(try Self.counter(Self.addressScope, address, db), at: at, policy: policy)
            try Self.write(perAddress, scope: Self.addressScope, address: address, person: nil, db)
            return [account.blockedUntil, perAddress.blockedUntil].compactMap { $0 }.max()
        }
    }

    public func clearLoginFailures(scope: String, address: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE scope = ? AND address = ?", arguments: [scope, address])
        }
    }

    public func clearLoginFailures(person: PersonID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE person_id = ?", arguments: [person.description])
        }
    }

    public func loginDelays(of people: [PersonID], now: Date) async throws -> [PersonID: Date] {
        guard !people.isEmpty else { return [:] }
        return try await pool.read { db in
            var result: [PersonID: Date] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT person_id, max(blocked_until) AS until FROM login_failures
                WHERE person_id IN (SELECT value FROM json_each(?)) AND blocked_until > ?
                GROUP BY person_id
                """, arguments: [jsonArray(people.map(\.description)), now.unixSeconds]) {
                let idText: String = row["person_id"]
                if let id = PersonID(idText) { result[id] = Date(timeIntervalSince1970: row["until"]) }
            }
            return result
        }
    }

    public func pruneLoginFailures(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE last_failure_at < ? AND coalesce(blocked_until, 0) < ?",
                           arguments: [before.unixSeconds, before.unixSeconds])
            return db.changesCount
        }
    }

    private static func counter(_ scope: String, _ address: String, _ db: Database) throws -> LoginFailureCounter? {
        try Row.fetchOne(db, sql: "SELECT * FROM login_failures WHERE scope = ? AND address = ?", arguments: [scope, address]).map { row in
            let blocked: Double? = row["blocked_until"]
            return LoginFailureCounter(
                failures: row["failures"], firstFailureAt: Date(timeIntervalSince1970: row["first_failure_at"]),
                lastFailureAt: Date(timeIntervalSince1970: row["last_failure_at"]), blockedUntil: blocked.map(Date.init(timeIntervalSince1970:)))
        }
    }

    private static func write(_ counter: LoginFailureCounter, scope: String, address: String, person: PersonID?, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO login_failures (scope, address, person_id, failures, first_failure_at, last_failure_at, blocked_until)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (scope, address) DO UPDATE SET
                person_id = excluded.person_id, failures = excluded.failures, first_failure_at = excluded.first_failure_at,
                last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until
            """, arguments: [scope, address, person?.description, counter.failures, counter.firstFailureAt.unixSeconds,
                             counter.lastFailureAt.unixSeconds, counter.blockedUntil?.unixSeconds])
    }

    // MARK: Password resets

    public func insertPasswordReset(_ reset: PasswordResetRecord) async throws {
        try await pool.write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO password_resets (token_hash, person_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [reset.tokenHash, reset.personID.description, reset.createdAt.unixSeconds,
                                     reset.expiresAt.unixSeconds, reset.usedAt?.unixSeconds])
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
        }
    }

    public func passwordReset(tokenHash: String) async throws -> PasswordResetRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM password_resets WHERE token_hash = ?", arguments: [tokenHash]).flatMap { row in
                let personText: String = row["person_id"]
                guard let person = PersonID(personText) else { throw CorruptRow(table: "password_resets", column: "person_id", value: personText) }
                let used: Double? = row["used_at"]
                return PasswordResetRecord(tokenHash: row["token_hash"], personID: person, createdAt: Date(timeIntervalSince1970: row["created_at"]),
                                           expiresAt: Date(timeIntervalSince1970: row["expires_at"]), usedAt: used.map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func countPasswordResets(of person: PersonID, since: Date) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM password_resets WHERE person_id = ? AND created_at >= ?",
                             arguments: [person.description, since.unixSeconds]) ?? 0
        }
    }

    public func completePasswordReset(tokenHash: String, passwordHash: String, at: Date) async throws -> PersonID {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT person_id, expires_at, used_at FROM password_resets WHERE token_hash = ?",
                                             arguments: [tokenHash]),
                  (row["used_at"] as Double?) == nil, at.unixSeconds < (row["expires_at"] as Double),
                  let person = PersonID(row["person_id"] as String) else {
                throw DomainError.resetInvalid
            }
            try db.execute(sql: "UPDATE people SET password_hash = ? WHERE id = ?", arguments: [passwordHash, person.description])
            try db.execute(sql: "UPDATE password_resets SET used_at = ? WHERE person_id = ? AND used_at IS NULL",
                           arguments: [at.unixSeconds, person.description])
            try db.execute(sql: "DELETE FROM sessions WHERE person_id = ?", arguments: [person.description])
            try db.execute(sql: "DELETE FROM login_failures WHERE person_id = ?", arguments: [person.description])
            return person
        }
    }

    // MARK: OIDC logins under way

    public func insertOIDCLogin(_ login: OIDCLoginRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO oidc_logins (flow_hash, state, nonce, code_verifier, return_to, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [login.flowHash, login.state, login.nonce, login.codeVerifier, login.returnTo,
                                 login.createdAt.unixSeconds, login.expiresAt.unixSeconds])
        }
    }

    public func takeOIDCLogin(flowHash: String, now: Date) async throws -> OIDCLoginRecord? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oidc_logins WHERE flow_hash = ?", arguments: [flowHash]) else { return nil }
            try db.execute(sql: "DELETE FROM oidc_logins WHERE flow_hash = ?", arguments: [flowHash])
            let record = OIDCLoginRecord(
                flowHash: row["flow_hash"], state: row["state"], nonce: row["nonce"], codeVerifier: row["code_verifier"],
                returnTo: row["return_to"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
            return record.expiresAt > now ? record : nil
        }
    }

    public func pruneLoginRecords(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM password_resets WHERE expires_at < ?", arguments: [before.unixSeconds])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM oidc_logins WHERE expires_at < ?", arguments: [before.unixSeconds])
            removed += db.changesCount
            return removed
        }
    }
}
