import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Discussions and the home feed over HTTP")
struct DiscussionTests {
    /// A closed workspace owned by Anna with Erik as a member; Sara is outside.
    static func setUp(_ client: any TestClientProtocol, _ world: World) async throws -> (anna: Browser, erik: Browser, sara: Browser, workspace: String) {
        let anna = try await Browser.loggedIn(client, as: world.admin)
        let workspace = try await WorkspaceTests.create(anna, "Projekt Diskussion", "closed")
        _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/members", json: ["personId": world.erik.id.description])
        return (anna, try await Browser.loggedIn(client, as: world.erik), try await Browser.loggedIn(client, as: world.sara), workspace)
    }

    @Test("A thread with replies; only members write; outsiders of a closed workspace read nothing")
    func threads() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, sara, workspace) = try await Self.setUp(client, world)
            let created = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Skolskjuts", "body": "Vem tar **detta**?"])
            #expect(created.status == .created)
            let result = try #require(created.json["result"] as? [String: Any])
            let thread = try #require((result["thread"] as? [String: Any])?["id"] as? String)
            #expect(created.json["seq"] as? Int == 1)
            #expect(try await erik.send(.post, "/api/v1/threads/\(thread)/posts", json: ["body": "Jag!"]).status == .created)
            let posts = try await erik.get("/api/v1/threads/\(thread)/posts")
            #expect(((posts.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["body"] as? String } == ["Vem tar **detta**?", "Jag!"])
            #expect(try await sara.get("/api/v1/threads/\(thread)/posts").status == .forbidden)
            #expect(try await sara.get("/api/v1/workspaces/\(workspace)/threads").status == .forbidden)
            #expect(try await sara.send(.post, "/api/v1/threads/\(thread)/posts", json: ["body": "Får jag?"]).status == .forbidden)
            #expect(try await erik.get("/api/v1/workspaces/\(workspace)/threads").json["total"] as? Int == 1)
        }
    }

    @Test("The same Idempotency-Key creates one post")
    func idempotency() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, _, _, workspace) = try await Self.setUp(client, world)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "nyckel-1"]
            let first = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "En gång", "body": "Text"], headers: key)
            let second = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "En gång", "body": "Text"], headers: key)
            #expect(first.status == .created)
            #expect(second.status == .ok)
            #expect(second.json["duplicate"] as? Bool == true)
            #expect(second.json["seq"] as? Int == first.json["seq"] as? Int)
            #expect(try await anna.get("/api/v1/workspaces/\(workspace)/threads").json["total"] as? Int == 1)
        }
    }

    @Test("Edits keep history and only the author edits; the author or an owner deletes, leaving a marker")
    func editAndDelete() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, _, workspace) = try await Self.setUp(client, world)
            let created = try await erik.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Fråga", "body": "Första versionen"])
            let post = try #require(((created.json["result"] as? [String: Any])?["post"] as? [String: Any])?["id"] as? String)
            #expect(try await anna.send(.patch, "/api/v1/posts/\(post)", json: ["body": "Annas version"]).status == .forbidden)
            let edited = try await erik.send(.patch, "/api/v1/posts/\(post)", json: ["body": "Andra versionen"])
            #expect(((edited.json["result"] as? [String: Any])?["post"] as? [String: Any])?["editedAt"] != nil)
            let revisions = try await anna.get("/api/v1/posts/\(post)/revisions")
            #expect(((revisions.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["body"] as? String } == ["Första versionen"])
            #expect(try await anna.send(.delete, "/api/v1/posts/\(post)").status == .noContent, "an owner may delete")
            let thread = try #require(((created.json["result"] as? [String: Any])?["thread"] as? [String: Any])?["id"] as? String)
            let after = try #require((try await erik.get("/api/v1/threads/\(thread)/posts").json["items"] as? [[String: Any]])?.first)
            #expect(after["deleted"] as? Bool == true)
            #expect(after["body"] as? String == "")
            #expect((after["deletedBy"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            #expect(try await erik.send(.patch, "/api/v1/posts/\(post)", json: ["body": "Igen"]).status == .notFound)
        }
    }

    @Test("Reactions: one emoji each, counted per person; plain text is refused")
    func reactions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, _, workspace) = try await Self.setUp(client, world)
            let created = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Fika", "body": "Fredag?"])
            let post = try #require(((created.json["result"] as? [String: Any])?["post"] as? [String: Any])?["id"] as? String)
            let thumbs = "%F0%9F%91%8D"
            #expect(try await erik.send(.put, "/api/v1/posts/\(post)/reactions/\(thumbs)").status == .ok)
            #expect(try await anna.send(.put, "/api/v1/posts/\(post)/reactions/\(thumbs)").status == .ok)
            #expect(try await anna.send(.put, "/api/v1/posts/\(post)/reactions/\(thumbs)").status == .ok)
            #expect(try await anna.send(.put, "/api/v1/posts/\(post)/reactions/hej").status == .unprocessableContent)
            let thread = try #require(((created.json["result"] as? [String: Any])?["thread"] as? [String: Any])?["id"] as? String)
            let first = try #require((try await anna.get("/api/v1/threads/\(thread)/posts").json["items"] as? [[String: Any]])?.first)
            let reactions = try #require(first["reactions"] as? [[String: Any]])
            #expect(reactions.first?["emoji"] as? String == "👍")
            #expect(reactions.first?["count"] as? Int == 2)
        }
    }

    @Test("An XSS payload is stored and returned as text, never turned into markup by the server")
    func xss() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, _, _, workspace) = try await Self.setUp(client, world)
            let payload = "<img src=x onerror=alert(1)> [klick](javascript:alert(1))"
            let created = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "<script>alert(1)</script>", "body": payload])
            let result = try #require(created.json["result"] as? [String: Any])
            #expect((result["thread"] as? [String: Any])?["title"] as? String == "<script>alert(1)</script>")
            #expect((result["post"] as? [String: Any])?["body"] as? String == payload)
            #expect(created.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test("The home feed shows my workspaces' activity newest first, never others'")
    func feed() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, sara, workspace) = try await Self.setUp(client, world)
            for n in 1...3 {
                _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Tråd \(n)", "body": "Text \(n)"])
            }
            let page = try await erik.get("/api/v1/feed?limit=2")
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(((items.first?["data"] as? [String: Any])?["thread"] as? [String: Any])?["title"] as? String == "Tråd 3")
            let next = try #require(page.json["next"] as? String)
            let older = try await erik.get("/api/v1/feed?limit=2&before=\(next)")
            #expect(((older.json["items"] as? [[String: Any]]) ?? []).count == 1)
            #expect(((try await sara.get("/api/v1/feed").json["items"] as? [[String: Any]]) ?? []).isEmpty)
        }
    }

    @Test("A deleted post's text is gone everywhere: thread, home feed, notifications")
    func deletionRedacts() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, _, workspace) = try await Self.setUp(client, world)
            let secret = "HEMLIG TEXT @[Erik Johansson](person:\(world.erik.id))"
            let created = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Ångras", "body": secret])
            let post = try #require(((created.json["result"] as? [String: Any])?["post"] as? [String: Any])?["id"] as? String)
            #expect(String(buffer: try await erik.get("/api/v1/feed").body).contains("HEMLIG"))
            #expect(try await anna.send(.delete, "/api/v1/posts/\(post)").status == .noContent)
            #expect(!String(buffer: try await erik.get("/api/v1/feed").body).contains("HEMLIG"))
            #expect(!String(buffer: try await erik.get("/api/v1/notifications").body).contains("HEMLIG"))
        }
    }

    @Test("A mention notifies a member and is stored; a mentioned outsider gets nothing")
    func mentions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, sara, workspace) = try await Self.setUp(client, world)
            let body = "Hej @[Erik Johansson](person:\(world.erik.id)) och @[Sara Nilsson](person:\(world.sara.id))"
            _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Möte", "body": body])
            let mine = try await erik.get("/api/v1/notifications")
            #expect(mine.json["unread"] as? Int == 1)
            #expect((mine.json["items"] as? [[String: Any]])?.first?["kind"] as? String == "mention")
            #expect(try await sara.get("/api/v1/notifications").json["total"] as? Int == 0)
            #expect(try await erik.send(.post, "/api/v1/notifications/read", json: [:]).status == .noContent)
            #expect(try await erik.get("/api/v1/notifications").json["unread"] as? Int == 0)
        }
    }
}

