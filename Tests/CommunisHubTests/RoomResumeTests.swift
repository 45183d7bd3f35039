@testable import CommunisHub
import CommunisModel
import Foundation
import Testing

/// docs/protocol.md, "Subscription control": a `lastSeq` above the log's head is not a seq of
/// this workspace (`reload`, reason `ahead`); above only what this room has sent (a room of a
/// cluster node a doorbell behind) it is believed. Either way the subscription stays active.
@Suite("Subscribing with a lastSeq ahead of the room")
struct RoomResumeTests {
    @Test("lastSeq above the log's newest event: reload with reason ahead and the head's seq; live events follow")
    func aheadOfTheLog() async throws {
        let world = try await HubWorld.make()
        for n in 1...3 { _ = try await world.write("Tråd \(n)") }
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 3, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)

        let current = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 99)

        #expect(current == 3)
        #expect(sink.types == ["presence.state", "reload"])
        let data = try #require(sink.messages.last?["data"] as? [String: Any])
        #expect(data["reason"] as? String == "ahead")
        #expect((data["seq"] as? NSNumber)?.int64Value == 3)
        await room.publish(try await world.write("Live"))
        #expect(sink.seqs == [4], "still subscribed after the reload, from the head on")
    }

    @Test("lastSeq above what the room sent but within the log (a room behind its doorbell): no reload, nothing the client has is sent again")
    func aheadOfTheRoomOnly() async throws {
        let world = try await HubWorld.make()
        var events: [WorkspaceEvent] = []
        for n in 1...4 { events.append(try await world.write("Tråd \(n)")) }
        // The room knows only up to 2: events 3 and 4 were written by another node.
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 2, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)

        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 3)
        #expect(!sink.types.contains("reload"))
        for event in events.suffix(2) { await room.publish(event) }   // the room catches up

        #expect(sink.seqs == [4], "3 the client had; 4 it had not")
    }

    @Test("lastSeq equal to the head: nothing replayed, no reload")
    func atTheHead() async throws {
        let world = try await HubWorld.make()
        for n in 1...2 { _ = try await world.write("Tråd \(n)") }
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 2, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)
        #expect(await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 2) == 2)
        #expect(sink.types == ["presence.state"])
    }
}
