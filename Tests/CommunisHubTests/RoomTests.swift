@testable import CommunisHub
import CommunisModel
import CommunisServices
import CommunisStore
import CommunisStoreSQLite
import CommunisWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Collects what a connection would be sent.
final class RecordingSink: LiveSink, @unchecked Sendable {
    let connectionID: ConnectionID
    private let frames = NIOLockedValueBox<[[String: Any]]>([])
    private let closedWith = NIOLockedValueBox<CloseCode?>(nil)

    init(_ id: ConnectionID) { connectionID = id }

    func send(_ frame: ByteBuffer) {
        let object = (try? JSONSerialization.jsonObject(with: Data(frame.readableBytesView))) as? [String: Any] ?? [:]
        frames.withLockedValue { $0.append(object) }
    }

    func close(_ code: CloseCode, reason: String) { closedWith.withLockedValue { $0 = code } }

    var messages: [[String: Any]] { frames.withLockedValue { $0 } }
    var types: [String] { messages.compactMap { $0["type"] as? String } }
    var seqs: [Int64] { messages.compactMap { ($0["seq"] as? NSNumber)?.int64Value } }
    var closeCode: CloseCode? { closedWith.withLockedValue { $0 } }
}

/// A real SQLite store with one workspace and two members, and a way to write events.
struct HubWorld {
    let store: SQLiteStore
    let workspace: WorkspaceID
    let anna: Viewer
    let erik: Viewer
    let discussions: Discussions

    static func make(publisher: any LivePublisher = NoLivePublisher()) async throws -> HubWorld {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID())/communis.sqlite").path
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let store = try SQLiteStore.open(path: path, logger: logger)
        let anna = Person(email: "anna@k.se", name: "Anna", role: .member)
        let erik = Person(email: "erik@k.se", name: "Erik", role: .member)
        try await store.insertPerson(anna, passwordHash: nil)
        try await store.insertPerson(erik, passwordHash: nil)
        let workspace = Workspace(name: "Rum", description: "", visibility: .closed, createdBy: anna.id)
        try await store.createWorkspace(workspace, owner: anna.id)
        try await store.addMember(Membership(workspaceID: workspace.id, personID: erik.id, role: .member))
        return HubWorld(store: store, workspace: workspace.id, anna: Viewer(person: anna), erik: Viewer(person: erik),
                        discussions: Discussions(store: store, publisher: publisher))
    }

    /// Writes a thread without telling any hub; returns its event.
    func write(_ title: String) async throws -> WorkspaceEvent {
        let written = try await discussions.createThread(viewer: anna, workspace: workspace, title: title, body: "Text", idempotencyKey: nil)
        return try #require(try await store.events(workspace: workspace, after: written.seq - 1, limit: 1).first)
    }

    var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }
}

