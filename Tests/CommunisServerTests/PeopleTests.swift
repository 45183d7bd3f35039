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

    @Test("A guest sees a co-member's name and title, never their contact details; anyone else is 403")
    func guestSeesNoContactDetails() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let created = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "Med gäst", "visibility": "closed"])
            let workspace = try #require(created.json["id"] as? String)
            #expect(try await erik.send(.post, "/api/v1/workspaces/\(workspace)/members", json: ["personId": world.guest.id.description]).status == .created)
            let guest = try await Browser.loggedIn(client, as: world.guest)

            // Given a guest who shares a workspace with Erik, when they read Erik's profile:
            let profile = try await guest.get("/api/v1/people/\(world.erik.id)")
            #expect(profile.status == .ok)
            #expect(profile.json["name"] as? String == "Erik Johansson")
            #expect(profile.json["title"] as? String == "Titel")
            for hidden in ["email", "phone", "department", "workplace", "presentation"] {
                let value = profile.json[hidden]
                #expect(value == nil || value is NSNull || (value as? String) == "", "\(hidden): \(String(describing: value))")
            }
            #expect((profile.json["competences"] as? [String]) == [])
            #expect(!profile.text.contains("erik@katrineholm.se") && !profile.text.contains("Bildningsförvaltningen") && !profile.text.contains("Stadshuset"))

            // The member list shows who is there, not their details.
            let members = try await guest.get("/api/v1/workspaces/\(workspace)/members")
            #expect(members.status == .ok)
            let people = ((members.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["person"] as? [String: Any] }
            let erikThere = try #require(people.first { $0["name"] as? String == "Erik Johansson" })
            #expect(erikThere["title"] as? String == "Titel")
            #expect(erikThere["department"] as? String == "" && erikThere["workplace"] as? String == "")
            #expect(!members.text.contains("Bildningsförvaltningen"))
            // Erik, an employee, still sees everything in the same list, and the guest themself.
            let asEmployee = try await erik.get("/api/v1/workspaces/\(workspace)/members")
            #expect(asEmployee.text.contains("Bildningsförvaltningen") && asEmployee.text.contains("Konsultbolaget"))
            #expect(try await guest.get("/api/v1/people/\(world.guest.id)").json["email"] as? String == "lena@konsult.se")

            // Someone the guest shares no workspace with: 403, as for any id.
            #expect(try await guest.get("/api/v1/people/\(world.sara.id)").status == .forbidden)
            #expect(try await guest.get("/api/v1/people/\(world.sara.id)/presence").status == .forbidden)
            #expect(try await guest.get("/api/v1/people/\(UUID())").status == .forbidden)
            #expect(try await guest.get("/api/v1/people?q=sara").status == .forbidden)
        }
    }
}
