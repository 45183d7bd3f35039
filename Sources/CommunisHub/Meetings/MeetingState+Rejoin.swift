import CommunisModel
import CommunisWire
import Foundation

/// A lost connection, the rejoin grace period and taking one's place back
/// (docs/protocol.md, "Meetings": rejoin). A participant whose connection drops stays in the
/// meeting as `reconnecting` for `rejoinGrace`: same stream id, mute, hand and moderator
/// state, still on the roster and in the recording, but no audio to or from them. Within the
/// grace period a new connection of the same person takes the place back with `meeting.join`
/// and `rejoin: {streamId, token}`; after it they leave with reason `disconnected`.
extension MeetingState {
    /// `meeting.join`'s `rejoin`: the place a participant asks to take back.
    public struct Rejoin: Sendable, Equatable {
        public var stream: UInt16
        public var token: String

        public init(stream: UInt16, token: String) {
            self.stream = stream
            self.token = token
        }
    }

    /// A fresh secret: 16 random bytes, base64url without padding (22 characters).
    public static func makeRejoinToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The connection went away without `meeting.leave`. A participant keeps their place for
    /// `rejoinGrace` (the others see `connection: reconnecting`); someone in the lobby, or
    /// everyone when the grace is 0, leaves at once with reason `disconnected`.
    public mutating func disconnected(connection: ConnectionID) throws(WireError) -> [MeetingAction] {
        guard rejoinGrace > .zero, let index = participants.firstIndex(where: { $0.connected && $0.connection == connection }) else {
            return try leave(connection: connection, reason: .disconnected)
        }
        participants[index].connected = false
        participants[index].graceGeneration += 1
        let member = participants[index]
        speaking.removeAll { $0 == member.stream }
        return [
            .relayDetach(stream: member.stream),
            .detach(stream: member.stream, connection: connection),
            .send(.participantUpdated(member.json, by: nil), to: participants.filter(\.connected).map(\.stream)),
            .startGrace(stream: member.stream, generation: member.graceGeneration),
        ]
    }

    /// The grace period of a lost connection ran out: unless the participant came back (or
    /// lost the connection again since, `generation`), they leave with reason `disconnected`.
    public mutating func graceExpired(stream: UInt16, generation: Int) -> [MeetingAction] {
        guard let index = participants.firstIndex(where: { $0.stream == stream && !$0.connected && $0.graceGeneration == generation }) else {
            return []
        }
        return drop(at: index, reason: .disconnected, notice: nil)
    }

    /// Participants whose connection is lost and who may still come back.
    public var reconnecting: [UInt16] { participants.filter { !$0.connected }.map(\.stream) }

    /// The participant `rejoin` names, if it is this person's and the token is theirs.
    func rejoinIndex(_ rejoin: Rejoin, person: PersonID) -> Int? {
        participants.firstIndex {
            $0.stream == rejoin.stream && $0.person.id == person && Self.sameSecret($0.rejoinToken, rejoin.token)
        }
    }

    /// `connection` becomes the participant at `index` again: audio is routed to it, the
    /// others see `connection: ok`, and it gets a new token. If the participant's old
    /// connection was still there (half-open), that one simply stops being the participant.
    mutating func takeBack(at index: Int, connection: ConnectionID) -> Joined {
        let wasReconnecting = !participants[index].connected
        let replaced = wasReconnecting ? nil : participants[index].connection
        participants[index].connection = connection
        participants[index].connected = true
        participants[index].graceGeneration += 1
        participants[index].rejoinToken = Self.makeRejoinToken()
        let member = participants[index]
        var actions: [MeetingAction] = [.relayAdd(stream: member.stream, muted: member.muted)]
        if wasReconnecting {
            actions.append(.send(.participantUpdated(member.json, by: nil), to: participants.filter { $0.connected && $0.stream != member.stream }.map(\.stream)))
        }
        return Joined(stream: member.stream, meeting: snapshot(for: member.stream), actions: actions, rejoinToken: member.rejoinToken,
                      rejoined: true, replaced: replaced)
    }

    /// Compares two tokens in time independent of where they first differ.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}
