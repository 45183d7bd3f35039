@testable import CommunisHub
import CommunisModel
import CommunisWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Records what a meeting room writes, in order.
final class RecordingRecords: MeetingRecords, @unchecked Sendable {
    enum Write: Equatable { case started, began(PersonID, Int64), ended(Int64) }
    private let log = NIOLockedValueBox<[Write]>([])
    private let next = NIOLockedValueBox<Int64>(0)

    func markStarted(_ id: MeetingID, by person: PersonID) async throws { log.withLockedValue { $0.append(.started) } }
    func attendanceBegan(meeting: MeetingID, person: PersonID, at: Date) async throws -> Int64 {
        let id = next.withLockedValue { $0 += 1; return $0 }
        log.withLockedValue { $0.append(.began(person, id)) }
        return id
    }
    func attendanceEnded(_ id: Int64, at: Date) async throws { log.withLockedValue { $0.append(.ended(id)) } }
    var writes: [Write] { log.withLockedValue { $0 } }
}

/// The meeting registry with sinks that record (no sockets, so no audio relay).
@Suite("Meeting registry: rooms made and closed, one meeting per connection, ending")
struct MeetingHubTests {
    let meeting = Meeting(workspaceID: WorkspaceID(), title: "Veckomöte", createdBy: PersonID(), createdAt: Date(), threadID: ThreadID())
    let erik = MeetingHub.Entrant(person: .init(id: PersonID(), name: "Erik"), moderator: true, guest: false, waitsInLobby: false)
    let sara = MeetingHub.Entrant(person: .init(id: PersonID(), name: "Sara"), moderator: false, guest: false, waitsInLobby: false)

    func registry(_ announced: NIOLockedValueBox<[String]> = .init([]), grace: Duration = .seconds(15)) -> MeetingHub {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return MeetingHub(settings: .init(maxParticipants: 10, rejoinGrace: grace), logger: logger) { roster in
            announced.withLockedValue { $0.append(String(buffer: roster.frame)) }
        }
    }

    @Test("Joining makes the room; the last to leave closes it; joining again continues the stream ids; stays are recorded")
    func lifecycle() async throws {
        // Without a rejoin grace period a lost connection leaves at once (the grace is tested below).
        let hub = registry(grace: .zero)
        let records = RecordingRecords()
        let one = RecordingSink(1), two = RecordingSink(2)
        #expect(try await hub.join(meeting, sink: one, entrant: erik, muted: false, records: records).stream == 1)
        #expect(try await hub.join(meeting, sink: two, entrant: sara, muted: false, records: records).stream == 2)
        #expect(await hub.roster(of: meeting.id).map(\.name) == ["Erik", "Sara"])
        #expect(await hub.gauges() == (1, 2, 0))
        #expect(one.types == ["meeting.participant.joined"])
        try await hub.leave(1, meeting: meeting.id)
        await hub.disconnect(2)
        #expect(await hub.gauges() == (0, 0, 0))
        #expect(await hub.meeting(of: 1) == nil)
        #expect(try await hub.join(meeting, sink: one, entrant: erik, muted: false, records: records).stream == 3)
        #expect(records.writes == [.started, .began(erik.person.id, 1), .began(sara.person.id, 2), .ended(1), .ended(2), .began(erik.person.id, 3)])
    }

    @Test("A lost connection keeps its place for the grace period: the room stays, a new connection rejoins; after the grace it is gone")
    func rejoinGrace() async throws {
        let announced = NIOLockedValueBox<[String]>([])
        let hub = registry(announced, grace: .milliseconds(300))
        let records = RecordingRecords()
        let one = RecordingSink(1), two = RecordingSink(2)
        _ = try await hub.join(meeting, sink: one, entrant: erik, muted: false, records: records)
        let joined = try await hub.join(meeting, sink: two, entrant: sara, muted: false, records: records)
        let token = try #require(joined.rejoinToken)
        let rosters = announced.withLockedValue { $0.count }

        // Sara's connection drops: she is reconnecting, still on the roster, the room stays.
        await hub.disconnect(2)
        #expect(await hub.meeting(of: 2) == nil)
        #expect(await hub.gauges() == (1, 2, 0))
        #expect((one.messages.last?["data"] as? [String: Any]).flatMap { $0["participant"] as? [String: Any] }?["connection"] as? String == "reconnecting")
        #expect(announced.withLockedValue { $0.count } == rosters, "the roster did not change")

        // A new connection of Sara's takes her place back.
        let three = RecordingSink(3)
        let back = try await hub.join(meeting, sink: three, entrant: sara, muted: false, rejoin: .init(stream: joined.stream, token: token), records: records)
        #expect(back.rejoined && back.stream == joined.stream)
        #expect(await hub.meeting(of: 3) == meeting.id)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await hub.gauges() == (1, 2, 0), "the first loss's timer did nothing")

        // Lost again, and not back in time: left as disconnected, the stay ended.
        await hub.disconnect(3)
        let deadline = ContinuousClock.now + .seconds(10)
        while one.types.last != "meeting.participant.left", ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect((one.messages.last?["data"] as? [String: Any])?["reason"] as? String == "disconnected")
        #expect(await hub.gauges() == (1, 1, 0))
        // The stay's end is written after everyone was told.
        while !records.writes.contains(.ended(2)), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(records.writes.contains(.ended(2)))
    }

