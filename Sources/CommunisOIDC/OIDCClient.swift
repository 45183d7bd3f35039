import AsyncHTTPClient
import CommunisServices
import Foundation
import Logging
import NIOCore

/// An OpenID Connect relying party for one provider: authorization code flow with PKCE (S256),
/// state and nonce; discovery and the key set fetched through the shared `HTTPClient` and
/// kept (discovery renewed daily and retried a few seconds after a failure, the key set
/// fetched again when a token names an unknown key, at most once a minute); ID tokens
/// verified with jwt-kit and checked claim by claim. Owns no mutable state itself: the cached
/// documents live in actors (`CachedDocument`, `KeyRefetchLimit`).
///
/// Logs carry the issuer and endpoints, never a code, a token or the client secret.
public final class OIDCClient: IdentityProvider {
    /// The intervals and limits of the client; tests shorten them.
    struct Timing: Sendable {
        /// Discovery documents and key sets are renewed after a day (keys also on rotation).
        var documentMaxAge: Duration = .seconds(24 * 3600)
        /// A failed discovery or key fetch is not repeated sooner than this.
        var retryAfterFailure: Duration = .seconds(5)
        /// Unknown `kid`s make us fetch the key set again at most this often, so that tokens
        /// naming made-up keys cannot make us hammer the provider.
        var keyRefetchInterval: Duration = .seconds(60)
        /// Each call to the provider must be answered within this.
        var requestTimeout: TimeAmount = .seconds(10)
    }

    public let displayName: String
    public var issuer: String { settings.issuer }

    let settings: OIDCSettings
    private let http: ProviderHTTP
    private let logger: Logger
    private let allowPlainHTTP: Bool
    private let metadataCache: CachedDocument<ProviderMetadata>
    private let keyCache: CachedDocument<SigningKeys>
    private let keyRefetchLimit: KeyRefetchLimit

    /// Checks the settings (no network); `check()` then reaches the provider once.
    /// - Throws: `OIDCError.rejected` naming the configuration key that is wrong.
    public convenience init(settings: OIDCSettings, httpClient: HTTPClient, logger: Logger) throws {
        try self.init(settings: settings, httpClient: httpClient, logger: logger, timing: Timing())
    }

    init(settings: OIDCSettings, httpClient: HTTPClient, logger: Logger, timing: Timing) throws {
        let issuerURL = try settings.validatedIssuer()
        self.settings = settings
        self.displayName = settings.displayName.isEmpty ? (issuerURL.host ?? settings.issuer) : settings.displayName
        self.allowPlainHTTP = issuerURL.scheme?.lowercased() == "http"
        var logger = logger
        logger[metadataKey: "oidc.issuer"] = "\(settings.issuer)"
        self.logger = logger
        self.http = ProviderHTTP(httpClient: httpClient, logger: logger, timeout: timing.requestTimeout)
        self.metadataCache = CachedDocument(maxAge: timing.documentMaxAge, retryAfterFailure: timing.retryAfterFailure)
        self.keyCache = CachedDocument(maxAge: timing.documentMaxAge, retryAfterFailure: timing.retryAfterFailure)
        self.keyRefetchLimit = KeyRefetchLimit(interval: timing.keyRefetchInterval)
    }

    /// Fetches the discovery document and the key set, so that start-up can fail with a clear
    /// message when the provider is misconfigured or unreachable.
    public func check() async throws {
        let metadata = try await metadata()
        _ = try await signingKeys(metadata)
    }

    public func beginLogin(redirectURI: String) async throws -> OIDCLoginStart {
        let metadata = try await metadata()
        let state = OIDCEncoding.randomToken()
        let nonce = OIDCEncoding.randomToken()
        let verifier = OIDCEncoding.randomToken()
        let url = OIDCEncoding.appendingQuery([
            ("response_type", "code"),
            ("client_id", settings.clientID),
            ("redirect_uri", redirectURI),
            ("scope", settings.requestedScopes.joined(separator: " ")),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", OIDCEncoding.s256Challenge(for: verifier)),
            ("code_challenge_method", "S256"),
        ], to: metadata.authorizationEndpoint)
        return OIDCLoginStart(authorizationURL: url, state: state, nonce: nonce, codeVerifier: verifier)
    }

    public func completeLogin(code: String, redirectURI: String, codeVerifier: String, nonce: String) async throws -> OIDCIdentity {
        guard !code.isEmpty else { throw OIDCError.rejected("the provider sent the browser back without a code") }
        let metadata = try await metadata()
        let idToken = try await exchange(code: code, redirectURI: redirectURI, codeVerifier: codeVerifier, metadata: metadata)
        let header = try IDToken.header(of: idToken)
        let key = try await signingKey(for: header, metadata: metadata)
        let claims = try await IDToken.verifySignature(of: idToken, header: header, key: key)
        let identity = try IDToken.identity(from: claims, settings: settings, nonce: nonce, now: Date())
        logger.debug("ID token accepted", metadata: [
            "oidc.sub": "\(identity.subject)", "oidc.kid": "\(header.kid ?? "-")", "oidc.groups_unreadable": "\(identity.groupsUnreadable)",
        ])
        return identity
    }

    // MARK: - The provider's documents

