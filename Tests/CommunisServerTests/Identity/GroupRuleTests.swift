import CommunisModel
import CommunisServices
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Directory syncs and group rules (a real slapd)", .serialized)
struct GroupRuleTests {
    static func key(of name: String, admin: Browser) async throws -> String {
        let groups = try await admin.get("/api/v1/admin/groups?q=\(name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)").items
        return try #require(groups.first { $0["name"] as? String == name }?["key"] as? String, "group \(name) not known")
    }

    @Test("A sync creates the directory's people, disables the disabled, and says so in one JSON report; a dry run changes nothing")
    func sync() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            let admin = try await Browser.loggedIn(client, as: world.world.admin)
            let dry = try await admin.send(.post, "/api/v1/admin/directory/sync", json: ["dryRun": true])
            #expect(dry.status == .ok)
            #expect(dry.json["created"] as? Int == 32, "\(dry.json)")
            #expect(try await admin.get("/api/v1/admin/users?q=Nyström").items.isEmpty, "a dry run creates nobody")
            let real = try await admin.send(.post, "/api/v1/admin/directory/sync", json: ["dryRun": false]).json
            #expect(real["created"] as? Int == 32)
            #expect(real["errors"] as? Int == 0)
            let tove = try #require(try await admin.get("/api/v1/admin/users?q=Nyström").items.first)
            #expect(tove["managedBy"] as? String == "directory")
            #expect(tove["roleSource"] as? String == "rules")
            let gunnel = try #require(try await admin.get("/api/v1/admin/users?q=Gunnel").items.first)
            #expect(gunnel["disabled"] as? Bool == true)
            let again = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:]).json
            #expect(again["created"] as? Int == 0)
            #expect(again["updated"] as? Int == 0)
            let status = try await admin.get("/api/v1/admin/directory").json
            #expect(status["configured"] as? Bool == true)
            #expect((status["lastSync"] as? [String: Any])?["ok"] as? Bool == true)
            // Everyone but administrators is refused.
            let erik = try await Browser.loggedIn(client, login: "erijoh")
            #expect(try await erik.send(.post, "/api/v1/admin/directory/sync", json: [:]).status == .forbidden)
        }
    }

    @Test("A role rule on a nested group: the preview names exactly who gains, saving gives it, removing the person from the group takes it away at the next sync")
    func roleRule() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            let admin = try await Browser.loggedIn(client, as: world.world.admin)
            _ = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:])
            let key = try await Self.key(of: "Communis-administratörer", admin: admin)
            let body: [String: Any] = ["groupKey": key, "kind": "role", "role": "admin"]
            let preview = try await admin.send(.post, "/api/v1/admin/group-rules/preview", json: body).json
            let gains = (preview["gains"] as? [[String: Any]]) ?? []
            #expect(Set(gains.compactMap { ($0["person"] as? [String: Any])?["name"] as? String }) == ["Anna Lindqvist", "Ahmed Hassan"])
            #expect(gains.allSatisfy { $0["what"] as? String == "role" && $0["to"] as? String == "admin" })
            #expect((preview["losses"] as? [Any])?.isEmpty == true)
            #expect(try await admin.get("/api/v1/admin/group-rules").items.isEmpty, "a preview saves nothing")

            let created = try await admin.send(.post, "/api/v1/admin/group-rules", json: body)
            #expect(created.status == .created)
            #expect((((created.json["applied"] as? [String: Any])?["gains"]) as? [Any])?.count == 2)
            let ahmed = try await Browser.loggedIn(client, login: "ahmhas")
            #expect(try await ahmed.get("/api/v1/me").json["role"] as? String == "admin")
            #expect(try await ahmed.get("/api/v1/admin/users").status == .ok)

            // Ahmed leaves IT-enheten: the next sync makes him a member again.
            try await world.slapd.modify(ldif: """
                dn: cn=IT-enheten,\(world.slapd.groupsBase)
                changetype: modify
                delete: member
                member: uid=ahmhas,\(world.slapd.peopleBase)
                """)
            _ = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:])
            #expect(try await ahmed.get("/api/v1/me").json["role"] as? String == "member")
            let audit = try await admin.get("/api/v1/admin/audit?action=role.changed").items
            #expect(audit.contains { $0["via"] as? String == "sync" && ($0["target"] as? [String: Any])?["name"] as? String == "Ahmed Hassan" })
            #expect(audit.contains { $0["via"] as? String == "rule" })
        }
    }

    @Test("A membership rule adds the group to a workspace; a sync removes those who left the group but never a membership given by hand")
    func membershipRule() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            let admin = try await Browser.loggedIn(client, as: world.world.admin)
            _ = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:])
            let workspace = try await admin.send(.post, "/api/v1/workspaces", json: ["name": "Skolstart 2027", "visibility": "closed"])
            let workspaceID = try #require(workspace.json["id"] as? String)
            // Eva is added by hand first.
            let eva = try #require(try await admin.get("/api/v1/admin/users?q=Pettersson").items.first?["id"] as? String)
            #expect(try await admin.send(.post, "/api/v1/workspaces/\(workspaceID)/members", json: ["personId": eva, "role": "member"]).status == .created)

            let key = try await Self.key(of: "Skolstart 2027-projektet", admin: admin)
            let body: [String: Any] = ["groupKey": key, "kind": "membership", "workspaceId": workspaceID, "membershipRole": "member"]
            let preview = try await admin.send(.post, "/api/v1/admin/group-rules/preview", json: body).json
            let gained = Set(((preview["gains"] as? [[String: Any]]) ?? []).compactMap { ($0["person"] as? [String: Any])?["name"] as? String })
            #expect(gained == ["Erik Johansson", "Tove Nyström"], "Eva is already a member")
            let rule = try await admin.send(.post, "/api/v1/admin/group-rules", json: body)
            let ruleID = try #require((rule.json["rule"] as? [String: Any])?["id"] as? String)
            let tove = try await Browser.loggedIn(client, login: "tovnys")
            #expect(try await tove.get("/api/v1/workspaces/\(workspaceID)").json["myRole"] as? String == "member")

            // Tove and Eva leave the project group.
            try await world.slapd.modify(ldif: """
                dn: cn=Skolstart 2027-projektet,\(world.slapd.groupsBase)
                changetype: modify
                delete: member
                member: uid=tovnys,\(world.slapd.peopleBase)
                member: uid=evapet,\(world.slapd.peopleBase)
                """)
            let report = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:]).json
            #expect(report["membershipsRemoved"] as? Int == 1)
            let members = try await admin.get("/api/v1/workspaces/\(workspaceID)/members").items.compactMap { ($0["person"] as? [String: Any])?["name"] as? String ?? $0["name"] as? String }
            #expect(members.contains("Eva Pettersson"), "given by hand, kept")
            #expect(!members.contains("Tove Nyström"))
            #expect(members.contains("Erik Johansson"))

            // Deleting the rule: its preview names Erik as losing access, and it happens.
            let deletePreview = try await admin.get("/api/v1/admin/group-rules/\(ruleID)/delete-preview").json
            let losing = Set(((deletePreview["losses"] as? [[String: Any]]) ?? []).compactMap { ($0["person"] as? [String: Any])?["name"] as? String })
            #expect(losing == ["Erik Johansson"])
            #expect(try await admin.send(.delete, "/api/v1/admin/group-rules/\(ruleID)").status == .ok)
            let after = try await admin.get("/api/v1/workspaces/\(workspaceID)/members").items.compactMap { ($0["person"] as? [String: Any])?["name"] as? String ?? $0["name"] as? String }
            #expect(!after.contains("Erik Johansson"))
            #expect(after.contains("Eva Pettersson"))
        }
    }

    @Test("A sync that would disable most of the organisation (a wrong user base) changes nothing and says why")
    func refusedSync() async throws {
        let world = try await DirectoryWorld.make()
        try await world.test { client in
            let admin = try await Browser.loggedIn(client, as: world.world.admin)
            _ = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:])
            // Everyone leaves ou=people at once (as a wrong filter would make it look).
            for login in ["annlin", "erijoh", "sarnil", "johand", "markar", "petsve", "kargus", "ahmhas", "evapet", "miklar", "sofols",
                          "larper", "asaobe", "fatali", "bjoeri", "heljon", "nilhol", "inglun", "danfor"] {
                try await world.slapd.modify(ldif: "dn: uid=\(login),\(world.slapd.peopleBase)\nchangetype: delete\n")
            }
            let refused = try await admin.send(.post, "/api/v1/admin/directory/sync", json: [:])
            #expect(refused.status == .conflict)
            #expect((refused.json["detail"] as? String)?.contains("nothing was changed") == true)
            let erik = try #require(try await admin.get("/api/v1/admin/users?q=Erik%20Johansson").items.first { $0["managedBy"] as? String == "directory" })
            #expect(erik["disabled"] as? Bool == false)
            let status = try await admin.get("/api/v1/admin/directory").json
            #expect((status["lastSync"] as? [String: Any])?["ok"] as? Bool == false)
        }
    }
}
