import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Meetings over HTTP")
struct MeetingTests {
    /// A closed workspace owned by Anna (admin) with Erik and Sara as members and Lena (a guest)
    /// as a guest member; Erik created a meeting in it. A second, secret workspace has no one else.
    struct Setup {
        var anna: Browser
        var erik: Browser
        var sara: Browser
        var lena: Browser
        var workspace: String
        var meeting: String
        var created: TestResponse
    }

    static func setUp(_ client: any TestClientProtocol, _ world: World, saraMember: Bool = true) async throws -> Setup {
        let anna = try await Browser.loggedIn(client, as: world.admin)
        let workspace = try await WorkspaceTests.create(anna, "IT-avdelningen", "closed")
        var people = [world.erik, world.guest]
        if saraMember { people.append(world.sara) }
        for person in people {
            let added = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/members", json: ["personId": person.id.description])
            #expect(added.status == .created, "\(String(buffer: added.body))")
        }
        let erik = try await Browser.loggedIn(client, as: world.erik)
        let created = try await erik.send(.post, "/api/v1/workspaces/\(workspace)/meetings", json: ["title": "  Veckomöte IT ", "scheduledFor": "2026-12-01T08:00:00Z"])
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return Setup(
            anna: anna, erik: erik, sara: try await Browser.loggedIn(client, as: world.sara),
            lena: try await Browser.loggedIn(client, as: world.guest), workspace: workspace,
            meeting: try #require(created.json["id"] as? String), created: created)
    }

    static func meetings(_ response: TestResponse) -> [[String: Any]] { (response.json["items"] as? [[String: Any]]) ?? [] }

    @Test("A member creates a scheduled meeting with its chat thread; members list and read it")
    func createListGet() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let created = s.created.json
            #expect(created["title"] as? String == "Veckomöte IT")
            #expect(created["state"] as? String == "scheduled")
            #expect(created["scheduledFor"] as? String == "2026-12-01T08:00:00Z")
            #expect(created["workspaceId"] as? String == s.workspace)
            #expect((created["createdBy"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect(created["moderator"] as? Bool == true)
            #expect(created["participants"] as? [Any] != nil)
            #expect(created["startedAt"] is NSNull)
            let threadID = try #require(created["threadId"] as? String)

            let thread = try await s.sara.get("/api/v1/threads/\(threadID)")
            #expect(thread.status == .ok)
            #expect(thread.json["title"] as? String == "Veckomöte IT", "the chat has the meeting's own title")
            #expect((thread.json["meeting"] as? [String: Any])?["id"] as? String == s.meeting)
            let posts = try await s.sara.get("/api/v1/threads/\(threadID)/posts")
            let first = try #require(Self.meetings(posts).first)
            #expect(((first["body"] as? String) ?? "").contains("skapade mötet"), "the Swedish text stays for clients that do not know `generated`")
            #expect(first["meetingId"] as? String == s.meeting)
            let generated = try #require(first["generated"] as? [String: Any])
            #expect(generated["kind"] as? String == "meeting-created")
            #expect(generated["title"] as? String == "Veckomöte IT")
            #expect(generated["scheduledFor"] as? String == "2026-12-01T08:00:00Z")
            #expect((generated["by"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            let listedThreads = try await s.sara.get("/api/v1/workspaces/\(s.workspace)/threads")
            #expect((Self.meetings(listedThreads).first?["meeting"] as? [String: Any])?["title"] as? String == "Veckomöte IT")

            let listed = try await s.anna.get("/api/v1/workspaces/\(s.workspace)/meetings")
            #expect(listed.status == .ok)
            #expect(Self.meetings(listed).map { $0["id"] as? String } == [s.meeting])
            #expect(Self.meetings(listed).first?["moderator"] as? Bool == true, "an owner moderates")
            #expect(Self.meetings(try await s.sara.get("/api/v1/workspaces/\(s.workspace)/meetings")).first?["moderator"] as? Bool == false)
            #expect(Self.meetings(try await s.lena.get("/api/v1/workspaces/\(s.workspace)/meetings")).count == 1, "guest members see the meetings")

            let got = try await s.sara.get("/api/v1/meetings/\(s.meeting)")
            #expect(got.status == .ok)
            #expect(got.json["threadId"] as? String == threadID)
            #expect(got.json["moderator"] as? Bool == false)
            #expect(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/meetings?includeEnded=kanske").status == .unprocessableContent)
        }
    }

    @Test("Outsiders: not found for a meeting, forbidden or not found for a workspace's list; guests and bad titles cannot create")
    func outsiders() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world, saraMember: false)
            #expect(try await s.sara.get("/api/v1/meetings/\(s.meeting)").status == .notFound)
            #expect(try await s.sara.get("/api/v1/meetings/\(UUID())").status == .notFound)
            #expect(try await s.sara.get("/api/v1/workspaces/\(s.workspace)/meetings").status == .forbidden)
            #expect(try await s.sara.send(.post, "/api/v1/workspaces/\(s.workspace)/meetings", json: ["title": "Mitt"]).status == .forbidden)
            #expect(try await s.sara.send(.post, "/api/v1/meetings/\(s.meeting)/end").status == .notFound)

            let secret = try await WorkspaceTests.create(s.anna, "Hemligt", "secret")
            #expect(try await s.sara.get("/api/v1/workspaces/\(secret)/meetings").status == .notFound)
            #expect(try await s.sara.send(.post, "/api/v1/workspaces/\(secret)/meetings", json: ["title": "Mitt"]).status == .notFound)

            let guest = try await s.lena.send(.post, "/api/v1/workspaces/\(s.workspace)/meetings", json: ["title": "Gästens möte"])
            #expect(guest.status == .forbidden)
            #expect(guest.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let empty = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/meetings", json: ["title": "   "])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.problemCode == "validation-failed")
            let long = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/meetings", json: ["title": String(repeating: "m", count: 201)])
            #expect(long.status == .unprocessableContent)
            #expect(try await Browser(client).get("/api/v1/meetings/\(s.meeting)").status == .unauthorized)
        }
    }

    @Test("access: members join, guests wait in the lobby, the creator and owners moderate, others are refused")
    func access() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world, saraMember: false)
            let meetings = Meetings(store: world.store, publisher: NoLivePublisher())
            let id = try #require(MeetingID(s.meeting))
            let erik = try await meetings.access(viewer: Viewer(person: world.erik), meeting: id)
            #expect(erik.moderator && !erik.waitsInLobby && !erik.guest)
            let anna = try await meetings.access(viewer: Viewer(person: world.admin), meeting: id)
            #expect(anna.moderator && !anna.waitsInLobby)
            let lena = try await meetings.access(viewer: Viewer(person: world.guest), meeting: id)
            #expect(!lena.moderator && lena.waitsInLobby && lena.guest)
            #expect(lena.meeting.title == "Veckomöte IT")
            await #expect(throws: DomainError.forbidden("Only members of the workspace and invited guests can join this meeting.")) {
                _ = try await meetings.access(viewer: Viewer(person: world.sara), meeting: id)
            }
            await #expect(throws: DomainError.notFound("Meeting")) {
                _ = try await meetings.access(viewer: Viewer(person: world.erik), meeting: MeetingID())
            }
        }
    }

    @Test("Only moderators end a meeting, invite guests and see attendance; ending twice changes nothing")
    func moderatorsAndEnd() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            #expect(try await s.sara.send(.post, "/api/v1/meetings/\(s.meeting)/end").status == .forbidden)
            #expect(try await s.sara.send(.post, "/api/v1/meetings/\(s.meeting)/invitations", json: ["name": "Gäst"]).status == .forbidden)
            #expect(try await s.sara.get("/api/v1/meetings/\(s.meeting)/attendance").status == .forbidden)
            #expect(try await s.lena.send(.post, "/api/v1/meetings/\(s.meeting)/end").status == .forbidden)

            let ended = try await s.anna.send(.post, "/api/v1/meetings/\(s.meeting)/end")
            #expect(ended.status == .ok)
            #expect(ended.json["state"] as? String == "ended")
            #expect((ended.json["endedBy"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            let again = try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/end")
            #expect(again.status == .ok)
            #expect(again.json["endedAt"] as? String == ended.json["endedAt"] as? String)
            #expect((again.json["endedBy"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")

            #expect(Self.meetings(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/meetings")).isEmpty)
            #expect(Self.meetings(try await s.erik.get("/api/v1/workspaces/\(s.workspace)/meetings?includeEnded=true")).count == 1)
            let late = try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/invitations", json: ["name": "Sen gäst"])
            #expect(late.status == .conflict)
        }
    }

    @Test("A guest link: shown, accepted into a session that reads the meeting and nothing of the workspace; reused on another device")
    func invitationRoundTrip() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let invited = try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/invitations", json: ["name": " Gunnar Gäst ", "email": "gunnar@partner.se"])
            #expect(invited.status == .created, "\(String(buffer: invited.body))")
            let token = try #require(invited.json["token"] as? String)
            #expect((invited.json["url"] as? String)?.hasSuffix("/#/meeting-invitation/\(token)") == true)
            #expect(invited.json["guestName"] as? String == "Gunnar Gäst")
            #expect(invited.json["expiresAt"] is String)
            #expect(try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/invitations", json: ["name": "X", "email": "inte en adress"]).status == .unprocessableContent)

            var visitor = Browser(client)
            let info = try await visitor.get("/api/v1/meeting-invitations/\(token)")
            #expect(info.status == .ok)
            #expect(info.json["meetingTitle"] as? String == "Veckomöte IT")
            #expect(info.json["workspaceName"] as? String == "IT-avdelningen")
            #expect(info.json["guestName"] as? String == "Gunnar Gäst")
            #expect((info.json["inviter"] as? [String: Any])?["name"] as? String == "Erik Johansson")

            let accepted = try await visitor.send(.post, "/api/v1/meeting-invitations/\(token)/accept")
            #expect(accepted.status == .ok, "\(String(buffer: accepted.body))")
            #expect(accepted.json["meetingId"] as? String == s.meeting)
            #expect(accepted.headers[.setCookie]?.contains("HttpOnly") == true)
            visitor.take(accepted)
            let user = try #require(accepted.json["user"] as? [String: Any])
            #expect(user["role"] as? String == "guest")
            #expect(user["name"] as? String == "Gunnar Gäst")

            let seen = try await visitor.get("/api/v1/meetings/\(s.meeting)")
            #expect(seen.status == .ok)
            #expect(seen.json["moderator"] as? Bool == false)
            let threadID = try #require(seen.json["threadId"] as? String)
            #expect(try await visitor.get("/api/v1/workspaces/\(s.workspace)/threads").status == .notFound)
            #expect(try await visitor.get("/api/v1/workspaces/\(s.workspace)").status == .notFound)
            #expect(try await visitor.get("/api/v1/workspaces/\(s.workspace)/meetings").status == .notFound)
            #expect(try await visitor.get("/api/v1/people?q=Erik").status == .forbidden)
            let session = try await visitor.get("/api/v1/session")
            #expect((session.json["user"] as? [String: Any])?["meetingId"] as? String == s.meeting, "the client shows the meeting and nothing else")
            #expect((try await s.sara.get("/api/v1/session").json["user"] as? [String: Any])?["meetingId"] == nil)

            // The meeting's chat, and no other thread, is open to its invited guest.
            #expect(try await visitor.get("/api/v1/threads/\(threadID)").status == .ok)
            #expect(try await visitor.get("/api/v1/threads/\(threadID)/posts").status == .ok)
            let said = try await visitor.send(.post, "/api/v1/threads/\(threadID)/posts", json: ["body": "Hej från Gunnar"])
            #expect(said.status == .created, "\(String(buffer: said.body))")
            let other = try await s.sara.send(.post, "/api/v1/workspaces/\(s.workspace)/threads", json: ["title": "Internt", "body": "Bara för oss"])
            let otherID = try #require(((other.json["result"] as? [String: Any])?["thread"] as? [String: Any])?["id"] as? String)
            #expect(try await visitor.get("/api/v1/threads/\(otherID)/posts").status == .notFound)
            #expect(try await visitor.send(.post, "/api/v1/threads/\(otherID)/posts", json: ["body": "Smyg"]).status == .notFound)

            let guestID = try #require((user["id"] as? String).flatMap(PersonID.init))
            let guest = try #require(try await world.store.person(id: guestID))
            let access = try await Meetings(store: world.store, publisher: NoLivePublisher()).access(viewer: Viewer(person: guest), meeting: try #require(MeetingID(s.meeting)))
            #expect(access.waitsInLobby && access.guest && !access.moderator)
            #expect(try await world.store.credentials(id: guestID)?.passwordHash == nil, "no password: the link is the only way in")

            let otherDevice = try await Browser(client).send(.post, "/api/v1/meeting-invitations/\(token)/accept")
            #expect(otherDevice.status == .ok)
            #expect((otherDevice.json["user"] as? [String: Any])?["id"] as? String == user["id"] as? String)

            #expect(try await Browser(client).get("/api/v1/meeting-invitations/okänd").status == .gone)
            #expect(try await Browser(client).send(.post, "/api/v1/meeting-invitations/okänd/accept").status == .gone)
        }
    }

    @Test("An expired link and a link to an ended meeting are refused")
    func refusedLinks() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let id = try #require(MeetingID(s.meeting))
            // Issued two days ago with a lifetime of one day.
            let past = Meetings(store: world.store, publisher: NoLivePublisher(), invitationLifetime: 86_400, clock: Clock(now: { Date().addingTimeInterval(-2 * 86_400) }))
            let expired = try await past.invite(viewer: Viewer(person: world.erik), meeting: id, name: "För sent", email: nil)
            let anonymous = Browser(client)
            let info = try await anonymous.get("/api/v1/meeting-invitations/\(expired.token)")
            #expect(info.status == .gone)
            #expect(info.problemCode == "invitation-invalid")
            #expect(try await anonymous.send(.post, "/api/v1/meeting-invitations/\(expired.token)/accept").status == .gone)

            let fresh = try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/invitations", json: ["name": "I tid"])
            let token = try #require(fresh.json["token"] as? String)
            #expect(try await anonymous.get("/api/v1/meeting-invitations/\(token)").status == .ok)
            #expect(try await s.erik.send(.post, "/api/v1/meetings/\(s.meeting)/end").status == .ok)
            #expect(try await anonymous.get("/api/v1/meeting-invitations/\(token)").status == .gone)
            #expect(try await anonymous.send(.post, "/api/v1/meeting-invitations/\(token)/accept").status == .gone)
        }
    }

    @Test("Attendance lists each stay with from and to; the meeting is live once started")
    func attendance() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let meetings = Meetings(store: world.store, publisher: NoLivePublisher())
            let id = try #require(MeetingID(s.meeting))
            try await meetings.markStarted(id, by: world.erik.id)
            try await meetings.markStarted(id, by: world.erik.id)
            let joined = Date(timeIntervalSince1970: 1_800_000_000)
            let erikStay = try await meetings.attendanceBegan(meeting: id, person: world.erik.id, at: joined)
            _ = try await meetings.attendanceBegan(meeting: id, person: world.sara.id, at: joined.addingTimeInterval(60))
            try await meetings.attendanceEnded(erikStay, at: joined.addingTimeInterval(600))

            let live = try await s.sara.get("/api/v1/meetings/\(s.meeting)")
            #expect(live.json["state"] as? String == "live")
            #expect(live.json["startedAt"] is String)

            let list = try await s.erik.get("/api/v1/meetings/\(s.meeting)/attendance")
            #expect(list.status == .ok)
            let items = Self.meetings(list)
            #expect(items.compactMap { ($0["person"] as? [String: Any])?["name"] as? String } == ["Erik Johansson", "Sara Nilsson"])
            #expect(items.first?["joinedAt"] as? String == "2027-01-15T08:00:00Z")
            #expect(items.first?["leftAt"] as? String == "2027-01-15T08:10:00Z")
            #expect(items.last?["leftAt"] is NSNull)

            let ended = try await meetings.end(meeting: id, by: world.erik.id)
            #expect(ended.state == .ended)
            #expect(try await meetings.end(meeting: id, by: world.admin.id).endedBy == world.erik.id)
        }
    }

    @Test("Metrics are for administrators, in the Prometheus text format")
    func metrics() async throws {
        let world = try await World.make()
        try await world.test { client in
            let anna = try await Browser.loggedIn(client, as: world.admin)
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await Browser(client).get("/api/v1/admin/metrics").status == .unauthorized)
            let refused = try await erik.get("/api/v1/admin/metrics")
            #expect(refused.status == .forbidden)
            #expect(refused.problemCode == "forbidden")

            let response = try await anna.get("/api/v1/admin/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.hasSuffix("\n"))
            let samples = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            for sample in samples {
                let parts = sample.split(separator: " ")
                #expect(parts.count == 2 && Int(parts[1]) != nil, "not a sample line: \(sample)")
            }
            let names = samples.compactMap { $0.split(separator: " ").first.map(String.init) }
            #expect(Array(names.prefix(11)) == [
                "communis_meetings_live", "communis_meeting_participants", "communis_meeting_lobby",
                "communis_audio_packets_in_total", "communis_audio_packets_out_total", "communis_audio_dropped_slow_total",
                "communis_audio_dropped_stale_total", "communis_audio_malformed_total", "communis_audio_unrouted_total", "communis_audio_rate_limited_total",
                "communis_audio_muted_dropped_total",
            ])
            // Then this node's own lines (one node here: SQLite), labelled with its id.
            #expect(names.contains { $0.hasPrefix("communis_node_info{node=\"") })
            #expect(["communis_cluster_nodes", "communis_cluster_doorbells_total", "communis_cluster_catchups_total"].allSatisfy(names.contains))
            #expect(names.filter { $0.hasPrefix("communis_jobs_run_total{job=\"") }.allSatisfy { name in
                ["prune-events", "sweep-sessions", "review-reminders", "identity-housekeeping", "document-housekeeping", "notification-digests", "news-publishing"].contains { name.contains("\"\($0)\"") }
            })
            #expect(text.components(separatedBy: "# TYPE communis_jobs_run_total counter\n").count <= 2, "one HELP and TYPE per family")
            #expect(text.contains("# TYPE communis_meetings_live gauge\n"))
            #expect(text.contains("# TYPE communis_audio_packets_in_total counter\n"))
        }
    }
}
