import CommunisTesting
import AsyncHTTPClient
import CommunisServices
import Foundation
import Testing
@testable import CommunisOIDC

@Suite("OIDC settings, encodings and claim mapping")
struct SettingsTests {
    static func make(_ issuer: String, clientID: String = "communis", displayName: String = "") throws -> OIDCClient {
        try OIDCClient(settings: OIDCSettings(issuer: issuer, clientID: clientID, displayName: displayName),
                       httpClient: OIDCTest.httpClient, logger: LogCapture().logger)
    }

    @Test("the issuer must be https; plain http only on a loopback host", arguments: [
        ("https://login.microsoftonline.com/tenant/v2.0", true),
        ("https://sso.kommun.se/realms/personal", true),
        ("http://127.0.0.1:9400", true),
        ("http://localhost:9400", true),
        ("http://[::1]:9400", true),
        ("http://sso.kommun.se/realms/personal", false),
        ("http://10.0.0.5", false),
        ("https://sso.kommun.se/realms/personal?x=1", false),
        ("https://sso.kommun.se/#top", false),
        ("sso.kommun.se", false),
        ("", false),
    ])
    func issuerRules(issuer: String, accepted: Bool) throws {
        if accepted {
            _ = try Self.make(issuer)
        } else {
            #expect {
                _ = try Self.make(issuer)
            } throws: { error in
                guard case OIDCError.rejected(let why) = error else { return false }
                return why.hasPrefix("oidc.issuer must") && why.contains("\"\(issuer)\"")
            }
        }
    }

    @Test("an empty client id is refused")
    func emptyClientID() {
        #expect(throws: OIDCError.rejected("oidc.client_id must not be empty: it is the client id registered at https://sso.kommun.se")) {
            _ = try Self.make("https://sso.kommun.se", clientID: "")
        }
    }

    @Test("the login button shows the display name, else the issuer's host")
    func displayName() throws {
        #expect(try Self.make("https://login.microsoftonline.com/t/v2.0").displayName == "login.microsoftonline.com")
        #expect(try Self.make("https://login.microsoftonline.com/t/v2.0", displayName: "Kommunens konto").displayName == "Kommunens konto")
    }

    @Test("openid is always requested, first and once")
    func scopes() {
        #expect(OIDCSettings(issuer: "", clientID: "c", scopes: ["email", "openid", "", "email", "groups"]).requestedScopes == ["openid", "email", "groups"])
        #expect(OIDCSettings(issuer: "", clientID: "c", scopes: []).requestedScopes == ["openid"])
    }

    @Test("the discovery URL is the issuer without trailing slash plus /.well-known/openid-configuration")
    func discoveryURL() {
        #expect(ProviderMetadata.discoveryURL(issuer: "https://sso.kommun.se/realms/p/") == "https://sso.kommun.se/realms/p/.well-known/openid-configuration")
        #expect(ProviderMetadata.discoveryURL(issuer: "https://login.microsoftonline.com/t/v2.0") == "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration")
    }

    @Test("query parameters are percent-encoded and appended to an endpoint with or without a query")
    func queryEncoding() {
        #expect(OIDCEncoding.percentEncode("a b&c=d/é~-._+") == "a%20b%26c%3Dd%2F%C3%A9~-._%2B")
        #expect(OIDCEncoding.appendingQuery([("a", "1 2")], to: "https://idp/authorize") == "https://idp/authorize?a=1%202")
        #expect(OIDCEncoding.appendingQuery([("a", "1")], to: "https://idp/authorize?p=B2C_1") == "https://idp/authorize?p=B2C_1&a=1")
        #expect(OIDCEncoding.appendingQuery([("a", "1")], to: "https://idp/authorize?") == "https://idp/authorize?a=1")
    }

    @Test("the name falls back from name to given and family name to preferred_username to the subject")
    func nameFallbacks() {
        func name(_ claims: [String: JSONValue]) -> String {
            IDToken.person(from: IDTokenClaims(claims: claims), issuer: "i", subject: "sub-1", groupsClaim: "groups").name
        }
        #expect(name(["name": .string("Anna A"), "given_name": .string("X")]) == "Anna A")
        #expect(name(["given_name": .string("Bo"), "family_name": .string("Berg")]) == "Bo Berg")
        #expect(name(["family_name": .string("Berg")]) == "Berg")
        #expect(name(["name": .string("  "), "preferred_username": .string("bob")]) == "bob")
        #expect(name([:]) == "sub-1")
    }

    @Test("groups come from the configured claim: an array of strings, or one string")
    func groups() {
        func person(_ claims: [String: JSONValue]) -> OIDCIdentity {
            IDToken.person(from: IDTokenClaims(claims: claims), issuer: "i", subject: "s", groupsClaim: "roles")
        }
        #expect(person(["roles": .array([.string("a"), .number(1), .string("b")])]).groups == ["a", "b"])
        #expect(person(["roles": .string("a")]).groups == ["a"])
        #expect(person(["groups": .array([.string("a")])]).groups == [])
        let overage = person(["roles": .array([.string("a")]), "_claim_names": .object(["roles": .string("src1")])])
        #expect(overage.groupsUnreadable && overage.groups.isEmpty)
        #expect(!person(["_claim_names": .object(["groups": .string("src1")])]).groupsUnreadable)
    }
}
