import Foundation

/// A recording of a meeting, or of a guide a trainer recorded alone (a meeting of one).
///
/// The mixed audio is one Ogg Opus file, `fileName` under the recordings folder
/// (`storage.recordings_dir`); what each participant sent is kept beside it, muxed without
/// re-encoding (`RecordingParticipant.fileName`). A recording belongs to its meeting's
/// workspace: the workspace's members may list and play it, and everyone in the organisation
/// (not guests) too when it is `sharedWithOrganisation`.
///
/// Lifecycle: stored as `recording` before anyone is told it started (persist, then publish);
/// `complete` when it stopped (by a moderator, the meeting's end, the last person leaving, a
/// full disk or a write error: `stopReason`); a row still `recording` at start-up was cut off
/// by a crash and is finalised then (`stopReason` `interrupted`); `failed` when no playable
/// audio could be kept.
public struct Recording: Sendable, Codable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A meeting kept for those who missed it.
        case meeting
        /// A how-to a trainer recorded alone, usually with chapter marks.
        case guide
    }

    public enum State: String, Sendable, Codable, CaseIterable {
        case recording, complete, failed
    }

    public enum StopReason: String, Sendable, Codable, CaseIterable {
        /// A moderator stopped it.
        case stopped
        /// The meeting ended (for everyone).
        case meetingEnded = "meeting-ended"
        /// The last participant left.
        case everyoneLeft = "everyone-left"
        /// The disk (or the folder's configured reserve) ran out: the meeting went on.
        case diskFull = "disk-full"
        /// Writing failed for another reason (see the server log).
        case writeFailed = "write-failed"
        /// The server stopped (crash, `kill -9`) while recording; finalised at the next start.
        case interrupted
    }

    public var id: RecordingID
    public var workspaceID: WorkspaceID
    public var meetingID: MeetingID
    public var title: String
    public var kind: Kind
    public var startedBy: PersonID
    public var startedAt: Date
    public var endedAt: Date?
    /// Length of the mixed audio (0 while recording).
    public var durationMs: Int
    /// Size of the mixed file in bytes (0 while recording).
    public var sizeBytes: Int64
    public var state: State
    public var stopReason: StopReason?
    /// The mixed file, relative to the recordings folder (for example `<workspace>/<id>.opus`).
    public var fileName: String
    public var sharedWithOrganisation: Bool
    /// Chapter marks in time order (`offsetMs` from the start of the recording).
    public var chapters: [RecordingChapter]

    public init(id: RecordingID = RecordingID(), workspaceID: WorkspaceID, meetingID: MeetingID, title: String, kind: Kind,
                startedBy: PersonID, startedAt: Date, endedAt: Date? = nil, durationMs: Int = 0, sizeBytes: Int64 = 0,
                state: State = .recording, stopReason: StopReason? = nil, fileName: String, sharedWithOrganisation: Bool = false,
                chapters: [RecordingChapter] = []) {
        self.id = id
        self.workspaceID = workspaceID
        self.meetingID = meetingID
        self.title = title
        self.kind = kind
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.sizeBytes = sizeBytes
        self.state = state
        self.stopReason = stopReason
        self.fileName = fileName
        self.sharedWithOrganisation = sharedWithOrganisation
        self.chapters = chapters
    }
}

/// Someone whose voice is in a recording: admitted to the meeting while it was recorded.
/// `fileName` is their own packets as they arrived, muxed into Ogg without re-encoding
/// (relative to the recordings folder), nil when not kept.
public struct RecordingParticipant: Sendable, Codable, Equatable {
    public var recordingID: RecordingID
    public var personID: PersonID
    /// The participant's stream id in the meeting (a person who rejoined has several).
    public var streamID: Int
    /// When they were first heard in the recording, from its start.
    public var joinedOffsetMs: Int
    public var fileName: String?

    public init(recordingID: RecordingID, personID: PersonID, streamID: Int, joinedOffsetMs: Int, fileName: String? = nil) {
        self.recordingID = recordingID
        self.personID = personID
        self.streamID = streamID
        self.joinedOffsetMs = joinedOffsetMs
        self.fileName = fileName
    }
}

/// Limits of recordings' text.
public enum RecordingRules {
    public static let maxTitleLength = 200
    public static let maxChapterTitleLength = 200
    public static let maxChapters = 200
}
