import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The people directory and one's own profile")
struct PeopleTests {
    @Test("Search by name (any case, å ä ö), department, workplace and competence; guests are not listed")
    func search() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/people?q=SARA").itemNames == ["Sara Nilsson"])
            #expect(try await erik.get("/api/v1/people?q=Sara+Nilsson").itemNames == ["Sara Nilsson"], "+ is a space, as forms send it")
            #expect(try await erik.get("/api/v1/people?q=sara%20nilsson").itemNames == ["Sara Nilsson"])
            #expect(try await erik.get("/api/v1/people?q=f%C3%B6rvaltningen").itemNames.count == 3)
            #expect(try await erik.get("/api/v1/people?department=Bildningsf%C3%B6rvaltningen").itemNames == ["Erik Johansson"])
            #expect(try await erik.get("/api/v1/people?competence=gis").itemNames.count == 3)
            #expect(!(try await erik.get("/api/v1/people?q=lena").itemNames.contains("Lena Berg")))
            let page = try await erik.get("/api/v1/people?limit=2&offset=1")
            #expect(page.json["total"] as? Int == 3)
            #expect(page.itemNames == ["Erik Johansson", "Sara Nilsson"])
            let facets = try await erik.get("/api/v1/people/facets")
            #expect(((facets.json["departments"] as? [[String: Any]]) ?? []).count == 3)
        }
    }

    @Test("A profile edit is kept and validated; name and e-mail stay the administrator's")
    func profile() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let edited = try await erik.send(.patch, "/api/v1/me", json: [
                "title": "Biträdande rektor", "phone": "0150-571 00", "presentation": "Hej!",
                "competences": ["Skolutveckling", "skolutveckling", "Schemaläggning"], "name": "Någon annan",
            ])
            #expect(edited.status == .ok)
            #expect(edited.json["title"] as? String == "Biträdande rektor")
            #expect(edited.json["competences"] as? [String] == ["Skolutveckling", "Schemaläggning"])
            #expect(edited.json["name"] as? String == "Erik Johansson")
            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await sara.get("/api/v1/people?competence=schemal%C3%A4ggning").itemNames == ["Erik Johansson"])
            let tooLong = try await erik.send(.patch, "/api/v1/me", json: ["title": String(repeating: "x", count: 121), "phone": "1"])
            #expect(tooLong.status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/me").json["phone"] as? String == "0150-571 00", "nothing half-written")
        }
    }

    @Test("Employees do not see guests they share no workspace with; unknown ids are 404")
    func profiles() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/people/\(world.sara.id)").json["email"] as? String == "sara@katrineholm.se")
            #expect(try await erik.get("/api/v1/people/\(world.guest.id)").status == .notFound)
            #expect(try await erik.get("/api/v1/people/\(UUID())").status == .notFound)
            #expect(try await erik.get("/api/v1/people/inte-ett-id").status == .notFound)
        }
    }
}
