@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import GRDB
import Testing

/// What the SQLite schema of v10 itself guarantees, beyond the contract: the audit log
/// cannot be rewritten, and a deleted person takes their identity rows along.
@Suite("SQLiteStore identity tables")
struct IdentitySQLiteTests {
    @Test("the database refuses to change an audit entry; pruning still deletes old ones")
    func auditAppendOnly() async throws {
        try await TemporaryDatabase.with { store, _ in
            let eva = AuditRef.person(id: PersonID(), name: "Eva Ek")
            try await store.appendAudit([
                AuditEntry(at: Instant.at(1), action: .roleChanged, actor: eva, target: eva, via: .hand, details: ["from": "member", "to": "admin"]),
                AuditEntry(at: Instant.at(5), action: .logout, actor: eva, target: eva),
            ])
            let before = try await store.auditEntries(AuditFilter(), afterID: 0, limit: 10)

            for sql in ["UPDATE audit_log SET actor_name = 'Någon annan'", "UPDATE audit_log SET details = '{}' WHERE action = 'role.changed'"] {
                let error = await #expect(throws: DatabaseError.self, "\(sql)") {
                    try await store.pool.write { db in try db.execute(sql: sql) }
                }
                #expect(error?.message?.contains("append-only") == true, "\(String(describing: error))")
            }
            #expect(try await store.auditEntries(AuditFilter(), afterID: 0, limit: 10) == before)

            #expect(try await store.pruneAudit(before: Instant.at(2)) == 1)
            #expect(try await store.auditEntries(AuditFilter(), afterID: 0, limit: 10) == Array(before.dropFirst()))
        }
    }

    @Test("deleting a person deletes their identities, groups, resets and login counters; the audit log keeps their name")
    func deletedPersonCascades() async throws {
        try await TemporaryDatabase.with { store, _ in
            let group = IdentityFixture.group("g-1", "Lärare")
            let profile = IdentityFixture.directory("s-ulla", login: "ulla", name: "Ulla Ulf", email: "ulla@example.se")
            let ulla = try await IdentityFixture.provision(store, profile, groups: [group]).person
            try await store.insertPasswordReset(PasswordResetRecord(tokenHash: "r", personID: ulla.id, createdAt: Instant.t0, expiresAt: Instant.at(3600)))
            _ = try await store.recordLoginFailure(scope: "account:\(ulla.id)", address: "10.0.0.1", person: ulla.id, at: Instant.at(1),
                                                   policy: LoginDelayPolicy(freeAttempts: 1))

            try await store.deletePerson(id: ulla.id)
            #expect(try await store.person(provider: "directory", subject: "s-ulla") == nil)
            #expect(try await store.passwordReset(tokenHash: "r") == nil)
            #expect(try await store.loginDelays(of: [ulla.id], now: Instant.at(1)).isEmpty)
            let (identities, groups) = try await store.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM external_identities") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM person_groups") ?? -1)
            }
            #expect(identities == 0 && groups == 0)
            #expect(try await store.knownGroup(key: group.key) == group, "the group itself is the directory's")
            #expect(try await store.lastAuditEntry(action: .accountCreated)?.target?.name == "Ulla Ulf")

            // The directory still lists her: she comes back as a new account.
            let again = try await IdentityFixture.provision(store, profile, at: Instant.at(200))
            #expect(again.created && again.person.id != ulla.id)
        }
    }
}
