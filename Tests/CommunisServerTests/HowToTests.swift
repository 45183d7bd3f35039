import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The knowledge bank over HTTP")
struct HowToTests {
    /// A closed workspace owned by Anna (admin) with Erik and Lena (a guest) as members; Sara is
    /// not a member. A secret workspace has only Anna.
    struct Setup {
        var anna: Browser
        var erik: Browser
        var sara: Browser
        var lena: Browser
        var workspace: String
        var secret: String
    }

    static func setUp(_ client: any TestClientProtocol, _ world: World) async throws -> Setup {
        let anna = try await Browser.loggedIn(client, as: world.admin)
        let workspace = try await WorkspaceTests.create(anna, "IT-avdelningen", "closed")
        let secret = try await WorkspaceTests.create(anna, "Löneöversyn", "secret")
        for person in [world.erik, world.guest] {
            let added = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/members", json: ["personId": person.id.description])
            #expect(added.status == .created, "\(String(buffer: added.body))")
        }
        return Setup(
            anna: anna, erik: try await Browser.loggedIn(client, as: world.erik), sara: try await Browser.loggedIn(client, as: world.sara),
            lena: try await Browser.loggedIn(client, as: world.guest), workspace: workspace, secret: secret)
    }

    static func article(_ title: String, workspace: String?, body: String = "1. Öppna Procapita\n2. Logga in med SITHS-kortet", reviewBy: String? = nil) -> [String: Any] {
        var json: [String: Any] = [
            "title": title, "summary": "Så loggar du in", "body": body, "tags": ["Procapita", "inloggning"],
            "audience": ["departments": ["Vård- och omsorgsförvaltningen"], "roles": []],
            "recordings": [["recordingId": "rec-42", "title": "Genomgång", "chapters": [["title": "Steg 2: Logga in", "offsetMs": 65_000]]]],
        ]
        json["workspaceId"] = workspace ?? NSNull()
        if let reviewBy { json["reviewBy"] = reviewBy }
        return json
    }

    static func create(_ browser: Browser, _ json: [String: Any]) async throws -> [String: Any] {
        let response = try await browser.send(.post, "/api/v1/articles", json: json)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return response.json
    }