    @Test("A connection is in one meeting at a time; commands for another meeting are not-in-meeting")
    func oneMeetingPerConnection() async throws {
        let hub = registry()
        let other = Meeting(workspaceID: meeting.workspaceID, title: "Annat", createdBy: PersonID(), createdAt: Date(), threadID: ThreadID())
        let sink = RecordingSink(1)
        _ = try await hub.join(meeting, sink: sink, entrant: erik, muted: false, records: RecordingRecords())
        await #expect(throws: WireError(.conflict, "This connection is already in another meeting; leave it first.")) {
            try await hub.join(other, sink: sink, entrant: erik, muted: false, records: RecordingRecords())
        }
        await #expect(throws: WireError(.notInMeeting, "You are not in this meeting.")) { try await hub.leave(1, meeting: other.id) }
    }

    @Test("Ending: everyone is told, the workspace sees it ended, and nobody can join even with a stale read")
    func ending() async throws {
        let announced = NIOLockedValueBox<[String]>([])
        let hub = registry(announced)
        let one = RecordingSink(1)
        _ = try await hub.join(meeting, sink: one, entrant: erik, muted: false, records: RecordingRecords())
        await hub.end(meeting.id, by: erik.person)
        #expect(one.types.last == "meeting.ended")
        #expect(announced.withLockedValue { $0 }.last?.contains(#""state":"ended""#) == true)
        // The meeting value read before it ended still says live: the registry remembers.
        await #expect(throws: WireError(.meetingEnded, "The meeting has ended.")) {
            try await hub.join(meeting, sink: RecordingSink(2), entrant: sara, muted: false, records: RecordingRecords())
        }
        #expect(await hub.meeting(of: 1) == nil)
    }

    @Test("Removing a person from the workspace takes them out of its meetings; deleting the workspace ends them")
    func workspaceChanges() async throws {
        let hub = registry()
        let one = RecordingSink(1), two = RecordingSink(2)
        _ = try await hub.join(meeting, sink: one, entrant: erik, muted: false, records: RecordingRecords())
        _ = try await hub.join(meeting, sink: two, entrant: sara, muted: false, records: RecordingRecords())
        await hub.remove(person: sara.person.id, workspace: meeting.workspaceID)
        #expect(two.types.last == "meeting.removed")
        #expect(one.types.last == "meeting.participant.left")
        #expect(await hub.meeting(of: 2) == nil)
        await hub.workspaceDeleted(meeting.workspaceID)
        #expect(one.types.last == "meeting.ended")
        #expect(one.messages.last?["data"] as? [String: Any] != nil)
        #expect((one.messages.last?["data"] as? [String: Any])?["by"] == nil)
    }
}

@Suite("The hub: meeting rosters in the workspace")
struct HubRosterTests {
    @Test("A roster that reaches the hub after a newer one of the same meeting is not sent")
    func staleRoster() async throws {
        let world = try await HubWorld.make()
        let hub = Hub(store: world.store, logger: world.logger)
        let anna = RecordingSink(3)
        await hub.register(anna, viewer: world.anna, sessionHash: nil)
        _ = try await hub.subscribe(3, workspace: world.workspace, lastSeq: nil)
        let meeting = MeetingID()
        let older = ContinuousClock.now
        let newer = older + .milliseconds(1)
        func roster(_ text: String, at: ContinuousClock.Instant) -> RosterAnnouncement {
            RosterAnnouncement(workspace: world.workspace, meeting: meeting, at: at,
                               frame: ByteBuffer(string: #"{"v":1,"type":"meeting.roster","data":{"state":"\#(text)"}}"#))
        }
        await hub.announce(roster("newer", at: newer))
        await hub.announce(roster("older", at: older))
        await hub.announce(roster("another meeting", at: older).with(meeting: MeetingID()))
        let states = anna.messages.filter { $0["type"] as? String == "meeting.roster" }.compactMap { ($0["data"] as? [String: Any])?["state"] as? String }
        #expect(states == ["newer", "another meeting"])
    }
}

extension RosterAnnouncement {
    func with(meeting: MeetingID) -> RosterAnnouncement {
        var copy = self
        copy.meeting = meeting
        return copy
    }
}
