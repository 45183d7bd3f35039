import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `LoginStore`'s password resets and OIDC logins under way, and the listable sessions of
/// `SessionStore` (id, method, address, user agent, last request).
public enum LoginRecordContract {
    public static let cases: [ContractCase] = [
        ContractCase("a password reset sets the password once: every open reset used, sessions ended, login delays forgotten", completeReset),
        ContractCase("an expired or unknown password reset is invalid and changes nothing", invalidResets),
        ContractCase("an OIDC login under way is taken once, and never once expired", oidcLogins),
        ContractCase("pruneLoginRecords deletes expired resets and OIDC logins only", pruneRecords),
        ContractCase("sessions keep their id, method, address, user agent and last request; listed newest first", sessionFields),
        ContractCase("a session is ended by id only for its owner, who gets its token hash back", deleteSessionByID),
    ]

    static func reset(_ token: String, of person: PersonID, at seconds: TimeInterval, expiresIn: TimeInterval = 3600) -> PasswordResetRecord {
        PasswordResetRecord(tokenHash: token, personID: person, createdAt: Instant.at(seconds), expiresAt: Instant.at(seconds + expiresIn))
    }

    static func completeReset(_ store: any CommunisStore) async throws {
        let lisa = try await Fixture.insert(store, Fixture.person("Lisa Lund"), passwordHash: "$2b$12$old")
        let tom = try await Fixture.insert(store, Fixture.person("Tom Tå"))
        // Someone has been guessing Lisa's password from one address.
        let policy = LoginDelayPolicy(freeAttempts: 1, maxDelay: 60, addressFailures: 100, addressWindow: 600)
        let scope = "account:\(lisa.id)"
        _ = try await store.recordLoginFailure(scope: scope, address: "10.0.0.1", person: lisa.id, at: Instant.at(1), policy: policy)
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.1", now: Instant.at(1)) != nil)
        for hash in ["lisa-1", "lisa-2"] { try await store.insertSession(SessionContract.session(hash, of: lisa.id)) }
        try await store.insertSession(SessionContract.session("tom-1", of: tom.id))

        let first = reset("r1", of: lisa.id, at: 100), second = reset("r2", of: lisa.id, at: 200), toms = reset("t1", of: tom.id, at: 150)
        for record in [first, second, toms] { try await store.insertPasswordReset(record) }
        #expect(try await store.passwordReset(tokenHash: "r1") == first)
        #expect(try await store.passwordReset(tokenHash: "unknown") == nil)
        #expect(try await store.countPasswordResets(of: lisa.id, since: Instant.at(100)) == 2)
        #expect(try await store.countPasswordResets(of: lisa.id, since: Instant.at(150)) == 1)
        #expect(try await store.countPasswordResets(of: tom.id, since: Instant.t0) == 1)

        #expect(try await store.completePasswordReset(tokenHash: "r2", passwordHash: "$2b$12$new", at: Instant.at(300)) == lisa.id)
        #expect(try await store.credentials(id: lisa.id)?.passwordHash == "$2b$12$new")
        #expect(try await store.passwordReset(tokenHash: "r2")?.usedAt == Instant.at(300))
        #expect(try await store.passwordReset(tokenHash: "r1")?.usedAt == Instant.at(300), "an older link dies with the newer one's use")
        #expect(try await store.passwordReset(tokenHash: "t1")?.usedAt == nil)
        #expect(try await store.session(tokenHash: "lisa-1") == nil)
        #expect(try await store.session(tokenHash: "lisa-2") == nil)
        #expect(try await store.session(tokenHash: "tom-1") != nil)
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.1", now: Instant.at(1)) == nil)
        #expect(try await store.loginDelays(of: [lisa.id], now: Instant.at(1)).isEmpty)

        for token in ["r2", "r1"] {
            let code = await domainErrorCode { _ = try await store.completePasswordReset(tokenHash: token, passwordHash: "$2b$12$again", at: Instant.at(301)) }
            #expect(code == "reset-invalid", "\(token)")
        }
        #expect(try await store.credentials(id: lisa.id)?.passwordHash == "$2b$12$new")
        #expect(try await store.countPasswordResets(of: lisa.id, since: Instant.t0) == 2, "the count is of asks, used or not")
    }

    static func invalidResets(_ store: any CommunisStore) async throws {
        let lisa = try await Fixture.insert(store, Fixture.person("Lisa Lund"), passwordHash: "$2b$12$old")
        try await store.insertSession(SessionContract.session("lisa-1", of: lisa.id))
        try await store.insertPasswordReset(reset("late", of: lisa.id, at: 0, expiresIn: 60))
        try await store.insertPasswordReset(reset("in-time", of: lisa.id, at: 0, expiresIn: 60))

        let expired = await domainErrorCode { _ = try await store.completePasswordReset(tokenHash: "late", passwordHash: "$2b$12$new", at: Instant.at(60)) }
        #expect(expired == "reset-invalid")
        let unknown = await domainErrorCode { _ = try await store.completePasswordReset(tokenHash: "never", passwordHash: "$2b$12$new", at: Instant.at(1)) }
        #expect(unknown == "reset-invalid")
        #expect(try await store.credentials(id: lisa.id)?.passwordHash == "$2b$12$old")
        #expect(try await store.session(tokenHash: "lisa-1") != nil)
        #expect(try await store.passwordReset(tokenHash: "late")?.usedAt == nil)

        #expect(try await store.completePasswordReset(tokenHash: "in-time", passwordHash: "$2b$12$new", at: Instant.at(59)) == lisa.id)
        #expect(try await store.credentials(id: lisa.id)?.passwordHash == "$2b$12$new")
    }