    static func titles(_ response: TestResponse) -> [String] {
        ((response.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
    }

    @Test("A member writes a how-to; edits are revisions with a readable diff; restore makes a new revision")
    func revisionsDiffRestore() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let created = try await Self.create(s.erik, Self.article("Logga in i Procapita", workspace: s.workspace))
            let id = try #require(created["id"] as? String)
            #expect(created["revision"] as? Int == 1)
            #expect(created["status"] as? String == "current")
            #expect(created["canEdit"] as? Bool == true)
            #expect((created["owner"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            let recording = try #require((created["recordings"] as? [[String: Any]])?.first)
            #expect((recording["chapters"] as? [[String: Any]])?.first?["offsetMs"] as? Int == 65_000)

            var edit = Self.article("Logga in i Procapita", workspace: nil, body: "1. Öppna Procapita\n2. Logga in med e-tjänstekortet\n3. Välj enhet")
            edit["baseRevision"] = 1
            let saved = try await s.erik.send(.put, "/api/v1/articles/\(id)", json: edit)
            #expect(saved.status == .ok, "\(String(buffer: saved.body))")
            #expect(saved.json["revision"] as? Int == 2)

            let history = try await s.lena.get("/api/v1/articles/\(id)/revisions")
            #expect(history.status == .ok)
            let numbers = ((history.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? Int }
            #expect(numbers == [2, 1])

            let diff = try await s.erik.get("/api/v1/articles/\(id)/diff?from=1&to=2")
            #expect(diff.status == .ok, "\(String(buffer: diff.body))")
            let fields = (diff.json["fields"] as? [[String: Any]]) ?? []
            let body = try #require(fields.first { $0["field"] as? String == "body" })
            #expect(body["changed"] as? Bool == true)
            let lines = ((body["lines"] as? [[String: Any]]) ?? []).map { "\($0["op"] as? String ?? ""):\($0["text"] as? String ?? "")" }
            #expect(lines == [
                "equal:1. Öppna Procapita", "removed:2. Logga in med SITHS-kortet", "added:2. Logga in med e-tjänstekortet", "added:3. Välj enhet",
            ])
            #expect(fields.first { $0["field"] as? String == "title" }?["changed"] as? Bool == false)

            let restored = try await s.erik.send(.post, "/api/v1/articles/\(id)/revisions/1/restore", json: ["baseRevision": 2])
            #expect(restored.status == .ok, "\(String(buffer: restored.body))")
            #expect(restored.json["revision"] as? Int == 3)
            #expect(restored.json["body"] as? String == "1. Öppna Procapita\n2. Logga in med SITHS-kortet")
            let third = try await s.erik.get("/api/v1/articles/\(id)/revisions/3")
            #expect(third.json["restoredFrom"] as? Int == 1)
            #expect(try await s.erik.get("/api/v1/articles/\(id)/revisions/9").problemCode == "not-found")
            #expect(try await s.erik.get("/api/v1/articles/\(id)/diff?from=1").problemCode == "validation-failed")
        }
    }

    @Test("A save based on an older revision is a 409 conflict and nothing is overwritten")
    func staleSaveConflicts() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let id = try #require(try await Self.create(s.erik, Self.article("Boka rum", workspace: s.workspace))["id"] as? String)
            var first = Self.article("Boka rum i Outlook", workspace: nil)
            first["baseRevision"] = 1
            #expect(try await s.anna.send(.put, "/api/v1/articles/\(id)", json: first).status == .ok)
            var stale = Self.article("Boka rum (Eriks version)", workspace: nil)
            stale["baseRevision"] = 1
            let conflict = try await s.erik.send(.put, "/api/v1/articles/\(id)", json: stale)
            #expect(conflict.status == .conflict)
            #expect(conflict.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(conflict.problemCode == "conflict")
            #expect(try await s.erik.get("/api/v1/articles/\(id)").json["title"] as? String == "Boka rum i Outlook")
            stale.removeValue(forKey: "baseRevision")
            #expect(try await s.erik.send(.put, "/api/v1/articles/\(id)", json: stale).status == .unprocessableContent)
        }
    }

    @Test("Archived articles say so, are kept and left out of lists unless asked; only managers archive")
    func archive() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let id = try #require(try await Self.create(s.erik, Self.article("Gammal rutin", workspace: s.workspace))["id"] as? String)
            _ = try await Self.create(s.anna, Self.article("Ny rutin", workspace: s.workspace))
            // Erik owns his article; Lena (a guest member) does not manage it.
            #expect(try await s.lena.send(.post, "/api/v1/articles/\(id)/archive").status == .forbidden)
            let archived = try await s.erik.send(.post, "/api/v1/articles/\(id)/archive")
            #expect(archived.status == .ok)
            #expect(archived.json["status"] as? String == "archived")
            #expect(try await s.lena.get("/api/v1/articles/\(id)").json["status"] as? String == "archived")
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?workspace=\(s.workspace)")) == ["Ny rutin"])
            #expect(Set(Self.titles(try await s.erik.get("/api/v1/articles?workspace=\(s.workspace)&includeArchived=true"))) == ["Ny rutin", "Gammal rutin"])
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?status=archived")) == ["Gammal rutin"])
            let current = try await s.anna.send(.post, "/api/v1/articles/\(id)/restore-current")
            #expect(current.json["status"] as? String == "current")
            // Anna owns the workspace: she may delete Erik's article.
            #expect(try await s.anna.send(.delete, "/api/v1/articles/\(id)").status == .noContent)
            #expect(try await s.erik.get("/api/v1/articles/\(id)").status == .notFound)
        }
    }

    @Test("Articles past their review day are flagged and listed for their owner only")
    func reviewDue() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let old = try await Self.create(s.erik, Self.article("Granskas", workspace: s.workspace, reviewBy: "2020-01-31"))
            #expect(old["reviewDue"] as? Bool == true)
            #expect(old["reviewBy"] as? String == "2020-01-31")
            let fresh = try await Self.create(s.erik, Self.article("Färsk", workspace: s.workspace, reviewBy: "2999-12-31"))
            #expect(fresh["reviewDue"] as? Bool == false)
            #expect(Self.titles(try await s.erik.get("/api/v1/articles/review-due")) == ["Granskas"])
            #expect(Self.titles(try await s.anna.get("/api/v1/articles/review-due")) == [])
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?reviewDue=true")) == ["Granskas"])
            let bad = try await s.erik.send(.post, "/api/v1/articles", json: Self.article("Fel", workspace: s.workspace, reviewBy: "2026-02-30"))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problemCode == "validation-failed")
        }
    }

    @Test("Secret workspaces' articles are 404 to outsiders; guests cannot read organisation-wide ones; non-editors get 403")
    func permissions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let secret = try #require(try await Self.create(s.anna, Self.article("Hemlig rutin", workspace: s.secret))["id"] as? String)
            #expect(try await s.erik.get("/api/v1/articles/\(secret)").status == .notFound)
            #expect(try await s.erik.get("/api/v1/articles/\(secret)/revisions").status == .notFound)
            #expect(try await s.erik.get("/api/v1/articles/\(secret)/diff?from=1&to=1").status == .notFound)
            #expect(try await s.erik.get("/api/v1/articles?workspace=\(s.secret)").status == .notFound)
            #expect(!Self.titles(try await s.erik.get("/api/v1/articles")).contains("Hemlig rutin"))

            let closed = try #require(try await Self.create(s.erik, Self.article("Stängd rutin", workspace: s.workspace))["id"] as? String)
            #expect(try await s.sara.get("/api/v1/articles/\(closed)").status == .forbidden)
            #expect(try await s.sara.get("/api/v1/articles/\(closed)").headers[.contentType]?.hasPrefix("application/problem+json") == true)

            let organisation = try #require(try await Self.create(s.sara, Self.article("Boka konferensrum i Outlook", workspace: nil))["id"] as? String)
            #expect(try await s.erik.get("/api/v1/articles/\(organisation)").status == .ok)
            #expect(try await s.lena.get("/api/v1/articles/\(organisation)").status == .notFound)
            #expect(!Self.titles(try await s.lena.get("/api/v1/articles")).contains("Boka konferensrum i Outlook"))
            #expect(Self.titles(try await s.lena.get("/api/v1/articles")) == ["Stängd rutin"])
            #expect(try await s.lena.send(.post, "/api/v1/articles", json: Self.article("Gäst", workspace: nil)).status == .forbidden)

            // Organisation-wide: Erik reads but does not edit or archive Sara's article; Anna (admin) does.
            let read = try await s.erik.get("/api/v1/articles/\(organisation)")
            #expect(read.json["canEdit"] as? Bool == false)
            var edit = Self.article("Boka rum (ändrad)", workspace: nil)
            edit["baseRevision"] = 1
            #expect(try await s.erik.send(.put, "/api/v1/articles/\(organisation)", json: edit).status == .forbidden)
            #expect(try await s.erik.send(.post, "/api/v1/articles/\(organisation)/archive").status == .forbidden)
            #expect(try await s.erik.send(.delete, "/api/v1/articles/\(organisation)").status == .forbidden)
            #expect(try await s.anna.send(.put, "/api/v1/articles/\(organisation)", json: edit).status == .ok)
            // A guest member reads the workspace's article but does not edit it.
            var guestEdit = Self.article("Gästens ändring", workspace: nil)
            guestEdit["baseRevision"] = 1
            #expect(try await s.lena.send(.put, "/api/v1/articles/\(closed)", json: guestEdit).status == .forbidden)
            #expect(try await s.lena.send(.post, "/api/v1/articles", json: Self.article("Gäst", workspace: s.workspace)).status == .forbidden)
            #expect(try await s.sara.send(.post, "/api/v1/articles", json: Self.article("Utomstående", workspace: s.workspace)).status == .forbidden)
        }
    }

    @Test("Lists filter by tag and by audience (for me); sizes are limited")
    func filtersAndLimits() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            _ = try await Self.create(s.erik, Self.article("För vården", workspace: nil))
            var everyone = Self.article("För alla", workspace: nil)
            everyone["audience"] = ["departments": [], "roles": []]
            everyone["tags"] = ["Outlook"]
            _ = try await Self.create(s.erik, everyone)
            #expect(Self.titles(try await s.sara.get("/api/v1/articles?forMe=true")) == ["För alla", "För vården"])
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?forMe=true")) == ["För alla"])
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?tag=outlook")) == ["För alla"])
            #expect(Self.titles(try await s.erik.get("/api/v1/articles?workspace=organisation&limit=1")) == ["För alla"])
            var big = Self.article(String(repeating: "x", count: 201), workspace: nil)
            big["tags"] = (0..<21).map { "tag\($0)" }
            let refused = try await s.erik.send(.post, "/api/v1/articles", json: big)
            #expect(refused.status == .unprocessableContent)
            let fields = ((refused.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains("title") || refused.problemCode == "validation-failed")
        }
    }

    @Test("A revision below 1 or a fraction is 422 naming the field; a body that is not JSON is 400")
    func revisionNumbers() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let created = try await s.anna.send(.post, "/api/v1/articles", json: Self.article("Lathund", workspace: s.workspace))
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            var edit = Self.article("Lathund", workspace: nil)
            edit["baseRevision"] = 0
            let zero = try await s.anna.send(.put, "/api/v1/articles/\(id)", json: edit)
            #expect(zero.status == .unprocessableContent)
            #expect(((zero.json["errors"] as? [[String: Any]]) ?? []).first?["field"] as? String == "baseRevision")
            #expect(try await s.anna.send(.post, "/api/v1/articles/\(id)/revisions/1/restore", json: ["baseRevision": 0]).status == .unprocessableContent)
            edit["baseRevision"] = 1.5
            #expect(try await s.anna.send(.put, "/api/v1/articles/\(id)", json: edit).status == .unprocessableContent, "valid JSON of the wrong shape")
            let broken = try await s.anna.send(.put, "/api/v1/articles/\(id)", raw: "{\"title\": ")
            #expect(broken.status == .badRequest)
            #expect(broken.problemCode == "malformed-json")
        }
    }
}
