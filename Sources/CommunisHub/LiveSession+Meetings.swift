import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

/// The `meeting.*` commands (docs/protocol.md, "Meetings"): who may join is the Meetings
/// service's decision; the rest is the meeting's room's.
extension LiveSession {
    private struct JoinData: Decodable { var muted: Bool? }
    private struct MuteData: Decodable { var streamId: UInt16?; var muted: Bool }
    private struct HandData: Decodable { var streamId: UInt16?; var raised: Bool }
    private struct StreamData: Decodable { var streamId: UInt16 }
    private struct Done: Encodable { var ok = true }

    /// Returns the `data` of the ack.
    func meetingCommand(_ head: Wire.Head, _ text: Data) async throws -> Data? {
        let meeting = try meetingTopic(head)
        let connection = sink.connectionID
        let registry = hub.meetings
        switch head.type {
        case "meeting.join":
            return try await join(meeting, muted: (try? Wire.data(JoinData.self, of: text))?.muted ?? false)
        case "meeting.leave":
            try await registry.leave(connection, meeting: meeting)
        case "meeting.mute":
            let data = try Wire.data(MuteData.self, of: text)
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in
                try state.mute(connection: connection, target: data.streamId, muted: data.muted)
            }
        case "meeting.hand":
            let data = try Wire.data(HandData.self, of: text)
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in
                try state.hand(connection: connection, target: data.streamId, raised: data.raised)
            }
        case "meeting.admit":
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.admit(connection: connection, stream: stream) }
        case "meeting.deny":
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.deny(connection: connection, stream: stream) }
        case "meeting.remove":
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.remove(connection: connection, stream: stream) }
        case "meeting.end":
            try await registry.requireModerator(connection, meeting: meeting)
            // Persist, then publish: stored as ended before anyone is told.
            try await meetings.end(meeting: meeting, by: viewer.id)
            await registry.end(meeting, by: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
        case "meeting.stats":
            struct Stats: Encodable { var participants: [MeetingJSON.StreamStats] }
            return Wire.json(Stats(participants: try await registry.statistics(connection, meeting: meeting)))
        default:
            throw WireError(.unknownType, "Unknown message type \(head.type).")
        }
        return Wire.json(Done())
    }

    private func join(_ meeting: MeetingID, muted: Bool) async throws -> Data {
        let access: MeetingAccess
        do {
            access = try await meetings.access(viewer: viewer, meeting: meeting)
        } catch DomainError.forbidden {
            throw WireError(.notMember, "Only members of the workspace and invited guests can join this meeting.")
        } catch DomainError.notFound {
            throw WireError(.notFound, "There is no such meeting.")
        }
        let entrant = MeetingHub.Entrant(
            person: .init(id: viewer.id, name: viewer.person.name), moderator: access.moderator, guest: access.guest,
            waitsInLobby: access.waitsInLobby)
        let joined = try await hub.meetings.join(access.meeting, sink: sink, entrant: entrant, muted: muted, records: meetings)
        struct Joined: Encodable { var state: String; var streamId: UInt16; var meeting: MeetingJSON.Snapshot? }
        return Wire.json(Joined(state: joined.meeting == nil ? "lobby" : "joined", streamId: joined.stream, meeting: joined.meeting))
    }

    private func meetingTopic(_ head: Wire.Head) throws -> MeetingID {
        guard let text = Topic.meetingID(head.topic), let id = MeetingID(text) else {
            throw WireError(.validation, "topic must be meeting:<id>.")
        }
        return id
    }
}
