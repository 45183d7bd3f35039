import CommunisMedia
import CommunisModel
import CommunisWire
import Foundation

/// The JSON shapes of the `meeting.*` messages (docs/protocol.md, "Meetings").
public enum MeetingJSON {
    public typealias PersonRef = LiveJSON.PersonRef

    /// Someone admitted into the meeting.
    public struct Participant: Codable, Sendable, Equatable {
        public var streamId: UInt16
        public var person: PersonRef
        public var muted: Bool
        public var handRaised: Bool
        public var moderator: Bool
        public var guest: Bool
        /// `reconnecting` while their connection is lost and the rejoin grace period runs.
        public var connection: MeetingConnection = .ok
        /// Their connection's quality: the worse of their own report and the relay's view.
        public var quality: MeetingQuality = .good
    }

    /// Someone waiting in the lobby.
    public struct LobbyEntry: Codable, Sendable, Equatable {
        public var streamId: UInt16
        public var person: PersonRef
    }

    public struct Limits: Codable, Sendable, Equatable {
        public var maxParticipants: Int
        public var maxPacketBytes: Int
        public var maxPacketsPerSecond: Int

        public init(maxParticipants: Int = 50, maxPacketBytes: Int = 1000, maxPacketsPerSecond: Int = 60) {
            self.maxParticipants = maxParticipants
            self.maxPacketBytes = maxPacketBytes
            self.maxPacketsPerSecond = maxPacketsPerSecond
        }
    }

    /// The meeting as one participant sees it (`lobby` is empty unless they moderate).
    public struct Snapshot: Codable, Sendable, Equatable {
        public var id: MeetingID
        public var workspaceId: WorkspaceID
        public var title: String
        public var threadId: ThreadID
        public var you: UInt16
        public var moderator: Bool
        public var participants: [Participant]
        public var lobby: [LobbyEntry]
        public var speaking: [UInt16]
        public var limits: Limits
        /// The recording running now; encoded as null when there is none.
        public var recording: RecordingState?

        enum CodingKeys: String, CodingKey {
            case id, workspaceId, title, threadId, you, moderator, participants, lobby, speaking, limits, recording
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(workspaceId, forKey: .workspaceId)
            try c.encode(title, forKey: .title)
            try c.encode(threadId, forKey: .threadId)
            try c.encode(you, forKey: .you)
            try c.encode(moderator, forKey: .moderator)
            try c.encode(participants, forKey: .participants)
            try c.encode(lobby, forKey: .lobby)
            try c.encode(speaking, forKey: .speaking)
            try c.encode(limits, forKey: .limits)
            try c.encode(recording, forKey: .recording)
        }
    }

    /// A recording in progress, as participants (and the lobby) see it.
    public struct RecordingState: Codable, Sendable, Equatable {
        public var id: RecordingID
        public var title: String
        public var kind: Recording.Kind
        public var startedAt: Date
        public var startedBy: PersonRef
        public var chapters: [RecordingChapter]

        public init(id: RecordingID, title: String, kind: Recording.Kind, startedAt: Date, startedBy: PersonRef, chapters: [RecordingChapter] = []) {
            self.id = id
            self.title = title
            self.kind = kind
            self.startedAt = startedAt
            self.startedBy = startedBy
            self.chapters = chapters
        }
    }

    /// `meeting.roster` in the workspace.
    public struct Roster: Codable, Sendable, Equatable {
        public var meetingId: MeetingID
        public var title: String
        public var state: String
        public var participants: [PersonRef]
        /// Sent for a meeting that has not started yet and has a planned time.
        public var scheduledFor: Date? = nil
    }

    /// One row of the `meeting.stats` answer: the relay's figures with the person's name.
    public struct StreamStats: Encodable, Sendable, Equatable {
        public var streamId: UInt16
        public var person: PersonRef
        public var packetsIn: Int
        public var packetsOut: Int
        public var lost: Int
        public var jitterMs: Double
        public var droppedSlow: Int
        public var droppedStale: Int
        public var malformed: Int
        public var rateLimited: Int
        public var mutedDropped: Int
        public var quality: MeetingQuality
        public var connection: MeetingConnection

        public init(person: PersonRef, _ figures: AudioStreamStatistics, quality: MeetingQuality = .good, connection: MeetingConnection = .ok) {
            streamId = figures.streamId
            self.person = person
            packetsIn = figures.packetsIn
            packetsOut = figures.packetsOut
            lost = figures.lost
            jitterMs = figures.jitterMs
            droppedSlow = figures.droppedSlow
            droppedStale = figures.droppedStale
            malformed = figures.malformed
            rateLimited = figures.rateLimited
            mutedDropped = figures.mutedDropped
            self.quality = quality
            self.connection = connection
        }
    }
}

