import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading `recordings` and `recording_participants` rows; chapters are `jsonb` in the row.
enum RecordingRows {
    static let columns = """
        id, workspace_id, meeting_id, title, kind, started_by, started_at, ended_at, duration_ms, size_bytes, state, stop_reason,
        file_name, shared_with_organisation, chapters
        """

    static func recording(_ row: PostgresRandomAccessRow) throws -> Recording {
        let stopReason: String? = try row.get("stop_reason")
        var reason: Recording.StopReason?
        if let stopReason {
            guard let value = Recording.StopReason(rawValue: stopReason) else { throw PostgresStoreError.corrupt("stop_reason: \(stopReason)") }
            reason = value
        }
        return Recording(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), meetingID: try row.id("meeting_id"), title: try row.get("title"),
            kind: try row.enum("kind"), startedBy: try row.id("started_by"), startedAt: try row.get("started_at"),
            endedAt: try row.get("ended_at"), durationMs: try row.get("duration_ms"), sizeBytes: try row.get("size_bytes"),
            state: try row.enum("state"), stopReason: reason, fileName: try row.get("file_name"),
            sharedWithOrganisation: try row.get("shared_with_organisation"),
            chapters: try JSONColumn.decode([RecordingChapter].self, row, "chapters"))
    }

    static func participant(_ row: PostgresRandomAccessRow) throws -> RecordingParticipant {
        RecordingParticipant(
            recordingID: try row.id("recording_id"), personID: try row.id("person_id"), streamID: try row.get("stream_id"),
            joinedOffsetMs: try row.get("joined_offset_ms"), fileName: try row.get("file_name"))
    }

    static var tooManyChapters: DomainError {
        .validation([FieldError(field: "chapters", message: "at most \(RecordingRules.maxChapters) chapters")])
    }

    /// Stable: chapters at the same offset keep the order they were given in.
    static func inTimeOrder(_ chapters: [RecordingChapter]) -> [RecordingChapter] {
        chapters.enumerated().sorted { ($0.element.offsetMs, $0.offset) < ($1.element.offsetMs, $1.offset) }.map(\.element)
    }
}
