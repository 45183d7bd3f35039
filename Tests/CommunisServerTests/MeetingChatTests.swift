import CommunisModel
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A meeting in daily use: who sees that it is going on, its chat for guests, and a home feed
/// that meeting chats do not flood. Through the real server on a real socket.
@Suite("Meetings in daily use")
struct MeetingChatTests {
    static func get(_ server: MeetingWorld.Server, _ person: Person, _ uri: String) async throws -> (status: Int, json: [String: Any]) {
        let answer = try await server.client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(server.tokens[person.id]!)"])
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: answer.body))) as? [String: Any] ?? [:]
        return (Int(answer.status.code), json)
    }

    static func post(_ server: MeetingWorld.Server, _ person: Person, _ uri: String, _ body: String) async throws -> (status: Int, json: [String: Any]) {
        let answer = try await server.client.execute(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(server.tokens[person.id]!)", .contentType: "application/json"],
            body: ByteBuffer(string: body))
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: answer.body))) as? [String: Any] ?? [:]
        return (Int(answer.status.code), json)
    }

    static func items(_ json: [String: Any]) -> [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }

    @Test("The meetings going on now in my workspaces: only with someone in them, with the workspace's name and who is in")
    func goingOn() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            #expect(Self.items(try await Self.get(server, world.sara, "/api/v1/meetings?state=live").json).isEmpty, "nobody is in it yet")
            let erik = try await server.connect(world.erik)
            #expect(try await erik.join(world).type == "ack")

            let seen = try await Self.get(server, world.sara, "/api/v1/meetings?state=live")
            #expect(seen.status == 200)
            let meeting = try #require(Self.items(seen.json).first)
            #expect(meeting["id"] as? String == world.meeting.id.description)
            #expect(meeting["state"] as? String == "live")
            #expect((meeting["workspace"] as? [String: Any])?["name"] as? String == "IT-gruppen")
            #expect((meeting["participants"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Erik Johansson"])
            #expect(Self.items(try await Self.get(server, world.anna, "/api/v1/meetings?state=live").json).isEmpty, "not a member")
            #expect(try await Self.get(server, world.sara, "/api/v1/meetings?state=kanske").status == 422)
            #expect(try await Self.get(server, world.sara, "/api/v1/meetings").status == 422)

            erik.close()
        }
    }

    @Test("The meeting's guests get its chat on the meeting's topic; members read it in the workspace")
    func chatForGuests() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let lena = try await server.connect(world.lena)
            _ = try await erik.join(world)
            let lenaStream = try #require(try await lena.join(world).data["streamId"] as? NSNumber)
            _ = try await erik.next("meeting.lobby")
            #expect(try await erik.command("meeting.admit", topic: world.topic, data: ["streamId": lenaStream]).type == "ack")
            _ = try await lena.next("meeting.admitted")

            let thread = world.meeting.threadID
            let written = try await Self.post(server, world.sara, "/api/v1/threads/\(thread)/posts", #"{"body":"Länken till dagordningen kommer här"}"#)
            #expect(written.status == 201)
            let chat = try await lena.next("meeting.chat")
            #expect(chat.topic == world.topic)
            #expect(chat.data["event"] as? String == "post.created")
            let post = try #require(chat.data["post"] as? [String: Any])
            #expect(post["body"] as? String == "Länken till dagordningen kommer här")
            #expect(post["meetingId"] as? String == world.meeting.id.description)
            #expect((post["author"] as? [String: Any])?["name"] as? String == "Sara Nilsson")

            // Lena writes through the live connection, as the meeting page does.
            let ack = try await lena.command("post.create", data: ["threadId": thread.description, "body": "Tack!"])
            #expect(ack.type == "ack", "\(ack.data)")
            #expect(try await lena.next("meeting.chat").data["event"] as? String == "post.created")
            for socket in [erik, lena] { socket.close() }
        }
    }

    @Test("Meeting chats stay out of the home feed; other threads and their replies are in it")
    func feedWithoutMeetingChats() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let thread = world.meeting.threadID
            for index in 1...3 {
                #expect(try await Self.post(server, world.sara, "/api/v1/threads/\(thread)/posts", #"{"body":"Chatt \#(index)"}"#).status == 201)
            }
            let created = try await Self.post(
                server, world.erik, "/api/v1/workspaces/\(world.workspace)/threads", #"{"title":"Nytt intranät","body":"Vad tycker ni?"}"#)
            #expect(created.status == 201)
            let feed = try await Self.get(server, world.sara, "/api/v1/feed?limit=2")
            let shown = Self.items(feed.json)
            #expect(shown.count == 1, "\(shown)")
            #expect(((shown.first?["data"] as? [String: Any])?["thread"] as? [String: Any])?["title"] as? String == "Nytt intranät")
            #expect(feed.json["next"] == nil || feed.json["next"] is NSNull, "the meeting's chat is all that is older")
        }
    }

    @Test("Search finds a meeting's chat by the meeting's title, never the opening the server wrote")
    func searchWithoutGeneratedOpenings() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let generated = try await Self.get(server, world.sara, "/api/v1/search?q=skapade")
            #expect(generated.status == 200)
            #expect((generated.json["results"] as? [[String: Any]])?.isEmpty == true, "\(generated.json)")
            let byTitle = (try await Self.get(server, world.sara, "/api/v1/search?q=veckomote").json["results"] as? [[String: Any]]) ?? []
            #expect(byTitle.map { $0["kind"] as? String } == ["thread"], "\(byTitle)")
        }
    }
}
