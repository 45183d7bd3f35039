import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Notification centre over HTTP: settings, follows, unread count, feed")
struct NotificationHTTPTests {
    @Test("settings start at the documented defaults, are replaced by PUT, and bad values are refused")
    func settings() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let defaults = try await erik.get("/api/v1/me/notification-settings")
            #expect(defaults.status == .ok)
            let kinds = try #require(defaults.json["kinds"] as? [String: [String: Any]])
            #expect(Set(kinds.keys) == ["mention", "reply", "news", "meeting-started", "review-due", "ack-due"])
            #expect(kinds["mention"]?["email"] as? String == "daily" && kinds["mention"]?["push"] as? Bool == true)
            #expect(kinds["news"]?["app"] as? Bool == true && kinds["news"]?["email"] as? String == "off")
            #expect(defaults.json["timeZone"] as? String == "Europe/Stockholm")
            #expect((defaults.json["quietHours"] as? [String: Any])?["from"] as? String == "22:00")

            let chosen: [String: Any] = [
                "kinds": ["mention": ["app": false, "email": "immediate", "push": false]],
                "quietHours": ["enabled": false, "from": "21:00", "to": "06:30"], "timeZone": "Europe/Helsinki", "language": "en",
            ]
            let saved = try await erik.send(.put, "/api/v1/me/notification-settings", json: chosen)
            #expect(saved.status == .ok, "\(saved.text)")
            let again = try await erik.get("/api/v1/me/notification-settings").json
            let mention = (again["kinds"] as? [String: [String: Any]])?["mention"]
            #expect(mention?["app"] as? Bool == false && mention?["email"] as? String == "immediate")
            #expect((again["kinds"] as? [String: [String: Any]])?["reply"]?["push"] as? Bool == true, "a kind left out keeps its value")
            #expect(again["timeZone"] as? String == "Europe/Helsinki" && again["language"] as? String == "en")