/// Why someone is no longer a participant (`meeting.participant.left`).
public enum MeetingLeaveReason: String, Sendable, Codable {
    case left, removed, disconnected
}

/// A message of one meeting, before it is encoded (once per recipient list).
public enum MeetingEvent: Sendable, Equatable {
    case participantJoined(MeetingJSON.Participant)
    case participantUpdated(MeetingJSON.Participant, by: MeetingJSON.PersonRef?)
    case participantLeft(stream: UInt16, reason: MeetingLeaveReason)
    case lobby([MeetingJSON.LobbyEntry])
    /// `rejoinToken`: the participant's secret for `meeting.join` with `rejoin`.
    case admitted(stream: UInt16, meeting: MeetingJSON.Snapshot, rejoinToken: String)
    /// `reason` "removed" or "denied"; `by` nil when the server removed them (membership ended).
    case removed(reason: String, by: MeetingJSON.PersonRef?)
    case speaking([UInt16])
    /// `by` nil when the meeting ended because its workspace was deleted.
    case ended(by: MeetingJSON.PersonRef?)
    /// Recording started (`recording` set) or stopped (nil, with the reason).
    case recording(MeetingJSON.RecordingState?, reason: Recording.StopReason?)
    case recordingChapter(recording: RecordingID, chapter: RecordingChapter)
    /// The recorder left audio out because it could not keep up (moderators).
    case recordingBehind(recording: RecordingID, droppedPackets: Int)
    /// A post of the meeting's chat (`event`: post.created, post.edited or post.deleted) for
    /// its guests; `post` as in the workspace event.
    case chat(event: String, post: JSONValue)

    public var type: LiveEvent {
        switch self {
        case .participantJoined: .meetingParticipantJoined
        case .participantUpdated: .meetingParticipantUpdated
        case .participantLeft: .meetingParticipantLeft
        case .lobby: .meetingLobby
        case .admitted: .meetingAdmitted
        case .removed: .meetingRemoved
        case .speaking: .meetingSpeaking
        case .ended: .meetingEnded
        case .recording: .meetingRecording
        case .recordingChapter: .meetingRecordingChapter
        case .recordingBehind: .meetingRecordingBehind
        case .chat: .meetingChat
        }
    }

    /// The message's `data`.
    public var data: Data {
        struct Joined: Encodable { var participant: MeetingJSON.Participant }
        struct Updated: Encodable { var participant: MeetingJSON.Participant; var by: MeetingJSON.PersonRef? }
        struct Left: Encodable { var streamId: UInt16; var reason: MeetingLeaveReason }
        struct Lobby: Encodable { var lobby: [MeetingJSON.LobbyEntry] }
        struct Admitted: Encodable { var streamId: UInt16; var meeting: MeetingJSON.Snapshot; var rejoinToken: String }
        struct Removed: Encodable { var reason: String; var by: MeetingJSON.PersonRef? }
        struct Speaking: Encodable { var speaking: [UInt16] }
        struct Ended: Encodable { var by: MeetingJSON.PersonRef? }
        struct RecordingChanged: Encodable {
            var recording: MeetingJSON.RecordingState?
            var reason: Recording.StopReason?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(recording, forKey: .recording)  // null when stopped
                try c.encodeIfPresent(reason, forKey: .reason)
            }
            enum Keys: String, CodingKey { case recording, reason }
        }
        struct Chapter: Encodable { var recordingId: RecordingID; var chapter: RecordingChapter }
        struct Behind: Encodable { var recordingId: RecordingID; var droppedPackets: Int }
        struct Chat: Encodable { var event: String; var post: JSONValue }
        return switch self {
        case .participantJoined(let participant): Wire.json(Joined(participant: participant))
        case .participantUpdated(let participant, let by): Wire.json(Updated(participant: participant, by: by))
        case .participantLeft(let stream, let reason): Wire.json(Left(streamId: stream, reason: reason))
        case .lobby(let lobby): Wire.json(Lobby(lobby: lobby))
        case .admitted(let stream, let meeting, let token): Wire.json(Admitted(streamId: stream, meeting: meeting, rejoinToken: token))
        case .removed(let reason, let by): Wire.json(Removed(reason: reason, by: by))
        case .speaking(let streams): Wire.json(Speaking(speaking: streams))
        case .ended(let by): Wire.json(Ended(by: by))
        case .recording(let recording, let reason): Wire.json(RecordingChanged(recording: recording, reason: reason))
        case .recordingChapter(let recording, let chapter): Wire.json(Chapter(recordingId: recording, chapter: chapter))
        case .recordingBehind(let recording, let dropped): Wire.json(Behind(recordingId: recording, droppedPackets: dropped))
        case .chat(let event, let post): Wire.json(Chat(event: event, post: post))
        }
    }
}
