import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Workspaces: visibility, membership, requests, owners")
struct WorkspaceTests {
    @discardableResult
    static func create(_ browser: Browser, _ name: String, _ visibility: String, description: String = "") async throws -> String {
        let response = try await browser.send(.post, "/api/v1/workspaces", json: ["name": name, "description": description, "visibility": visibility])
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require(response.json["id"] as? String)
    }

    @Test("The creator owns a new workspace and finds it under their workspaces")
    func createOwn() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Ny skolwebb", "closed", description: "Tvärs över förvaltningarna")
            let mine = try await anna.get("/api/v1/workspaces?scope=mine")
            #expect(mine.itemNames == ["Ny skolwebb"])
            let detail = try await anna.get("/api/v1/workspaces/\(id)")
            #expect(detail.json["myRole"] as? String == "owner")
            #expect(detail.json["memberCount"] as? Int == 1)
            #expect(detail.json["visibility"] as? String == "closed")
        }
    }

    @Test("An owner invites a colleague from another department, who then sees the workspace")
    func inviteColleague() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Budget 2027", "closed")
            let added = try await anna.send(.post, "/api/v1/workspaces/\(id)/members", json: ["personId": world.erik.id.description])
            #expect(added.status == .created)
            #expect((added.json["person"] as? [String: Any])?["department"] as? String == "Bildningsförvaltningen")
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/workspaces?scope=mine").itemNames == ["Budget 2027"])
            let members = try await erik.get("/api/v1/workspaces/\(id)/members")
            #expect(members.json["total"] as? Int == 2)
            // A member who is not an owner cannot invite.
            let refused = try await erik.send(.post, "/api/v1/workspaces/\(id)/members", json: ["personId": world.sara.id.description])
            #expect(refused.status == .forbidden)
        }
    }

    @Test("A secret workspace is invisible to non-members: not listed, not found, not joinable")
    func secret() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Hemligt projekt", "secret")
            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await sara.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
            #expect(!(try await sara.get("/api/v1/workspaces?scope=discover").itemNames.contains("Hemligt projekt")))
            #expect(try await sara.get("/api/v1/workspaces/\(id)").status == .notFound)
            #expect(try await sara.get("/api/v1/workspaces/\(id)/members").status == .notFound)
            #expect(try await sara.send(.post, "/api/v1/workspaces/\(id)/join").status == .notFound)
            #expect(try await sara.send(.patch, "/api/v1/workspaces/\(id)", json: ["name": "Kapad"]).status == .notFound)
        }
    }

    @Test("Open workspaces are joined at once; closed ones by a request the owner approves or declines")
    func joining() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let open = try await Self.create(anna, "Friskvård", "open")
            let closed = try await Self.create(anna, "Styrgrupp", "closed")
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(Set(try await erik.get("/api/v1/workspaces?scope=discover").itemNames) == ["Friskvård", "Styrgrupp"])
            let joined = try await erik.send(.post, "/api/v1/workspaces/\(open)/join")
            #expect(joined.status == .created)
            #expect(joined.json["status"] as? String == "member")
            // Closed: members only see the member list.
            #expect(try await erik.get("/api/v1/workspaces/\(closed)/members").status == .forbidden)
            let requested = try await erik.send(.post, "/api/v1/workspaces/\(closed)/join")
            #expect(requested.status == .accepted)
            #expect(requested.json["status"] as? String == "pending")
            #expect(try await erik.get("/api/v1/workspaces/\(closed)").json["myRequestPending"] as? Bool == true)
            #expect(try await erik.send(.post, "/api/v1/workspaces/\(closed)/join").status == .conflict)
            let requests = try await anna.get("/api/v1/workspaces/\(closed)/requests")
            #expect(((requests.json["items"] as? [[String: Any]]) ?? []).count == 1)
            #expect(try await anna.send(.post, "/api/v1/workspaces/\(closed)/requests/\(world.erik.id)/approve").status == .created)
            #expect(try await erik.get("/api/v1/workspaces/\(closed)").json["myRole"] as? String == "member")
            // Sara asks, Anna declines.
            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await sara.send(.post, "/api/v1/workspaces/\(closed)/join").status == .accepted)
            #expect(try await anna.send(.delete, "/api/v1/workspaces/\(closed)/requests/\(world.sara.id)").status == .noContent)
            #expect(try await sara.get("/api/v1/workspaces/\(closed)").json["myRequestPending"] as? Bool == false)
        }
    }

    @Test("Owners promote and remove; members leave; the last owner cannot leave")
    func owners() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Projekt", "open")
            let erik = try await Browser.loggedIn(client, as: world.erik)
            _ = try await erik.send(.post, "/api/v1/workspaces/\(id)/join")
            let lastOwner = try await anna.send(.delete, "/api/v1/workspaces/\(id)/members/\(world.admin.id)")
            #expect(lastOwner.status == .conflict)
            #expect(try await anna.send(.patch, "/api/v1/workspaces/\(id)/members/\(world.admin.id)", json: ["role": "member"]).status == .conflict)
            let promoted = try await anna.send(.patch, "/api/v1/workspaces/\(id)/members/\(world.erik.id)", json: ["role": "owner"])
            #expect(promoted.status == .ok)
            #expect(promoted.json["role"] as? String == "owner")
            #expect(try await anna.send(.delete, "/api/v1/workspaces/\(id)/members/\(world.admin.id)").status == .noContent)
            #expect(try await anna.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
            // Erik, now sole owner, removes nobody by mistake: Sara is not a member.
            #expect(try await erik.send(.delete, "/api/v1/workspaces/\(id)/members/\(world.sara.id)").status == .notFound)
        }
    }

    @Test("Another person's workspace cannot be changed or deleted by a member")
    func notTheirs() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Annas yta", "open")
            let erik = try await Browser.loggedIn(client, as: world.erik)
            _ = try await erik.send(.post, "/api/v1/workspaces/\(id)/join")
            let patch = try await erik.send(.patch, "/api/v1/workspaces/\(id)", json: ["name": "Eriks yta"])
            #expect(patch.status == .forbidden)
            #expect(patch.problemCode == "forbidden")
            #expect(try await erik.send(.delete, "/api/v1/workspaces/\(id)").status == .forbidden)
            #expect(try await anna.get("/api/v1/workspaces/\(id)").json["name"] as? String == "Annas yta")
        }
    }

    @Test("Guests see only the workspaces they were invited to, and the workspace shows that guests are present")
    func guests() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let shared = try await Self.create(anna, "Med partner", "closed")
            let other = try await Self.create(anna, "Internt", "open")
            #expect(try await anna.send(.post, "/api/v1/workspaces/\(shared)/members", json: ["personId": world.guest.id.description]).status == .created)
            let detail = try await anna.get("/api/v1/workspaces/\(shared)")
            #expect(detail.json["hasGuests"] as? Bool == true)
            #expect(detail.json["guestCount"] as? Int == 1)
            // Guests cannot be owners.
            let promote = try await anna.send(.patch, "/api/v1/workspaces/\(shared)/members/\(world.guest.id)", json: ["role": "owner"])
            #expect(promote.status == .unprocessableContent)

            let lena = try await Browser.loggedIn(client, as: world.guest)
            #expect(try await lena.get("/api/v1/workspaces?scope=mine").itemNames == ["Med partner"])
            #expect(try await lena.get("/api/v1/workspaces?scope=discover").itemNames.isEmpty)
            #expect(try await lena.get("/api/v1/workspaces/\(other)").status == .notFound)
            #expect(try await lena.send(.post, "/api/v1/workspaces/\(other)/join").status == .notFound)
            #expect(try await lena.get("/api/v1/people").status == .forbidden)
            #expect(try await lena.get("/api/v1/people/facets").status == .forbidden)
            #expect(try await lena.get("/api/v1/people/\(world.sara.id)").status == .forbidden)
            #expect(try await lena.get("/api/v1/people/\(world.admin.id)").status == .ok, "a co-member's profile is visible")
            #expect(try await lena.send(.post, "/api/v1/workspaces", json: ["name": "Gästens", "visibility": "open"]).status == .forbidden)
            #expect(try await lena.get("/api/v1/workspaces/\(shared)/members").json["total"] as? Int == 2)
        }
    }

    @Test("A new guest is invited by e-mail, sets a password through the link once, and lands in the workspace")
    func guestInvitation() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let id = try await Self.create(anna, "Extern samverkan", "closed")
            let invited = try await anna.send(.post, "/api/v1/workspaces/\(id)/guests", json: ["email": "Ny.Gast@Partner.se", "name": "Ny Gäst"])
            #expect(invited.status == .created)
            let url = try #require(invited.json["inviteUrl"] as? String)
            let token = try #require(url.components(separatedBy: "/#/invitation/").last)
            let visitor = Browser(client)
            let info = try await visitor.get("/api/v1/invitations/\(token)")
            #expect(info.json["workspaceName"] as? String == "Extern samverkan")
            #expect(info.json["email"] as? String == "ny.gast@partner.se")
            #expect(try await visitor.send(.post, "/api/v1/invitations/\(token)/accept", json: ["password": "kort"]).status == .unprocessableContent)
            var guest = visitor
            let accepted = try await visitor.send(.post, "/api/v1/invitations/\(token)/accept", json: ["password": "GästLösen2026"])
            #expect(accepted.status == .ok)
            guest.take(accepted)
            #expect(try await guest.get("/api/v1/workspaces?scope=mine").itemNames == ["Extern samverkan"])
            #expect((try await guest.get("/api/v1/me")).json["role"] as? String == "guest")
            let again = try await visitor.send(.post, "/api/v1/invitations/\(token)/accept", json: ["password": "GästLösen2026"])
            #expect(again.status == .gone)
            #expect(again.problemCode == "invitation-invalid")
            #expect(try await visitor.get("/api/v1/invitations/not-a-token").status == .gone)
            // An employee's address cannot be invited as a guest.
            #expect(try await anna.send(.post, "/api/v1/workspaces/\(id)/guests", json: ["email": "erik@katrineholm.se", "name": "Erik"]).status == .conflict)
        }
    }
}