            var bad = chosen
            bad["quietHours"] = ["enabled": true, "from": "25:00", "to": "06:30"]
            bad["timeZone"] = "Mars/Olympus"
            let refused = try await erik.send(.put, "/api/v1/me/notification-settings", json: bad)
            #expect(refused.status == .unprocessableContent && refused.problemCode == "validation-failed")
            let fields = ((refused.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains("quietHours.from") && fields.contains("timeZone"))
            bad = chosen
            bad["kinds"] = ["mention": ["app": true, "email": "hourly", "push": true]]
            #expect(try await erik.send(.put, "/api/v1/me/notification-settings", json: bad).status == .unprocessableContent, "no such cadence")
            #expect(try await Browser(client).get("/api/v1/me/notification-settings").status == .unauthorized)
        }
    }

    @Test("member workspaces are followed implicitly; unfollowing one keeps the membership and empties it from the feed")
    func workspaceFollows() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let space = try await WorkspaceTests.create(erik, "Skolstart", "closed")
            let thread = try await erik.send(.post, "/api/v1/workspaces/\(space)/threads", json: ["title": "Schema", "body": "Hur blir det?"])
            #expect(thread.status == .created)
            var follows = try await erik.get("/api/v1/me/follows").json["items"] as? [[String: Any]] ?? []
            #expect(follows.count == 1 && follows.first?["kind"] as? String == "workspace" && follows.first?["target"] as? String == space)
            #expect(follows.first?["implicit"] as? Bool == true && follows.first?["label"] as? String == "Skolstart")
            #expect((try await erik.get("/api/v1/feed").json["items"] as? [[String: Any]])?.count == 1)

            #expect(try await erik.send(.delete, "/api/v1/me/follows/workspace/\(space)").status == .noContent)
            follows = try await erik.get("/api/v1/me/follows").json["items"] as? [[String: Any]] ?? []
            #expect(follows.isEmpty)
            #expect((try await erik.get("/api/v1/feed").json["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await erik.get("/api/v1/workspaces/\(space)").json["myRole"] as? String == "owner", "still a member")

            #expect(try await erik.send(.put, "/api/v1/me/follows/workspace/\(space)").status == .noContent)
            #expect((try await erik.get("/api/v1/feed").json["items"] as? [[String: Any]])?.count == 1)

            let sara = try await Browser.loggedIn(client, as: world.sara)
            #expect(try await sara.send(.put, "/api/v1/me/follows/workspace/\(space)").problemCode == "forbidden", "closed: members only")
            #expect(try await sara.send(.put, "/api/v1/me/follows/workspace/\(WorkspaceID())").status == .notFound)
            #expect(try await sara.send(.put, "/api/v1/me/follows/planet/x").status == .unprocessableContent)
        }
    }

    @Test("following a person brings their posts in readable workspaces to my feed; tags are stored folded")
    func personAndTagFollows() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let open = try await WorkspaceTests.create(erik, "Öppna ytan", "open")
            let closed = try await WorkspaceTests.create(erik, "Stängda ytan", "closed")
            _ = try await erik.send(.post, "/api/v1/workspaces/\(open)/threads", json: ["title": "Öppet", "body": "Alla kan läsa"])
            _ = try await erik.send(.post, "/api/v1/workspaces/\(closed)/threads", json: ["title": "Stängt", "body": "Bara medlemmar"])
            #expect((try await sara.get("/api/v1/feed").json["items"] as? [[String: Any]])?.isEmpty == true)

            #expect(try await sara.send(.put, "/api/v1/me/follows/person/\(world.erik.id)").status == .noContent)
            let feed = try await sara.get("/api/v1/feed").json["items"] as? [[String: Any]] ?? []
            #expect(feed.compactMap { ($0["workspace"] as? [String: Any])?["id"] as? String } == [open], "not the closed workspace")

            #expect(try await sara.send(.put, "/api/v1/me/follows/tag/L%C3%B6n%20").status == .noContent)
            #expect(try await sara.send(.put, "/api/v1/me/follows/category/HR").status == .noContent)
            let follows = try await sara.get("/api/v1/me/follows").json["items"] as? [[String: Any]] ?? []
            #expect(Set(follows.map { "\($0["kind"] ?? ""):\($0["target"] ?? "")" }) == ["person:\(world.erik.id)", "tag:lön", "category:hr"])
            #expect(follows.first { $0["kind"] as? String == "person" }?["label"] as? String == "Erik Johansson")
            #expect(try await sara.send(.delete, "/api/v1/me/follows/tag/l%C3%B6n").status == .noContent)
            #expect((try await sara.get("/api/v1/me/follows").json["items"] as? [[String: Any]])?.count == 2)
            #expect(try await sara.send(.put, "/api/v1/me/follows/person/\(world.sara.id)").status == .unprocessableContent, "not oneself")

            let lena = try await Browser.loggedIn(client, as: world.guest)
            #expect(try await lena.send(.put, "/api/v1/me/follows/person/\(world.erik.id)").status == .notFound, "a guest does not see employees outside their workspaces")
        }
    }

    @Test("the unread count and the list carry the new kinds' fields")
    func unreadCount() async throws {
        let world = try await World.make()
        try await world.test { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            let sara = try await Browser.loggedIn(client, as: world.sara)
            let space = try await WorkspaceTests.create(erik, "Skolstart", "open")
            #expect(try await sara.send(.post, "/api/v1/workspaces/\(space)/join").status == .created)
            let created = try await erik.send(.post, "/api/v1/workspaces/\(space)/threads", json: ["title": "Schema", "body": "Hur blir det?"])
            let threadID = try #require((created.json["result"] as? [String: Any]).flatMap { ($0["thread"] as? [String: Any])?["id"] as? String })
            #expect(try await sara.send(.post, "/api/v1/threads/\(threadID)/posts", json: ["body": "Som förra året"]).status == .created)
            #expect(try await erik.get("/api/v1/notifications/unread-count").json["unread"] as? Int == 1)
            let item = try #require((try await erik.get("/api/v1/notifications").json["items"] as? [[String: Any]])?.first)
            #expect(item["kind"] as? String == "reply" && item["link"] as? String == "#/workspaces/\(space)?thread=\(threadID)")
            #expect(try await erik.send(.post, "/api/v1/notifications/read").status == .noContent)
            #expect(try await erik.get("/api/v1/notifications/unread-count").json["unread"] as? Int == 0)
        }
    }
}
