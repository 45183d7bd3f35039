@testable import CommunisHub
import CommunisMedia
import CommunisModel
import CommunisWire
import Foundation
import Testing

/// A lost connection, the rejoin grace period, rejoining, and connection quality, in the
/// meeting's state alone (no sockets, relays or clocks).
@Suite("Meeting state: reconnecting, rejoining and connection quality")
struct MeetingStateRejoinTests {
    let info = MeetingState.Info(id: MeetingID(), workspaceID: WorkspaceID(), title: "Veckomöte IT", threadID: ThreadID())
    let erik = MeetingJSON.PersonRef(id: PersonID(), name: "Erik Johansson")
    let sara = MeetingJSON.PersonRef(id: PersonID(), name: "Sara Nilsson")
    let lena = MeetingJSON.PersonRef(id: PersonID(), name: "Lena Berg")

    /// Erik (moderator, connection 1, stream 1) and Sara (connection 2, stream 2), with a grace period.
    func twoIn(grace: Duration = .seconds(15)) throws -> (MeetingState, saraToken: String) {
        var state = MeetingState(info: info, limits: .init(), started: true, rejoinGrace: grace)
        _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        let sara = try state.join(connection: 2, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false)
        return (state, try #require(sara.rejoinToken))
    }

    @Test("Every participant gets a rejoin token of their own: 22 base64url characters")
    func tokens() throws {
        let (state, token) = try twoIn()
        #expect(token.count == 22)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(state.participants[0].rejoinToken != token)
    }

    @Test("A lost connection: Sara stays, reconnecting, out of the relay, still on the roster; the others are told; the grace timer starts")
    func lostConnection() throws {
        var (state, _) = try twoIn()
        let actions = try state.disconnected(connection: 2)
        var sara = MeetingJSON.Participant(streamId: 2, person: self.sara, muted: false, handRaised: false, moderator: false, guest: false)
        sara.connection = .reconnecting
        #expect(actions == [
            .relayDetach(stream: 2), .detach(stream: 2, connection: 2), .send(.participantUpdated(sara, by: nil), to: [1]),
            .startGrace(stream: 2, generation: 1),
        ])
        #expect(state.roster == [erik, self.sara])
        #expect(state.reconnecting == [2])
        #expect(!state.isEmpty)
        #expect(state.member(connection: 2) == nil, "the lost connection is in no meeting")
        #expect(state.snapshot(for: 1).participants.map(\.connection) == [.ok, .reconnecting])
        // Sara's lost connection can no longer act for her.
        #expect(throws: WireError.self) { try state.hand(connection: 2, target: nil, raised: true) }
    }

    @Test("Rejoining with the right token keeps the stream id, mute and hand; the others see connection ok; a new token is issued")
    func rejoin() throws {
        var (state, token) = try twoIn()
        _ = try state.mute(connection: 2, target: nil, muted: true)
        _ = try state.hand(connection: 2, target: nil, raised: true)
        _ = try state.disconnected(connection: 2)
        let joined = try state.join(connection: 9, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false,
                                    rejoin: .init(stream: 2, token: token))
        #expect(joined.stream == 2 && joined.rejoined && joined.replaced == nil)
        let back = try #require(joined.meeting?.participants.first { $0.streamId == 2 })
        #expect(back.muted && back.handRaised && back.connection == .ok)
        #expect(joined.actions == [.relayAdd(stream: 2, muted: true), .send(.participantUpdated(back, by: nil), to: [1])])
        #expect(joined.rejoinToken != nil && joined.rejoinToken != token)
        #expect(state.member(connection: 9)?.stream == 2)
        #expect(state.reconnecting.isEmpty)
        // The grace timer of the loss does nothing now.
        #expect(state.graceExpired(stream: 2, generation: 1) == [])
        #expect(state.participants.count == 2)
    }

    @Test("A wrong token, another person, or a place that is gone: an ordinary join with a new stream id, never an error")
    func wrongToken() throws {
        var (state, token) = try twoIn()
        _ = try state.disconnected(connection: 2)
        let wrong = try state.join(connection: 9, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false,
                                   rejoin: .init(stream: 2, token: "AAAAAAAAAAAAAAAAAAAAAA"))
        #expect(wrong.stream == 3 && !wrong.rejoined)
        let stranger = try state.join(connection: 10, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false,
                                      rejoin: .init(stream: 2, token: token))
        #expect(stranger.stream == 4 && stranger.meeting == nil, "another person's token does not skip the lobby")
        #expect(state.reconnecting == [2])
    }

    @Test("The grace period runs out: Sara leaves as disconnected, the stay ends and the roster changes; a rejoin after that is a new join")
    func graceExpiry() throws {
        var (state, token) = try twoIn()
        _ = try state.disconnected(connection: 2)
        #expect(state.graceExpired(stream: 2, generation: 1) == [
            .relayRemove(stream: 2), .detach(stream: 2, connection: 2), .send(.participantLeft(stream: 2, reason: .disconnected), to: [1]),
            .attendanceEnded(stream: 2), .roster,
        ])
        #expect(state.roster == [erik])
        let late = try state.join(connection: 9, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false,
                                  rejoin: .init(stream: 2, token: token))
        #expect(late.stream == 3 && !late.rejoined)
    }

    @Test("A second loss after a rejoin has its own timer: the first one's expiry does nothing")
    func secondLoss() throws {
        var (state, token) = try twoIn()
        _ = try state.disconnected(connection: 2)
        let joined = try state.join(connection: 9, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false,
                                    rejoin: .init(stream: 2, token: token))
        #expect(try state.disconnected(connection: 9).last == .startGrace(stream: 2, generation: 3))
        #expect(state.graceExpired(stream: 2, generation: 1) == [])
        #expect(state.graceExpired(stream: 2, generation: 3).contains(.send(.participantLeft(stream: 2, reason: .disconnected), to: [1])))
        #expect(joined.rejoined)
    }

    @Test("Rejoining while the old connection still seems open takes the place from it; it is told nothing")
    func halfOpen() throws {
        var (state, token) = try twoIn()
        let joined = try state.join(connection: 9, person: sara, moderator: false, guest: false, waitsInLobby: false, muted: false,
                                    rejoin: .init(stream: 2, token: token))
        #expect(joined.stream == 2 && joined.rejoined && joined.replaced == 2)
        #expect(joined.actions == [.relayAdd(stream: 2, muted: false)], "nothing changed for the others")
        #expect(state.member(connection: 2) == nil && state.member(connection: 9)?.stream == 2)
    }

    @Test("A guest who was admitted rejoins without waiting in the lobby again")
    func guestRejoin() throws {
        var state = MeetingState(info: info, limits: .init(), started: true, rejoinGrace: .seconds(15))
        _ = try state.join(connection: 1, person: erik, moderator: true, guest: false, waitsInLobby: false, muted: false)
        _ = try state.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        _ = try state.admit(connection: 1, stream: 2)
        let token = state.participants[1].rejoinToken
        _ = try state.disconnected(connection: 3)
        let joined = try state.join(connection: 4, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false,
                                    rejoin: .init(stream: 2, token: token))
        #expect(joined.rejoined && joined.meeting != nil)
    }

    @Test("Without a grace period (0), and in the lobby, a lost connection leaves at once, as before")
    func noGrace() throws {
        var (state, _) = try twoIn(grace: .zero)
        #expect(try state.disconnected(connection: 2).contains(.send(.participantLeft(stream: 2, reason: .disconnected), to: [1])))
        var (graced, _) = try twoIn()
        _ = try graced.join(connection: 3, person: lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(try graced.disconnected(connection: 3) == [.detach(stream: 3, connection: 3), .send(.lobby([]), to: [1])])
    }

    @Test("A moderator removes someone reconnecting; ending the meeting ends it for them too; the last one connected leaving keeps the room")
    func moderationWhileReconnecting() throws {
        var (state, _) = try twoIn()
        _ = try state.disconnected(connection: 2)
        let removed = try state.remove(connection: 1, stream: 2)
        #expect(removed.contains(.send(.participantLeft(stream: 2, reason: .removed), to: [1])))
        #expect(removed.contains(.attendanceEnded(stream: 2)))
        #expect(state.graceExpired(stream: 2, generation: 1) == [])

        var (other, _) = try twoIn()
        _ = try other.disconnected(connection: 2)
        _ = try other.leave(connection: 1, reason: .left)
        #expect(!other.isEmpty, "Sara may still come back: the room, and a recording, stay")
        let ended = other.end(by: nil)
        #expect(ended.contains(.attendanceEnded(stream: 2)))
        #expect(other.isEmpty)
    }

    // MARK: Quality

    @Test("A client's report is announced at once, the next change only 2 s after the last; the relay's worse view wins")
    func quality() throws {
        var (state, _) = try twoIn()
        let t0 = ContinuousClock.now
        let fair = try state.reportQuality(connection: 2, .fair, now: t0)
        guard case .send(.participantUpdated(let first, nil), let to) = try #require(fair.first) else {
            Issue.record("not an update: \(fair)")
            return
        }
        #expect(first.quality == .fair && to == [1, 2])
        // Back to good within 2 s: held back.
        #expect(try state.reportQuality(connection: 2, .good, now: t0 + .milliseconds(500)) == [])
        #expect(state.snapshot(for: 1).participants[1].quality == .fair)
        // The relay sees Sara badly (at the tick 2 s later): poor, the worse of the two.
        let tick = state.relayQuality([2: .poor], now: t0 + .seconds(2))
        #expect(tick.count == 1)
        #expect(state.participants[1].quality.announced == .poor)
        // Nothing changes: nothing announced.
        #expect(state.relayQuality([2: .poor], now: t0 + .seconds(3)) == [])
        // Both views good again, 1.5 s after the last announcement: held until the next tick after 2 s.
        #expect(state.relayQuality([2: .good], now: t0 + .milliseconds(3500)) == [])
        #expect(state.participants[1].quality.announced == .poor)
        #expect(state.relayQuality([:], now: t0 + .seconds(4)).count == 1)
        #expect(state.participants[1].quality.announced == .good)
    }

    @Test("The relay's view: loss, jitter and audio dropped for someone in the last 10 s; counters that restart begin again")
    func relayView() {
        var meter = RelayQualityMeter()
        let t0 = ContinuousClock.now
        func figures(_ packetsIn: Int, lost: Int = 0, jitter: Double = 5, dropped: Int = 0) -> [AudioStreamStatistics] {
            [AudioStreamStatistics(streamId: 1, packetsIn: packetsIn, lost: lost, jitterMs: jitter, droppedSlow: dropped)]
        }
        #expect(meter.levels(figures(0), now: t0) == [1: .good])
        #expect(meter.levels(figures(100, lost: 5), now: t0 + .seconds(2)) == [1: .fair])
        #expect(meter.levels(figures(200, lost: 30), now: t0 + .seconds(4)) == [1: .poor])
        #expect(meter.levels(figures(300, lost: 30, jitter: 60), now: t0 + .seconds(14)) == [1: .fair], "the loss is older than 10 s")
        #expect(meter.levels(figures(400, lost: 30, dropped: 150), now: t0 + .seconds(16)) == [1: .poor])
        #expect(meter.levels(figures(10), now: t0 + .seconds(18)) == [1: .good], "rejoined: the figures start over")
    }

    @Test("Participant JSON always carries connection and quality")
    func encoding() {
        var participant = MeetingJSON.Participant(streamId: 2, person: sara, muted: false, handRaised: false, moderator: false, guest: false)
        participant.connection = .reconnecting
        participant.quality = .poor
        let text = String(decoding: MeetingEvent.participantUpdated(participant, by: nil).data, as: UTF8.self)
        #expect(text.contains(#""connection":"reconnecting""#) && text.contains(#""quality":"poor""#))
        let admitted = String(decoding: MeetingEvent.admitted(stream: 2, meeting: MeetingState(info: info, limits: .init()).snapshot(for: 2),
                                                              rejoinToken: "abc").data, as: UTF8.self)
        #expect(admitted.contains(#""rejoinToken":"abc""#))
    }
}
