import AsyncHTTPClient
import CommunisModel
import CommunisServices
import CommunisStore
import CommunisStoreSQLite
import CommunisTesting
import Foundation
import Logging
import NIOCore
import Testing
@testable import CommunisPush

/// The sender against a real SQLite file and a real push service on a loopback socket.
@Suite("Web Push delivery")
struct WebPushSenderTests {
    static let logger = Logger(label: "push-tests") { _ in SwiftLogNoOpLogHandler() }

    /// A migrated SQLite store in a folder of its own, removed afterwards.
    static func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-push-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore.open(path: folder.appendingPathComponent("communis.sqlite").path, logger: logger)
        do { try await body(store) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    static func subscribe(_ store: SQLiteStore, _ person: PersonID, _ endpoint: String, _ device: TestDevice) async throws -> PushSubscription {
        try await store.savePushSubscription(try PushSubscription(personID: person, endpoint: endpoint, p256dh: device.p256dh, auth: device.auth,
                                                                  userAgent: "Test", createdAt: Date()).validated(allowHTTP: true))
    }

    @Test("a message reaches every device of the person, encrypted for each, with VAPID, TTL, Urgency and Topic")
    func delivers() async throws {
        try await Self.withStore { store in
            try await PushServiceFixture.run { service in
                let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
                let olle = try await Fixture.insert(store, Fixture.person("Olle Ås"))
                let phone = TestDevice(), laptop = TestDevice(), olles = TestDevice()
                _ = try await Self.subscribe(store, eva.id, service.endpoint("phone"), phone)
                _ = try await Self.subscribe(store, eva.id, service.endpoint("laptop"), laptop)
                _ = try await Self.subscribe(store, olle.id, service.endpoint("olle"), olles)
                let sender = try await WebPushSender.make(store: store, settings: .init(subject: "mailto:it@katrineholm.se", ttlSeconds: 3600),
                                                          logger: Self.logger)

                let message = PushMessage(title: "Möte startat", body: "Ledningsgruppen har startat ett möte", url: "/#/workspaces/w/meetings/m",
                                          tag: "meeting-m")
                #expect(await sender.push(message, to: eva.id) == 2)

                let received = await service.state.received
                #expect(Set(received.map(\.device)) == ["phone", "laptop"], "Olle's device gets nothing")
                for push in received {
                    let device = push.device == "phone" ? phone : laptop
                    let decoded = try JSONDecoder().decode(PushMessage.self, from: Data(try device.decrypt(push.body)))
                    #expect(decoded == message)
                    #expect(push.headers["content-encoding"] == "aes128gcm")
                    #expect(push.headers["ttl"] == "3600")
                    #expect(push.headers["urgency"] == "normal")
                    let topic = try #require(push.headers["topic"])
                    #expect(topic.count <= 32 && !topic.contains("meeting"), "the topic hides the tag")
                    let (token, key) = try vapidParameters(try #require(push.headers["authorization"]))
                    #expect(key == sender.publicKey)
                    let jwt = try DecodedJWT(token)
                    #expect(try jwt.verifies(with: sender.publicKey))
                    #expect(jwt.claims["aud"] as? String == service.base)
                    #expect(jwt.claims["sub"] as? String == "mailto:it@katrineholm.se")
                }
                #expect(await sender.counts == .init(delivered: 2, failed: 0, removed: 0))
            }
        }
    }

    @Test("a device whose push service answers 410 or 404 is removed; one that answers 500 is kept and counted as failed")
    func goneDevices() async throws {
        try await Self.withStore { store in
            try await PushServiceFixture.run { service in
                let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
                let kept = try await Self.subscribe(store, eva.id, service.endpoint("kept"), TestDevice())
                _ = try await Self.subscribe(store, eva.id, service.endpoint("gone"), TestDevice())
                _ = try await Self.subscribe(store, eva.id, service.endpoint("unknown"), TestDevice())
                let broken = try await Self.subscribe(store, eva.id, service.endpoint("broken"), TestDevice())
                await service.state.answer("gone", 410)
                await service.state.answer("unknown", 404)
                await service.state.answer("broken", 500)
                let sender = try await WebPushSender.make(store: store, settings: .init(subject: nil), logger: Self.logger)

                #expect(await sender.push(PushMessage(title: "Nyhet", body: "Ny nyhet", url: "/#/news/n"), to: eva.id) == 1)
                #expect(try await store.pushSubscriptions(of: eva.id).map(\.id).sorted { $0.description < $1.description }
                        == [kept.id, broken.id].sorted { $0.description < $1.description })
                #expect(await sender.counts == .init(delivered: 1, failed: 1, removed: 2))
                #expect(await service.state.received.allSatisfy { $0.headers["topic"] == nil }, "no tag, no topic")
            }
        }
    }

    @Test("a push service that does not answer in time counts as a failure and does not hold up the others")
    func timeout() async throws {
        try await Self.withStore { store in
            try await PushServiceFixture.run { service in
                let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
                _ = try await Self.subscribe(store, eva.id, service.endpoint("fast"), TestDevice())
                // A listener that takes the connection and never answers.
                let silent = try await SilentListener.start()
                _ = try await Self.subscribe(store, eva.id, "http://127.0.0.1:\(silent.port)/push/slow", TestDevice())
                // The limit leaves the answering service time even on a busy machine (CI runs
                // about 95 suites at once on two cores: at a load average of 31 the answering
                // service missed a 3 s limit); the silent one is given up on after it.
                let sender = try await WebPushSender.make(store: store, settings: .init(subject: nil, timeout: .seconds(10)),
                                                          logger: Self.logger)
                let started = ContinuousClock.now
                #expect(await sender.push(PushMessage(title: "T", body: "B", url: "/"), to: eva.id) == 1)
                #expect(ContinuousClock.now - started < .seconds(60), "bounded by the limit, not by the silent service")
                #expect(await sender.counts.failed == 1)
                #expect(try await store.pushSubscriptions(of: eva.id).count == 2, "a slow service is no reason to forget the device")
                try await silent.stop()
            }
        }
    }

    @Test("the VAPID key is made once and kept: a second sender on the same database has the same public key")
    func keyKept() async throws {
        try await Self.withStore { store in
            let first = try await WebPushSender.make(store: store, settings: .init(subject: nil), logger: Self.logger)
            let second = try await WebPushSender.make(store: store, settings: .init(subject: nil), logger: Self.logger)
            #expect(first.publicKey == second.publicKey)
            #expect(try #require(Base64URL.decode(first.publicKey)).count == 65)
        }
    }

    @Test("a long message is shortened to fit the payload limit and stays valid JSON")
    func payloadLimit() throws {
        let message = PushMessage(title: "Lång", body: String(repeating: "å", count: 5000), url: "/#/news/x", tag: "news-x")
        let payload = WebPushSender.payload(message)
        #expect(payload.count <= WebPushSender.maxPayloadBytes)
        let decoded = try JSONDecoder().decode(PushMessage.self, from: Data(payload))
        #expect(decoded.title == "Lång" && decoded.url == "/#/news/x" && decoded.body.hasSuffix("…") && decoded.body.count > 100)
    }
}
