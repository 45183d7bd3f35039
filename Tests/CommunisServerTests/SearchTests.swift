import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Search over HTTP")
struct SearchTests {
    static func results(_ response: TestResponse) -> [[String: Any]] {
        (response.json["results"] as? [[String: Any]]) ?? []
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    @Test("A member finds a post by a word typed without å/ä/ö, with a highlighted snippet and the thread's route")
    func findsPost() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, sara, workspace) = try await DiscussionTests.setUp(client, world)
            let created = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Skolskjuts", "body": "Bussen till högstadiet är försenad <b>idag</b>"])
            let thread = try #require(((created.json["result"] as? [String: Any])?["thread"] as? [String: Any])?["id"] as? String)
            let found = try await erik.get("/api/v1/search?q=hogstadiet&type=post")
            #expect(found.status == .ok)
            let hit = try #require(Self.results(found).first)
            #expect(hit["kind"] as? String == "post")
            #expect(hit["title"] as? String == "Skolskjuts")
            #expect(hit["url"] as? String == "#/workspaces/\(workspace)?thread=\(thread)")
            #expect(hit["workspaceName"] as? String == "Projekt Diskussion")
            #expect((hit["author"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            let segments = (hit["snippet"] as? [[String: Any]]) ?? []
            #expect(segments.contains { $0["match"] as? Bool == true && $0["text"] as? String == "högstadiet" })
            #expect(segments.contains { ($0["text"] as? String ?? "").contains("<b>idag</b>") })
            #expect(found.json["nextCursor"] == nil)
            // Sara is outside the closed workspace: nothing, and no hint that anything matched.
            let outside = try await sara.get("/api/v1/search?q=hogstadiet")
            #expect(outside.status == .ok && Self.results(outside).isEmpty && outside.json["nextCursor"] == nil)
            #expect(Self.results(try await sara.get("/api/v1/search?q=skolskjuts&workspace=\(workspace)")).isEmpty)
        }
    }

    @Test("Guests find no people; employees find them by competence")
    func people() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let guest = try await Browser.loggedIn(client, as: world.guest)
            let names = Self.results(try await erik.get("/api/v1/search?q=vard&type=person")).compactMap { $0["title"] as? String }
            #expect(names == ["Sara Nilsson"])
            #expect(Self.results(try await erik.get("/api/v1/search?q=gis&type=person")).count == 3)
            #expect(Self.results(try await guest.get("/api/v1/search?q=gis")).isEmpty)
            #expect(Self.results(try await guest.get("/api/v1/search?q=Sara")).isEmpty)
        }
    }

    @Test("Empty, operator-only and hostile queries: 422 or plain words, never a 500")
    func hostile() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            for empty in ["", "%20", "AND", "NEAR%28", "%22%22", "*", "OR%20NOT", "%28"] {
                let response = try await erik.get("/api/v1/search?q=\(empty)")
                #expect(response.status == .unprocessableContent, "\(empty)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            for text in ["\"Sara", "NEAR(Sara, Nilsson)", "Sara*", "title:Sara", "Sara OR Erik", "Sa\u{E000}ra", "-Sara", "^Sara"] {
                let response = try await erik.get("/api/v1/search?q=\(Self.query(text))")
                #expect(response.status == .ok, "\(text)")
            }
            #expect(try await erik.get("/api/v1/search?q=x&type=secret").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/search?q=x&cursor=zzz").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/search?q=x&from=igår").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/search?q=x&workspace=inte-ett-id").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/search?q=x&includeArchived=kanske").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/search?q=x&sort=random").status == .unprocessableContent)
            #expect(try await client.execute(uri: "/api/v1/search?q=x", method: .get).status == .unauthorized)
        }
    }

    @Test("Pages follow a cursor; filters by type, author and date")
    func pagesAndFilters() async throws {
        let world = try await World.make()
        try await world.test { client in
            let (anna, erik, _, workspace) = try await DiscussionTests.setUp(client, world)
            for index in 0..<5 {
                _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Mötesanteckningar \(index)", "body": "Text \(index)"])
            }
            _ = try await erik.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: ["title": "Mötesanteckningar Erik", "body": "Mer"])
            let first = try await erik.get("/api/v1/search?q=motesanteckningar&type=thread&limit=4")
            let cursor = try #require(first.json["nextCursor"] as? String)
            let second = try await erik.get("/api/v1/search?q=motesanteckningar&type=thread&limit=4&cursor=\(Self.query(cursor))")
            let ids = (Self.results(first) + Self.results(second)).compactMap { $0["id"] as? String }
            #expect(ids.count == 6 && Set(ids).count == 6)
            #expect(second.json["nextCursor"] == nil)
            let byErik = Self.results(try await erik.get("/api/v1/search?q=motesanteck&type=thread&author=\(world.erik.id)"))
            #expect(byErik.compactMap { $0["title"] as? String } == ["Mötesanteckningar Erik"])
            #expect(Self.results(try await erik.get("/api/v1/search?q=motesanteckningar&to=2000-01-01")).isEmpty)
            #expect(Self.results(try await erik.get("/api/v1/search?q=motesanteckningar&type=discussion&from=2000-01-01&sort=newest")).count == 6)
        }
    }

    @Test("Workspaces come first; one hit per thread; snippets without Markdown; no date for people and workspaces")
    func cleanResults() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let created = try await anna.send(.post, "/api/v1/workspaces", json: [
                "name": "Lathundar", "description": "Allt om **skolgränserna** och IT-tips", "visibility": "open"])
            let workspace = try #require(created.json["id"] as? String)
            let secret = try await WorkspaceTests.create(anna, "Skolgränserna, förhandling", "secret")
            _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: [
                "title": "Nya skolgränserna", "body": "Läs om **skolgränserna** i [kartan](https://katrineholm.se/karta)."])
            _ = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/threads", json: [
                "title": "Skolskjuts", "body": "Fråga @[Sara Nilsson](person:\(world.sara.id)) om **skolgränserna**."])

            let found = Self.results(try await sara.get("/api/v1/search?q=skolgranserna"))
            #expect(found.first?["kind"] as? String == "workspace", "\(found)")
            #expect(found.first?["id"] as? String == workspace)
            #expect(found.first?["url"] as? String == "#/workspaces/\(workspace)")
            #expect(found.first?["date"] == nil)
            #expect(!found.contains { $0["id"] as? String == secret }, "a secret workspace is not found by outsiders")
            // "Nya skolgränserna": the thread by its title, not again as its opening post.
            let threads = found.filter { $0["title"] as? String == "Nya skolgränserna" }
            #expect(threads.map { $0["kind"] as? String } == ["thread"], "\(threads)")
            let post = try #require(found.first { $0["kind"] as? String == "post" })
            #expect(post["title"] as? String == "Skolskjuts")
            let text = ((post["snippet"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined()
            #expect(text.contains("@Sara Nilsson") && text.contains("skolgränserna.") && !text.contains("**") && !text.contains("person:"), "\(text)")
            #expect(post["date"] is String)

            let person = try #require(Self.results(try await sara.get("/api/v1/search?q=erik&type=person")).first)
            #expect(person["kind"] as? String == "person" && person["date"] == nil)
            let onlySpaces = Self.results(try await sara.get("/api/v1/search?q=lathundar&type=workspace"))
            #expect(onlySpaces.map { $0["kind"] as? String } == ["workspace"])
            let narrowed = Self.results(try await sara.get("/api/v1/search?q=skolgranserna&workspace=\(workspace)"))
            #expect(!narrowed.contains { $0["kind"] as? String == "workspace" }, "a search in one workspace lists its content")
        }
    }
}
