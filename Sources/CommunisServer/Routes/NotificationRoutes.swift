import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import Hummingbird

/// The notification centre over HTTP: my notifications, my notification settings and what I
/// follow (docs/openapi.yaml, tag `notifications`).
struct NotificationRoutes {
    let services: Services

    struct ReadBody: Decodable { var upTo: Date? }
    struct UnreadJSON: Encodable { var unread: Int }

    func register(on api: RouterGroup<AppRequestContext>) {
        let feed = services.feed
        let centre = services.notificationCentre

        api.get("notifications") { request, context in
            try await feed.notifications(viewer: try context.requireViewer(), page: try request.pageRequest()).response()
        }
        api.get("notifications/unread-count") { _, context in
            try UnreadJSON(unread: try await feed.unreadCount(viewer: try context.requireViewer())).response()
        }
        api.post("notifications/read") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            // No body means "everything until now"; a body must be valid.
            let body = try await request.optionalJSON(ReadBody.self, context: context) ?? ReadBody(upTo: nil)
            try await feed.markRead(viewer: viewer, upTo: body.upTo ?? Date())
            return Response(status: .noContent)
        }

        api.get("me/notification-settings") { _, context in
            try await centre.settings(viewer: try context.requireViewer()).response()
        }
        api.put("me/notification-settings") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(NotificationCentre.SettingsInput.self, context: context)
            return try await centre.setSettings(viewer: viewer, body).response()
        }

        api.get("me/follows") { _, context in
            try await centre.follows(viewer: try context.requireViewer()).response()
        }
        api.put("me/follows/:kind/:target") { _, context in
            let (kind, target) = try Self.follow(context)
            try await centre.follow(viewer: try context.requireViewer(), kind: kind, target: target)
            return Response(status: .noContent)
        }
        api.delete("me/follows/:kind/:target") { _, context in
            let (kind, target) = try Self.follow(context)
            try await centre.unfollow(viewer: try context.requireViewer(), kind: kind, target: target)
            return Response(status: .noContent)
        }
    }

    /// The kind and target of a follow path (the target percent-decoded: tags may hold å, ä, ö and spaces).
    static func follow(_ context: AppRequestContext) throws -> (FollowKind, String) {
        guard let text = context.parameters.get("kind"), let kind = FollowKind(rawValue: text) else {
            throw DomainError.validation([FieldError(field: "kind", message: "must be workspace, person, tag or category")])
        }
        let raw = context.parameters.get("target") ?? ""
        return (kind, raw.removingPercentEncoding ?? raw)
    }
}
