import CommunisServices
import Foundation
import JWTKit
import Testing
@testable import CommunisOIDC

/// ID tokens and provider answers that a real provider does not produce, from the in-process
/// `FakeProvider`, and what the client sends to the token endpoint.
@Suite("ID token validation and the token request")
struct TokenValidationTests {
    @Test("a correct token signed with the published ES256 key is accepted (the baseline for the cases below)")
    func correctToken() async throws {
        try await FakeProvider.run { provider in
            let person = try await provider.login(try provider.client()) { nonce in try await provider.sign(provider.claims(nonce: nonce)) }
            #expect(person == OIDCIdentity(issuer: provider.issuer, subject: "fia-1", name: "Fia Fors"))
            #expect(await provider.state.jwksFetches == 1)
        }
    }

    @Test("an expired token is rejected; one expired less than the 60 s leeway ago is accepted")
    func expired() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client()
            let now = Date().timeIntervalSince1970
            let why = await OIDCTest.rejection {
                try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["exp": .number(now - 120)])) }
            }
            #expect(why.contains("expired"), "\(why)")
            // Expired 30 s before it is signed, not before the test began: under load the first
            // login took longer than the leeway (CI: a minute between the two).
            _ = try await provider.login(client) {
                try await provider.sign(provider.claims(nonce: $0, ["exp": .number(Date().timeIntervalSince1970 - 30)]))
            }
        }
    }

    @Test("a token for another client is rejected")
    func wrongAudience() async throws {
        try await FakeProvider.run { provider in
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client()) { try await provider.sign(provider.claims(nonce: $0, ["aud": .string("intranatet")])) }
            }
            #expect(why.contains("\"intranatet\"") && why.contains("not for this client"), "\(why)")
        }
    }

    @Test("a token with several audiences needs azp naming this client")
    func severalAudiences() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client()
            let both: JSONValue = .array([.string("communis"), .string("intranatet")])
            let without = await OIDCTest.rejection {
                try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["aud": both])) }
            }
            #expect(without.contains("azp"), "\(without)")
            let wrong = await OIDCTest.rejection {
                try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["aud": both, "azp": .string("intranatet")])) }
            }
            #expect(wrong.contains("\"intranatet\"") && wrong.contains("azp"), "\(wrong)")
            let right = try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["aud": both, "azp": .string("communis")])) }
            #expect(right.subject == "fia-1")
        }
    }

    @Test("an unsigned token (alg none) is rejected")
    func algNone() async throws {
        try await FakeProvider.run { provider in
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client()) { nonce in
                    let header = OIDCEncoding.base64URL(Data(#"{"alg":"none","kid":"k1","typ":"JWT"}"#.utf8))
                    let payload = OIDCEncoding.base64URL(try JSONEncoder().encode(provider.claims(nonce: nonce)))
                    return "\(header).\(payload)."
                }
            }
            #expect(why.contains("\"none\"") && why.contains("only asymmetric"), "\(why)")
        }
    }

    @Test("a token signed with HS256 and the client secret is rejected")
    func hmacWithClientSecret() async throws {
        let secret = "a client secret of more than 32 bytes, as HMAC keys must be"
        try await FakeProvider.run { provider in
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client(secret: secret)) { nonce in
                    let keys = JWTKeyCollection()
                    _ = await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "k1")
                    return try await keys.sign(IDTokenClaims(claims: provider.claims(nonce: nonce)), kid: "k1")
                }
            }
            #expect(why.contains("\"HS256\"") && why.contains("only asymmetric"), "\(why)")
        }
    }

    @Test("a token signed by a key not in the JWKS is rejected, even after one fetch of the JWKS, which is not repeated within the minute")
    func unknownKey() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client()
            _ = try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0)) }
            #expect(await provider.state.jwksFetches == 1)
            let why = await OIDCTest.rejection {
                try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0), kid: "k2", with: provider.strangerKey) }
            }
            #expect(why.contains("\"k2\"") && why.contains("even fetched again"), "\(why)")
            #expect(await provider.state.jwksFetches == 2)
            let again = await OIDCTest.rejection {
                try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0), kid: "k3", with: provider.strangerKey) }
            }
            #expect(again.contains("\"k3\"") && again.contains("at most once every 60 s"), "\(again)")
            #expect(await provider.state.jwksFetches == 2)
        }
    }

    @Test("once the refetch interval has passed, an unknown key makes the client fetch the JWKS again")
    func refetchAfterInterval() async throws {
        try await FakeProvider.run { provider in
            // Long enough that a login on a machine busy with every other suite stays inside it.
            let interval = Duration.seconds(6)
            let client = try provider.client(timing: .init(keyRefetchInterval: interval))
            _ = try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0)) }

            let second = ES256PrivateKey()
            try await provider.publish([("k2", second)])
            _ = try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0), kid: "k2", with: second) }
            let refetched = ContinuousClock.now
            #expect(await provider.state.jwksFetches == 2)

            let third = ES256PrivateKey()
            try await provider.publish([("k3", third)])
            // Checked only while well inside the interval, so a slow machine cannot make it flaky.
            if ContinuousClock.now - refetched < .seconds(3) {
                let why = await OIDCTest.rejection {
                    try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0), kid: "k3", with: third) }
                }
                #expect(why.contains("\"k3\""), "\(why)")
                #expect(await provider.state.jwksFetches == 2)
            }
            try await Task.sleep(until: refetched + interval)
            let person = try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0), kid: "k3", with: third) }
            #expect(person.subject == "fia-1")
            #expect(await provider.state.jwksFetches == 3)
        }
    }

    @Test("a token that names no key (kid) is accepted while the key set holds one signing key, refused when it holds several")
    func noKeyNamed() async throws {
        try await FakeProvider.run { provider in
            let unnamed: (String) async throws -> String = { nonce in
                let keys = JWTKeyCollection()
                _ = await keys.add(ecdsa: provider.key)
                return try await keys.sign(IDTokenClaims(claims: provider.claims(nonce: nonce)))
            }
            _ = try await provider.login(try provider.client(), token: unnamed)
            try await provider.publish([("k1", provider.key), ("k2", ES256PrivateKey())])
            let why = await OIDCTest.rejection { try await provider.login(try provider.client(), token: unnamed) }
            #expect(why.contains("names no key") && why.contains("holds 2 keys"), "\(why)")
        }
    }

    @Test("a token naming the published key but signed by another is rejected")
    func forgedSignature() async throws {
        try await FakeProvider.run { provider in
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client()) { try await provider.sign(provider.claims(nonce: $0), kid: "k1", with: provider.strangerKey) }
            }
            #expect(why.contains("signature does not verify"), "\(why)")
        }
    }

    @Test("a token issued more than 5 minutes in the future is rejected")
    func issuedInTheFuture() async throws {
        try await FakeProvider.run { provider in
            let now = Date().timeIntervalSince1970
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client()) {
                    try await provider.sign(provider.claims(nonce: $0, ["iat": .number(now + 600), "exp": .number(now + 900)]))
                }
            }
            #expect(why.contains("in the future"), "\(why)")
        }
    }

    @Test("a token from another issuer is rejected")
    func wrongIssuer() async throws {
        try await FakeProvider.run { provider in
            let why = await OIDCTest.rejection {
                try await provider.login(try provider.client()) {
                    try await provider.sign(provider.claims(nonce: $0, ["iss": .string("https://login.example.com/other")]))
                }
            }
            #expect(why.contains("\"https://login.example.com/other\""), "\(why)")
        }
    }

    @Test("a token without nonce or sub is rejected")
    func missingClaims() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client()
            let noNonce = await OIDCTest.rejection { try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["nonce": nil])) } }
            #expect(noNonce.contains("nonce"), "\(noNonce)")
            let noSubject = await OIDCTest.rejection { try await provider.login(client) { try await provider.sign(provider.claims(nonce: $0, ["sub": nil])) } }
            #expect(noSubject.contains("sub"), "\(noSubject)")
        }
    }

    @Test("the token request: form-encoded code, redirect URI and verifier, client_secret_basic with form-encoded credentials")
    func tokenRequest() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client(secret: "s3cret:with space&more")
            let start = try await client.beginLogin(redirectURI: "http://127.0.0.1:8080/cb?next=/a b")
            #expect(start.authorizationURL.hasPrefix(provider.issuer + "/authorize?tenant=kommun&response_type=code&"))
            let nextIDToken = try await provider.sign(provider.claims(nonce: start.nonce))
            await provider.state.update { $0.nextIDToken = nextIDToken }
            _ = try await client.completeLogin(code: "kod/+ 1", redirectURI: "http://127.0.0.1:8080/cb?next=/a b", codeVerifier: start.codeVerifier, nonce: start.nonce)

            let request = try #require(await provider.state.tokenRequests.last)
            #expect(request.form == [
                "grant_type": "authorization_code", "code": "kod/+ 1", "redirect_uri": "http://127.0.0.1:8080/cb?next=/a b",
                "code_verifier": start.codeVerifier,
            ])
            // RFC 6749 §2.3.1: the id and secret are form-encoded, then joined and base64-encoded.
            let basic = try #require(request.authorization)
            #expect(basic == "Basic " + Data("communis:s3cret%3Awith%20space%26more".utf8).base64EncodedString())
        }
    }

    @Test("a public client (no secret) sends its client_id in the body and no Authorization header")
    func publicClient() async throws {
        try await FakeProvider.run { provider in
            _ = try await provider.login(try provider.client(secret: "")) { try await provider.sign(provider.claims(nonce: $0)) }
            let request = try #require(await provider.state.tokenRequests.last)
            #expect(request.authorization == nil)
            #expect(request.form["client_id"] == "communis")
            #expect(request.form["client_secret"] == nil)
        }
    }

    @Test("the token endpoint's refusal is rejected with its error and description; its 5xx is providerUnavailable")
    func tokenEndpointErrors() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client()
            await provider.state.update { $0.tokenStatus = 400 }
            await provider.state.update { $0.tokenAnswer = #"{"error":"invalid_grant","error_description":"The code has expired"}"# }
            let why = await OIDCTest.rejection { try await provider.login(client) { _ in "" } }
            #expect(why.contains("invalid_grant: The code has expired"), "\(why)")

            await provider.state.update { $0.tokenStatus = 503 }
            await provider.state.update { $0.tokenAnswer = "down for maintenance" }
            await #expect {
                _ = try await provider.login(client) { _ in "" }
            } throws: { error in
                guard case OIDCError.providerUnavailable(let why) = error else { return false }
                return why.contains("503")
            }

            await provider.state.update { $0.tokenStatus = 200 }
            await provider.state.update { $0.tokenAnswer = #"{"access_token":"at","token_type":"Bearer"}"# }
            let noToken = await OIDCTest.rejection { try await provider.login(client) { _ in "" } }
            #expect(noToken.contains("without an id_token"), "\(noToken)")
        }
    }

    @Test("a failed discovery is not repeated within the retry interval, and is tried again after it")
    func discoveryRetry() async throws {
        try await FakeProvider.run { provider in
            let client = try provider.client(timing: .init(retryAfterFailure: .milliseconds(500)))
            await provider.state.update { $0.discoveryStatus = 502 }
            for _ in 0..<3 {
                await #expect {
                    try await client.check()
                } throws: { error in
                    if case OIDCError.providerUnavailable = error { return true }
                    return false
                }
            }
            #expect(await provider.state.discoveryFetches == 1)
            await provider.state.update { $0.discoveryStatus = 200 }
            try await Task.sleep(for: .milliseconds(600))
            try await client.check()
            #expect(await provider.state.discoveryFetches == 2)
            try await client.check()
            #expect(await provider.state.discoveryFetches == 2, "a good document is kept")
        }
    }

    @Test("a discovery document without jwks_uri is rejected, naming the field")
    func discoveryWithoutKeys() async throws {
        try await FakeProvider.run { provider in
            await provider.state.update { $0.discoveryOmits = ["jwks_uri"] }
            let why = await OIDCTest.rejection { try await provider.client().check() }
            #expect(why.contains("jwks_uri"), "\(why)")
        }
    }
}
