import AsyncHTTPClient
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Logging
import NIOCore

/// Sends Web Push messages (`PushSending`): a message to a person goes to every device they
/// have subscribed, concurrently, each with a time limit, encrypted for that device
/// (RFC 8291) and signed with the installation's VAPID key (RFC 8292). A device whose push
/// service answers 404 or 410 is removed. Owns the delivery counters.
public actor WebPushSender: PushSending {
    public struct Settings: Sendable {
        /// The contact in the VAPID token (`mailto:` or `https:`); nil leaves it out.
        public var subject: String?
        /// How long a push service keeps a message for a device that is offline.
        public var ttlSeconds: Int
        public var urgency: String
        /// How long one device's push service has to answer.
        public var timeout: TimeAmount

        public init(subject: String?, ttlSeconds: Int = 86_400, urgency: String = "normal", timeout: TimeAmount = .seconds(10)) {
            self.subject = subject
            self.ttlSeconds = ttlSeconds
            self.urgency = urgency
            self.timeout = timeout
        }
    }

    /// What has been sent since start, for logs and tests.
    public struct Counts: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var removed = 0
    }

    /// The most bytes of JSON a message carries; well under the 4 kB a push service takes,
    /// since every byte is seen (as length) by it and paid for on a phone.
    public static let maxPayloadBytes = 3000

    private let store: any PushStore
    private let delivery: PushDelivery
    private let clock: CommunisServices.Clock
    private let logger: Logger
    public private(set) var counts = Counts()
    /// The public half of the VAPID key, the browsers' `applicationServerKey`.
    public nonisolated let publicKey: String

    init(store: any PushStore, key: VAPIDKey, client: HTTPClient, settings: Settings, clock: CommunisServices.Clock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        publicKey = key.publicKey
        delivery = PushDelivery(client: client, key: key, subject: settings.subject, ttlSeconds: settings.ttlSeconds,
                                urgency: settings.urgency, timeout: settings.timeout)
    }

    /// A sender with the installation's VAPID key: the stored one, or one made now and stored
    /// (the first node to store it wins; every node and every restart then uses it).
    /// `client` is the process's push client unless given (tests give their own).
    public static func make(store: any PushStore, client: HTTPClient? = nil, settings: Settings, clock: CommunisServices.Clock = CommunisServices.Clock(),
                            logger: Logger) async throws -> WebPushSender {
        let stored = try await store.pushVAPIDKey(orStore: VAPIDKey().stored, at: clock.now())
        guard let key = VAPIDKey(stored: stored) else { throw PushKeyUnreadable() }
        return WebPushSender(store: store, key: key, client: client ?? PushDelivery.sharedClient, settings: settings, clock: clock, logger: logger)
    }

    @discardableResult
    public func push(_ message: PushMessage, to person: PersonID) async -> Int {
        let devices: [PushSubscription]
        do { devices = try await store.pushSubscriptions(of: person) } catch {
            logger.error("push subscriptions could not be read", metadata: ["person.id": "\(person)", "error": "\(error)"])
            counts.failed += 1
            return 0
        }
        guard !devices.isEmpty else { return 0 }
        let payload = Self.payload(message)
        let topic = PushDelivery.topic(for: message.tag)
        let now = clock.now()
        let delivery = delivery
        let logger = logger
        let outcomes = await withTaskGroup(of: (PushSubscription, PushDelivery.Outcome).self) { group in
            for device in devices {
                group.addTask { (device, await delivery.send(payload, topic: topic, to: device, now: now, logger: logger)) }
            }
            var outcomes: [(PushSubscription, PushDelivery.Outcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var delivered = 0
        for (device, outcome) in outcomes {
            switch outcome {
            case .delivered:
                delivered += 1
            case .gone(let status):
                counts.removed += 1
                logger.info("push subscription gone, removed", metadata: [
                    "person.id": "\(person)", "push.subscription": "\(device.id)", "http.status": "\(status)"])
                do { _ = try await store.deletePushSubscription(endpoint: device.endpoint) } catch {
                    logger.error("gone push subscription could not be removed", metadata: ["push.subscription": "\(device.id)", "error": "\(error)"])
                }
            case .failed(let reason):
                counts.failed += 1
                logger.warning("push message not delivered", metadata: [
                    "person.id": "\(person)", "push.subscription": "\(device.id)", "push.host": "\(URL(string: device.endpoint)?.host ?? "")",
                    "error": "\(reason)"])
            }
        }
        counts.delivered += delivered
        return delivered
    }

    /// The JSON a device's service worker reads (`web/sw.js`): title, body, url and tag, the
    /// body shortened until the whole fits `maxPayloadBytes`.
    public static func payload(_ message: PushMessage) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var message = message
        message.title = String(message.title.prefix(200))
        message.url = String(message.url.prefix(1000))
        while true {
            // Encoding strings cannot fail.
            let bytes = Array((try? encoder.encode(message)) ?? Data())
            if bytes.count <= maxPayloadBytes || message.body.isEmpty { return bytes }
            message.body = String(message.body.prefix(max(0, message.body.count - max(16, (bytes.count - maxPayloadBytes) / 2)))) + "…"
            if message.body == "…" { message.body = "" }
        }
    }
}

/// The stored VAPID key is not a P-256 private key (the database was edited by hand).
public struct PushKeyUnreadable: Error, CustomStringConvertible {
    public var description: String { "the stored VAPID key (push_keys 'vapid') is not a P-256 private key" }
}
