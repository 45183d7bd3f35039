import CommunisModel
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("News live over real sockets")
struct NewsLiveTests {
    @Test("A published item reaches the open connections of its audience as news.published, and no one else's")
    func publishedLive() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let sara = try await server.connect(world.sara)
            let erik = try await server.connect(world.erik)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(world.tokens[world.anna.id]!)"
            headers[.contentType] = "application/json"
            let body = try JSONSerialization.data(withJSONObject: [
                "title": "Ny rutin i vården", "introduction": "Läs och bekräfta", "body": "Text",
                "audience": ["departments": ["Vård- och omsorgsförvaltningen"]], "acknowledgement": ["required": true],
            ])
            let created = try await server.client.execute(uri: "/api/v1/news", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let event = try await sara.next("news.published")
            #expect(event.data["title"] as? String == "Ny rutin i vården")
            #expect(event.data["body"] == nil)
            #expect((event.data["acknowledgement"] as? [String: Any])?["required"] as? Bool == true)
            await #expect(throws: (any Error).self) { _ = try await erik.next("news.published", timeout: .milliseconds(800)) }
            await sara.disconnect()
            await erik.disconnect()
        }
    }
}