    private func metadata() async throws -> ProviderMetadata {
        let issuer = settings.issuer
        let allowPlainHTTP = allowPlainHTTP
        let http = http
        let url = ProviderMetadata.discoveryURL(issuer: issuer)
        do {
            return try await metadataCache.value(from: url, logger: logger) {
                try await ProviderMetadata.discover(issuer: issuer, allowPlainHTTP: allowPlainHTTP, http: http)
            }
        } catch let error as OIDCError {
            logger.warning("the identity provider's discovery document is not usable", metadata: ["oidc.discovery": "\(url)", "error": "\(error)"])
            throw error
        }
    }

    private func signingKeys(_ metadata: ProviderMetadata) async throws -> SigningKeys {
        let http = http
        return try await keyCache.value(from: metadata.jwksURI, logger: logger) {
            try await SigningKeys.fetch(uri: metadata.jwksURI, http: http)
        }
    }

    /// The key the token's header names. A key we do not know may be the provider's new key
    /// after a rotation: the key set is fetched again, unless that happened within the last
    /// `keyRefetchInterval`.
    private func signingKey(for header: IDToken.Header, metadata: ProviderMetadata) async throws -> SigningKeys.Key {
        let keys = try await signingKeys(metadata)
        if let key = keys.key(kid: header.kid, algorithm: header.algorithm) { return key }
        guard let kid = header.kid else {
            throw OIDCError.rejected(keys.keys.count == 1
                ? "the ID token names no key (kid), and the only key in \(metadata.jwksURI) is not a key for \(header.algorithm)"
                : "the ID token names no key (kid), and the key set at \(metadata.jwksURI) holds \(keys.keys.count) keys (OpenID Connect Core §10.1 requires a kid then)")
        }
        let name = "\"\(kid)\""
        if keys.contains(kid: kid) {
            throw OIDCError.rejected("the ID token's key \(name) in \(metadata.jwksURI) is not a key for \(header.algorithm)")
        }
        if let wait = await keyRefetchLimit.take() {
            throw OIDCError.rejected("the ID token is signed with the key \(name), which the key set at \(metadata.jwksURI) does not hold; "
                + "the key set was fetched again \(wait.components.seconds) s ago and is fetched again at most once every \(keyRefetchLimit.interval.components.seconds) s")
        }
        logger.info("the ID token names a key not in the key set; fetching the key set again (has the provider rotated its keys?)", metadata: [
            "oidc.kid": "\(kid)", "oidc.jwks_uri": "\(metadata.jwksURI)",
        ])
        let http = http
        let fresh = try await keyCache.refreshed(from: metadata.jwksURI, logger: logger) {
            try await SigningKeys.fetch(uri: metadata.jwksURI, http: http)
        }
        if let key = fresh.key(kid: header.kid, algorithm: header.algorithm) { return key }
        throw OIDCError.rejected("the ID token is signed with the key \(name), which the key set at \(metadata.jwksURI) does not hold, even fetched again just now")
    }

    // MARK: - The token endpoint

    private func exchange(code: String, redirectURI: String, codeVerifier: String, metadata: ProviderMetadata) async throws -> String {
        var form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("code_verifier", codeVerifier),
        ]
        var headers: [(String, String)] = []
        if settings.clientSecret.isEmpty {
            form.append(("client_id", settings.clientID))
        } else if metadata.usesSecretInBody {
            form.append(("client_id", settings.clientID))
            form.append(("client_secret", settings.clientSecret))
        } else {
            headers.append(("Authorization", OIDCEncoding.basicCredentials(clientID: settings.clientID, clientSecret: settings.clientSecret)))
        }
        let answer = try await http.postForm(metadata.tokenEndpoint, body: OIDCEncoding.formEncode(form), headers: headers, what: "tokens")
        let document = try? JSONDecoder().decode([String: JSONValue].self, from: Data(answer.body.readableBytesView))
        guard (200..<300).contains(answer.status.code) else {
            if let error = document?["error"]?.string {
                let description = document?["error_description"]?.string.map { ": \($0)" } ?? ""
                let text = "the token endpoint \(metadata.tokenEndpoint) refused the code with \(answer.status.code) \(error)\(description)"
                throw answer.status.code >= 500 ? OIDCError.providerUnavailable(text) : OIDCError.rejected(text)
            }
            throw ProviderHTTP.statusError(answer.status, what: "tokens", url: metadata.tokenEndpoint, hint: "")
        }
        guard let document else {
            throw OIDCError.rejected("the token endpoint \(metadata.tokenEndpoint) answered \(answer.status.code) with something that is not JSON (\(answer.contentType))")
        }
        guard let idToken = document["id_token"]?.string, !idToken.isEmpty else {
            throw OIDCError.rejected("the token endpoint \(metadata.tokenEndpoint) answered without an id_token; is the \"openid\" scope allowed for client \(settings.clientID)?")
        }
        return idToken
    }
}

/// Owns when the key set was last fetched because of an unknown key.
actor KeyRefetchLimit {
    nonisolated let interval: Duration
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant?

    init(interval: Duration) {
        self.interval = interval
    }

    /// Nil, and the time is taken, when a fetch is allowed now; else how long ago the last was.
    func take() -> Duration? {
        let now = clock.now
        if let last, last.duration(to: now) < interval { return last.duration(to: now) }
        last = now
        return nil
    }
}
