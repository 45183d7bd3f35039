@testable import CommunisHub
import CommunisModel
import CommunisWire
import Foundation
import Testing

/// The meeting's rules, without sockets, relays or clocks.
@Suite("Meeting state: joining, lobby, moderation, ending, speaking")
struct MeetingStateTests {
    let info = MeetingState.Info(id: MeetingID(), workspaceID: WorkspaceID(), title: "Veckomöte IT", threadID: ThreadID())
    let erik = MeetingJSON.PersonRef(id: PersonID(), name: "Erik Johansson")
    let sara = MeetingJSON.PersonRef(id: PersonID(), name: "Sara Nilsson")
    let anna = MeetingJSON.PersonRef(id: PersonID(), name: "Anna Lindqvist")
    let lena = MeetingJSON.PersonRef(id: PersonID(), name: "Lena Berg")

    func state(max: Int = 50, started: Bool = false, lastStream: UInt16 = 0) -> MeetingState {
        MeetingState(info: info, limits: .init(maxParticipants: max), started: started, lastStream: lastStream)
    }

    /// Erik (moderator, connection 1, stream 1) and Sara (connection 2, stream 2) are in.
    func twoIn() throws -> MeetingState {
        var state = state()
        _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        _ = try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false)
        return state
    }

    func expectError(_ code: WireErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(code.rawValue)", sourceLocation: sourceLocation)
        } catch {
            #expect((error as? WireError)?.code == code, sourceLocation: sourceLocation)
        }
    }

    // MARK: Joining

    @Test("The first member in gets stream 1 and a snapshot; audio is routed, the meeting starts, the stay and roster are written")
    func firstJoin() throws {
        var state = state()
        let joined = try state.join(connection: 7, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        #expect(joined.stream == 1)
        let snapshot = try #require(joined.meeting)
        #expect(snapshot.you == 1)
        #expect(snapshot.moderator)
        #expect(snapshot.participants.map(\.person) == [erik])
        #expect(snapshot.title == "Veckomöte IT")
        #expect(snapshot.limits.maxParticipants == 50)
        #expect(joined.actions == [
            .relayAdd(stream: 1, muted: false), .markStarted(by: erik.id), .send(.participantJoined(snapshot.participants[0]), to: []),
            .attendanceBegan(stream: 1, person: erik.id), .roster,
        ])
        #expect(state.roster == [erik])
    }

    @Test("The next one is announced to those already in; a meeting already started is not started again")
    func secondJoin() throws {
        var state = state(started: true)
        _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        let joined = try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: true)
        #expect(joined.stream == 2)
        let sara = MeetingJSON.Participant(streamId: 2, person: self.sara, muted: true, handRaised: false, moderator: false, guest: false)
        #expect(joined.actions == [
            .relayAdd(stream: 2, muted: true), .send(.participantJoined(sara), to: [1]), .attendanceBegan(stream: 2, person: self.sara.id), .roster,
        ])
        #expect(joined.meeting?.moderator == false)
        #expect(joined.meeting?.participants.count == 2)
    }

    @Test("A connection joins once; an ended meeting cannot be joined")
    func joinTwiceAndEnded() throws {
        var state = try twoIn()
        expectError(.conflict) { _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false) }
        _ = state.end(by: erik)
        expectError(.meetingEnded) { _ = try state.join(connection: 3, person: anna, moderator: false, guest: false, waitsInLobby: false, muted: false) }
    }

    @Test("Over the participant limit: meeting-full; the lobby still takes people, but admitting them is refused while full")
    func full() throws {
        var state = state(max: 2)
        _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        _ = try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false)
        expectError(.meetingFull) { _ = try state.join(connection: 3, person: anna, moderator: false, guest: false, waitsInLobby: false, muted: false) }
        let lena = try state.join(connection: 4, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        expectError(.meetingFull) { _ = try state.admit(connection: 1, stream: lena.stream) }
        _ = try state.leave(connection: 2, reason: .left)
        _ = try state.admit(connection: 1, stream: lena.stream)
        #expect(state.participants.map(\.stream) == [1, lena.stream])
    }

    @Test("Stream ids are not reused while the meeting is live, and continue after a closed room")
    func streamIDs() throws {
        var state = try twoIn()
        _ = try state.leave(connection: 2, reason: .left)
        let again = try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false)
        #expect(again.stream == 3)
        var later = self.state(lastStream: state.lastStream)
        #expect(try later.join(connection: 9, person: anna, moderator: false, guest: false, waitsInLobby: false, muted: false).stream == 4)
    }

    @Test("After 65535 ids they wrap to 1, skipping ids in use")
    func streamWrap() throws {
        var state = state(lastStream: 65534)
        #expect(try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false).stream == 65535)
        #expect(try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false).stream == 1)
        var wrapped = self.state(lastStream: 65535)
        _ = try wrapped.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)  // 1
        #expect(try wrapped.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false).stream == 2)
    }

    // MARK: Lobby

    @Test("A guest waits in the lobby: no audio, no snapshot; only moderators see the lobby")
    func lobby() throws {
        var state = try twoIn()
        let joined = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(joined.stream == 3)
        #expect(joined.meeting == nil)
        #expect(joined.actions == [.send(.lobby([.init(streamId: 3, person: lena)]), to: [1])])
        #expect(state.snapshot(for: 1).lobby.map(\.person) == [lena])
        #expect(state.snapshot(for: 2).lobby.isEmpty)
        #expect(state.roster == [erik, sara])
        // In the lobby, meeting commands are refused.
        expectError(.notInMeeting) { _ = try state.mute(connection: 3, target: nil, muted: true) }
        expectError(.notInMeeting) { _ = try state.hand(connection: 3, target: nil, raised: true) }
    }

    @Test("A moderator admits: audio first, then the guest's snapshot, then the others and the lobby")
    func admit() throws {
        var state = try twoIn()
        _ = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        expectError(.forbidden) { _ = try state.admit(connection: 2, stream: 3) }
        expectError(.notFound) { _ = try state.admit(connection: 1, stream: 9) }
        expectError(.notFound) { _ = try state.admit(connection: 1, stream: 2) }
        let actions = try state.admit(connection: 1, stream: 3)
        let guest = MeetingJSON.Participant(streamId: 3, person: lena, muted: false, handRaised: false, moderator: false, guest: true)
        #expect(actions.first == .relayAdd(stream: 3, muted: false))
        guard case .send(.admitted(let stream, let snapshot, let token), let to) = actions[1] else {
            Issue.record("second action is not meeting.admitted: \(actions[1])")
            return
        }
        #expect(stream == 3 && to == [3])
        #expect(token.count >= 22 && token == state.participants.last?.rejoinToken, "the admitted guest gets their rejoin token")
        #expect(snapshot.you == 3 && snapshot.participants.count == 3 && !snapshot.moderator)
        #expect(Array(actions.dropFirst(2)) == [
            .send(.participantJoined(guest), to: [1, 2]), .attendanceBegan(stream: 3, person: lena.id), .roster, .send(.lobby([]), to: [1]),
        ])
        #expect(state.lobby.isEmpty)
    }

    @Test("A moderator denies: the guest is told who denied, leaves, and the lobby updates")
    func deny() throws {
        var state = try twoIn()
        _ = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        expectError(.forbidden) { _ = try state.deny(connection: 2, stream: 3) }
        #expect(try state.deny(connection: 1, stream: 3) == [
            .send(.removed(reason: "denied", by: erik), to: [3]), .detach(stream: 3, connection: 3), .send(.lobby([]), to: [1]),
        ])
        #expect(state.member(connection: 3) == nil)
    }

    @Test("Leaving the lobby updates the moderators' lobby")
    func leaveLobby() throws {
        var state = try twoIn()
        _ = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(try state.leave(connection: 3, reason: .disconnected) == [.detach(stream: 3, connection: 3), .send(.lobby([]), to: [1])])
    }

    // MARK: Leaving

    @Test("Leaving: audio stops, the others are told why, the stay ends, the roster changes; leaving twice is not-in-meeting")
    func leave() throws {
        var state = try twoIn()
        #expect(try state.leave(connection: 2, reason: .disconnected) == [
            .relayRemove(stream: 2), .detach(stream: 2, connection: 2), .send(.participantLeft(stream: 2, reason: .disconnected), to: [1]),
            .attendanceEnded(stream: 2), .roster,
        ])
        expectError(.notInMeeting) { _ = try state.leave(connection: 2, reason: .left) }
        _ = try state.leave(connection: 1, reason: .left)
        #expect(state.isEmpty)
    }

    // MARK: Mute and hand

    @Test("Muting yourself and unmuting yourself")
    func muteSelf() throws {
        var state = try twoIn()
        let muted = MeetingJSON.Participant(streamId: 2, person: sara, muted: true, handRaised: false, moderator: false, guest: false)
        #expect(try state.mute(connection: 2, target: nil, muted: true) == [.relayMute(stream: 2, muted: true), .send(.participantUpdated(muted, by: nil), to: [1, 2])])
        #expect(try state.mute(connection: 2, target: 2, muted: true) == [])
        var unmuted = muted
        unmuted.muted = false
        #expect(try state.mute(connection: 2, target: 2, muted: false) == [.relayMute(stream: 2, muted: false), .send(.participantUpdated(unmuted, by: nil), to: [1, 2])])
    }

    @Test("A moderator mutes others (with by), never unmutes them; others may not mute anyone")
    func muteOthers() throws {
        var state = try twoIn()
        expectError(.forbidden) { _ = try state.mute(connection: 2, target: 1, muted: true) }
        expectError(.notFound) { _ = try state.mute(connection: 1, target: 42, muted: true) }
        let muted = MeetingJSON.Participant(streamId: 2, person: sara, muted: true, handRaised: false, moderator: false, guest: false)
        #expect(try state.mute(connection: 1, target: 2, muted: true) == [.relayMute(stream: 2, muted: true), .send(.participantUpdated(muted, by: erik), to: [1, 2])])
        expectError(.forbidden) { _ = try state.mute(connection: 1, target: 2, muted: false) }
    }

    @Test("Raising your hand; a moderator lowers it, but may not raise others' hands")
    func hands() throws {
        var state = try twoIn()
        var raised = MeetingJSON.Participant(streamId: 2, person: sara, muted: false, handRaised: true, moderator: false, guest: false)
        #expect(try state.hand(connection: 2, target: nil, raised: true) == [.send(.participantUpdated(raised, by: nil), to: [1, 2])])
        expectError(.forbidden) { _ = try state.hand(connection: 1, target: 2, raised: true) }
        expectError(.forbidden) { _ = try state.hand(connection: 2, target: 1, raised: false) }
        raised.handRaised = false
        #expect(try state.hand(connection: 1, target: 2, raised: false) == [.send(.participantUpdated(raised, by: erik), to: [1, 2])])
        #expect(try state.hand(connection: 1, target: 2, raised: false) == [])
    }

    // MARK: Removing and ending

    @Test("A moderator removes someone: they are told first, then audio stops and the others learn it")
    func remove() throws {
        var state = try twoIn()
        expectError(.forbidden) { _ = try state.remove(connection: 2, stream: 1) }
        expectError(.validation) { _ = try state.remove(connection: 1, stream: 1) }
        expectError(.notFound) { _ = try state.remove(connection: 1, stream: 9) }
        #expect(try state.remove(connection: 1, stream: 2) == [
            .send(.removed(reason: "removed", by: erik), to: [2]), .relayRemove(stream: 2), .detach(stream: 2, connection: 2),
            .send(.participantLeft(stream: 2, reason: .removed), to: [1]), .attendanceEnded(stream: 2), .roster,
        ])
        expectError(.notInMeeting) { _ = try state.hand(connection: 2, target: nil, raised: true) }
    }

    @Test("Only admitted moderators pass requireModerator")
    func moderators() throws {
        let state = try twoIn()
        try state.requireModerator(1)
        expectError(.forbidden) { try state.requireModerator(2) }
        expectError(.notInMeeting) { try state.requireModerator(3) }
    }

    @Test("Ending tells everyone in the meeting and the lobby, stops all audio and stays, and empties the meeting")
    func end() throws {
        var state = try twoIn()
        _ = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(state.end(by: erik) == [
            .send(.ended(by: erik), to: [1, 2, 3]),
            .relayRemove(stream: 1), .attendanceEnded(stream: 1), .relayRemove(stream: 2), .attendanceEnded(stream: 2),
            .detach(stream: 1, connection: 1), .detach(stream: 2, connection: 2), .detach(stream: 3, connection: 3), .roster,
        ])
        #expect(state.isEmpty && state.ended)
        #expect(state.rosterJSON.state == "ended" && state.rosterJSON.participants.isEmpty)
        #expect(state.end(by: erik) == [])
    }

    @Test("A person whose membership ended leaves from every tab and the lobby, told without by")
    func removePerson() throws {
        var state = try twoIn()
        _ = try state.join(connection: 4, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false)
        #expect(state.roster == [erik, sara])
        let actions = state.remove(person: sara.id)
        #expect(actions.filter { if case .detach = $0 { true } else { false } } == [.detach(stream: 2, connection: 2), .detach(stream: 3, connection: 4)])
        #expect(actions.contains(.send(.removed(reason: "removed", by: nil), to: [2])))
        #expect(actions.contains(.send(.participantLeft(stream: 3, reason: .removed), to: [1])))
        #expect(state.participants.map(\.person) == [erik])
    }

    // MARK: Speaking

    @Test("Speaking is announced on change, at most once per 200 ms; a change in between goes out when the interval ends")
    func speaking() throws {
        var state = try twoIn()
        let t0 = ContinuousClock.now
        #expect(state.speakingChanged([1], now: t0) == .send([.send(.speaking([1]), to: [1, 2])]))
        #expect(state.speakingChanged([1], now: t0 + .milliseconds(10)) == .none)
        #expect(state.speakingChanged([1, 2], now: t0 + .milliseconds(50)) == .later(t0 + .milliseconds(200)))
        #expect(state.speakingChanged([2], now: t0 + .milliseconds(100)) == .none)  // already scheduled
        #expect(state.flushSpeaking(now: t0 + .milliseconds(200)) == .send([.send(.speaking([2]), to: [1, 2])]))
        #expect(state.speakingChanged([], now: t0 + .milliseconds(450)) == .send([.send(.speaking([]), to: [1, 2])]))
    }

    @Test("Speaking lists only unmuted participants; the snapshot carries it")
    func speakingFiltered() throws {
        var state = try twoIn()
        _ = try state.mute(connection: 2, target: nil, muted: true)
        #expect(state.speakingChanged([2, 1, 77], now: .now) == .send([.send(.speaking([1]), to: [1, 2])]))
        #expect(state.snapshot(for: 2).speaking == [1])
    }

    // MARK: Encoding

    @Test("Events encode as docs/protocol.md shows them; by is left out when nobody did it")
    func encoding() throws {
        let participant = MeetingJSON.Participant(streamId: 1, person: sara, muted: true, handRaised: false, moderator: false, guest: false)
        let updated = String(decoding: MeetingEvent.participantUpdated(participant, by: erik).data, as: UTF8.self)
        #expect(updated == #"{"by":{"id":"\#(erik.id)","name":"Erik Johansson"},"participant":{"connection":"ok","guest":false,"handRaised":false,"moderator":false,"muted":true,"person":{"id":"\#(sara.id)","name":"Sara Nilsson"},"quality":"good","streamId":1}}"#)
        #expect(String(decoding: MeetingEvent.ended(by: nil).data, as: UTF8.self) == "{}")
        #expect(String(decoding: MeetingEvent.speaking([3]).data, as: UTF8.self) == #"{"speaking":[3]}"#)
        #expect(String(decoding: MeetingEvent.participantLeft(stream: 4, reason: .disconnected).data, as: UTF8.self) == #"{"reason":"disconnected","streamId":4}"#)
        #expect(MeetingEvent.lobby([]).type == .meetingLobby)
    }
}
