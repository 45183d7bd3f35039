import Foundation
import Testing
@testable import CommunisModel

@Suite("Push subscriptions")
struct PushSubscriptionTests {
    static let p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let auth = "BTBZMqHH6r4Tts7J_aSIgg"

    static func subscription(_ endpoint: String, p256dh: String = p256dh, auth: String = auth, userAgent: String = "") -> PushSubscription {
        PushSubscription(personID: PersonID(), endpoint: endpoint, p256dh: p256dh, auth: auth, userAgent: userAgent, createdAt: Date())
    }

    static func fields(_ subscription: PushSubscription, allowHTTP: Bool = false) -> [String] {
        do {
            _ = try subscription.validated(allowHTTP: allowHTTP)
            return []
        } catch DomainError.validation(let errors) {
            return errors.map(\.field)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test("the push services browsers use are accepted")
    func realServices() {
        for endpoint in ["https://fcm.googleapis.com/fcm/send/dXx:APA91b", "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
                         "https://web.push.apple.com/QGuQyavXutnMH", "https://wns2-db5p.notify.windows.com/w/?token=BQYAAA"] {
            #expect(Self.fields(Self.subscription(endpoint)) == [], "\(endpoint)")
        }
    }

    @Test("an endpoint must be https on a named host, unless http is allowed for tests")
    func endpoints() {
        for endpoint in ["http://push.example.net/x", "ftp://push.example.net/x", "inte en adress", "https:///x", "https://localhost/x",
                         "https://127.0.0.1/x", "https://10.0.0.5:8443/x", "https://[::1]/x", "https://2130706433/x", "https://0x7f.1/x"] {
            #expect(Self.fields(Self.subscription(endpoint)) == ["endpoint"], "\(endpoint)")
        }
        #expect(Self.fields(Self.subscription("http://127.0.0.1:8123/push/a"), allowHTTP: true) == [])
        #expect(Self.fields(Self.subscription("https://push.example.net/" + String(repeating: "a", count: 2100))) == ["endpoint"])
    }

    @Test("the device key must be an uncompressed P-256 point and the secret 16 bytes")
    func keys() {
        #expect(Self.fields(Self.subscription("https://push.example.net/x", p256dh: "AAAA", auth: "kort")) == ["keys.p256dh", "keys.auth"])
        #expect(Self.fields(Self.subscription("https://push.example.net/x", p256dh: "A" + String(Self.p256dh.dropFirst()))) == ["keys.p256dh"],
                "a compressed or otherwise prefixed point is refused")
        let padded = Self.subscription("https://push.example.net/x", p256dh: Self.p256dh + "=", auth: Self.auth + "==")
        #expect(Self.fields(padded) == [], "padding is accepted")
    }

    @Test("the user agent is trimmed and cut to its limit")
    func userAgent() throws {
        let long = try Self.subscription("https://push.example.net/x", userAgent: "  " + String(repeating: "x", count: 500)).validated(allowHTTP: false)
        #expect(long.userAgent.count == PushSubscription.maxUserAgentLength && !long.userAgent.hasPrefix(" "))
    }

    @Test("base64url round trips, with or without padding")
    func base64url() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf, 0x00, 0x01]
        #expect(Base64URL.encode(bytes) == "-_-_AAE")
        #expect(Base64URL.decode("-_-_AAE") == bytes && Base64URL.decode("-_-_AAE=") == bytes)
        #expect(Base64URL.decode("?!") == nil)
    }
}
