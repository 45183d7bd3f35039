import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Settings of login and sessions, taken from the configuration.
public struct AccountSettings: Sendable {
    public var sessionLifetime: TimeInterval
    public var delays: LoginDelayPolicy

    public init(sessionLifetime: TimeInterval = 14 * 86_400, delays: LoginDelayPolicy = LoginDelayPolicy()) {
        self.sessionLifetime = sessionLifetime
        self.delays = delays
    }
}

/// A started session: `token` goes into the cookie and is never stored.
public struct StartedSession: Sendable {
    public var token: String
    public var record: SessionRecord
    public var person: Person
}

/// Where a login comes from: the client address (after trusted proxies) and the browser.
public struct LoginOrigin: Sendable, Equatable {
    public var address: String
    public var userAgent: String

    public init(address: String, userAgent: String = "") {
        self.address = address
        self.userAgent = userAgent
    }
}

/// Login, sessions and API tokens.
///
/// Who checks a password: a local account (no outside system manages it: guests,
/// break-glass administrators, accounts made by hand) is checked against its bcrypt hash;
/// everyone else against the directory, when one is configured. Failed logins slow down
/// further attempts per (account, address) and per address (`LoginDelayPolicy`); nobody is
/// ever locked out from another address.
public struct Accounts: Sendable {
    let store: any CommunisStore
    let hasher: any PasswordHasher
    let settings: AccountSettings
    let publisher: any LivePublisher
    let directory: (any DirectorySource)?
    let identities: ExternalIdentities
    let clock: Clock
    let logger: Logger
    /// A hash of a random password, checked against when the account does not exist.
    let timingDummyHash: String

    public init(store: any CommunisStore, hasher: any PasswordHasher, settings: AccountSettings, publisher: any LivePublisher = NoLivePublisher(),
                directory: (any DirectorySource)? = nil, identities: ExternalIdentities? = nil, clock: Clock = Clock(), logger: Logger) async {
        self.publisher = publisher
        self.timingDummyHash = await hasher.hash(Secrets.newToken())
        self.store = store
        self.hasher = hasher
        self.settings = settings
        self.directory = directory
        self.identities = identities ?? ExternalIdentities(store: store, publisher: publisher, clock: clock)
        self.clock = clock
        self.logger = logger
    }

    var audit: AuditLog { AuditLog(store: store, clock: clock) }

    /// Checks the password and starts a session. `login` is a login name or an e-mail
    /// address. The order of checks avoids telling a stranger whether an account exists:
    /// only a correct password reveals that an account is disabled.
    public func login(login rawLogin: String, password: String, origin: LoginOrigin) async throws -> StartedSession {
        let now = clock.now()
        let login = rawLogin.trimmingCharacters(in: .whitespacesAndNewlines)
        let local = login.isEmpty ? nil : try await store.credentials(login: login)
        let scope = local.map { "account:\($0.person.id)" } ?? "login:\(login.lowercased())"
        if let until = try await store.loginBlockedUntil(scope: scope, address: origin.address, now: now) {
            throw DomainError.tooManyAttempts(retryAfter: until.timeIntervalSince(now))
        }
        if let local, local.person.managedBy == nil, let hash = local.passwordHash {
            guard await hasher.verify(password, hash: hash) else {
                try await failed(scope: scope, person: local.person, origin: origin, reason: "wrong password")
            }
            return try await succeeded(local.person, scope: scope, method: .password, origin: origin)
        }
        guard let directory, !login.isEmpty, !password.isEmpty, local?.person.role != .guest else {
            // Spend the time a real check would, so response times do not reveal accounts.
            _ = await hasher.verify(password, hash: timingDummyHash)
            try await failed(scope: scope, person: local?.person, origin: origin, reason: local == nil ? "unknown login" : "no password")
        }
        let account: DirectoryAccount?
        let groups: [DirectoryGroup]
        do {
            account = try await directory.authenticate(login: login, password: password)
            groups = try await account.asyncMap { try await directory.groups(of: $0) } ?? []
        } catch let error as DirectoryError {
            logger.error("directory login failed", metadata: ["error": "\(error)", "client.address": "\(origin.address)"])
            throw DomainError.directoryUnavailable
        }
        guard let account else {
            if let person = local?.person, person.managedBy == .directory, !person.disabled {
                try await disableIfGone(person, directory: directory, address: origin.address)
            }
            try await failed(scope: scope, person: local?.person, origin: origin, reason: "wrong password or unknown in the directory")
        }
        let result = try await identities.provision(directory: account, groups: groups, address: origin.address, isLogin: true)
        return try await succeeded(result.person, scope: scope, method: .directory, origin: origin)
    }

    /// Starts a session for a person an identity provider vouched for (OIDC).
    public func login(oidc identity: OIDCIdentity, origin: LoginOrigin) async throws -> StartedSession {
        let result = try await identities.provision(oidc: identity, address: origin.address)
        guard !result.person.disabled else {
            try await audit.record(AuditEntry(at: clock.now(), action: .loginFailed, target: .person(result.person), via: .login,
                                              address: origin.address, details: ["method": "oidc", "reason": "account disabled"]))
            throw DomainError.accountDisabled
        }
        try await audit.record(AuditEntry(at: clock.now(), action: .loginSucceeded, actor: .person(result.person), target: .person(result.person),
                                          via: .login, address: origin.address, details: ["method": "oidc", "issuer": identity.issuer]))
        return try await startSession(for: result.person, method: .oidc, origin: origin)
    }

