import CommunisModel
import CommunisPush
import CommunisServices
import Foundation
import Hummingbird

/// Web Push over HTTP (`/api/v1/push`): the VAPID public key browsers subscribe with, the
/// signed-in person's devices, and a test message to them. With `push.enabled` off every
/// route answers 404 `push-disabled`, so the web client hides its switch.
struct PushRoutes {
    let services: Services

    /// The keys may be missing here: the validation names every field that is wrong at once.
    struct SubscribeBody: Decodable {
        struct Keys: Decodable { var p256dh: String?; var auth: String? }
        var endpoint: String
        var keys: Keys
        var userAgent: String?
    }

    struct DeviceJSON: Encodable {
        var id: PushSubscriptionID
        /// Only the push service's host: the full endpoint is a capability to message the device.
        var service: String
        var userAgent: String
        var createdAt: Date

        init(_ subscription: PushSubscription) {
            id = subscription.id
            service = URL(string: subscription.endpoint)?.host ?? ""
            userAgent = subscription.userAgent
            createdAt = subscription.createdAt
        }
    }

    struct DevicesJSON: Encodable { var items: [DeviceJSON] }

    static let disabled = Problem(.notFound, code: "push-disabled", title: "Push is off",
                                  detail: "This server does not send push messages (push.enabled is false).")

    func register(on api: RouterGroup<AppRequestContext>) {
        let push = services.push

        api.get("push/vapid-public-key") { _, context in
            _ = try context.requireViewer()
            guard let push else { throw Self.disabled }
            return try ["key": push.publicKey].response()
        }
        api.get("push/subscriptions") { _, context in
            let viewer = try context.requireViewer()
            guard let push else { throw Self.disabled }
            return try DevicesJSON(items: try await push.devices(viewer: viewer).map(DeviceJSON.init)).response()
        }
        api.post("push/subscriptions") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            guard let push else { throw Self.disabled }
            let body = try await request.json(SubscribeBody.self, context: context)
            let stored = try await push.subscribe(viewer: viewer, endpoint: body.endpoint, p256dh: body.keys.p256dh ?? "", auth: body.keys.auth ?? "",
                                                  userAgent: body.userAgent)
            return try ["id": stored.id.description].response(.created)
        }
        api.delete("push/subscriptions/:id") { _, context in
            let viewer = try context.requireViewer()
            guard let push else { throw Self.disabled }
            try await push.unsubscribe(viewer: viewer, id: try context.parameters.id("id", as: PushSubscriptionID.self))
            return Response(status: .noContent)
        }
        api.post("push/test") { _, context in
            let viewer = try context.requireViewer()
            guard let push else { throw Self.disabled }
            let sent = await push.sendTest(viewer: viewer)
            return try ["sent": sent].response()
        }
    }
}
