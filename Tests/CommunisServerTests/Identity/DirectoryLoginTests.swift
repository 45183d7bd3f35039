import CommunisModel
import CommunisServer
import CommunisServices
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Logging in through the directory (a real slapd)", .serialized)
struct DirectoryLoginTests {
    @Test("A directory person logs in with the login name or the e-mail; their profile comes from the directory and is read-only")
    func loginAndProfile() async throws {
        try await DirectoryWorld.make().test { client in
            let byLogin = try await Browser.loggedIn(client, login: "asaobe")
            let me = try await byLogin.get("/api/v1/me").json
            #expect(me["name"] as? String == "Åsa Öberg")
            #expect(me["email"] as? String == "asa.oberg@katrineholm.se")
            #expect(me["login"] as? String == "asaobe")
            #expect(me["managedBy"] as? String == "directory")
            #expect(me["department"] as? String == "Bildningsförvaltningen")
            #expect((me["managedFields"] as? [String])?.contains("title") == true)
            // The same person by e-mail, in any case.
            let byEmail = try await Browser.loggedIn(client, login: "ASA.Oberg@katrineholm.se")
            #expect(try await byEmail.myID() == me["id"] as? String)
            // Managed fields cannot be changed here; competences can.
            let refused = try await byEmail.send(.patch, "/api/v1/me", json: ["title": "Rektor"])
            #expect(refused.status == .unprocessableContent)
            #expect(((refused.json["errors"] as? [[String: Any]])?.first?["field"]) as? String == "title")
            #expect(try await byEmail.send(.patch, "/api/v1/me", json: ["competences": ["NPF", "Läsfrämjande"]]).status == .ok)
            // The password lives in the directory.
            let password = try await byEmail.send(.put, "/api/v1/me/password", json: ["currentPassword": Slapd.password, "newPassword": "EttNyttLösenord1"])
            #expect(password.status == .conflict)
            #expect(try await byEmail.get("/api/v1/me/sessions").items.first?["method"] as? String == "directory")
        }
    }

    @Test("Wrong, empty and injected passwords and logins fail the same way")
    func wrongCredentials() async throws {
        try await DirectoryWorld.make().test { client in
            let browser = Browser(client)
            for (login, password) in [("erijoh", "fel"), ("erijoh", ""), ("*", Slapd.password), ("*)(uid=*))(|(uid=*", Slapd.password), ("ingen", Slapd.password)] {
                let response = try await browser.send(.post, "/api/v1/session", json: ["login": login, "password": password])
                #expect(response.status == .unauthorized, "\(login) / \(password)")
                #expect(response.problemCode == "invalid-credentials")
            }
            // A person the directory disables cannot log in; the local administrator always can.
            let gunnel = try await browser.send(.post, "/api/v1/session", json: ["login": "gunek", "password": Slapd.password])
            #expect(gunnel.status != .ok)
        }
    }

    @Test("A renamed person keeps their account; a removed one is disabled at the next login attempt, with the reason in the audit log")
    func renameAndRemove() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            let tove = try await Browser.loggedIn(client, login: "tovnys")
            let toveID = try await tove.myID()
            try await world.slapd.modify(ldif: """
                dn: uid=tovnys,\(world.slapd.peopleBase)
                changetype: modrdn
                newrdn: uid=tovlin
                deleteoldrdn: 1

                dn: uid=tovlin,\(world.slapd.peopleBase)
                changetype: modify
                replace: cn
                cn: Tove Lindgren
                -
                replace: mail
                mail: tove.lindgren@katrineholm.se
                """)
            let renamed = try await Browser.loggedIn(client, login: "tovlin")
            #expect(try await renamed.myID() == toveID)
            #expect(try await renamed.get("/api/v1/me").json["name"] as? String == "Tove Lindgren")
            #expect(try await Browser(client).send(.post, "/api/v1/session", json: ["login": "tovnys", "password": Slapd.password]).status == .unauthorized)

            let eva = try await Browser.loggedIn(client, login: "evapet")
            try await world.slapd.modify(ldif: "dn: uid=evapet,\(world.slapd.peopleBase)\nchangetype: delete\n")
            let attempt = try await Browser(client).send(.post, "/api/v1/session", json: ["login": "evapet", "password": Slapd.password])
            #expect(attempt.status == .unauthorized)
            #expect(try await eva.get("/api/v1/me").status == .unauthorized, "her open session ended")
            let admin = try await Browser.loggedIn(client, as: world.world.admin)
            let users = try await admin.get("/api/v1/admin/users?q=Pettersson").items
            #expect(users.first?["disabled"] as? Bool == true)
            #expect(users.first?["disabledBy"] as? String == "directory")
            let audit = try await admin.get("/api/v1/admin/audit?action=account.disabled").items
            #expect((audit.first?["details"] as? [String: String])?["reason"] == "not in the directory")
        }
    }

    @Test("The directory being down answers 503 for directory people; local accounts still log in; after a restart it works again")
    func directoryDown() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            _ = try await Browser.loggedIn(client, login: "erijoh")
            try world.slapd.crash()
            let down = try await Browser(client).send(.post, "/api/v1/session", json: ["login": "erijoh", "password": Slapd.password])
            #expect(down.status == .serviceUnavailable)
            #expect(down.problemCode == "directory-unavailable")
            _ = try await Browser.loggedIn(client, as: world.world.admin)
            try await world.slapd.restart()
            _ = try await Browser.loggedIn(client, login: "erijoh")
        }
    }

    @Test("An existing local account with the same e-mail is linked on first directory login, not duplicated")
    func linkByEmail() async throws {
        let world = try await DirectoryWorld.make()
        let administration = Administration(store: world.world.store, hasher: BcryptPasswordHasher(cost: 4))
        let local = try await administration.createAccount(NewAccount(
            email: "sara.nilsson@katrineholm.se", name: "Sara N", password: "LokaltLösen2026", role: .member))
        try await world.test { client in
            let sara = try await Browser.loggedIn(client, login: "sarnil")
            #expect(try await sara.myID() == local.id.description)
            #expect(try await sara.get("/api/v1/me").json["name"] as? String == "Sara Nilsson")
            // The old local password is no second way in.
            let old = try await Browser(client).send(.post, "/api/v1/session", json: ["login": "sara.nilsson@katrineholm.se", "password": "LokaltLösen2026"])
            #expect(old.status == .unauthorized)
        }
    }
}