    static func oidcLogins(_ store: any CommunisStore) async throws {
        let login = OIDCLoginRecord(flowHash: "flow-1", state: "state-1", nonce: "nonce-1", codeVerifier: "verifier-1", returnTo: "#/arbetsytor",
                                    createdAt: Instant.t0, expiresAt: Instant.at(600))
        let slow = OIDCLoginRecord(flowHash: "flow-2", state: "state-2", nonce: "nonce-2", codeVerifier: "verifier-2", returnTo: "#/",
                                   createdAt: Instant.t0, expiresAt: Instant.at(600))
        try await store.insertOIDCLogin(login)
        try await store.insertOIDCLogin(slow)

        #expect(try await store.takeOIDCLogin(flowHash: "flow-1", now: Instant.at(10)) == login)
        #expect(try await store.takeOIDCLogin(flowHash: "flow-1", now: Instant.at(11)) == nil, "a callback is used once")
        #expect(try await store.takeOIDCLogin(flowHash: "flow-2", now: Instant.at(600)) == nil, "expired")
        #expect(try await store.takeOIDCLogin(flowHash: "unknown", now: Instant.at(10)) == nil)
    }

    static func pruneRecords(_ store: any CommunisStore) async throws {
        let lisa = try await Fixture.insert(store, Fixture.person("Lisa Lund"))
        try await store.insertPasswordReset(reset("old", of: lisa.id, at: 0, expiresIn: 100))
        try await store.insertPasswordReset(reset("fresh", of: lisa.id, at: 900, expiresIn: 3600))
        try await store.insertPasswordReset(PasswordResetRecord(tokenHash: "used", personID: lisa.id, createdAt: Instant.at(900),
                                                                expiresAt: Instant.at(4500), usedAt: Instant.at(950)))
        func login(_ flow: String, expires: TimeInterval) -> OIDCLoginRecord {
            OIDCLoginRecord(flowHash: flow, state: "s", nonce: "n", codeVerifier: "v", returnTo: "#/", createdAt: Instant.t0, expiresAt: Instant.at(expires))
        }
        try await store.insertOIDCLogin(login("old-flow", expires: 100))
        try await store.insertOIDCLogin(login("fresh-flow", expires: 5000))

        #expect(try await store.pruneLoginRecords(before: Instant.at(1000)) == 2)
        #expect(try await store.passwordReset(tokenHash: "old") == nil)
        #expect(try await store.passwordReset(tokenHash: "fresh") != nil)
        #expect(try await store.passwordReset(tokenHash: "used")?.usedAt == Instant.at(950))
        #expect(try await store.takeOIDCLogin(flowHash: "fresh-flow", now: Instant.at(1000))?.flowHash == "fresh-flow")
        #expect(try await store.pruneLoginRecords(before: Instant.at(1000)) == 0)
    }

    static func sessionFields(_ store: any CommunisStore) async throws {
        let sara = try await Fixture.insert(store, Fixture.person("Sara Sjö"))
        let tom = try await Fixture.insert(store, Fixture.person("Tom Tå"))
        let older = SessionRecord(tokenHash: "s-old", personID: sara.id, csrfToken: "c-1", createdAt: Instant.at(10), expiresAt: Instant.at(3600),
                                  method: .directory, address: "10.0.0.7", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0")
        let invited = SessionRecord(tokenHash: "s-inv", personID: sara.id, csrfToken: "c-2", createdAt: Instant.at(15), expiresAt: Instant.at(3600),
                                    method: .invitation, address: "192.0.2.1", userAgent: "")
        let newer = SessionRecord(tokenHash: "s-new", personID: sara.id, csrfToken: "c-3", createdAt: Instant.at(20), expiresAt: Instant.at(5),
                                  method: .oidc, address: "2001:db8::1", userAgent: "Safari/605.1.15", lastSeenAt: Instant.at(25))
        for record in [newer, older, invited] { try await store.insertSession(record) }

        #expect(try await store.session(tokenHash: "s-old") == older)
        #expect(try await store.session(tokenHash: "s-new") == newer)
        #expect(try await store.sessions(of: sara.id) == [newer, invited, older], "newest first, the expired one too")
        #expect(try await store.sessions(of: tom.id).isEmpty)
        #expect(SessionContract.session("plain", of: sara.id).method == .password)

        try await store.touchSession(tokenHash: "s-old", at: Instant.at(500))
        var touched = older
        touched.lastSeenAt = Instant.at(500)
        #expect(try await store.session(tokenHash: "s-old") == touched)
        try await store.touchSession(tokenHash: "unknown", at: Instant.at(500)) // harmless
        #expect(try await store.session(tokenHash: "s-new") == newer)
    }

    static func deleteSessionByID(_ store: any CommunisStore) async throws {
        let sara = try await Fixture.insert(store, Fixture.person("Sara Sjö"))
        let tom = try await Fixture.insert(store, Fixture.person("Tom Tå"))
        let saras = SessionContract.session("s-1", of: sara.id)
        try await store.insertSession(saras)
        try await store.insertSession(SessionContract.session("t-1", of: tom.id))

        #expect(try await store.deleteSession(id: saras.id, of: tom.id) == nil, "not Tom's session")
        #expect(try await store.session(tokenHash: "s-1") == saras)
        #expect(try await store.deleteSession(id: saras.id, of: sara.id) == "s-1")
        #expect(try await store.session(tokenHash: "s-1") == nil)
        #expect(try await store.deleteSession(id: saras.id, of: sara.id) == nil)
        #expect(try await store.deleteSession(id: SessionID(), of: sara.id) == nil)
        #expect(try await store.session(tokenHash: "t-1") != nil)
    }
}
