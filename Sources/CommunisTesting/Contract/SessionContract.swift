import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `SessionStore`: sessions (stored, extended, expired, ended everywhere) and API tokens.
public enum SessionContract {
    public static let cases: [ContractCase] = [
        ContractCase("a session is stored, extended and deleted", sessionLifecycle),
        ContractCase("expired sessions are deleted and counted", expiredSessions),
        ContractCase("deleteSessions(of:) logs one person out everywhere", sessionsOfPerson),
        ContractCase("API tokens are listed newest first and deleted only by their owner", apiTokens),
    ]

    /// A session of `person` made at `Instant.t0`, its CSRF token derived from `hash`.
    public static func session(_ hash: String, of person: PersonID, expiresIn seconds: TimeInterval = 3600) -> SessionRecord {
        SessionRecord(tokenHash: hash, personID: person, csrfToken: "csrf-\(hash)", createdAt: Instant.t0, expiresAt: Instant.at(seconds))
    }

    static func sessionLifecycle(_ store: any CommunisStore) async throws {
        let person = try await Fixture.insert(store, Fixture.person("Sara"))
        let record = session("hash-1", of: person.id)
        try await store.insertSession(record)
        #expect(try await store.session(tokenHash: "hash-1") == record)
        #expect(try await store.session(tokenHash: "other") == nil)

        try await store.extendSession(tokenHash: "hash-1", until: Instant.at(7200))
        #expect(try await store.session(tokenHash: "hash-1")?.expiresAt == Instant.at(7200))

        try await store.deleteSession(tokenHash: "hash-1")
        #expect(try await store.session(tokenHash: "hash-1") == nil)
        try await store.deleteSession(tokenHash: "hash-1") // deleting twice is harmless
    }

    static func expiredSessions(_ store: any CommunisStore) async throws {
        let person = try await Fixture.insert(store, Fixture.person("Sara"))
        try await store.insertSession(session("old-1", of: person.id, expiresIn: 10))
        try await store.insertSession(session("old-2", of: person.id, expiresIn: 20))
        try await store.insertSession(session("fresh", of: person.id, expiresIn: 3600))

        #expect(try await store.deleteExpiredSessions(before: Instant.at(30)) == 2)
        #expect(try await store.session(tokenHash: "old-1") == nil)
        #expect(try await store.session(tokenHash: "fresh") != nil)
        #expect(try await store.deleteExpiredSessions(before: Instant.at(30)) == 0)
    }

    static func sessionsOfPerson(_ store: any CommunisStore) async throws {
        let sara = try await Fixture.insert(store, Fixture.person("Sara"))
        let tom = try await Fixture.insert(store, Fixture.person("Tom"))
        try await store.insertSession(session("s1", of: sara.id))
        try await store.insertSession(session("s2", of: sara.id))
        try await store.insertSession(session("t1", of: tom.id))

        try await store.deleteSessions(of: sara.id)
        #expect(try await store.session(tokenHash: "s1") == nil)
        #expect(try await store.session(tokenHash: "s2") == nil)
        #expect(try await store.session(tokenHash: "t1") != nil)
    }

    static func apiTokens(_ store: any CommunisStore) async throws {
        let sara = try await Fixture.insert(store, Fixture.person("Sara"))
        let tom = try await Fixture.insert(store, Fixture.person("Tom"))
        let older = ApiTokenRecord(personID: sara.id, name: "Skript", tokenHash: "th-1", createdAt: Instant.at(1))
        let newer = ApiTokenRecord(personID: sara.id, name: "Kalender", tokenHash: "th-2", createdAt: Instant.at(2))
        try await store.insertApiToken(older)
        try await store.insertApiToken(newer)

        #expect(try await store.apiTokens(of: sara.id) == [newer, older])
        #expect(try await store.apiTokens(of: tom.id) == [])
        #expect(try await store.apiToken(tokenHash: "th-1") == older)
        #expect(try await store.apiToken(tokenHash: "nope") == nil)

        try await store.touchApiToken(id: older.id, at: Instant.at(50))
        #expect(try await store.apiToken(tokenHash: "th-1")?.lastUsedAt == Instant.at(50))

        #expect(try await store.deleteApiToken(id: older.id, of: tom.id) == false, "not Tom's token")
        #expect(try await store.apiToken(tokenHash: "th-1") != nil)
        #expect(try await store.deleteApiToken(id: older.id, of: sara.id) == true)
        #expect(try await store.apiToken(tokenHash: "th-1") == nil)
        #expect(try await store.deleteApiToken(id: older.id, of: sara.id) == false)
        #expect(try await store.apiTokens(of: sara.id) == [newer])
    }
}
