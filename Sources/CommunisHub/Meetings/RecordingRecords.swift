import CommunisMedia
import CommunisModel
import Foundation

/// What a meeting room writes down about its recordings (the Recordings service implements
/// it): persist, then publish — a recording is stored before anyone is told it started, and a
/// chapter before anyone sees it.
public protocol RecordingRecords: Sendable {
    /// Stores a new recording in state `recording`; its `fileName` says where the file goes.
    func begin(meeting: Meeting, title: String, kind: Recording.Kind, by: PersonID) async throws -> Recording
    func addParticipant(_ participant: RecordingParticipant) async throws
    func addChapter(_ recording: RecordingID, _ chapter: RecordingChapter) async throws
    func finish(_ recording: RecordingID, state: Recording.State, reason: Recording.StopReason, durationMs: Int, sizeBytes: Int64,
                endedAt: Date) async throws
    /// The absolute path of a stored file name (relative to the recordings folder).
    func path(of fileName: String) -> String
}

/// How meetings are recorded in this process.
public struct RecordingSettings: Sendable {
    /// Where recordings are stored; nil: recording is not available (`recording-failed`).
    public var records: (any RecordingRecords)?
    /// The recorder's settings (bitrate, reserve of free disk space, queue); the file paths
    /// are set per recording.
    public var recorder: MeetingRecorder.Settings
    /// Keep each participant's own packets beside the mixed file (`recording.keep_participant_streams`).
    public var keepParticipantStreams: Bool

    public init(records: (any RecordingRecords)? = nil, recorder: MeetingRecorder.Settings = .init(), keepParticipantStreams: Bool = true) {
        self.records = records
        self.recorder = recorder
        self.keepParticipantStreams = keepParticipantStreams
    }
}
