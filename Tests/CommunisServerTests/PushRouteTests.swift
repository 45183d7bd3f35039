import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Web Push over HTTP")
struct PushRouteTests {
    static let p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let auth = "BTBZMqHH6r4Tts7J_aSIgg"

    static func device(_ endpoint: String) -> [String: Any] {
        ["endpoint": endpoint, "keys": ["p256dh": p256dh, "auth": auth], "userAgent": "Firefox på Android"]
    }

    @Test("a person subscribes a device, sees it by its push service's host only, and removes it; others cannot")
    func devices() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let key = try await erik.get("/api/v1/push/vapid-public-key")
            #expect(key.status == .ok && (key.json["key"] as? String)?.count == 87)
            #expect(try await sara.get("/api/v1/push/vapid-public-key").json["key"] as? String == key.json["key"] as? String)

            let endpoint = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk-hemlig"
            let created = try await erik.send(.post, "/api/v1/push/subscriptions", json: Self.device(endpoint))
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(try await erik.send(.post, "/api/v1/push/subscriptions", json: Self.device(endpoint)).json["id"] as? String == id)

            let listed = try await erik.get("/api/v1/push/subscriptions")
            #expect(!listed.text.contains("hemlig"), "the endpoint is a capability and is not shown")
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["service"] as? String == "updates.push.services.mozilla.com")
            let saras = try await sara.get("/api/v1/push/subscriptions")
            #expect((saras.json["items"] as? [Any])?.isEmpty == true, "Erik's device is not Sara's")

            #expect(try await sara.send(.delete, "/api/v1/push/subscriptions/\(id)").status == .notFound)
            #expect(try await erik.send(.delete, "/api/v1/push/subscriptions/\(id)").status == .noContent)
            #expect(try await erik.send(.delete, "/api/v1/push/subscriptions/\(id)").status == .notFound)
        }
    }

    @Test("plain http and local endpoints are refused unless push.allow_http is on")
    func endpoints() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            for endpoint in ["http://push.example.net/x", "https://127.0.0.1:8443/x", "https://localhost/x"] {
                let refused = try await erik.send(.post, "/api/v1/push/subscriptions", json: Self.device(endpoint))
                #expect(refused.status == .unprocessableContent && refused.problemCode == "validation-failed", "\(endpoint)")
            }
        }
        let testing = try await World.make { $0.push.allowHTTP = true }
        try await testing.test { client in
            let erik = try await Browser.loggedIn(client, as: testing.erik)
            #expect(try await erik.send(.post, "/api/v1/push/subscriptions", json: Self.device("http://127.0.0.1:8123/push/a")).status == .created)
        }
    }

    @Test("with push.enabled off every push route says push-disabled")
    func disabled() async throws {
        let world = try await World.make { $0.push.enabled = false }
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/push/vapid-public-key"), (.get, "/api/v1/push/subscriptions"),
                                   (.post, "/api/v1/push/test")] {
                let answer = try await erik.send(method, path)
                #expect(answer.status == .notFound && answer.problemCode == "push-disabled", "\(method) \(path)")
            }
        }
    }
}
