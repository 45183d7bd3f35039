import CommunisModel
import CommunisServer
import CommunisServices
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Logging in through a real OpenID Connect provider (oidc-provider-mock with PKCE and nonce
/// required), driven through Communis's own redirect and callback endpoints.
@Suite("Logging in through OpenID Connect", .serialized)
struct OIDCLoginTests {
    struct Setup {
        let world: World
        let provider: OIDCProvider
        let adapters: IdentityAdapters

        static func make(users: [[String: any Sendable]]) async throws -> Setup {
            let provider = try await OIDCProvider.start(users: users)
            let world = try await World.make { configuration in
                configuration.oidc.issuer = provider.issuer
                configuration.oidc.clientID = "communis"
                configuration.oidc.clientSecret = "hemligt"
                configuration.oidc.displayName = "Katrineholms inloggning"
                configuration.publicURL = "http://communis.test"
            }
            let adapters = try await IdentityAdapters.make(world.configuration, check: true, logger: quietLogger)
            return Setup(world: world, provider: provider, adapters: adapters)
        }

        func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            defer { provider.stop() }
            try await world.test(adapters: adapters, body)
        }
    }

    /// Follows what a browser does: starts the login, logs in at the provider as `sub`, and
    /// comes back to the callback with the flow cookie. Returns the callback's answer.
    static func login(_ client: any TestClientProtocol, provider: OIDCProvider, sub: String, returnTo: String = "#/people",
                      tamperState: Bool = false, dropCookie: Bool = false) async throws -> TestResponse {
        let start = try await client.execute(uri: "/api/v1/auth/oidc/login?returnTo=\(returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                                             method: .get)
        #expect(start.status == .found)
        let location = try #require(start.headers[.location])
        let flowCookie = try #require(start.headers[.setCookie]?.split(separator: ";").first.map(String.init))
        #expect(location.hasPrefix(provider.issuer))
        #expect(location.contains("code_challenge_method=S256"))
        #expect(location.contains("redirect_uri=http%3A%2F%2Fcommunis.test%2Fapi%2Fv1%2Fauth%2Foidc%2Fcallback"))
        let (code, state) = try await provider.authorize(url: location, sub: sub)
        let sentState = tamperState ? state + "x" : state
        var headers: HTTPFields = [:]
        if !dropCookie { headers[.cookie] = flowCookie }
        return try await client.execute(uri: "/api/v1/auth/oidc/callback?code=\(code)&state=\(sentState)", method: .get, headers: headers)
    }

    @Test("The login page offers the provider; a login creates the person from the ID token, keyed on (iss, sub), and returns to the page asked for")
    func login() async throws {
        let kim: [String: any Sendable] = ["sub": "kim-42", "name": "Kim Ek", "email": "kim.ek@katrineholm.se", "groups": ["/kommun/it"]]
        let setup = try await Setup.make(users: [kim])
        try await setup.test { client in
            let options = try await client.execute(uri: "/api/v1/auth/options", method: .get).json
            #expect((options["oidc"] as? [String: Any])?["displayName"] as? String == "Katrineholms inloggning")
            let callback = try await Self.login(client, provider: setup.provider, sub: "kim-42")
            #expect(callback.status == .found)
            #expect(callback.headers[.location] == "/#/people")
            let cookies = callback.headers[values: .setCookie]
            let session = try #require(cookies.first { $0.hasPrefix("communis_session=") }?.split(separator: ";").first.map(String.init))
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: session]).json
            #expect(me["name"] as? String == "Kim Ek")
            #expect(me["managedBy"] as? String == "oidc")
            #expect(me["managedFields"] as? [String] == ["name", "email"])
            // A second login (after a change of address at the provider) is the same person.
            try await setup.provider.setUser(sub: "kim-42", claims: ["name": "Kim Ek", "email": "kim.ek2@katrineholm.se", "groups": ["/kommun/it"]])
            let again = try await Self.login(client, provider: setup.provider, sub: "kim-42")
            let second = try #require(again.headers[values: .setCookie].first { $0.hasPrefix("communis_session=") }?.split(separator: ";").first.map(String.init))
            let me2 = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: second]).json
            #expect(me2["id"] as? String == me["id"] as? String)
            #expect(me2["email"] as? String == "kim.ek2@katrineholm.se")
            // Its groups are known to the administrators' rules.
            let admin = try await Browser.loggedIn(client, as: setup.world.admin)
            let groups = try await admin.get("/api/v1/admin/groups?q=it").items
            #expect(groups.contains { $0["key"] as? String == "oidc:/kommun/it" })
        }
    }

    @Test("A callback without the browser's flow cookie, with a wrong state, or used twice, logs nobody in")
    func forgedCallbacks() async throws {
        let setup = try await Setup.make(users: [["sub": "kim-42", "name": "Kim Ek", "email": "kim@katrineholm.se"]])
        try await setup.test { client in
            let noCookie = try await Self.login(client, provider: setup.provider, sub: "kim-42", dropCookie: true)
            #expect(noCookie.headers[.location] == "/#/login?error=oidc-expired")
            #expect(!noCookie.headers[values: .setCookie].contains { $0.hasPrefix("communis_session=") })
            let wrongState = try await Self.login(client, provider: setup.provider, sub: "kim-42", tamperState: true)
            #expect(wrongState.headers[.location] == "/#/login?error=oidc-failed")
            #expect(!wrongState.headers[values: .setCookie].contains { $0.hasPrefix("communis_session=") })
            // An open redirect is not possible: returnTo must be a client route.
            let outside = try await Self.login(client, provider: setup.provider, sub: "kim-42", returnTo: "https://evil.example/")
            #expect(outside.headers[.location] == "/#/")
        }
    }

    @Test("Group rules apply to OIDC groups; when the provider says the groups are elsewhere (Entra overage) access stays as it was and the admin view says so")
    func groupsAndOverage() async throws {
        let setup = try await Setup.make(users: [["sub": "kim-42", "name": "Kim Ek", "email": "kim@katrineholm.se", "groups": ["it-admins"]]])
        try await setup.test { client in
            _ = try await Self.login(client, provider: setup.provider, sub: "kim-42")
            let admin = try await Browser.loggedIn(client, as: setup.world.admin)
            let preview = try await admin.send(.post, "/api/v1/admin/group-rules/preview", json: ["groupKey": "oidc:it-admins", "kind": "role", "role": "admin"]).json
            #expect(((preview["gains"] as? [[String: Any]]) ?? []).compactMap { ($0["person"] as? [String: Any])?["name"] as? String } == ["Kim Ek"])
            #expect(try await admin.send(.post, "/api/v1/admin/group-rules", json: ["groupKey": "oidc:it-admins", "kind": "role", "role": "admin"]).status == .created)

            try await setup.provider.setUser(sub: "kim-42", claims: [
                "name": "Kim Ek", "email": "kim@katrineholm.se",
                "_claim_names": ["groups": "src1"], "_claim_sources": ["src1": ["endpoint": "https://graph.microsoft.com/v1.0/users/kim/getMemberObjects"]],
            ])
            let callback = try await Self.login(client, provider: setup.provider, sub: "kim-42")
            let session = try #require(callback.headers[values: .setCookie].first { $0.hasPrefix("communis_session=") }?.split(separator: ";").first.map(String.init))
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: session]).json
            #expect(me["role"] as? String == "admin", "unreadable groups are not 'no groups'")
            let kim = try #require(try await admin.get("/api/v1/admin/users?q=Kim").items.first)
            #expect(kim["groupsUnreadable"] as? Bool == true)
        }
    }
}
