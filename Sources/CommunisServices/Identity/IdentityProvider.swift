import Foundation

/// What starting an OpenID Connect login produced: where to send the browser, and the
/// secrets to keep (server side) until the provider sends the browser back.
public struct OIDCLoginStart: Sendable, Equatable {
    /// The provider's authorization endpoint with response_type=code, client_id, scope,
    /// redirect_uri, state, nonce, code_challenge (S256) and code_challenge_method.
    public var authorizationURL: String
    public var state: String
    public var nonce: String
    /// The PKCE code verifier (RFC 7636, 43–128 characters); only its S256 hash leaves.
    public var codeVerifier: String

    public init(authorizationURL: String, state: String, nonce: String, codeVerifier: String) {
        self.authorizationURL = authorizationURL
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
    }
}

/// A person as a validated ID token describes them. Communis keys them on
/// (`issuer`, `subject`), never on the e-mail address.
public struct OIDCIdentity: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    /// `name`, else given_name + family_name, else preferred_username, else the subject.
    public var name: String
    public var email: String
    public var preferredUsername: String
    /// The values of the configured groups claim (`oidc.groups_claim`); empty when absent.
    public var groups: [String]
    /// True when the provider said the groups are elsewhere (Entra ID's group overage:
    /// `_claim_names` names the groups claim) so they could not be read from the token.
    /// Rules must then leave the person's group-based access as it was and the admin view
    /// must say so, never treat it as "no groups".
    public var groupsUnreadable: Bool

    public init(issuer: String, subject: String, name: String, email: String = "", preferredUsername: String = "", groups: [String] = [], groupsUnreadable: Bool = false) {
        self.issuer = issuer
        self.subject = subject
        self.name = name
        self.email = email
        self.preferredUsername = preferredUsername
        self.groups = groups
        self.groupsUnreadable = groupsUnreadable
    }
}

/// Why an OpenID Connect login failed. `providerUnavailable` is temporary; `rejected` means
/// the provider or the token was not acceptable (the message says what, for the log; the
/// browser only learns that the login failed).
public enum OIDCError: Error, Sendable, Equatable, CustomStringConvertible {
    case providerUnavailable(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .providerUnavailable(let why): "the identity provider is unavailable: \(why)"
        case .rejected(let why): "the login was rejected: \(why)"
        }
    }
}

/// An OpenID Connect provider (Entra ID, Keycloak, …) used with the authorization code flow
/// and PKCE. Implemented by `CommunisOIDC.OIDCClient` (discovery, JWKS with key rotation,
/// async-http-client for the provider calls).
public protocol IdentityProvider: Sendable {
    /// The provider's name for the login button ("Logga in med <displayName>").
    var displayName: String { get }
    /// The issuer, exactly as configured and as the ID tokens must carry it.
    var issuer: String { get }
    /// A fresh state, nonce and PKCE verifier, and the authorization URL built from the
    /// provider's discovery document.
    func beginLogin(redirectURI: String) async throws -> OIDCLoginStart
    /// Exchanges the code at the token endpoint (with the verifier and the client's
    /// credentials) and validates the ID token: signature against the provider's JWKS
    /// (fetched again, at most once a minute, when the token names an unknown key), `iss`,
    /// `aud` (and `azp` when there are several audiences), `exp`, `iat` and `nonce`.
    func completeLogin(code: String, redirectURI: String, codeVerifier: String, nonce: String) async throws -> OIDCIdentity
}
