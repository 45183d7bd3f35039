import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

/// The `meeting.*` commands (docs/protocol.md, "Meetings"): who may join is the Meetings
/// service's decision; the rest is the meeting's room's.
extension LiveSession {
    private struct JoinData: Decodable {
        var muted: Bool?
        var rejoin: RejoinData?
    }
    private struct RejoinData: Decodable {
        var streamId: UInt16
        var token: String
        enum CodingKeys: String, CodingKey { case streamId, token }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            streamId = try c.decodeInteger(UInt16.self, forKey: .streamId)
            token = try c.decode(String.self, forKey: .token)
        }
    }
    /// `meeting.quality`: the client's own measurement of what it receives. Only `quality`
    /// is used; the figures are checked for type so a client learns of a mistake.
    private struct QualityData: Decodable {
        var quality: String
        var delayMs: Int?
        var stallsPerMinute: Double?
        var lateFramePercent: Double?
    }
    // Stream ids are decoded with `decodeInteger…` so that one out of range names `streamId`.
    private struct MuteData: Decodable {
        var streamId: UInt16?
        var muted: Bool
        enum CodingKeys: String, CodingKey { case streamId, muted }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            streamId = try c.decodeIntegerIfPresent(UInt16.self, forKey: .streamId)
            muted = try c.decode(Bool.self, forKey: .muted)
        }
    }
    private struct HandData: Decodable {
        var streamId: UInt16?
        var raised: Bool
        enum CodingKeys: String, CodingKey { case streamId, raised }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            streamId = try c.decodeIntegerIfPresent(UInt16.self, forKey: .streamId)
            raised = try c.decode(Bool.self, forKey: .raised)
        }
    }
    private struct StreamData: Decodable {
        var streamId: UInt16
        enum CodingKeys: String, CodingKey { case streamId }
        init(from decoder: any Decoder) throws {
            streamId = try decoder.container(keyedBy: CodingKeys.self).decodeInteger(UInt16.self, forKey: .streamId)
        }
    }
    private struct Done: Encodable { var ok = true }
    private struct RecordingStart: Decodable { var title: String?; var kind: String? }
    private struct ChapterData: Decodable { var title: String }

    /// Returns the `data` of the ack.
    func meetingCommand(_ command: LiveCommand, _ head: Wire.Head, _ text: Data) async throws -> Data? {
        let meeting = try meetingTopic(head)
        let connection = sink.connectionID
        let registry = hub.meetings
        switch command {
        case .meetingJoin:
            let data = try Wire.optionalData(JoinData.self, of: text)
            return try await join(meeting, muted: data?.muted ?? false, rejoin: data?.rejoin.map { .init(stream: $0.streamId, token: $0.token) })
        case .meetingQuality:
            let data = try Wire.data(QualityData.self, of: text)
            guard let level = MeetingQuality(rawValue: data.quality) else {
                throw WireError(.validation, "quality must be good, fair or poor.", field: "quality")
            }
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in
                try state.reportQuality(connection: connection, level, now: .now)
            }
        case .meetingLeave:
            try Wire.emptyData(of: text)
            try await registry.leave(connection, meeting: meeting)
        case .meetingMute:
            let data = try Wire.data(MuteData.self, of: text)
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in
                try state.mute(connection: connection, target: data.streamId, muted: data.muted)
            }
        case .meetingHand:
            let data = try Wire.data(HandData.self, of: text)
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in
                try state.hand(connection: connection, target: data.streamId, raised: data.raised)
            }
        case .meetingAdmit:
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.admit(connection: connection, stream: stream) }
        case .meetingDeny:
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.deny(connection: connection, stream: stream) }
        case .meetingRemove:
            let stream = try Wire.data(StreamData.self, of: text).streamId
            try await registry.perform(connection, meeting: meeting) { state throws(WireError) in try state.remove(connection: connection, stream: stream) }
        case .meetingEnd:
            try Wire.emptyData(of: text)
            try await registry.requireModerator(connection, meeting: meeting)
            // Persist, then publish: stored as ended before anyone is told.
            try await meetings.end(meeting: meeting, by: viewer.id)
            await registry.end(meeting, by: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
        case .meetingRecordingStart:
            let data = try Wire.optionalData(RecordingStart.self, of: text) ?? RecordingStart()
            guard let kind = Recording.Kind(rawValue: data.kind ?? "meeting") else {
                throw WireError(.validation, "kind must be meeting or guide.", field: "kind")
            }
            struct Started: Encodable { var recording: MeetingJSON.RecordingState }
            let recording = try await registry.startRecording(connection, meeting: meeting, title: data.title, kind: kind)
            return Wire.json(Started(recording: recording))
        case .meetingRecordingStop:
            try Wire.emptyData(of: text)
            struct Stopped: Encodable { var recordingId: RecordingID; var durationMs: Int }
            let stopped = try await registry.stopRecording(connection, meeting: meeting)
            return Wire.json(Stopped(recordingId: stopped.id, durationMs: stopped.durationMs))
        case .meetingRecordingChapter:
            struct Marked: Encodable { var chapter: RecordingChapter }
            let title = try Wire.data(ChapterData.self, of: text).title
            return Wire.json(Marked(chapter: try await registry.addChapter(connection, meeting: meeting, title: title)))
        case .meetingStats:
            try Wire.emptyData(of: text)
            struct Stats: Encodable { var participants: [MeetingJSON.StreamStats] }
            return Wire.json(Stats(participants: try await registry.statistics(connection, meeting: meeting)))
        case .subscribe, .unsubscribe, .presenceSet, .typing, .threadCreate, .postCreate, .postEdit, .postDelete, .reactionAdd,
             .reactionRemove, .blogSave, .blogDelete, .blogComment, .ping:
            // `dispatch` answers these itself; they are listed so that a new command has to be
            // placed in one switch or the other. Reaching here is a programming error.
            assertionFailure("\(command.rawValue) is not a meeting command")
            throw WireError(.unknownType, "Unknown message type \(head.type).")
        }
        return Wire.json(Done())
    }

    private func join(_ meeting: MeetingID, muted: Bool, rejoin: MeetingState.Rejoin?) async throws -> Data {
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
        let joined = try await hub.meetings.join(access.meeting, sink: sink, entrant: entrant, muted: muted, rejoin: rejoin, records: meetings)
        struct Joined: Encodable {
            var state: String
            var streamId: UInt16
            var meeting: MeetingJSON.Snapshot?
            var recording: MeetingJSON.RecordingState?
            var rejoinToken: String?
            var rejoined: Bool
            enum Keys: String, CodingKey { case state, streamId, meeting, recording, rejoinToken, rejoined }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(state, forKey: .state)
                try c.encode(streamId, forKey: .streamId)
                if let meeting {
                    try c.encode(meeting, forKey: .meeting)
                    try c.encodeIfPresent(rejoinToken, forKey: .rejoinToken)
                    try c.encode(rejoined, forKey: .rejoined)
                } else {
                    // Waiting in the lobby: whether the meeting is being recorded (null if not).
                    try c.encode(recording, forKey: .recording)
                }
            }
        }
        return Wire.json(Joined(state: joined.meeting == nil ? "lobby" : "joined", streamId: joined.stream, meeting: joined.meeting,
                                recording: joined.recording, rejoinToken: joined.rejoinToken, rejoined: joined.rejoined))
    }

    private func meetingTopic(_ head: Wire.Head) throws -> MeetingID {
        guard let text = Topic.meetingID(head.topic), let id = MeetingID(text) else {
            throw WireError(.validation, "topic must be meeting:<id>.", field: "topic")
        }
        return id
    }
}
