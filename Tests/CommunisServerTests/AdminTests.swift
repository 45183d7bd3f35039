import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Account administration")
struct AdminTests {
    @Test("Only administrators reach the admin API")
    func onlyAdmins() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/admin/users").status == .forbidden)
            #expect(try await erik.send(.post, "/api/v1/admin/users", json: ["email": "x@katrineholm.se", "name": "X", "password": "Lösenord12345", "role": "admin"]).status == .forbidden)
            #expect(try await Browser(client).get("/api/v1/admin/users").status == .unauthorized)
        }
    }

    @Test("An administrator creates an account that can log in, and lists all roles")
    func create() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let created = try await anna.send(.post, "/api/v1/admin/users", json: [
                "email": "Ny.Person@Katrineholm.se", "name": "Ny Person", "password": "Lösenord12345", "role": "member",
                "department": "Socialförvaltningen",
            ])
            #expect(created.status == .created)
            #expect(created.json["email"] as? String == "ny.person@katrineholm.se")
            #expect(created.json["disabled"] as? Bool == false)
            let duplicate = try await anna.send(.post, "/api/v1/admin/users", json: ["email": "ny.person@katrineholm.se", "name": "Igen", "password": "Lösenord12345", "role": "member"])
            #expect(duplicate.status == .conflict)
            let login = try await Browser(client).send(.post, "/api/v1/session", json: ["email": "ny.person@katrineholm.se", "password": "Lösenord12345"])
            #expect(login.status == .ok)
            let all = try await anna.get("/api/v1/admin/users")
            #expect(all.json["total"] as? Int == 5)
            #expect(all.itemNames.contains("Lena Berg"))
        }
    }

    @Test("Disabling an account ends its sessions and blocks login; an admin cannot disable or demote themself")
    func disable() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await anna.send(.patch, "/api/v1/admin/users/\(world.erik.id)", json: ["disabled": true]).json["disabled"] as? Bool == true)
            #expect(try await erik.get("/api/v1/me").status == .unauthorized)
            let login = try await Browser(client).send(.post, "/api/v1/session", json: ["email": "erik@katrineholm.se", "password": World.password])
            #expect(login.problemCode == "account-disabled")
            #expect(try await anna.send(.patch, "/api/v1/admin/users/\(world.admin.id)", json: ["disabled": true]).status == .conflict)
            #expect(try await anna.send(.patch, "/api/v1/admin/users/\(world.admin.id)", json: ["role": "member"]).status == .conflict)
        }
    }

    @Test("A password reset by an administrator ends the person's sessions")
    func reset() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await anna.send(.put, "/api/v1/admin/users/\(world.sara.id)/password", json: ["newPassword": "Återställt2026"]).status == .noContent)
            #expect(try await sara.get("/api/v1/me").status == .unauthorized)
            _ = try await Browser.loggedIn(client, as: world.sara, password: "Återställt2026")
        }
    }
}

@Suite("Bad input gets a clear problem and writes nothing")
struct BadInputTests {
    @Test("Malformed JSON, missing fields, wrong types and unknown enum values")
    func malformed() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let broken = try await erik.send(.post, "/api/v1/workspaces", raw: "{\"name\": \"Halv")
            #expect(broken.status == .badRequest)
            #expect(broken.problemCode == "malformed-json")
            #expect(broken.headers[.contentType] == "application/problem+json")
            let missing = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "Utan synlighet"])
            #expect(missing.status == .unprocessableContent)
            #expect(((missing.json["errors"] as? [[String: Any]])?.first?["field"]) as? String == "visibility")
            let wrongType = try await erik.send(.post, "/api/v1/workspaces", json: ["name": 42, "visibility": "open"])
            #expect(wrongType.status == .unprocessableContent)
            let unknown = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "X", "visibility": "public"])
            #expect(unknown.status == .unprocessableContent)
            let empty = try await erik.send(.post, "/api/v1/workspaces")
            #expect(empty.status == .badRequest)
            #expect(try await erik.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
        }
    }

    @Test("Over-long and empty names are refused with the field named; nothing is created")
    func lengths() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let long = try await erik.send(.post, "/api/v1/workspaces", json: ["name": String(repeating: "å", count: 121), "visibility": "open"])
            #expect(long.status == .unprocessableContent)
            #expect(((long.json["errors"] as? [[String: Any]])?.first?["field"]) as? String == "name")
            let blank = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "   ", "visibility": "open"])
            #expect(blank.status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
            #expect(try await erik.get("/api/v1/workspaces?scope=everything").status == .unprocessableContent)
            #expect(try await erik.get("/api/v1/workspaces?limit=ten").status == .unprocessableContent)
        }
    }

    @Test("A body over the configured limit gets 413")
    func tooLarge() async throws {
        let world = try await World.make { $0.maxBodyBytes = 2048 }
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let big = try await erik.send(.post, "/api/v1/workspaces", json: ["name": "Stor", "description": String(repeating: "x", count: 4000), "visibility": "open"])
            #expect(big.status == .contentTooLarge)
            #expect(big.problemCode == "payload-too-large")
            #expect(try await erik.get("/api/v1/workspaces?scope=mine").itemNames.isEmpty)
        }
    }

    @Test("Unknown ids and unknown paths are 404 problems; anonymous API reads are 401")
    func unknown() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/workspaces/\(UUID())").problemCode == "not-found")
            #expect(try await erik.get("/api/v1/workspaces/inte-ett-id").status == .notFound)
            #expect(try await erik.send(.post, "/api/v1/workspaces/\(UUID())/members", json: ["personId": world.sara.id.description]).status == .notFound)
            #expect(try await erik.get("/api/v1/finns-inte").problemCode == "not-found")
            #expect(try await Browser(client).get("/api/v1/workspaces").problemCode == "unauthenticated")
        }
    }
}
