import CommunisModel
import CommunisTesting
import Foundation
import HTTPTypes
import NIOCore
import HummingbirdTesting
import Testing

/// The test WebSocket client against the real server: the ways a browser and an API client
/// come in, and how a connection ends.
@Suite("Live connections through the test WebSocket client")
struct LiveSocketTests {
    @Test("A logged-in browser connects with its session cookie and its own Origin; another Origin is refused with 403")
    func cookieAndOrigin() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let login = try await server.client.execute(
                uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"sara@katrineholm.se","password":"\#(World.password)"}"#))
            #expect(login.status == .ok)
            let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let socket = try await WebSocketTestClient.connect(
                host: "localhost", port: server.port, headers: [("Cookie", cookie), ("Origin", "http://localhost:\(server.port)")])
            let welcome = try await socket.next("welcome")
            #expect((welcome.data["person"] as? [String: Any])?["name"] as? String == "Sara Nilsson")

            await #expect(throws: WebSocketTestClient.Failure.self) {
                _ = try await WebSocketTestClient.connect(host: "localhost", port: server.port, headers: [("Cookie", cookie), ("Origin", "https://evil.example")])
            }
            do {
                _ = try await WebSocketTestClient.connect(host: "localhost", port: server.port, headers: [("Origin", "http://localhost:\(server.port)")])
                Issue.record("connected without credentials")
            } catch {
                #expect("\(error)".contains("401"))
            }
        }
    }

    @Test("Closing with 1000 is answered with 1000; a binary frame outside a meeting is ignored, not fatal")
    func closing() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let socket = try await server.connect(world.erik)
            socket.send(binary: [0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xF8])
            #expect(try await socket.command("ping").type == "ack")
            socket.close(code: 1000)
            #expect(try await socket.closed() == 1000)
        }
    }
}
