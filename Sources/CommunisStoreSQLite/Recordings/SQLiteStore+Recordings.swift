import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func insertRecording(_ recording: Recording) async throws {
        try await pool.write { db in
            try Self.requireWorkspace(recording.workspaceID, db)
            guard try MeetingRow.exists(db, key: recording.meetingID.description) else { throw DomainError.notFound("Meeting") }
            do {
                try RecordingRow(recording).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The recording already exists.")
            }
        }
    }

    public func recording(id: RecordingID) async throws -> Recording? {
        try await pool.read { db in try RecordingRow.fetchOne(db, key: id.description)?.recording }
    }

    public func recordings(_ filter: RecordingFilter, page: PageRequest) async throws -> Page<Recording> {
        // Permission first, as search does it: memberships, open workspaces, shared ones
        // (never a secret workspace's).
        var readable = ["workspace_id IN (SELECT workspace_id FROM memberships WHERE person_id = ?)"]
        var arguments: StatementArguments = [filter.reader.description]
        if filter.readsOpenWorkspaces {
            readable.append("workspace_id IN (SELECT id FROM workspaces WHERE visibility = 'open')")
        }
        if filter.readsShared {
            readable.append("(shared_with_organisation = 1 AND workspace_id IN (SELECT id FROM workspaces WHERE visibility <> 'secret'))")
        }
        var conditions = ["(" + readable.joined(separator: " OR ") + ")"]
        if let workspace = filter.workspace {
            conditions.append("workspace_id = ?")
            arguments += [workspace.description]
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        if let state = filter.state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        let whereClause = conditions.joined(separator: " AND ")
        return try await pool.read { [arguments] db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recordings WHERE \(whereClause)", arguments: arguments) ?? 0
            var pageArguments = arguments
            pageArguments += [page.limit, page.offset]
            let items = try RecordingRow.fetchAll(
                db, sql: "SELECT * FROM recordings WHERE \(whereClause) ORDER BY started_at DESC, id LIMIT ? OFFSET ?",
                arguments: pageArguments).map(\.recording)
            return Page(items: items, total: total, request: page)
        }
    }

    public func updateRecording(_ id: RecordingID, _ change: RecordingChange) async throws -> Recording {
        try await pool.write { db in
            guard var recording = try RecordingRow.fetchOne(db, key: id.description)?.recording else { throw DomainError.notFound("Recording") }
            if let title = change.title { recording.title = title }
            if let shared = change.sharedWithOrganisation { recording.sharedWithOrganisation = shared }
            if let chapters = change.chapters {
                guard chapters.count <= RecordingRules.maxChapters else { throw Self.tooManyChapters }
                recording.chapters = Self.inTimeOrder(chapters)
            }
            try RecordingRow(recording).update(db)
            return recording
        }
    }

    public func addRecordingChapter(_ id: RecordingID, _ chapter: RecordingChapter) async throws -> Recording {
        try await pool.write { db in
            guard var recording = try RecordingRow.fetchOne(db, key: id.description)?.recording else { throw DomainError.notFound("Recording") }
            guard recording.chapters.count < RecordingRules.maxChapters else { throw Self.tooManyChapters }
            let place = recording.chapters.firstIndex { $0.offsetMs > chapter.offsetMs } ?? recording.chapters.endIndex
            recording.chapters.insert(chapter, at: place)
            try RecordingRow(recording).update(db, columns: ["chapters"])
            return recording
        }
    }

    public func addRecordingParticipant(_ participant: RecordingParticipant) async throws {
        try await pool.write { db in
            guard try RecordingRow.exists(db, key: participant.recordingID.description) else { throw DomainError.notFound("Recording") }
            try RecordingParticipantRow(participant).insert(db, onConflict: .replace)
        }
    }

    public func finishRecording(_ id: RecordingID, state: Recording.State, reason: Recording.StopReason?, endedAt: Date,
                                durationMs: Int, sizeBytes: Int64) async throws -> Recording {
        try await pool.write { db in
            guard var recording = try RecordingRow.fetchOne(db, key: id.description)?.recording else { throw DomainError.notFound("Recording") }
            guard recording.state == .recording else { return recording }
            recording.state = state
            recording.stopReason = reason
            recording.endedAt = endedAt
            recording.durationMs = max(durationMs, 0)
            recording.sizeBytes = max(sizeBytes, 0)
            try RecordingRow(recording).update(db)
            return recording
        }
    }

    public func unfinishedRecordings() async throws -> [Recording] {
        try await pool.read { db in
            try RecordingRow.fetchAll(db, sql: "SELECT * FROM recordings WHERE state = 'recording' ORDER BY started_at, id").map(\.recording)
        }
    }

    public func recordingParticipants(_ id: RecordingID) async throws -> [RecordingParticipant] {
        try await pool.read { db in
            try RecordingParticipantRow.fetchAll(
                db, sql: "SELECT * FROM recording_participants WHERE recording_id = ? ORDER BY joined_offset_ms, stream_id",
                arguments: [id.description]).map(\.participant)
        }
    }

    public func deleteRecording(_ id: RecordingID) async throws {
        try await pool.write { db in
            guard try RecordingRow.deleteOne(db, key: id.description) else { throw DomainError.notFound("Recording") }
        }
    }

    static var tooManyChapters: DomainError {
        .validation([FieldError(field: "chapters", message: "at most \(RecordingRules.maxChapters) chapters")])
    }

    /// Stable: chapters at the same offset keep the order they were given in.
    static func inTimeOrder(_ chapters: [RecordingChapter]) -> [RecordingChapter] {
        chapters.enumerated().sorted { ($0.element.offsetMs, $0.offset) < ($1.element.offsetMs, $1.offset) }.map(\.element)
    }
}