    private func failed(scope: String, person: Person?, origin: LoginOrigin, reason: String) async throws -> Never {
        _ = try await store.recordLoginFailure(scope: scope, address: origin.address, person: person?.id, at: clock.now(), policy: settings.delays)
        try await audit.record(AuditEntry(
            at: clock.now(), action: .loginFailed, target: person.map(AuditRef.person), via: .login, address: origin.address,
            details: ["reason": reason]))
        logger.notice("login failed", metadata: ["person.id": "\(person?.id.description ?? "-")", "client.address": "\(origin.address)"])
        throw DomainError.invalidCredentials
    }

    private func succeeded(_ person: Person, scope: String, method: LoginMethod, origin: LoginOrigin) async throws -> StartedSession {
        guard !person.disabled else {
            try await audit.record(AuditEntry(at: clock.now(), action: .loginFailed, target: .person(person), via: .login,
                                              address: origin.address, details: ["reason": "account disabled", "method": method.rawValue]))
            throw DomainError.accountDisabled
        }
        try await store.clearLoginFailures(scope: scope, address: origin.address)
        if method == .password { try await store.recordSuccessfulLogin(id: person.id, at: clock.now()) }
        try await audit.record(AuditEntry(at: clock.now(), action: .loginSucceeded, actor: .person(person), target: .person(person),
                                          via: .login, address: origin.address, details: ["method": method.rawValue]))
        return try await startSession(for: person, method: method, origin: origin)
    }

    /// A wrong password for a directory person: if the directory no longer has them (or has
    /// disabled them), they are disabled now rather than at the next sync.
    private func disableIfGone(_ person: Person, directory: any DirectorySource, address: String) async throws {
        guard let subject = try await store.identities(of: person.id)[ExternalProfile.directoryProvider] else { return }
        do {
            let account = try await directory.account(stableID: subject)
            if account == nil || account?.disabled == true {
                try await identities.disableGone(person, reason: account == nil ? "not in the directory" : "disabled in the directory", address: address)
            }
        } catch let error as DirectoryError {
            logger.warning("directory lookup failed", metadata: ["person.id": "\(person.id)", "error": "\(error)"])
        }
    }

    public func startSession(for person: Person, method: LoginMethod = .password, origin: LoginOrigin = LoginOrigin(address: "")) async throws -> StartedSession {
        let now = clock.now()
        let token = Secrets.newToken()
        let record = SessionRecord(
            tokenHash: Secrets.hash(token), personID: person.id, csrfToken: Secrets.newToken(),
            createdAt: now, expiresAt: now.addingTimeInterval(settings.sessionLifetime),
            method: method, address: origin.address, userAgent: String(origin.userAgent.prefix(300)), lastSeenAt: now)
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
        // "Last seen" to five minutes, for the same reason as a token's "last used" below.
        if record.lastSeenAt.map({ now.timeIntervalSince($0) >= 300 || now < $0 }) ?? true {
            try await store.touchSession(tokenHash: hash, at: now)
            record.lastSeenAt = now
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

    /// The person behind a live connection another node of the cluster authenticated and
    /// forwards here (its meeting is relayed here), as they are now: nil when they are gone or
    /// disabled meanwhile.
    public func forwardedViewer(_ id: PersonID) async throws -> Viewer? {
        guard let person = try await store.person(id: id), !person.disabled else { return nil }
        return Viewer(person: person)
    }

    public func logout(sessionToken token: String, viewer: Viewer?) async throws {
        let hash = Secrets.hash(token)
        try await store.deleteSession(tokenHash: hash)
        if let viewer { try await audit.record(.logout, by: viewer, target: viewer.auditRef, via: .none) }
        // Live connections opened with this session end with it.
        await publisher.sessionEnded(tokenHash: hash)
    }

    /// Changes the viewer's own password, ends all their sessions and starts a new one.
    public func changePassword(viewer: Viewer, current: String, new: String, origin: LoginOrigin) async throws -> StartedSession {
        guard viewer.person.managedBy == nil else {
            throw DomainError.conflict("Your password is kept by \(viewer.person.managedBy == .directory ? "the municipality's directory" : "your organisation's login service"); change it there.")
        }
        var validator = Validator()
        validator.password(new, field: "newPassword")
        try validator.check()
        guard let credentials = try await store.credentials(id: viewer.id), let hash = credentials.passwordHash,
              await hasher.verify(current, hash: hash) else {
            throw DomainError.validation([FieldError(field: "currentPassword", message: "is not your current password")])
        }
        try await store.setPasswordHash(await hasher.hash(new), for: viewer.id)
        try await store.deleteSessions(of: viewer.id)
        try await audit.record(.passwordChanged, by: viewer, target: viewer.auditRef)
        await publisher.sessionsEnded(person: viewer.id)
        return try await startSession(for: viewer.person, method: .password, origin: origin)
    }

    // MARK: API tokens

    public func createToken(viewer: Viewer, name rawName: String) async throws -> (ApiTokenRecord, String) {
        var validator = Validator()
        let name = validator.text(rawName, field: "name", required: true, max: Limits.tokenNameLength)
        try validator.check()
        let token = Secrets.newToken(prefix: "cmt_")
        let record = ApiTokenRecord(personID: viewer.id, name: name, tokenHash: Secrets.hash(token), createdAt: clock.now())
        try await store.insertApiToken(record)
        try await audit.record(.tokenCreated, by: viewer, target: AuditRef(type: "token", id: record.id.description, name: name))
        return (record, token)
    }

    public func tokens(viewer: Viewer) async throws -> [ApiTokenRecord] {
        try await store.apiTokens(of: viewer.id)
    }

    public func deleteToken(viewer: Viewer, id: ApiTokenID) async throws {
        guard try await store.deleteApiToken(id: id, of: viewer.id) else { throw DomainError.notFound("Token") }
        try await audit.record(.tokenDeleted, by: viewer, target: AuditRef(type: "token", id: id.description, name: ""))
    }
}