@Suite("Blogs and their Atom feeds")
struct BlogTests {
    @Test("A draft is its author's alone; publishing shows it to members and in the feed")
    func drafts() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, _, workspace) = try await DiscussionTests.setUp(client, world)
            let draft = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/blog", json: ["title": "Utkast", "body": "Inte klart"])
            #expect(draft.status == .created)
            let id = try #require((draft.json["result"] as? [String: Any])?["id"] as? String)
            #expect(try await anna.get("/api/v1/workspaces/\(workspace)/blog").json["total"] as? Int == 1)
            #expect(try await erik.get("/api/v1/workspaces/\(workspace)/blog").json["total"] as? Int == 0)
            #expect(try await erik.get("/api/v1/blog/\(id)").status == .notFound)
            #expect(((try await erik.get("/api/v1/feed").json["items"] as? [[String: Any]]) ?? []).isEmpty)
            let published = try await anna.send(.patch, "/api/v1/blog/\(id)", json: ["title": "Klart", "body": "Nu är det klart", "publish": true])
            #expect(published.status == .ok)
            #expect((published.json["result"] as? [String: Any])?["status"] as? String == "published")
            #expect(try await erik.get("/api/v1/blog/\(id)").json["blogPost"] != nil)
            #expect((try await erik.get("/api/v1/feed").json["items"] as? [[String: Any]])?.first?["type"] as? String == "blog.published")
            #expect(try await erik.send(.post, "/api/v1/blog/\(id)/comments", json: ["body": "Snyggt!"]).status == .created)
            #expect(((try await erik.get("/api/v1/blog/\(id)").json["comments"] as? [String: Any])?["total"]) as? Int == 1)
            #expect(try await erik.send(.patch, "/api/v1/blog/\(id)", json: ["title": "Kapad", "body": "x"]).status == .forbidden)
        }
    }

    @Test("Atom: open workspaces' feeds are public and escaped; closed ones need a member's feed token")
    func atom() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let open = try await WorkspaceTests.create(anna, "Öppen blogg", "open")
            let closed = try await WorkspaceTests.create(anna, "Stängd blogg", "closed")
            for workspace in [open, closed] {
                _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/blog", json: ["title": "Nyhet <b>", "body": "<script>alert(1)</script> **fet**", "publish": true])
            }
            _ = try await anna.send(.post, "/api/v1/workspaces/\(open)/blog", json: ["title": "Hemligt utkast", "body": "x"])
            let anonymous = Browser(client)
            let feed = try await anonymous.get("/feeds/workspaces/\(open)/blog.atom")
            #expect(feed.status == .ok)
            #expect(feed.headers[.contentType]?.hasPrefix("application/atom+xml") == true)
            let xml = String(buffer: feed.body)
            #expect(xml.contains("<title>Nyhet &lt;b&gt;</title>"))
            #expect(!xml.contains("<script>"))
            #expect(xml.contains("&lt;strong&gt;fet&lt;/strong&gt;"))
            #expect(!xml.contains("Hemligt utkast"))
            #expect(try await anonymous.get("/feeds/workspaces/\(closed)/blog.atom").status == .notFound)
            let token = try #require(try await anna.send(.post, "/api/v1/me/feed-token").json["token"] as? String)
            #expect(try await anonymous.get("/feeds/workspaces/\(closed)/blog.atom?token=\(token)").status == .ok)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let saraToken = try #require(try await sara.send(.post, "/api/v1/me/feed-token").json["token"] as? String)
            #expect(try await anonymous.get("/feeds/workspaces/\(closed)/blog.atom?token=\(saraToken)").status == .notFound, "a non-member's token opens nothing")
        }
    }

    @Test("A personal blog: drafts are private, published posts are for employees only, its feed needs an employee's token")
    func personal() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let draft = try await erik.send(.post, "/api/v1/me/blog", json: ["title": "Tankar om skolan", "body": "Utkast"])
            #expect(draft.status == .created)
            let id = try #require(draft.json["id"] as? String)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await sara.get("/api/v1/people/\(world.erik.id)/blog").json["total"] as? Int == 0)
            #expect(try await erik.get("/api/v1/people/\(world.erik.id)/blog").json["total"] as? Int == 1)
            #expect(try await erik.send(.patch, "/api/v1/me/blog/\(id)", json: ["title": "Tankar om skolan", "body": "Klart **nu**", "publish": true]).status == .ok)
            #expect(try await sara.get("/api/v1/people/\(world.erik.id)/blog").itemNames.isEmpty)  // items have titles, not names
            #expect(((try await sara.get("/api/v1/people/\(world.erik.id)/blog").json["items"] as? [[String: Any]]) ?? []).first?["title"] as? String == "Tankar om skolan")
            #expect(try await sara.send(.patch, "/api/v1/me/blog/\(id)", json: ["title": "Kapad", "body": "x"]).status == .notFound)
            let lena = try await Browser.loggedIn(client, as: world.guest)
            #expect(try await lena.get("/api/v1/people/\(world.erik.id)/blog").status == .forbidden)
            #expect(try await lena.send(.post, "/api/v1/me/blog", json: ["title": "Gäst", "body": "x"]).status == .forbidden)
            let anonymous = Browser(client)
            #expect(try await anonymous.get("/feeds/people/\(world.erik.id)/blog.atom").status == .notFound)
            let token = try #require(try await sara.send(.post, "/api/v1/me/feed-token").json["token"] as? String)
            let feed = try await anonymous.get("/feeds/people/\(world.erik.id)/blog.atom?token=\(token)")
            #expect(feed.status == .ok)
            #expect(String(buffer: feed.body).contains("&lt;strong&gt;nu&lt;/strong&gt;"))
            let guestToken = try #require(try await lena.send(.post, "/api/v1/me/feed-token").json["token"] as? String)
            #expect(try await anonymous.get("/feeds/people/\(world.erik.id)/blog.atom?token=\(guestToken)").status == .notFound)
            #expect(try await erik.send(.delete, "/api/v1/me/blog/\(id)").status == .noContent)
            #expect(try await sara.get("/api/v1/people/\(world.erik.id)/blog").json["total"] as? Int == 0)
        }
    }

    @Test("Personal posts take comments and reactions from employees; comments can be removed by their author or the blogger")
    func personalComments() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let created = try await erik.send(.post, "/api/v1/me/blog", json: ["title": "Om läsning", "body": "Läs mer!", "publish": true])
            let id = try #require(created.json["id"] as? String)
            let base = "/api/v1/people/\(world.erik.id)/blog/\(id)"
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let comment = try await sara.send(.post, "\(base)/comments", json: ["body": "Håller med <script>"])
            #expect(comment.status == .created)
            let commentID = try #require(comment.json["id"] as? String)
            #expect(try await sara.send(.post, "\(base)/comments", json: ["body": "  "]).status == .unprocessableContent)
            let reacted = try await sara.send(.put, "\(base)/reactions/%F0%9F%91%8D")
            #expect((reacted.json["reactions"] as? [[String: Any]])?.first?["count"] as? Int == 1)
            let detail = try await erik.get(base)
            #expect(((detail.json["comments"] as? [String: Any])?["items"] as? [[String: Any]])?.first?["body"] as? String == "Håller med <script>")
            #expect((detail.json["blogPost"] as? [String: Any])?["commentCount"] as? Int == 1)
            #expect(try await erik.send(.delete, "\(base)/comments/\(commentID)").status == .noContent, "the blogger may remove")
            let after = try await sara.get(base)
            let removed = try #require(((after.json["comments"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
            #expect(removed["deleted"] as? Bool == true)
            #expect(removed["body"] as? String == "")
            let lena = try await Browser.loggedIn(client, as: world.guest)
            #expect(try await lena.get(base).status == .forbidden)
            #expect(try await sara.get("/api/v1/people/\(world.sara.id)/blog/\(id)").status == .notFound, "the author in the path must match")
            #expect(try await sara.get("/api/v1/people/\(world.erik.id)/blog").status == .ok)
            #expect(try await sara.get("/api/v1/people/\(world.erik.id)/presence").status == .ok)
        }
    }
}
