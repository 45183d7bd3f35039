@testable import CommunisServer
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Records what news hands to the notification router.
actor RecordedNotifications: NotificationSink {
    private(set) var requests: [NotificationRequest] = []
    func notify(_ request: NotificationRequest) async { requests.append(request) }
}

@Suite("News over HTTP")
struct NewsTests {
    static let vard = "Vård- och omsorgsförvaltningen"

    static func item(_ title: String, departments: [String] = [], ack: Bool = false, extra: [String: Any] = [:]) -> [String: Any] {
        var json: [String: Any] = [
            "title": title, "introduction": "Kort om \(title)", "body": "Brödtext om **\(title)**", "tags": ["Rutiner"],
            "pinned": false, "important": false, "allowComments": true, "allowReactions": true,
            "acknowledgement": ["required": ack, "deadline": ack ? "2099-01-01T00:00:00.000Z" as Any : NSNull()],
            "audience": ["organisationIds": [], "departments": departments, "workplaces": [], "titles": [], "groups": []],
        ]
        for (key, value) in extra { json[key] = value }
        return json
    }

    static func create(_ browser: Browser, _ json: [String: Any]) async throws -> String {
        let response = try await browser.send(.post, "/api/v1/news", json: json)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.json["id"] as? String)
    }

    static func titles(_ response: TestResponse) -> [String] {
        ((response.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
    }

    @Test("An item for one department reaches it only: list, item, search and Atom; guests see no news")
    func departmentOnly() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let lena = try await Browser.loggedIn(client, as: world.guest)
            let secret = try await Self.create(anna, Self.item("Läkemedelsrutin", departments: [Self.vard]))
            let open = try await Self.create(anna, Self.item("Friskvårdsbidrag"))

            #expect(Set(Self.titles(try await sara.get("/api/v1/news"))) == ["Läkemedelsrutin", "Friskvårdsbidrag"])
            let erikList = try await erik.get("/api/v1/news")
            #expect(Self.titles(erikList) == ["Friskvårdsbidrag"])
            #expect(erikList.json["total"] as? Int == 1)
            #expect(try await erik.get("/api/v1/news/\(secret)").status == .notFound)
            #expect(try await erik.get("/api/v1/news/\(secret)/revisions").status == .notFound)
            let read = try await sara.get("/api/v1/news/\(secret)")
            #expect(read.status == .ok)
            #expect((read.json["html"] as? String)?.contains("<strong>Läkemedelsrutin</strong>") == true)
            #expect(read.json["canEdit"] as? Bool == false)
            #expect(try await lena.get("/api/v1/news").json["total"] as? Int == 0)
            #expect(try await lena.get("/api/v1/news/\(open)").status == .notFound)

            func searched(_ browser: Browser) async throws -> [String] {
                let results = try await browser.get("/api/v1/search?q=l%C3%A4kemedelsrutin&type=news").json["results"] as? [[String: Any]] ?? []
                return results.compactMap { $0["kind"] as? String == "news" ? $0["id"] as? String : nil }
            }
            #expect(try await searched(sara) == [secret])
            let hit = (try await sara.get("/api/v1/search?q=rutin&type=news").json["results"] as? [[String: Any]])?.first
            #expect(hit?["url"] as? String == "#/news/\(secret)")
            let segments = hit?["snippet"] as? [[String: Any]] ?? []
            #expect(segments.contains { $0["match"] as? Bool == true && ($0["text"] as? String)?.lowercased() == "rutin" })
            #expect(try await searched(erik).isEmpty)

            let publicFeed = try await client.execute(uri: "/feeds/news.atom", method: .get, headers: [:], body: nil)
            #expect(publicFeed.status == .ok)
            #expect(publicFeed.text.contains("Friskvårdsbidrag"))
            #expect(!publicFeed.text.contains("Läkemedelsrutin"))
            let token = try await erik.send(.post, "/api/v1/me/feed-token").json["token"] as? String ?? ""
            let erikFeed = try await client.execute(uri: "/feeds/news.atom?token=\(token)", method: .get, headers: [:], body: nil)
            #expect(!erikFeed.text.contains("Läkemedelsrutin"))
            let saraToken = try await sara.send(.post, "/api/v1/me/feed-token").json["token"] as? String ?? ""
            let saraFeed = try await client.execute(uri: "/feeds/news.atom?token=\(saraToken)", method: .get, headers: [:], body: nil)
            #expect(saraFeed.text.contains("Läkemedelsrutin"))
            #expect(try await client.execute(uri: "/feeds/news.atom?token=cft_nope", method: .get, headers: [:], body: nil).status == .notFound)
        }
    }

    @Test("Editor-only endpoints are 403 for others; administrators make editors; bad input is 422")
    func editorsAndValidation() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let id = try await Self.create(anna, Self.item("Allmänt", ack: true))
            #expect(try await erik.send(.post, "/api/v1/news", json: Self.item("Nej")).status == .forbidden)
            #expect(try await erik.send(.put, "/api/v1/news/\(id)", json: Self.item("Nej")).status == .forbidden)
            #expect(try await erik.send(.delete, "/api/v1/news/\(id)").status == .forbidden)
            #expect(try await erik.get("/api/v1/news/\(id)/acknowledgements").status == .forbidden)
            #expect(try await erik.send(.post, "/api/v1/news/\(id)/reminders").status == .forbidden)
            #expect(try await erik.get("/api/v1/news?state=draft").status == .forbidden)
            #expect(try await erik.send(.put, "/api/v1/admin/news-editors/\(world.erik.id)").status == .forbidden)
            #expect(try await erik.get("/api/v1/session").json["canPublishNews"] as? Bool == false)

            #expect(try await anna.send(.put, "/api/v1/admin/news-editors/\(world.erik.id)").status == .noContent)
            #expect(try await anna.send(.put, "/api/v1/admin/news-editors/\(world.guest.id)").status == .unprocessableContent)
            let editors = try await anna.get("/api/v1/admin/news-editors")
            #expect(editors.itemNames == ["Erik Johansson"])
            let session = try await erik.get("/api/v1/session")
            #expect(session.json["canPublishNews"] as? Bool == true)
            let organisations = try await erik.get("/api/v1/organisations")
            let main = try #require((organisations.json["items"] as? [[String: Any]])?.first)
            #expect(main["isMain"] as? Bool == true)
            #expect(session.json["organisationId"] as? String == main["id"] as? String)
            let eriksOwn = try await Self.create(erik, Self.item("Från Erik"))
            #expect(try await erik.send(.put, "/api/v1/news/\(eriksOwn)", json: Self.item("Från Erik, rättad")).status == .ok)
            #expect(try await anna.send(.delete, "/api/v1/admin/news-editors/\(world.erik.id)").status == .noContent)
            #expect(try await erik.send(.post, "/api/v1/news", json: Self.item("Nej")).status == .forbidden)

            let company = try await anna.send(.post, "/api/v1/admin/organisations", json: ["name": "Katrineholms Fastighets AB"])
            #expect(company.status == .created)
            let companyID = try #require(company.json["id"] as? String)
            #expect(try await anna.send(.post, "/api/v1/admin/organisations", json: ["name": "katrineholms fastighets ab"]).status == .conflict)
            #expect(try await erik.send(.post, "/api/v1/admin/organisations", json: ["name": "X"]).status == .forbidden)
            #expect(try await anna.send(.put, "/api/v1/admin/people/\(world.erik.id)/organisation", json: ["organisationId": companyID]).status == .noContent)
            #expect(try await anna.get("/api/v1/people/\(world.erik.id)").json["organisationId"] as? String == companyID)

            for (bad, field) in [(Self.item(""), "title"), (Self.item("X", extra: ["endsAt": "2000-01-01T00:00:00Z"]), "endsAt"),
                                 (Self.item("X", extra: ["publishAt": "i morgon"]), "publishAt"),
                                 (Self.item("X", extra: ["tags": (1...11).map { "tag\($0)" }]), "tags"),
                                 (Self.item("X", extra: ["audience": ["organisationIds": [UUID().uuidString.lowercased()]]]), "audience.organisationIds")] {
                let refused = try await anna.send(.post, "/api/v1/news", json: bad)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                let fields = (refused.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(fields.contains(field) || refused.text.contains(field), "\(refused.text)")
            }
        }
    }

    @Test("Läst och förstått: the report per department, a material revision resets it and readers see it changed")
    func acknowledgements() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let id = try await Self.create(anna, Self.item("Ny rutin", departments: [Self.vard], ack: true))
            #expect(try await erik.send(.post, "/api/v1/news/\(id)/acknowledgement").status == .notFound)
            let done = try await sara.send(.post, "/api/v1/news/\(id)/acknowledgement")
            #expect(done.status == .ok)
            #expect(done.json["revision"] as? Int == 1)
            #expect(try await sara.get("/api/v1/news/\(id)").json["acknowledgedAt"] is String)

            let report = try await anna.get("/api/v1/news/\(id)/acknowledgements")
            #expect(report.status == .ok)
            #expect(report.json["total"] as? Int == 1)
            #expect(report.json["acknowledged"] as? Int == 1)
            let department = (report.json["byDepartment"] as? [[String: Any]])?.first
            #expect(department?["department"] as? String == Self.vard)
            #expect(department?["acknowledged"] as? Int == 1)

            var edit = Self.item("Ny rutin", departments: [Self.vard], ack: true, extra: ["body": "Helt ny text"])
            edit["material"] = true
            let saved = try await anna.send(.put, "/api/v1/news/\(id)", json: edit)
            #expect(saved.json["revision"] as? Int == 2)
            let reread = try await sara.get("/api/v1/news/\(id)")
            #expect(reread.json["acknowledgedAt"] is NSNull)
            #expect(reread.json["changedSinceMyAcknowledgement"] as? Bool == true)
            let revisions = try await sara.get("/api/v1/news/\(id)/revisions").json["items"] as? [[String: Any]] ?? []
            #expect(revisions.compactMap { $0["revision"] as? Int } == [1, 2])
            let changes = (revisions.last?["diff"] as? [[String: Any]] ?? []).map { "\($0["op"] ?? "")|\($0["text"] ?? "")" }
            #expect(changes == ["removed|Brödtext om **Ny rutin**", "added|Helt ny text"])
            #expect(try await anna.get("/api/v1/news/\(id)/acknowledgements").json["acknowledged"] as? Int == 0)
            #expect(try await anna.send(.post, "/api/v1/news/\(id)/reminders").json["reminded"] as? Int == 1)

            // Comments and reactions, and the image.
            #expect(try await sara.send(.post, "/api/v1/news/\(id)/comments", json: ["body": "Tack!"]).status == .created)
            #expect(try await sara.send(.put, "/api/v1/news/\(id)/reactions/%F0%9F%91%8D").status == .noContent)
            let withExtras = try await sara.get("/api/v1/news/\(id)")
            #expect(withExtras.json["commentCount"] as? Int == 1)
            #expect((withExtras.json["reactions"] as? [[String: Any]])?.first?["mine"] as? Bool == true)
            var headers = HTTPFields()
            headers[.cookie] = anna.cookie
            headers[HTTPField.Name("X-CSRF-Token")!] = anna.csrf
            headers[.contentType] = "image/png"
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]
            let uploaded = try await client.execute(uri: "/api/v1/news/\(id)/image", method: .post, headers: headers, body: ByteBuffer(bytes: png))
            #expect(uploaded.status == .ok, "\(uploaded.text)")
            #expect(uploaded.json["imageUrl"] is String)
            let image = try await sara.get("/api/v1/news/\(id)/image")
            #expect(image.status == .ok)
            #expect(image.headers[.contentType] == "image/png")
            #expect(try await erik.get("/api/v1/news/\(id)/image").status == .notFound)
            let text = try await client.execute(uri: "/api/v1/news/\(id)/image", method: .post, headers: headers, body: ByteBuffer(string: "not an image"))
            #expect(text.status != .ok)
        }
    }

    @Test("A scheduled item is announced once when due, to its audience, even when two nodes run the job; the reminder goes a day before the deadline")
    func scheduledOnce() async throws {
        let world = try await World.make()
        let clock = HandClock("2026-12-07T08:00:00Z")
        let live = NotifiedPeople()
        let sink = RecordedNotifications()
        let newsroom = Newsroom(store: world.store, publisher: live, notifications: sink, clock: clock.clock)
        let other = Newsroom(store: world.store, publisher: live, notifications: sink, clock: clock.clock)
        let anna = Viewer(person: world.admin)
        let made = try await newsroom.create(viewer: anna, input: NewsInput(
            title: "Julhälsning", publishAt: HandClock.date("2026-12-07T09:00:00Z"), audience: NewsAudience(departments: [Self.vard])))
        #expect(made.state == .scheduled)
        #expect(try await newsroom.list(viewer: Viewer(person: world.sara), query: NewsQuery(), page: PageRequest()).total == 0)
        #expect(try await newsroom.runScheduled().published == 0)
        clock.set("2026-12-07T09:00:30Z")
        async let first = newsroom.runScheduled()
        async let second = other.runScheduled()
        let published = try await first.published + second.published
        #expect(published == 1)
        #expect(try await newsroom.runScheduled().published == 0)
        #expect(try await newsroom.list(viewer: Viewer(person: world.sara), query: NewsQuery(), page: PageRequest()).total == 1)
        let frames = await live.frames
        #expect(frames.map(\.person) == [world.sara.id])
        #expect(message(frames[0].frame).type == "news.published")
        #expect(message(frames[0].frame).data["title"] as? String == "Julhälsning")
        let requests = await sink.requests
        #expect(requests.count == 1)
        #expect(requests.first?.kind == .news)
        #expect(requests.first?.recipients == [world.sara.id])
        #expect(requests.first?.link == "#/news/\(made.news.id)")
        // A material revision tells the audience again (and is sent live as news.updated); a small fix does not.
        let input = NewsInput(title: "Julhälsning", body: "Ny text", audience: NewsAudience(departments: [Self.vard]))
        _ = try await newsroom.update(viewer: anna, id: made.news.id, input: input, material: false)
        #expect(await sink.requests.count == 1)
        _ = try await newsroom.update(viewer: anna, id: made.news.id, input: input, material: true)
        #expect(await sink.requests.count == 2)
        #expect(message(await live.frames.last!.frame).type == "news.updated")

        // Läst och förstått due tomorrow: one automatic reminder a day before, to those who have not.
        let routine = try await newsroom.create(viewer: anna, input: NewsInput(
            title: "Brandövning", acknowledgementRequired: true, acknowledgementDeadline: HandClock.date("2026-12-09T09:00:00Z"),
            audience: NewsAudience(departments: [Self.vard, "Bildningsförvaltningen"])))
        _ = try await newsroom.acknowledge(viewer: Viewer(person: world.erik), id: routine.news.id)
        #expect(try await newsroom.runScheduled().reminded == 0)
        clock.set("2026-12-08T09:30:00Z")
        #expect(try await newsroom.runScheduled().reminded == 1)
        #expect(try await newsroom.runScheduled().reminded == 0)
        let reminder = await sink.requests.last
        #expect(reminder?.kind == .acknowledgementDue)
        #expect(reminder?.recipients == [world.sara.id])
        try? FileManager.default.removeItem(at: world.directory)
    }
}
