import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Settings of login and sessions, taken from the configuration.
public struct AccountSettings: Sendable {
    public var sessionLifetime: TimeInterval
    public var lockThreshold: Int
    public var lockDuration: TimeInterval

    public init(sessionLifetime: TimeInterval = 14 * 86_400, lockThreshold: Int = 5, lockDuration: TimeInterval = 15 * 60) {
        self.sessionLifetime = sessionLifetime
        self.lockThreshold = lockThreshold
        self.lockDuration = lockDuration
    }
}

/// A started session: `token` goes into the cookie and is never stored.
public struct StartedSession: Sendable {
    public var token: String
    public var record: SessionRecord
    public var person: Person
}

/// Login, sessions and API tokens.
public struct Accounts: Sendable {
    let store: any CommunisStore
    let hasher: any PasswordHasher
    let settings: AccountSettings
    let throttle: LoginThrottle
    let publisher: any LivePublisher
    let clock: Clock
    let logger: Logger
    /// A hash of a random password, checked against when the account does not exist.
    let timingDummyHash: String

    public init(store: any CommunisStore, hasher: any PasswordHasher, settings: AccountSettings, throttle: LoginThrottle, publisher: any LivePublisher = NoLivePublisher(), clock: Clock = Clock(), logger: Logger) async {
        self.publisher = publisher
        self.timingDummyHash = await hasher.hash(Secrets.newToken())
        self.store = store
        self.hasher = hasher
        self.settings = settings
        self.throttle = throttle
        self.clock = clock
        self.logger = logger
    }

    /// Checks the password and starts a session. The order of checks avoids telling a
    /// stranger whether an account exists: only a correct password reveals that an account
    /// is disabled, and a lock is reported for existing accounts only after the address limit.
    public func login(email rawEmail: String, password: String, address: String) async throws -> StartedSession {
        let now = clock.now()
        if let wait = await throttle.attempt(from: address, at: now) {
            throw DomainError.tooManyAttempts(retryAfter: wait)
        }
        let email = Email.normalize(rawEmail)
        guard let credentials = try await store.credentials(email: email), let hash = credentials.passwordHash else {
            // Spend the time a real check would, so response times do not reveal accounts.
            _ = await hasher.verify(password, hash: timingDummyHash)
            throw DomainError.invalidCredentials
        }
        let person = credentials.person
        if let lockedUntil = person.lockedUntil, lockedUntil > now {
            throw DomainError.accountLocked(until: lockedUntil)
        }
        guard await hasher.verify(password, hash: hash) else {
            let lockedUntil = try await store.recordFailedLogin(
                id: person.id, at: now, lockThreshold: settings.lockThreshold, lockDuration: settings.lockDuration)
            logger.notice("login failed", metadata: ["person.id": "\(person.id)", "client.address": "\(address)"])
            if let lockedUntil { throw DomainError.accountLocked(until: lockedUntil) }
            throw DomainError.invalidCredentials
        }
        if person.disabled { throw DomainError.accountDisabled }
        try await store.recordSuccessfulLogin(id: person.id, at: now)
        return try await startSession(for: person)
    }

    public func startSession(for person: Person) async throws -> StartedSession {
        let now = clock.now()
        let token = Secrets.newToken()
        let record = SessionRecord(
            tokenHash: Secrets.hash(token), personID: person.id, csrfToken: Secrets.newToken(),
            createdAt: now, expiresAt: now.addingTimeInterval(settings.sessionLifetime))
        try await store.insertSession(record)
        return StartedSession(token: token, record: record, person: person)
    }

    /// The person behind a session cookie, or nil when the session is unknown, expired, or
    /// its person is disabled. A session in the second half of its life is extended; then
    /// `renewed` is true and the caller sends the cookie again with the new expiry.
    public func authenticate(sessionToken token: String) async throws -> (viewer: Viewer, session: SessionRecord, renewed: Bool)? {
        let hash = Secrets.hash(token)
        guard var record = try await store.session(tokenHash: hash) else { return nil }
        let now = clock.now()
        guard record.expiresAt > now else {
            try await store.deleteSession(tokenHash: hash)
            return nil
        }
        guard let person = try await store.person(id: record.personID), !person.disabled else { return nil }
        var renewed = false
        if record.expiresAt.timeIntervalSince(now) < settings.sessionLifetime / 2 {
            record.expiresAt = now.addingTimeInterval(settings.sessionLifetime)
            try await store.extendSession(tokenHash: hash, until: record.expiresAt)
            renewed = true
        }
        return (Viewer(person: person), record, renewed)
    }

    /// The person behind a bearer token, or nil.
    public func authenticate(bearer token: String) async throws -> Viewer? {
        guard let record = try await store.apiToken(tokenHash: Secrets.hash(token)),
              let person = try await store.person(id: record.personID), !person.disabled else { return nil }
        // "Last used" to the minute: a write on every request would end every reader's page
        // cache (a WAL commit invalidates it), which cost each search ~5 ms of re-reading.
        let now = clock.now()
        if record.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 || now < $0 }) ?? true {
            try await store.touchApiToken(id: record.id, at: now)
        }
        return Viewer(person: person)
    }

    public func logout(sessionToken token: String) async throws {
        let hash = Secrets.hash(token)
        try await store.deleteSession(tokenHash: hash)
        // Live connections opened with this session end with it.
        await publisher.sessionEnded(tokenHash: hash)
    }

    /// Changes the viewer's own password, ends all their sessions and starts a new one.
    public func changePassword(viewer: Viewer, current: String, new: String) async throws -> StartedSession {
        var validator = Validator()
        validator.password(new, field: "newPassword")
        try validator.check()
        guard let credentials = try await store.credentials(id: viewer.id), let hash = credentials.passwordHash,
              await hasher.verify(current, hash: hash) else {
            throw DomainError.validation([FieldError(field: "currentPassword", message: "is not your current password")])
        }
        try await store.setPasswordHash(await hasher.hash(new), for: viewer.id)
        try await store.deleteSessions(of: viewer.id)
        await publisher.sessionsEnded(person: viewer.id)
        return try await startSession(for: viewer.person)
    }

    // MARK: API tokens

    public func createToken(viewer: Viewer, name rawName: String) async throws -> (ApiTokenRecord, String) {
        var validator = Validator()
        let name = validator.text(rawName, field: "name", required: true, max: Limits.tokenNameLength)
        try validator.check()
        let token = Secrets.newToken(prefix: "cmt_")
        let record = ApiTokenRecord(personID: viewer.id, name: name, tokenHash: Secrets.hash(token), createdAt: clock.now())
        try await store.insertApiToken(record)
        return (record, token)
    }

    public func tokens(viewer: Viewer) async throws -> [ApiTokenRecord] {
        try await store.apiTokens(of: viewer.id)
    }

    public func deleteToken(viewer: Viewer, id: ApiTokenID) async throws {
        guard try await store.deleteApiToken(id: id, of: viewer.id) else { throw DomainError.notFound("Token") }
    }
}
