import CommunisModel
import Foundation

/// How a session was started.
public enum LoginMethod: String, Sendable, Codable, CaseIterable {
    /// A Communis password (local accounts: guests, break-glass administrators).
    case password
    /// The directory's password (LDAP / Active Directory bind).
    case directory
    /// An OpenID Connect provider.
    case oidc
    /// Accepting an invitation link (guests).
    case invitation
}

/// A browser login. The cookie holds a random token; only its SHA-256 is stored, so a copy
/// of the database does not let anyone log in. `id` is public (lists, "log out there").
public struct SessionRecord: Sendable, Equatable {
    public var id: SessionID
    public var tokenHash: String
    public var personID: PersonID
    /// The synchronizer token every cookie-authenticated change must echo.
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date
    public var method: LoginMethod
    /// The client address at login.
    public var address: String
    /// The browser's User-Agent at login (cut to 300 characters).
    public var userAgent: String
    /// The last request, to the nearest few minutes.
    public var lastSeenAt: Date?

    public init(id: SessionID = SessionID(), tokenHash: String, personID: PersonID, csrfToken: String, createdAt: Date, expiresAt: Date,
                method: LoginMethod = .password, address: String = "", userAgent: String = "", lastSeenAt: Date? = nil) {
        self.id = id
        self.tokenHash = tokenHash
        self.personID = personID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.method = method
        self.address = address
        self.userAgent = userAgent
        self.lastSeenAt = lastSeenAt
    }
}

/// A bearer token for API clients, stored as its SHA-256.
public struct ApiTokenRecord: Sendable, Equatable {
    public var id: ApiTokenID
    public var personID: PersonID
    public var name: String
    public var tokenHash: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: ApiTokenID = ApiTokenID(), personID: PersonID, name: String, tokenHash: String, createdAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.personID = personID
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// Login sessions and API tokens. Both are deleted with their person.
public protocol SessionStore: Sendable {
    func insertSession(_ session: SessionRecord) async throws
    /// The session, expired or not (the caller checks `expiresAt`).
    func session(tokenHash: String) async throws -> SessionRecord?
    func extendSession(tokenHash: String, until: Date) async throws
    /// Records a request on the session (callers do it at most every few minutes).
    func touchSession(tokenHash: String, at: Date) async throws
    func deleteSession(tokenHash: String) async throws
    /// Logs a person out everywhere (disabled account, password change).
    func deleteSessions(of personID: PersonID) async throws
    /// The person's sessions, newest first (expired ones included until swept).
    func sessions(of personID: PersonID) async throws -> [SessionRecord]
    /// Deletes the session only if it belongs to `personID`; returns its token hash (to
    /// close its live connections), nil when there is no such session.
    func deleteSession(id: SessionID, of personID: PersonID) async throws -> String?
    /// Returns how many were removed.
    func deleteExpiredSessions(before: Date) async throws -> Int

    func insertApiToken(_ token: ApiTokenRecord) async throws
    func apiToken(tokenHash: String) async throws -> ApiTokenRecord?
    /// Newest first.
    func apiTokens(of personID: PersonID) async throws -> [ApiTokenRecord]
    func touchApiToken(id: ApiTokenID, at: Date) async throws
    /// Deletes the token only if it belongs to `personID`; returns whether it did.
    func deleteApiToken(id: ApiTokenID, of personID: PersonID) async throws -> Bool
}