@Suite("A room sends stored events in order, fills gaps, and resumes")
struct RoomTests {
    @Test("Events published out of order go out in seq order, each once")
    func order() async throws {
        let world = try await HubWorld.make()
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 0, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)
        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: nil)
        let first = try await world.write("Ett"), second = try await world.write("Två"), third = try await world.write("Tre")
        await room.publish(third)
        await room.publish(first)
        await room.publish(second)
        await room.publish(second)
        #expect(sink.seqs == [1, 2, 3])
    }

    @Test("A gap is filled from the store: every lower seq is already committed")
    func gap() async throws {
        let world = try await HubWorld.make()
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 0, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)
        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: nil)
        _ = try await world.write("Ett")
        _ = try await world.write("Två")
        await room.publish(try await world.write("Tre"))
        #expect(sink.seqs == [1, 2, 3])
        #expect(sink.types.filter { $0 == "thread.created" }.count == 3)
    }

    @Test("Resuming from lastSeq sends exactly the missed events, then live ones")
    func resume() async throws {
        let world = try await HubWorld.make()
        for n in 1...5 { _ = try await world.write("Tråd \(n)") }
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 5, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)
        let current = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 2)
        #expect(current == 5)
        await room.publish(try await world.write("Live"))
        #expect(sink.types.first == "presence.state")
        #expect(sink.seqs == [3, 4, 5, 6])
    }

    @Test("Too far behind: the client is told to reload instead of being flooded")
    func reload() async throws {
        let world = try await HubWorld.make()
        for n in 1...5 { _ = try await world.write("Tråd \(n)") }
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 5, replayLimit: 2, logger: world.logger)
        let sink = RecordingSink(1)
        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 0)
        #expect(sink.types.contains("reload"))
        #expect(sink.seqs.isEmpty)
        await room.publish(try await world.write("Live"))
        #expect(sink.seqs == [6])
    }

    @Test("A gap the log cannot fill now is never skipped: subscribers are told to reload, nothing after the gap is sent")
    func unreadableGap() async throws {
        let world = try await HubWorld.make()
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 0, replayLimit: 100, logger: world.logger)
        let sink = RecordingSink(1)
        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: nil)
        await room.publish(try await world.write("Ett"))
        _ = try await world.write("Två")
        let third = try await world.write("Tre")
        try await world.store.close()  // every read fails from here on
        await room.publish(third)
        #expect(sink.seqs == [1], "seq 3 is not sent over the missing seq 2")
        let reload = try #require(sink.messages.last)
        #expect(reload["type"] as? String == "reload")
        let data = try #require(reload["data"] as? [String: Any])
        #expect(data["reason"] as? String == "store-unavailable")
        #expect((data["seq"] as? NSNumber)?.int64Value == 3, "continue over HTTP from the highest committed seq known")
    }

    @Test("A resume the log cannot serve now is a reload, never an empty backlog")
    func unreadableResume() async throws {
        let world = try await HubWorld.make()
        for n in 1...3 { _ = try await world.write("Tråd \(n)") }
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 3, replayLimit: 100, logger: world.logger)
        try await world.store.close()
        let sink = RecordingSink(1)
        _ = await room.subscribe(sink: sink, person: world.erik.id, name: "Erik", status: .online, lastSeq: 1)
        #expect(sink.seqs.isEmpty)
        let reload = try #require(sink.messages.last)
        #expect(reload["type"] as? String == "reload")
        #expect((reload["data"] as? [String: Any])?["reason"] as? String == "store-unavailable")
    }

    @Test("Presence: others learn who joins and leaves; typing goes to others only")
    func presenceAndTyping() async throws {
        let world = try await HubWorld.make()
        let room = Room(workspaceID: world.workspace, store: world.store, latestSeq: 0, replayLimit: 100, logger: world.logger)
        let anna = RecordingSink(1), erik = RecordingSink(2)
        _ = await room.subscribe(sink: anna, person: world.anna.id, name: "Anna", status: .online, lastSeq: nil)
        _ = await room.subscribe(sink: erik, person: world.erik.id, name: "Erik", status: .online, lastSeq: nil)
        #expect(anna.types == ["presence.state", "presence.diff"])
        await room.typing(from: 2, name: "Erik", thread: ThreadID(), expiresInMs: 6000)
        #expect(anna.types.last == "typing")
        #expect(!erik.types.contains("typing"))
        await room.unsubscribe(2)
        let leave = try #require(anna.messages.last?["data"] as? [String: Any])
        #expect((leave["leaves"] as? [String]) == [world.erik.id.description])
    }
}

@Suite("The hub: membership and sessions end subscriptions at once")
struct HubTests {
    @Test("A removed member gets `unsubscribed` and nothing more")
    func removal() async throws {
        let world = try await HubWorld.make()
        let hub = Hub(store: world.store, logger: world.logger)
        let erik = RecordingSink(7)
        await hub.register(erik, viewer: world.erik, sessionHash: "s")
        _ = try await hub.subscribe(7, workspace: world.workspace, lastSeq: nil)
        await hub.publish(try await world.write("Före"))
        await hub.membershipEnded(workspace: world.workspace, person: world.erik.id)
        await hub.publish(try await world.write("Efter"))
        #expect(erik.seqs == [1])
        #expect(erik.types.last == "unsubscribed")
        #expect(await !hub.isSubscribed(7, workspace: world.workspace))
    }

    @Test("Logging out closes the connections of that session only; disabling closes all")
    func sessions() async throws {
        let world = try await HubWorld.make()
        let hub = Hub(store: world.store, logger: world.logger)
        let one = RecordingSink(1), two = RecordingSink(2)
        await hub.register(one, viewer: world.erik, sessionHash: "a")
        await hub.register(two, viewer: world.erik, sessionHash: "b")
        await hub.sessionEnded(tokenHash: "a")
        #expect(one.closeCode == .sessionEnded)
        #expect(two.closeCode == nil)
        await hub.sessionsEnded(person: world.erik.id)
        #expect(two.closeCode == .sessionEnded)
    }

    @Test("Presence across tabs: away only when every tab is away; last seen after the last tab")
    func globalPresence() async throws {
        let world = try await HubWorld.make()
        let hub = Hub(store: world.store, logger: world.logger)
        await hub.register(RecordingSink(1), viewer: world.erik, sessionHash: nil)
        await hub.register(RecordingSink(2), viewer: world.erik, sessionHash: nil)
        await hub.setStatus(1, .away)
        #expect(await hub.presence(of: world.erik.id).status == .online)
        await hub.setStatus(2, .away)
        #expect(await hub.presence(of: world.erik.id).status == .away)
        await hub.unregister(1)
        await hub.unregister(2)
        let offline = await hub.presence(of: world.erik.id)
        #expect(offline.status == .offline)
        #expect(offline.lastSeen != nil)
    }
}
