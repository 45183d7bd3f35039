import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Password reset by e-mail for local accounts (guests, break-glass administrators): a
/// one-time link (only its SHA-256 stored), valid for `lifetime`; using it sets the new
/// password and ends every session of the person. People whose password lives in the
/// directory or with a login service change it there.
public struct PasswordResets: Sendable {
    let store: any CommunisStore
    let hasher: any PasswordHasher
    let outbox: Outbox
    let publisher: any LivePublisher
    let lifetime: TimeInterval
    let delays: LoginDelayPolicy
    let clock: Clock
    let logger: Logger
    /// Mails per person per hour; more requests are accepted but send nothing.
    static let perPersonPerHour = 3

    public init(store: any CommunisStore, hasher: any PasswordHasher, outbox: Outbox, publisher: any LivePublisher = NoLivePublisher(),
                lifetime: TimeInterval, delays: LoginDelayPolicy, clock: Clock = Clock(), logger: Logger) {
        self.store = store
        self.hasher = hasher
        self.outbox = outbox
        self.publisher = publisher
        self.lifetime = lifetime
        self.delays = delays
        self.clock = clock
        self.logger = logger
    }

    var audit: AuditLog { AuditLog(store: store, clock: clock) }

    /// Asks for a reset link. Answers the same whether or not the address has an account
    /// (nothing to learn for a stranger); requests from one address slow down like failed
    /// logins. `baseURL` is the public address the link starts with.
    public func request(email rawEmail: String, language: MailTemplates.Language, baseURL: String, origin: LoginOrigin) async throws {
        var validator = Validator()
        let email = validator.email(rawEmail)
        try validator.check()
        let now = clock.now()
        if let until = try await store.loginBlockedUntil(scope: "reset", address: origin.address, now: now) {
            throw DomainError.tooManyAttempts(retryAfter: until.timeIntervalSince(now))
        }
        _ = try await store.recordLoginFailure(scope: "reset", address: origin.address, person: nil, at: now, policy: delays)
        guard let credentials = try await store.credentials(email: email), !credentials.person.disabled else { return }
        let person = credentials.person
        guard person.managedBy == nil else {
            try await audit.record(AuditEntry(at: now, action: .passwordResetRequested, target: .person(person), address: origin.address,
                                              details: ["sent": "false", "reason": "managed by \(person.managedBy?.rawValue ?? "")"]))
            return
        }
        guard try await store.countPasswordResets(of: person.id, since: now.addingTimeInterval(-3600)) < Self.perPersonPerHour else {
            logger.notice("password reset not sent: too many this hour", metadata: ["person.id": "\(person.id)"])
            return
        }
        let token = Secrets.newToken()
        let expiresAt = now.addingTimeInterval(lifetime)
        try await store.insertPasswordReset(PasswordResetRecord(tokenHash: Secrets.hash(token), personID: person.id, createdAt: now, expiresAt: expiresAt))
        let link = "\(baseURL)/#/reset/\(token)"
        try await outbox.enqueue(MailTemplates.passwordReset(to: person.email, name: person.name, link: link, expiresAt: expiresAt, language: language),
                                 kind: "password-reset")
        try await audit.record(AuditEntry(at: now, action: .passwordResetRequested, target: .person(person), address: origin.address,
                                          details: ["sent": "true"]))
    }

    /// What the reset page shows: whose password is set.
    public func info(token: String) async throws -> (email: String, name: String, expiresAt: Date) {
        guard !token.isEmpty, let reset = try await store.passwordReset(tokenHash: Secrets.hash(token)), reset.usedAt == nil,
              reset.expiresAt > clock.now(), let person = try await store.person(id: reset.personID), !person.disabled,
              person.managedBy == nil else {
            throw DomainError.resetInvalid
        }
        return (person.email, person.name, reset.expiresAt)
    }

    /// Sets the new password, ends every session of the person, tells them by e-mail.
    public func complete(token: String, newPassword: String, language: MailTemplates.Language, origin: LoginOrigin) async throws {
        let (_, _, _) = try await info(token: token)
        var validator = Validator()
        validator.password(newPassword, field: "newPassword")
        try validator.check()
        let personID = try await store.completePasswordReset(tokenHash: Secrets.hash(token), passwordHash: await hasher.hash(newPassword), at: clock.now())
        await publisher.sessionsEnded(person: personID)
        guard let person = try await store.person(id: personID) else { return }
        try await audit.record(AuditEntry(at: clock.now(), action: .passwordReset, actor: .person(person), target: .person(person),
                                          address: origin.address))
        if !person.email.isEmpty {
            try await outbox.enqueue(MailTemplates.passwordChanged(to: person.email, name: person.name, at: clock.now(), language: language),
                                     kind: "password-changed")
        }
    }
}
