import CommunisServices
import CommunisTesting
import Crypto
import Foundation
import Testing
@testable import CommunisOIDC

/// One real provider (Tests/Fixtures/oidc/provider.py: oidc-provider-mock with PKCE and nonce
/// required) for the tests of a suite that do not change it; each starts in about a second of
/// CPU, so the tests that rotate its key or stop it start their own.
struct SharedProvider: SuiteTrait, TestScoping {
    @TaskLocal static var current: OIDCProvider?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let provider = try await OIDCProvider.start(users: [RealProviderTests.anna])
        defer { provider.stop() }
        try await Self.$current.withValue(provider, operation: function)
    }

    static func provider() throws -> OIDCProvider {
        try #require(current, "the suite needs the .sharedProvider trait")
    }
}

extension Trait where Self == SharedProvider {
    static var sharedProvider: Self { SharedProvider() }
}

/// The client against a real provider.
@Suite("OpenID Connect login against a real provider", .sharedProvider)
struct RealProviderTests {
    static let anna: [String: any Sendable] = [
        "sub": "anna-0001", "name": "Anna Andersson", "email": "anna.andersson@kommun.se",
        "preferred_username": "anna", "roller": ["personal", "it-stod"],
    ]

    /// beginLogin → the provider's page as `sub` → completeLogin.
    static func login(_ client: OIDCClient, _ provider: OIDCProvider, sub: String) async throws -> OIDCIdentity {
        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let (code, state) = try await provider.authorize(url: start.authorizationURL, sub: sub)
        #expect(state == start.state)
        return try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: start.nonce)
    }

    @Test("a full login yields the person: subject, issuer, name, e-mail and groups from the configured claim")
    func fullLogin() async throws {
        let provider = try SharedProvider.provider()
        let log = LogCapture()
        let client = try OIDCTest.client(issuer: provider.issuer, groupsClaim: "roller", logger: log.logger)
        try await client.check()

        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let (code, state) = try await provider.authorize(url: start.authorizationURL, sub: "anna-0001")
        #expect(state == start.state)
        let person = try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: start.nonce)

        #expect(person == OIDCIdentity(
            issuer: provider.issuer, subject: "anna-0001", name: "Anna Andersson", email: "anna.andersson@kommun.se",
            preferredUsername: "anna", groups: ["personal", "it-stod"], groupsUnreadable: false))
        #expect(client.issuer == provider.issuer)
        #expect(client.displayName == "127.0.0.1")
        // Nothing secret reaches the log.
        #expect(!log.text.isEmpty)
        for secret in [code, start.codeVerifier, start.nonce, start.state, "s3cret"] {
            #expect(!log.text.contains(secret))
        }
    }

    @Test("the authorization URL carries response_type, client, redirect, scopes, state, nonce and an S256 PKCE challenge")
    func authorizationURL() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer)
        let redirect = "http://127.0.0.1:8080/cb?next=/arbetsrum/1 2&x=å"
        let start = try await client.beginLogin(redirectURI: redirect)
        let again = try await client.beginLogin(redirectURI: redirect)

        #expect(start.authorizationURL.hasPrefix(provider.issuer + "/oauth2/authorize?"))
        let query = try OIDCTest.query(of: start.authorizationURL)
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "communis")
        #expect(query["redirect_uri"] == redirect)
        #expect(query["scope"] == "openid profile email")
        #expect(query["state"] == start.state)
        #expect(query["nonce"] == start.nonce)
        #expect(query["code_challenge_method"] == "S256")
        let challenge = Data(SHA256.hash(data: Data(start.codeVerifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(query["code_challenge"] == challenge)
        // RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]; state and nonce 256 bits.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect((43...128).contains(start.codeVerifier.count))
        #expect(start.codeVerifier.unicodeScalars.allSatisfy(unreserved.contains))
        #expect(start.state.count == 43 && start.nonce.count == 43)
        #expect(Set([start.state, start.nonce, start.codeVerifier, again.state, again.nonce, again.codeVerifier]).count == 6)
        // Only unreserved characters and percent-escapes in the query.
        let rawQuery = try #require(start.authorizationURL.split(separator: "?", maxSplits: 1).last)
        #expect(rawQuery.allSatisfy { $0.isLetter && $0.isASCII || $0.isNumber || "-._~%=&".contains($0) })
        // The provider itself accepts it (its page answers 200, not an error redirect).
        _ = try await provider.authorize(url: start.authorizationURL, sub: "bo")
    }

    @Test("a wrong PKCE verifier is refused by the provider: it enforces PKCE and we send the verifier")
    func wrongVerifier() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer)
        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let (code, _) = try await provider.authorize(url: start.authorizationURL, sub: "bo")
        let other = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let why = await OIDCTest.rejection {
            try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: other.codeVerifier, nonce: start.nonce)
        }
        #expect(why.contains("invalid_grant"), "\(why)")
        #expect(why.contains("Code challenge failed"), "\(why)")
    }

    @Test("an ID token whose nonce is not this login's is rejected")
    func wrongNonce() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer)
        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let (code, _) = try await provider.authorize(url: start.authorizationURL, sub: "bo")
        let why = await OIDCTest.rejection {
            try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: "another-login's-nonce")
        }
        #expect(why.contains("nonce"), "\(why)")
    }

    @Test("a code is good for one login only")
    func codeUsedTwice() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer)
        let start = try await client.beginLogin(redirectURI: OIDCTest.redirectURI)
        let (code, _) = try await provider.authorize(url: start.authorizationURL, sub: "bo")
        let first = try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: start.nonce)
        #expect(first.subject == "bo")
        let why = await OIDCTest.rejection {
            try await client.completeLogin(code: code, redirectURI: OIDCTest.redirectURI, codeVerifier: start.codeVerifier, nonce: start.nonce)
        }
        #expect(why.contains("invalid_grant"), "\(why)")
    }

    @Test("after the provider rotates its key the next login works (JWKS fetched again once); a second rotation within the minute is not fetched")
    func keyRotation() async throws {
        let provider = try await OIDCProvider.start()
        defer { provider.stop() }
        let client = try OIDCTest.client(issuer: provider.issuer)
        _ = try await Self.login(client, provider, sub: "bo")
        _ = try await Self.login(client, provider, sub: "bo")
        #expect(try await provider.jwksFetches() == 1, "a known key needs no fetch")

        try await provider.rotateKey()
        #expect(try await Self.login(client, provider, sub: "bo").subject == "bo")
        #expect(try await provider.jwksFetches() == 2)

        let newerKid = try await provider.rotateKey()
        let why = await OIDCTest.rejection { try await Self.login(client, provider, sub: "bo") }
        #expect(why.contains(newerKid) && why.contains("at most once every 60 s"), "\(why)")
        #expect(try await provider.jwksFetches() == 2)
    }

    @Test("Entra ID group overage (_claim_names names the groups claim, or hasgroups) makes the groups unreadable, not empty")
    func groupOverage() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer)
        try await provider.setUser(sub: "cecilia", claims: [
            "name": "Cecilia Ceder", "groups": ["only-some"],
            "_claim_names": ["groups": "src1"],
            "_claim_sources": ["src1": ["endpoint": "https://graph.microsoft.com/v1.0/users/cecilia/getMemberObjects"]],
        ])
        let overage = try await Self.login(client, provider, sub: "cecilia")
        #expect(overage.groupsUnreadable)
        #expect(overage.groups.isEmpty)

        try await provider.setUser(sub: "david", claims: ["name": "David Dahl", "hasgroups": true])
        #expect(try await Self.login(client, provider, sub: "david").groupsUnreadable)

        try await provider.setUser(sub: "erik", claims: ["given_name": "Erik", "family_name": "Ek", "groups": "en-grupp"])
        let erik = try await Self.login(client, provider, sub: "erik")
        #expect(!erik.groupsUnreadable)
        #expect(erik.groups == ["en-grupp"])
        #expect(erik.name == "Erik Ek")
    }

    @Test("an issuer that differs from the discovery document's (a trailing slash) is refused with both spellings named")
    func issuerMismatch() async throws {
        let provider = try SharedProvider.provider()
        let client = try OIDCTest.client(issuer: provider.issuer + "/")
        let why = await OIDCTest.rejection { try await client.check() }
        #expect(why.contains("\"\(provider.issuer)\"") && why.contains("\"\(provider.issuer)/\""), "\(why)")
        let again = await OIDCTest.rejection { try await client.beginLogin(redirectURI: OIDCTest.redirectURI) }
        #expect(again == why)
    }

    @Test("a provider that is down gives providerUnavailable within the connect timeout, and at once while the failure is fresh")
    func providerDown() async throws {
        let provider = try await OIDCProvider.start()
        let issuer = provider.issuer
        provider.stop()
        let client = try OIDCTest.client(issuer: issuer)
        let began = ContinuousClock.now
        await #expect {
            try await client.check()
        } throws: { error in
            guard case OIDCError.providerUnavailable(let why) = error else { return false }
            return why.contains(issuer)
        }
        // The 2 s connect timeout, not async-http-client's retries (loose for a busy machine).
        #expect(ContinuousClock.now - began < .seconds(30))
        let again = ContinuousClock.now
        await #expect {
            _ = try await client.completeLogin(code: "c", redirectURI: OIDCTest.redirectURI, codeVerifier: "v", nonce: "n")
        } throws: { error in
            if case OIDCError.providerUnavailable = error { return true }
            return false
        }
        // The fresh failure is remembered: no second connection attempt.
        #expect(ContinuousClock.now - again < .seconds(5))
    }
}
