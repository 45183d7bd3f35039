import CommunisModel
import CommunisServices
import CommunisStore
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Discussions and the home feed over HTTP (notifications: `NotificationRoutes`). Writes here are the same service
/// calls as the live commands (same checks, same events); the live connection is the usual
/// way for the browser, these serve API clients and page loads.
struct DiscussionRoutes {
    let services: Services

    struct ThreadBody: Decodable { var title: String; var body: String }
    struct PostBody: Decodable { var body: String; var parentId: PostID? }
    struct EditBody: Decodable { var body: String }

    struct WrittenJSON<T: Encodable & Sendable>: Encodable {
        var seq: Int64
        var duplicate: Bool
        var result: T
        init(_ written: Written<T>) {
            seq = written.seq
            duplicate = written.duplicate
            result = written.value
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let discussions = services.discussions
        let feed = services.feed

        api.get("workspaces/:id/threads") { request, context in
            let page = try await discussions.threads(viewer: try context.requireViewer(), workspace: try context.parameters.id("id"), page: try request.pageRequest())
            return try PageJSON(page) { $0 }.response()
        }
        api.post("workspaces/:id/threads") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(ThreadBody.self, context: context)
            let written = try await discussions.createThread(
                viewer: viewer, workspace: try context.parameters.id("id"), title: body.title, body: body.body,
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            return try WrittenJSON(written).response(written.duplicate ? .ok : .created)
        }
        api.get("threads/:id") { _, context in
            try await discussions.thread(viewer: try context.requireViewer(), id: try context.parameters.id("id")).response()
        }
        api.get("threads/:id/posts") { request, context in
            let page = try await discussions.posts(viewer: try context.requireViewer(), thread: try context.parameters.id("id"), page: try request.pageRequest())
            return try PageJSON(page) { $0 }.response()
        }
        api.post("threads/:id/posts") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(PostBody.self, context: context)
            let written = try await discussions.reply(
                viewer: viewer, thread: try context.parameters.id("id"), body: body.body, parent: body.parentId,
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            return try WrittenJSON(written).response(written.duplicate ? .ok : .created)
        }
        api.patch("posts/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(EditBody.self, context: context)
            return try WrittenJSON(try await discussions.edit(viewer: viewer, post: try context.parameters.id("id"), body: body.body)).response()
        }
        api.delete("posts/:id") { _, context in
            _ = try await discussions.delete(viewer: try context.requireViewer(), post: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.get("posts/:id/revisions") { _, context in
            let revisions = try await discussions.revisions(viewer: try context.requireViewer(), post: try context.parameters.id("id"))
            return try ItemsJSON(items: revisions).response()
        }
        api.put("posts/:id/reactions/:emoji") { _, context in
            let written = try await discussions.react(
                viewer: try context.requireViewer(), target: try context.parameters.id("id", as: PostID.self).uuid,
                emoji: context.parameters.get("emoji")?.removingPercentEncoding ?? "", add: true)
            return try WrittenJSON(written).response()
        }
        api.delete("posts/:id/reactions/:emoji") { _, context in
            _ = try await discussions.react(
                viewer: try context.requireViewer(), target: try context.parameters.id("id", as: PostID.self).uuid,
                emoji: context.parameters.get("emoji")?.removingPercentEncoding ?? "", add: false)
            return Response(status: .noContent)
        }

        api.get("feed") { request, context in
            let limit = try request.pageRequest().limit
            return try await feed.home(viewer: try context.requireViewer(), before: request.query("before"), limit: limit).response()
        }
    }
}
