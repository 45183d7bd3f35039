import CommunisMarkdown
import CommunisModel
import CommunisServices
import CommunisStore
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Workspace blogs over HTTP, personal feed tokens, and each blog's Atom feed.
struct BlogRoutes {
    let services: Services

    struct SaveBody: Decodable { var title: String; var body: String; var publish: Bool? }
    struct CommentBody: Decodable { var body: String }
    struct FeedTokenJSON: Encodable { var token: String; var feedUrl: String }

    func register(on api: RouterGroup<AppRequestContext>) {
        let blogs = services.blogs
        api.get("workspaces/:id/blog") { request, context in
            try await blogs.posts(viewer: try context.requireViewer(), workspace: try context.parameters.id("id"), page: try request.pageRequest()).response()
        }
        api.post("workspaces/:id/blog") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(SaveBody.self, context: context)
            let written = try await blogs.save(viewer: viewer, workspace: try context.parameters.id("id"), id: nil, title: body.title, body: body.body, publish: body.publish ?? false)
            return try DiscussionRoutes.WrittenJSON(written).response(.created)
        }
        api.get("blog/:id") { request, context in
            try await blogs.post(viewer: try context.requireViewer(), id: try context.parameters.id("id"), page: try request.pageRequest()).response()
        }
        api.patch("blog/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let id: BlogPostID = try context.parameters.id("id")
            let body = try await request.json(SaveBody.self, context: context)
            let written = try await blogs.update(viewer: viewer, id: id, title: body.title, body: body.body, publish: body.publish ?? false)
            return try DiscussionRoutes.WrittenJSON(written).response()
        }
        api.delete("blog/:id") { _, context in
            try await blogs.delete(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.post("blog/:id/comments") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CommentBody.self, context: context)
            let written = try await blogs.comment(viewer: viewer, on: try context.parameters.id("id"), body: body.body,
                                                  idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            return try DiscussionRoutes.WrittenJSON(written).response(written.duplicate ? .ok : .created)
        }
        api.get("people/:id/blog") { request, context in
            try await blogs.personalPosts(viewer: try context.requireViewer(), author: try context.parameters.id("id"), page: try request.pageRequest()).response()
        }
        api.get("people/:id/blog/:post") { request, context in
            try await blogs.personalPost(
                viewer: try context.requireViewer(), author: try context.parameters.id("id"), id: try context.parameters.id("post"),
                page: try request.pageRequest()).response()
        }
        api.post("people/:id/blog/:post/comments") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CommentBody.self, context: context)
            return try await blogs.commentPersonal(
                viewer: viewer, author: try context.parameters.id("id"), id: try context.parameters.id("post"), body: body.body).response(.created)
        }
        api.delete("people/:id/blog/:post/comments/:comment") { _, context in
            try await blogs.deletePersonalComment(
                viewer: try context.requireViewer(), author: try context.parameters.id("id"), id: try context.parameters.id("post"),
                comment: try context.parameters.id("comment"))
            return Response(status: .noContent)
        }
        api.put("people/:id/blog/:post/reactions/:emoji") { _, context in
            try await blogs.reactPersonal(
                viewer: try context.requireViewer(), author: try context.parameters.id("id"), id: try context.parameters.id("post"),
                emoji: context.parameters.get("emoji")?.removingPercentEncoding ?? "", add: true).response()
        }
        api.delete("people/:id/blog/:post/reactions/:emoji") { _, context in
            try await blogs.reactPersonal(
                viewer: try context.requireViewer(), author: try context.parameters.id("id"), id: try context.parameters.id("post"),
                emoji: context.parameters.get("emoji")?.removingPercentEncoding ?? "", add: false).response()
        }
        api.post("me/blog") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(SaveBody.self, context: context)
            return try await blogs.savePersonal(viewer: viewer, id: nil, title: body.title, body: body.body, publish: body.publish ?? false).response(.created)
        }
        api.patch("me/blog/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(SaveBody.self, context: context)
            return try await blogs.savePersonal(viewer: viewer, id: try context.parameters.id("id"), title: body.title, body: body.body, publish: body.publish ?? false).response()
        }
        api.delete("me/blog/:id") { _, context in
            try await blogs.deletePersonal(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.post("me/feed-token") { request, context in
            let token = try await blogs.newFeedToken(viewer: try context.requireViewer())
            let base = WorkspaceRoutes(services: services).baseURL(request)
            return try FeedTokenJSON(token: token, feedUrl: "\(base)/feeds/workspaces/{workspaceId}/blog.atom?token=\(token)").response(.created)
        }
    }

    /// `GET /feeds/workspaces/{id}/blog.atom[?token=…]` and `GET /feeds/people/{id}/blog.atom?token=…`.
    /// Who may read a feed is the service's decision (`Blogs.workspaceFeed`, `Blogs.personalFeed`);
    /// a feed it does not give is "not found", so feeds reveal nothing. Only the Atom is made here.
    func registerFeeds(on router: Router<AppRequestContext>) {
        let blogs = services.blogs
        router.get("feeds/workspaces/:id/blog.atom") { request, context in
            guard let id: WorkspaceID = try? context.parameters.id("id"),
                  let feed = try await blogs.workspaceFeed(id, token: request.query("token")) else {
                throw Problem(.notFound, code: "not-found", title: "Not found",
                              detail: "No such feed, or it needs the feed token of a member (?token=…).")
            }
            let workspace = feed.workspace
            let base = WorkspaceRoutes(services: services).baseURL(request)
            let xml = AtomFeed.render(
                id: workspace.id.description, title: workspace.name, subtitle: workspace.description,
                link: "\(base)/#/workspaces/\(workspace.id)", entries: feed.entries.map { AtomFeed.Entry(post: $0.post, author: $0.authorName) }, base: base)
            return AtomFeed.response(xml)
        }
        router.get("feeds/people/:id/blog.atom") { request, context in
            guard let id: PersonID = try? context.parameters.id("id"),
                  let feed = try await blogs.personalFeed(author: id, token: request.query("token")) else {
                throw Problem(.notFound, code: "not-found", title: "Not found",
                              detail: "No such feed, or it needs the feed token of an employee (?token=…).")
            }
            let author = feed.author
            let base = WorkspaceRoutes(services: services).baseURL(request)
            let xml = AtomFeed.render(
                id: author.id.description, title: author.name, subtitle: author.profile.title, link: "\(base)/#/people/\(author.id)",
                entries: feed.posts.map { AtomFeed.Entry(post: $0, author: author.name) }, base: base)
            return AtomFeed.response(xml)
        }
    }
}

