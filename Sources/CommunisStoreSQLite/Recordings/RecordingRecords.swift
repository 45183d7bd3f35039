import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `recordings`; chapters are a JSON array in the row.
struct RecordingRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "recordings"

    var recording: Recording

    init(_ recording: Recording) { self.recording = recording }

    init(row: Row) throws {
        let table = Self.databaseTableName
        let kindText: String = row["kind"]
        guard let kind = Recording.Kind(rawValue: kindText) else { throw CorruptRow(table: table, column: "kind", value: kindText) }
        let stateText: String = row["state"]
        guard let state = Recording.State(rawValue: stateText) else { throw CorruptRow(table: table, column: "state", value: stateText) }
        var reason: Recording.StopReason?
        if let text: String = row["stop_reason"] {
            guard let value = Recording.StopReason(rawValue: text) else { throw CorruptRow(table: table, column: "stop_reason", value: text) }
            reason = value
        }
        let endedAt: Double? = row["ended_at"]
        recording = Recording(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table),
            meetingID: try row.id("meeting_id", table: table), title: row["title"], kind: kind,
            startedBy: try row.id("started_by", table: table), startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endedAt: endedAt.map { Date(timeIntervalSince1970: $0) }, durationMs: row["duration_ms"], sizeBytes: row["size_bytes"],
            state: state, stopReason: reason, fileName: row["file_name"], sharedWithOrganisation: row["shared_with_organisation"],
            chapters: try HowToColumns.decode([RecordingChapter].self, row["chapters"], table: table, column: "chapters"))
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = recording.id.description
        container["workspace_id"] = recording.workspaceID.description
        container["meeting_id"] = recording.meetingID.description
        container["title"] = recording.title
        container["kind"] = recording.kind.rawValue
        container["started_by"] = recording.startedBy.description
        container["started_at"] = recording.startedAt.unixSeconds
        container["ended_at"] = recording.endedAt?.unixSeconds
        container["duration_ms"] = recording.durationMs
        container["size_bytes"] = recording.sizeBytes
        container["state"] = recording.state.rawValue
        container["stop_reason"] = recording.stopReason?.rawValue
        container["file_name"] = recording.fileName
        container["shared_with_organisation"] = recording.sharedWithOrganisation
        container["chapters"] = HowToColumns.json(recording.chapters)
    }
}

/// A row of `recording_participants`.
struct RecordingParticipantRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "recording_participants"

    var participant: RecordingParticipant

    init(_ participant: RecordingParticipant) { self.participant = participant }

    init(row: Row) throws {
        let table = Self.databaseTableName
        participant = RecordingParticipant(
            recordingID: try row.id("recording_id", table: table), personID: try row.id("person_id", table: table),
            streamID: row["stream_id"], joinedOffsetMs: row["joined_offset_ms"], fileName: row["file_name"])
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["recording_id"] = participant.recordingID.description
        container["stream_id"] = participant.streamID
        container["person_id"] = participant.personID.description
        container["joined_offset_ms"] = participant.joinedOffsetMs
        container["file_name"] = participant.fileName
    }
}
