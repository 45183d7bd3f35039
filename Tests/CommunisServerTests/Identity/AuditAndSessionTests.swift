import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The audit log and people's sessions")
struct AuditAndSessionTests {
    @Test("Logins, failed logins, role and membership changes and deleted workspaces are in the audit log; only administrators read or export it")
    func auditTrail() async throws {
        let world = try await World.make()
        try await world.test { client in
            _ = try await Browser(client).send(.post, "/api/v1/session", json: ["login": "erik@katrineholm.se", "password": "fel"])
            let admin = try await Browser.loggedIn(client, as: world.admin)
            _ = try await admin.send(.patch, "/api/v1/admin/users/\(world.sara.id)", json: ["role": "admin"])
            let workspace = try await admin.send(.post, "/api/v1/workspaces", json: ["name": "=HYPERLINK(\"x\")", "visibility": "open"])
            let id = try #require(workspace.json["id"] as? String)
            _ = try await admin.send(.post, "/api/v1/workspaces/\(id)/members", json: ["personId": world.erik.id.description, "role": "member"])
            _ = try await admin.send(.delete, "/api/v1/workspaces/\(id)")

            let all = try await admin.get("/api/v1/admin/audit?limit=100").items
            let actions = all.compactMap { $0["action"] as? String }
            for action in ["login.failed", "login.succeeded", "role.changed", "membership.added", "workspace.deleted"] {
                #expect(actions.contains(action), "\(action) missing in \(actions)")
            }
            let failed = try #require(all.first { $0["action"] as? String == "login.failed" })
            #expect((failed["target"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            let roleChange = try #require(all.first { $0["action"] as? String == "role.changed" })
            #expect((roleChange["actor"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            #expect(roleChange["via"] as? String == "hand")
            #expect(roleChange["details"] as? [String: String] == ["from": "member", "to": "admin"])
            // Filters.
            let onlyRoles = try await admin.get("/api/v1/admin/audit?action=role.changed").items
            #expect(onlyRoles.count == 1)
            #expect(try await admin.get("/api/v1/admin/audit?q=johansson&action=login.failed").items.count == 1)
            #expect(try await admin.get("/api/v1/admin/audit?from=2099-01-01").items.isEmpty)
            #expect(try await admin.get("/api/v1/admin/audit?action=nonsense").status == .unprocessableContent)

            // CSV: a header, one row per entry, a formula neutralised, and the export itself logged.
            let csv = try await admin.get("/api/v1/admin/audit/export?format=csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.contains("attachment") == true)
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("\u{FEFF}id,time,action"))
            #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "a cell starting with = is prefixed with '")
            #expect(!text.contains(",=HYPERLINK"))
            let json = try await admin.get("/api/v1/admin/audit/export?format=json")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [[String: Any]])
            #expect(entries.count >= all.count)
            #expect(try await admin.get("/api/v1/admin/audit?action=audit.exported").items.count == 2)

            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/admin/audit").status == .forbidden)
            #expect(try await erik.get("/api/v1/admin/audit/export?format=csv").status == .forbidden)
        }
    }

    @Test("A person sees their sessions, ends one elsewhere, and logs out everywhere; an administrator ends someone's sessions and tokens")
    func sessions() async throws {
        let world = try await World.make()
        try await world.test { client in
            let laptop = try await Browser.loggedIn(client, as: world.erik, headers: [.userAgent: "Mozilla/5.0 (Windows NT 10.0) Firefox/130.0"])
            let phone = try await Browser.loggedIn(client, as: world.erik, headers: [.userAgent: "Mozilla/5.0 (iPhone) Safari/604.1"])
            let listed = try await laptop.get("/api/v1/me/sessions").items
            #expect(listed.count == 2)
            #expect(listed.filter { $0["current"] as? Bool == true }.count == 1)
            let current = try #require(listed.first { $0["current"] as? Bool == true })
            #expect((current["userAgent"] as? String)?.contains("Firefox") == true)
            #expect(current["method"] as? String == "password")
            let other = try #require(listed.first { $0["current"] as? Bool == false }?["id"] as? String)
            #expect(try await laptop.send(.delete, "/api/v1/me/sessions/\(other)").status == .noContent)
            #expect(try await phone.get("/api/v1/me").status == .unauthorized)
            #expect(try await laptop.get("/api/v1/me").status == .ok)
            // Someone else's session id is not found.
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let saraSession = try #require(try await sara.get("/api/v1/me/sessions").items.first?["id"] as? String)
            #expect(try await laptop.send(.delete, "/api/v1/me/sessions/\(saraSession)").status == .notFound)
            // Log out everywhere.
            let out = try await laptop.send(.delete, "/api/v1/me/sessions")
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("communis_session=;") == true)
            #expect(try await laptop.get("/api/v1/me").status == .unauthorized)

            // The administrator sees Sara's session and token and ends them.
            let token = try #require(try await sara.send(.post, "/api/v1/tokens", json: ["name": "Skript"]).json["id"] as? String)
            let admin = try await Browser.loggedIn(client, as: world.admin)
            let hers = try await admin.get("/api/v1/admin/users/\(world.sara.id)/sessions").json
            #expect((hers["sessions"] as? [Any])?.count == 1)
            #expect((hers["tokens"] as? [[String: Any]])?.first?["name"] as? String == "Skript")
            #expect(try await admin.send(.delete, "/api/v1/admin/users/\(world.sara.id)/tokens/\(token)").status == .noContent)
            #expect(try await admin.send(.delete, "/api/v1/admin/users/\(world.sara.id)/sessions").status == .noContent)
            #expect(try await sara.get("/api/v1/me").status == .unauthorized)
            #expect(try await admin.get("/api/v1/admin/audit?action=session.ended").items.count == 3)
            #expect(try await sara.get("/api/v1/admin/users/\(world.admin.id)/sessions").status == .unauthorized)
        }
    }
}