/// Atom 1.0 (RFC 4287) for a workspace blog. Entry content is the same safe HTML the web
/// client shows, escaped once more as the XML text of a `type="html"` element.
enum AtomFeed {
    struct Entry {
        var post: BlogPost
        var author: String
    }

    static func response(_ xml: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8", .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    static func render(id: String, title: String, subtitle: String, link: String, entries: [Entry], base: String) -> String {
        let formatter = ISO8601DateFormatter()
        let updated = entries.map(\.post.updatedAt).max() ?? Date()
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="sv">
          <id>urn:uuid:\(id)</id>
          <title>\(escape(title))</title>
          <subtitle>\(escape(subtitle))</subtitle>
          <updated>\(formatter.string(from: updated))</updated>
          <link rel="alternate" type="text/html" href="\(escape(link))"/>
          <generator>Communis</generator>

        """
        for entry in entries {
            let post = entry.post, author = entry.author
            let postLink = post.workspaceID.map { "\(base)/#/workspaces/\($0)/blog/\(post.id)" } ?? "\(base)/#/people/\(post.authorID)/blog/\(post.id)"
            xml += """
              <entry>
                <id>urn:uuid:\(post.id)</id>
                <title>\(escape(post.title))</title>
                <author><name>\(escape(author))</name></author>
                <published>\(formatter.string(from: post.publishedAt ?? post.createdAt))</published>
                <updated>\(formatter.string(from: post.updatedAt))</updated>
                <link rel="alternate" type="text/html" href="\(escape(postLink))"/>
                <summary>\(escape(String(Markdown.plainText(post.body).prefix(300))))</summary>
                <content type="html">\(escape(Markdown.html(post.body)))</content>
              </entry>

            """
        }
        return xml + "</feed>\n"
    }

    /// XML text and attribute escaping; also drops characters XML 1.0 forbids.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = scalar.value
                if v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000 {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
