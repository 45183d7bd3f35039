import CommunisModel
import Foundation

/// Which recordings a list holds. `reader`, `readsOpenWorkspaces` and `readsShared` are the
/// reader's permission (decided by the service from `RecordingPolicy`); the rest narrows
/// within it.
public struct RecordingFilter: Sendable, Equatable {
    /// Recordings of workspaces this person is a member of are readable.
    public var reader: PersonID
    /// Recordings of open workspaces are readable (employees).
    public var readsOpenWorkspaces: Bool
    /// Recordings shared with the organisation are readable, except those of secret
    /// workspaces (employees).
    public var readsShared: Bool
    /// Only this workspace's recordings.
    public var workspace: WorkspaceID?
    public var kind: Recording.Kind?
    public var state: Recording.State?

    public init(reader: PersonID, readsOpenWorkspaces: Bool, readsShared: Bool, workspace: WorkspaceID? = nil,
                kind: Recording.Kind? = nil, state: Recording.State? = nil) {
        self.reader = reader
        self.readsOpenWorkspaces = readsOpenWorkspaces
        self.readsShared = readsShared
        self.workspace = workspace
        self.kind = kind
        self.state = state
    }
}

/// What a manager changes on a recording; nil leaves a field as it is.
public struct RecordingChange: Sendable, Equatable {
    public var title: String?
    public var sharedWithOrganisation: Bool?
    /// The whole list, replacing the old one (stored in time order).
    public var chapters: [RecordingChapter]?

    public init(title: String? = nil, sharedWithOrganisation: Bool? = nil, chapters: [RecordingChapter]? = nil) {
        self.title = title
        self.sharedWithOrganisation = sharedWithOrganisation
        self.chapters = chapters
    }
}

/// Recordings of meetings and guides, and who is in them. Only the rows: the audio files are
/// the service's (`Recordings`), named here relative to the recordings folder.
///
/// Guarantees:
/// - Chapters are kept in time order (`offsetMs`, then the order they were added), at most
///   `RecordingRules.maxChapters`, checked inside the writing transaction.
/// - A recording is findable in search (`SearchStore`) only while `complete`, in the same
///   transaction as the change that made it so.
/// - Deleting the workspace deletes its recordings' rows (not their files).
public protocol RecordingStore: Sendable {
    /// Throws `notFound("Workspace")` / `notFound("Meeting")` for an unknown one, `conflict`
    /// when the id is taken.
    func insertRecording(_ recording: Recording) async throws
    func recording(id: RecordingID) async throws -> Recording?
    /// Newest start first (then by id).
    func recordings(_ filter: RecordingFilter, page: PageRequest) async throws -> Page<Recording>
    /// Throws `notFound("Recording")`. Returns the recording as saved.
    func updateRecording(_ id: RecordingID, _ change: RecordingChange) async throws -> Recording
    /// Inserts the chapter at its place in time (after chapters with the same offset).
    /// Throws `notFound("Recording")`, `validation` (field `chapters`) when it would be one
    /// more than `RecordingRules.maxChapters`.
    func addRecordingChapter(_ id: RecordingID, _ chapter: RecordingChapter) async throws -> Recording
    /// Stores (or replaces: same recording and stream id) a participant. Throws
    /// `notFound("Recording")`.
    func addRecordingParticipant(_ participant: RecordingParticipant) async throws
    /// Ends a recording that is still `recording`: its state, reason, end and the file's
    /// length and size. A recording that has already finished stays as it was (the first end
    /// stays). Throws `notFound("Recording")`. Returns the recording as stored.
    func finishRecording(_ id: RecordingID, state: Recording.State, reason: Recording.StopReason?, endedAt: Date,
                         durationMs: Int, sizeBytes: Int64) async throws -> Recording
    /// Every recording still in state `recording`, oldest first.
    func unfinishedRecordings() async throws -> [Recording]
    /// Who is in the recording, in the order they were first heard (then stream id).
    func recordingParticipants(_ id: RecordingID) async throws -> [RecordingParticipant]
    /// Deletes the row with its participants. Throws `notFound("Recording")`.
    func deleteRecording(_ id: RecordingID) async throws
}
