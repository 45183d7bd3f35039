import CommunisModel
import Foundation

/// A pending password reset: the link holds a random token; only its SHA-256 is stored.
public struct PasswordResetRecord: Sendable, Equatable {
    public var tokenHash: String
    public var personID: PersonID
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(tokenHash: String, personID: PersonID, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.personID = personID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// An OpenID Connect login under way: the browser holds a random flow token in a cookie;
/// the store keeps its hash with the state, nonce and PKCE verifier until the callback.
public struct OIDCLoginRecord: Sendable, Equatable {
    public var flowHash: String
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    /// The client route to return to (a `#/…` path), already checked.
    public var returnTo: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(flowHash: String, state: String, nonce: String, codeVerifier: String, returnTo: String, createdAt: Date, expiresAt: Date) {
        self.flowHash = flowHash
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.returnTo = returnTo
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Login support kept in the database (so every node of a cluster sees the same): failed
/// login counters, password resets and OIDC logins under way.
public protocol LoginStore: Sendable {
    /// The latest `blockedUntil` after `now` among the counters of (`scope`, `address`) and
    /// of the address alone; nil when an attempt may be checked now.
    func loginBlockedUntil(scope: String, address: String, now: Date) async throws -> Date?
    /// Counts one failure for (`scope`, `address`) and for the address alone, in one
    /// transaction, with `LoginFailureCounter`'s rules; returns when the next attempt may be
    /// checked (nil: at once). `person` ties the counter to an account for the admin view.
    func recordLoginFailure(scope: String, address: String, person: PersonID?, at: Date, policy: LoginDelayPolicy) async throws -> Date?
    /// Forgets the (`scope`, `address`) counter (after a correct password).
    func clearLoginFailures(scope: String, address: String) async throws
    /// Forgets every counter of the account (an administrator's "unlock").
    func clearLoginFailures(person: PersonID) async throws
    /// For each of these people whose logins are being delayed from some address at `now`,
    /// until when.
    func loginDelays(of people: [PersonID], now: Date) async throws -> [PersonID: Date]
    func pruneLoginFailures(before: Date) async throws -> Int

    func insertPasswordReset(_ reset: PasswordResetRecord) async throws
    func passwordReset(tokenHash: String) async throws -> PasswordResetRecord?
    /// How many resets were asked for the person since `since`.
    func countPasswordResets(of person: PersonID, since: Date) async throws -> Int
    /// In one transaction: checks the reset is unused and unexpired at `at` (else throws
    /// `DomainError.resetInvalid`), sets the password hash, marks this and every other
    /// open reset of the person used, and deletes all the person's sessions. Returns the person.
    func completePasswordReset(tokenHash: String, passwordHash: String, at: Date) async throws -> PersonID

    func insertOIDCLogin(_ login: OIDCLoginRecord) async throws
    /// Removes and returns the login under way, if it exists and has not expired at `now`
    /// (so a callback can be used once).
    func takeOIDCLogin(flowHash: String, now: Date) async throws -> OIDCLoginRecord?
    /// Deletes expired resets and OIDC logins.
    func pruneLoginRecords(before: Date) async throws -> Int
}
