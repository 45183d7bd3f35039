import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Logging in and out, CSRF, bearer tokens, origins")
struct SessionTests {
    @Test("/healthz answers 200 with JSON while the database answers")
    func health() async throws {
        try await World.make().test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["database"] as? String == "ok")
        }
    }

    @Test("The OpenAPI document is served at /api/openapi.yaml")
    func openAPI() async throws {
        try await World.make().test { client in
            let response = try await client.execute(uri: "/api/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).hasPrefix("openapi: 3.1"))
        }
    }

    @Test("Login sets an HttpOnly SameSite=Lax cookie; the session answers; logout ends it")
    func loginLogout() async throws {
        let world = try await World.make()
        try await world.test { client in
            var browser = Browser(client)
            let login = try await browser.send(.post, "/api/v1/session", json: ["email": "ERIK@katrineholm.se ", "password": World.password])
            #expect(login.status == .ok)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("communis_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
            browser.take(login)
            let session = try await browser.get("/api/v1/session")
            #expect(session.status == .ok)
            #expect((session.json["user"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect(session.json["csrfToken"] as? String == browser.csrf)
            #expect(try await browser.send(.delete, "/api/v1/session").status == .noContent)
            #expect(try await browser.get("/api/v1/me").status == .unauthorized)
            // Logging out again: there is no session to end (docs/openapi.yaml: 401), and the
            // stale cookie is cleared all the same.
            let again = try await browser.send(.delete, "/api/v1/session")
            #expect(again.status == .unauthorized)
            #expect(again.problemCode == "unauthenticated")
            #expect(again.headers[.setCookie]?.contains("communis_session=") == true)
        }
    }

    @Test("The cookie is Secure when the server is reached over https")
    func secureCookie() async throws {
        let world = try await World.make { $0.publicURL = "https://communis.katrineholm.se" }
        try await world.test { client in
            let login = try await Browser(client).send(.post, "/api/v1/session", json: ["email": "erik@katrineholm.se", "password": World.password])
            #expect(login.headers[.setCookie]?.contains("Secure") == true)
        }
    }

    @Test("Wrong passwords from one address slow that address down with growing waits; the real person logs in from another address")
    func loginDelays() async throws {
        // Behind the municipality's proxy (127.0.0.1 here), X-Forwarded-For names the client.
        let world = try await World.make { $0.trustedProxies = ["127.0.0.1"] }
        // Time stands still unless the test moves it, so a slow machine cannot outwait a delay.
        let time = HandClock("2026-12-07T08:00:00Z")
        try await world.testLive(clock: time.clock) { client in
            let browser = Browser(client)
            let attacker: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.66"]
            for _ in 1...5 {
                let wrong = try await browser.send(.post, "/api/v1/session", json: ["login": "sara@katrineholm.se", "password": "fel-lösenord"], headers: attacker)
                #expect(wrong.status == .unauthorized)
                #expect(wrong.problemCode == "invalid-credentials")
                #expect(wrong.headers[.contentType] == "application/problem+json")
            }
            let waiting = try await browser.send(.post, "/api/v1/session", json: ["login": "sara@katrineholm.se", "password": World.password], headers: attacker)
            #expect(waiting.status == .tooManyRequests)
            #expect(waiting.problemCode == "too-many-attempts")
            #expect(waiting.headers[.retryAfter] == "1")
            #expect(waiting.json["retryAfterSeconds"] as? Int == 1)
            // Sara herself, at her desk, is not affected: accounts are never locked.
            let sara: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "10.20.30.40"]
            _ = try await Browser.loggedIn(client, as: world.sara, headers: sara)
            // The waits grow: after the wait ends, one more wrong password means two seconds.
            time.advance(1.5)
            _ = try await browser.send(.post, "/api/v1/session", json: ["login": "sara@katrineholm.se", "password": "fel"], headers: attacker)
            let longer = try await browser.send(.post, "/api/v1/session", json: ["login": "sara@katrineholm.se", "password": "fel"], headers: attacker)
            #expect(longer.headers[.retryAfter] == "2")
            // The administrator sees the delay and can lift it.
            let admin = try await Browser.loggedIn(client, as: world.admin, headers: sara)
            let listed = try await admin.get("/api/v1/admin/users/\(world.sara.id)")
            #expect(listed.json["lockedUntil"] is String)
            #expect(try await admin.send(.post, "/api/v1/admin/users/\(world.sara.id)/unlock").status == .ok)
            _ = try await Browser.loggedIn(client, as: world.sara, headers: attacker)
        }
    }

    @Test("X-Forwarded-For from a peer that is not a trusted proxy is ignored")
    func untrustedForwardedFor() async throws {
        let world = try await World.make { $0.freeAttempts = 2 }
        try await world.testLive(clock: HandClock("2026-12-07T08:00:00Z").clock) { client in
            let browser = Browser(client)
            for octet in 1...2 {
                let spoofed: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(octet)"]
                _ = try await browser.send(.post, "/api/v1/session", json: ["login": "erik@katrineholm.se", "password": "fel"], headers: spoofed)
            }
            let spoofed: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.99"]
            let third = try await browser.send(.post, "/api/v1/session", json: ["login": "erik@katrineholm.se", "password": World.password], headers: spoofed)
            #expect(third.status == .tooManyRequests, "a made-up address must not escape the delay")
        }
    }

    @Test("An unknown e-mail gets the same answer as a wrong password")
    func unknownAccount() async throws {
        try await World.make().test { client in
            let response = try await Browser(client).send(.post, "/api/v1/session", json: ["email": "ingen@katrineholm.se", "password": World.password])
            #expect(response.status == .unauthorized)
            #expect(response.problemCode == "invalid-credentials")
        }
    }

    @Test("Too many failed logins from one address, over any accounts, get 429 with Retry-After")
    func perAddressLimit() async throws {
        let world = try await World.make { $0.loginAttemptsPerAddress = 3 }
        try await world.test { client in
            let browser = Browser(client)
            for email in ["a@katrineholm.se", "b@katrineholm.se", "c@katrineholm.se"] {
                #expect(try await browser.send(.post, "/api/v1/session", json: ["email": email, "password": "x"]).status == .unauthorized)
            }
            let limited = try await browser.send(.post, "/api/v1/session", json: ["email": "erik@katrineholm.se", "password": World.password])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.problemCode == "too-many-attempts")
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test("A change made with the cookie but without the CSRF token is refused and nothing is written")
    func csrf() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let forged = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "Förfalskad", "visibility": "open"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.problemCode == "csrf-failed")
            var wrong = erik
            wrong.csrf = "fel"
            #expect(try await wrong.send(.post, "/api/v1/workspaces", json: ["name": "Förfalskad", "visibility": "open"]).problemCode == "csrf-failed")
            #expect(try await erik.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
            #expect(try await erik.send(.post, "/api/v1/workspaces", json: ["name": "Äkta", "visibility": "open"]).status == .created)
        }
    }

    @Test("Bearer tokens work without cookie or CSRF token, and stop working when deleted")
    func bearer() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let created = try await erik.send(.post, "/api/v1/tokens", json: ["name": "Skript"])
            #expect(created.status == .created)
            let token = try #require(created.json["token"] as? String)
            let id = try #require(created.json["id"] as? String)
            let api = Browser(client)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await api.send(.get, "/api/v1/me", headers: auth).json["name"] as? String == "Erik Johansson")
            #expect(try await api.send(.post, "/api/v1/workspaces", json: ["name": "Via API", "visibility": "open"], headers: auth).status == .created)
            let listed = try await erik.get("/api/v1/tokens")
            #expect(((listed.json["items"] as? [[String: Any]]) ?? []).count == 1)
            #expect(((listed.json["items"] as? [[String: Any]])?.first?["token"]) == nil, "the secret is shown only once")
            #expect(try await erik.send(.delete, "/api/v1/tokens/\(id)").status == .noContent)
            let revoked = try await api.send(.get, "/api/v1/me", headers: auth)
            #expect(revoked.status == .unauthorized)
        }
    }

    @Test("Requests from a foreign Origin are refused; the own origin and configured ones pass")
    func origins() async throws {
        let world = try await World.make { $0.allowedOrigins = ["https://intranat.katrineholm.se"] }
        try await world.test { client in
            let browser = Browser(client)
            let body = ["email": "erik@katrineholm.se", "password": World.password]
            let evil = try await browser.send(.post, "/api/v1/session", json: body, headers: [.origin: "https://evil.example"])
            #expect(evil.status == .forbidden)
            #expect(evil.problemCode == "origin-refused")
            let configured = try await browser.send(.post, "/api/v1/session", json: body, headers: [.origin: "https://intranat.katrineholm.se"])
            #expect(configured.status == .ok)
        }
    }

    @Test("Changing one's password ends other sessions and keeps this one")
    func changePassword() async throws {
        let world = try await World.make()
        try await world.test { client in
            var first = try await Browser.loggedIn(client, as: world.erik)
            let second = try await Browser.loggedIn(client, as: world.erik)
            let wrong = try await first.send(.put, "/api/v1/me/password", json: ["currentPassword": "fel", "newPassword": "NyttLösen2027"])
            #expect(wrong.status == .unprocessableContent)
            let changed = try await first.send(.put, "/api/v1/me/password", json: ["currentPassword": World.password, "newPassword": "NyttLösen2027"])
            #expect(changed.status == .noContent)
            first.take(changed)
            #expect(try await first.get("/api/v1/me").status == .ok)
            #expect(try await second.get("/api/v1/me").status == .unauthorized)
            _ = try await Browser.loggedIn(client, as: world.erik, password: "NyttLösen2027")
        }
    }
}
