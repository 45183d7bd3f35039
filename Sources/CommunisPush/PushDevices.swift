import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// The Web Push use cases behind `/api/v1/push`: the public key browsers subscribe with, a
/// person's devices (subscribe, list, remove) and a test message to them. Each person sees
/// and removes only their own devices.
public struct PushDevices: Sendable {
    let store: any PushStore
    public let sender: WebPushSender
    /// Whether `http://` endpoints are accepted (tests serve a push service on localhost).
    let allowHTTP: Bool
    let clock: CommunisServices.Clock

    public init(store: any PushStore, sender: WebPushSender, allowHTTP: Bool, clock: CommunisServices.Clock = CommunisServices.Clock()) {
        self.store = store
        self.sender = sender
        self.allowHTTP = allowHTTP
        self.clock = clock
    }

    /// The VAPID public key, base64url uncompressed P-256.
    public var publicKey: String { sender.publicKey }

    /// Stores the viewer's device; the same endpoint again (by them or anyone) is the same
    /// device, now theirs.
    public func subscribe(viewer: Viewer, endpoint: String, p256dh: String, auth: String, userAgent: String?) async throws -> PushSubscription {
        let subscription = try PushSubscription(personID: viewer.id, endpoint: endpoint.trimmingCharacters(in: .whitespaces), p256dh: p256dh,
                                                auth: auth, userAgent: userAgent ?? "", createdAt: clock.now()).validated(allowHTTP: allowHTTP)
        return try await store.savePushSubscription(subscription)
    }

    public func devices(viewer: Viewer) async throws -> [PushSubscription] {
        try await store.pushSubscriptions(of: viewer.id)
    }

    /// Removes one of the viewer's devices; another person's device is not found.
    public func unsubscribe(viewer: Viewer, id: PushSubscriptionID) async throws {
        guard try await store.deletePushSubscription(id, of: viewer.id) else { throw DomainError.notFound("Push subscription") }
    }

    /// Sends a test message to every device of the viewer; returns how many took it.
    public func sendTest(viewer: Viewer) async -> Int {
        await sender.push(PushMessage(title: "Communis", body: "Push-aviseringar fungerar på den här enheten.", url: "/#/profile",
                                      tag: "push-test"), to: viewer.id)
    }
}
