import AsyncHTTPClient
import CommunisServices
import Foundation
import Hummingbird
import JWTKit
import Logging
import Testing
@testable import CommunisOIDC

/// What the in-process provider serves and what it was sent; the test changes it between calls.
actor FakeProviderState {
    var issuer = ""
    /// The issuer the discovery document names; nil means the real one.
    var announcedIssuer: String?
    var discoveryStatus = 200
    var discoveryOmits: Set<String> = []
    var discoveryFetches = 0
    var jwksFetches = 0
    var jwks = ""
    var nextIDToken = ""
    var tokenStatus = 200
    /// The token endpoint's whole answer instead of `{"id_token": nextIDToken, …}`.
    var tokenAnswer: String?
    var tokenRequests: [(authorization: String?, form: [String: String])] = []

    func update(_ change: @Sendable (isolated FakeProviderState) -> Void) {
        change(self)
    }

    fileprivate func discovery() -> (Int, String) {
        discoveryFetches += 1
        var document = [
            "issuer": announcedIssuer ?? issuer,
            "authorization_endpoint": "\(issuer)/authorize?tenant=kommun",
            "token_endpoint": "\(issuer)/token",
            "jwks_uri": "\(issuer)/jwks",
        ]
        for name in discoveryOmits { document[name] = nil }
        let json = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return (discoveryStatus, String(decoding: json, as: UTF8.self))
    }

    fileprivate func keySet() -> String {
        jwksFetches += 1
        return jwks
    }

    fileprivate func token(authorization: String?, form: [String: String]) -> (Int, String) {
        tokenRequests.append((authorization, form))
        return (tokenStatus, tokenAnswer ?? #"{"access_token":"at-1","token_type":"Bearer","id_token":"\#(nextIDToken)"}"#)
    }
}

/// An in-process OpenID provider (Hummingbird on a free loopback port) whose ID tokens the
/// test signs itself with jwt-kit, for the tokens a real provider never issues: expired,
/// misaddressed, unsigned, HMAC-signed, signed by an unknown key. It publishes one ES256 key
/// (`k1`) among entries a client must skip (a symmetric key, an encryption key).
struct FakeProvider: Sendable {
    let issuer: String
    let state: FakeProviderState
    let key: ES256PrivateKey
    /// Never published.
    let strangerKey: ES256PrivateKey

    static func run(_ body: @Sendable (FakeProvider) async throws -> Void) async throws {
        let state = FakeProviderState()
        let key = ES256PrivateKey()
        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ in
            let (status, json) = await state.discovery()
            return Self.json(json, status: status)
        }
        router.get("/jwks") { _, _ in Self.json(await state.keySet()) }
        router.post("/token") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            let (status, json) = await state.token(authorization: request.headers[.authorization], form: Self.form(String(buffer: body)))
            return Self.json(json, status: status)
        }
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-oidc-provider") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var next = ports.makeAsyncIterator()
            let port = await next.next() ?? 0
            let issuer = "http://127.0.0.1:\(port)"
            await state.update { $0.issuer = issuer }
            let provider = FakeProvider(issuer: issuer, state: state, key: key, strangerKey: ES256PrivateKey())
            try await provider.publish([("k1", key)])
            do {
                try await body(provider)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Publishes these keys as the JWKS, among entries a client must skip.
    func publish(_ keys: [(kid: String, key: ES256PrivateKey)]) async throws {
        var entries = [
            #"{"kty":"oct","kid":"sym","k":"c2VjcmV0"}"#,
            #"{"kty":"RSA","kid":"enc","use":"enc","alg":"RSA-OAEP-256","n":"sXch","e":"AQAB"}"#,
        ]
        for (kid, key) in keys {
            let (x, y) = try #require(key.parameters)
            entries.append(#"{"kty":"EC","crv":"P-256","kid":"\#(kid)","use":"sig","x":"\#(x)","y":"\#(y)"}"#)
        }
        let jwks = #"{"keys":["# + entries.joined(separator: ",") + "]}"
        await state.update { $0.jwks = jwks }
    }

    func client(secret: String = "s3cret:with space&more", timing: OIDCClient.Timing = .init()) throws -> OIDCClient {
        try OIDCTest.client(issuer: issuer, secret: secret, timing: timing)
    }

    /// A correct ID token's claims for this login, with `changes` applied (nil removes a claim).
    func claims(nonce: String, _ changes: [String: JSONValue?] = [:]) -> [String: JSONValue] {
        let now = Date().timeIntervalSince1970
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "sub": .string("fia-1"), "aud": .string("communis"), "exp": .number(now + 300),
            "iat": .number(now), "nonce": .string(nonce), "name": .string("Fia Fors"),
        ]
        for (name, value) in changes { claims[name] = value }
        return claims
    }

    /// Signs with ES256 and `kid` (the published key unless another is given).
    func sign(_ claims: [String: JSONValue], kid: String = "k1", with signer: ES256PrivateKey? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        _ = await keys.add(ecdsa: signer ?? key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(IDTokenClaims(claims: claims), kid: JWKIdentifier(string: kid))
    }

    /// beginLogin, then the token endpoint hands out `token(nonce)`, then completeLogin.
    func login(_ client: OIDCClient, token: (String) async throws -> String) async throws -> OIDCIdentity {
        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let nextIDToken = try await token(start.nonce)
        await state.update { $0.nextIDToken = nextIDToken }
        return try await client.completeLogin(code: "code-1", redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: start.nonce)
    }

    static func json(_ text: String, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func form(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "?" }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }
}
