import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Why an OpenID Connect login ended on the login page; the code goes into
/// `/#/login?error=<code>` and the page explains it in the person's language.
public enum OIDCLoginFailure: String, Error, Sendable {
    /// The provider or the token was not acceptable, or the state did not match.
    case failed = "oidc-failed"
    /// The provider could not be reached.
    case unavailable = "oidc-unavailable"
    /// The login took too long or was already used (the flow expired).
    case expired = "oidc-expired"
    case accountDisabled = "account-disabled"
}

/// Logging in through an OpenID Connect provider: the authorization code flow with PKCE,
/// `state` bound to the browser by a cookie (so a login cannot be slipped into someone
/// else's browser) and kept server side with the nonce and verifier, usable once.
public struct OIDCLogins: Sendable {
    public let provider: any IdentityProvider
    let store: any CommunisStore
    let accounts: Accounts
    let clock: Clock
    let logger: Logger
    /// How long the person may take at the provider.
    static let flowLifetime: TimeInterval = 600

    public init(provider: any IdentityProvider, store: any CommunisStore, accounts: Accounts, clock: Clock = Clock(), logger: Logger) {
        self.provider = provider
        self.store = store
        self.accounts = accounts
        self.clock = clock
        self.logger = logger
    }

    /// A client route to return to: `#/…` without control characters, else the start page.
    public static func safeReturn(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("#/"), raw.count <= 500,
              !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return "#/" }
        return raw
    }

    /// Starts a login: returns the provider URL to redirect to and the flow token for the
    /// browser's cookie.
    public func begin(returnTo: String?, redirectURI: String) async throws -> (url: String, flowToken: String) {
        let start: OIDCLoginStart
        do { start = try await provider.beginLogin(redirectURI: redirectURI) } catch let error as OIDCError {
            logger.error("OIDC login could not start", metadata: ["error": "\(error)"])
            throw error.isUnavailable ? OIDCLoginFailure.unavailable : OIDCLoginFailure.failed
        }
        let flowToken = Secrets.newToken()
        let now = clock.now()
        try await store.insertOIDCLogin(OIDCLoginRecord(
            flowHash: Secrets.hash(flowToken), state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier,
            returnTo: Self.safeReturn(returnTo), createdAt: now, expiresAt: now.addingTimeInterval(Self.flowLifetime)))
        return (start.authorizationURL, flowToken)
    }

    /// Completes a login from the provider's redirect; returns the session and the route.
    public func complete(flowToken: String?, state: String?, code: String?, providerError: String?, redirectURI: String,
                         origin: LoginOrigin) async throws -> (StartedSession, returnTo: String) {
        guard let flowToken, !flowToken.isEmpty,
              let flow = try await store.takeOIDCLogin(flowHash: Secrets.hash(flowToken), now: clock.now()) else {
            throw OIDCLoginFailure.expired
        }
        if let providerError {
            logger.notice("OIDC provider answered with an error", metadata: ["oidc.error": "\(providerError.prefix(100))"])
            throw OIDCLoginFailure.failed
        }
        guard let state, let code, !code.isEmpty, Secrets.constantTimeEquals(state, flow.state) else {
            logger.warning("OIDC callback with a wrong or missing state", metadata: ["client.address": "\(origin.address)"])
            throw OIDCLoginFailure.failed
        }
        let identity: OIDCIdentity
        do {
            identity = try await provider.completeLogin(code: code, redirectURI: redirectURI, codeVerifier: flow.codeVerifier, nonce: flow.nonce)
        } catch let error as OIDCError {
            logger.warning("OIDC login rejected", metadata: ["error": "\(error)", "client.address": "\(origin.address)"])
            throw error.isUnavailable ? OIDCLoginFailure.unavailable : OIDCLoginFailure.failed
        }
        do {
            return (try await accounts.login(oidc: identity, origin: origin), flow.returnTo)
        } catch DomainError.accountDisabled {
            throw OIDCLoginFailure.accountDisabled
        }
    }
}

extension OIDCError {
    var isUnavailable: Bool {
        if case .providerUnavailable = self { return true }
        return false
    }
}
