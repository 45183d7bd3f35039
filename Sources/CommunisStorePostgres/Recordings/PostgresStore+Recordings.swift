import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertRecording(_ recording: Recording) async throws {
        do {
            _ = try await client.query("""
                INSERT INTO recordings (id, workspace_id, meeting_id, title, kind, started_by, started_at, ended_at, duration_ms, size_bytes,
                                        state, stop_reason, file_name, shared_with_organisation, chapters)
                VALUES (\(recording.id.uuid), \(recording.workspaceID.uuid), \(recording.meetingID.uuid), \(recording.title),
                        \(recording.kind.rawValue), \(recording.startedBy.uuid), \(recording.startedAt), \(recording.endedAt),
                        \(recording.durationMs), \(recording.sizeBytes), \(recording.state.rawValue), \(recording.stopReason?.rawValue),
                        \(recording.fileName), \(recording.sharedWithOrganisation), \(JSONColumn.text(recording.chapters))::jsonb)
                """, logger: logger).collect()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw error.constraint == "recordings_meeting_id_fkey" ? DomainError.notFound("Meeting") : DomainError.notFound("Workspace")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The recording already exists.")
        }
    }

    public func recording(id: RecordingID) async throws -> Recording? {
        try await client.query("SELECT \(unescaped: RecordingRows.columns) FROM recordings WHERE id = \(id.uuid)", logger: logger)
            .first().map(RecordingRows.recording)
    }

    public func recordings(_ filter: RecordingFilter, page: PageRequest) async throws -> Page<Recording> {
        // Permission first, as search does it: memberships, open workspaces, shared ones
        // (never a secret workspace's).
        var readable: SQL = "workspace_id IN (SELECT workspace_id FROM memberships WHERE person_id = \(filter.reader.uuid))"
        if filter.readsOpenWorkspaces {
            readable += " OR workspace_id IN (SELECT id FROM workspaces WHERE visibility = 'open')"
        }
        if filter.readsShared {
            readable += " OR (shared_with_organisation AND workspace_id IN (SELECT id FROM workspaces WHERE visibility <> 'secret'))"
        }
        var conditions: SQL = "(\(readable))"
        if let workspace = filter.workspace { conditions += " AND workspace_id = \(workspace.uuid)" }
        if let kind = filter.kind { conditions += " AND kind = \(kind.rawValue)" }
        if let state = filter.state { conditions += " AND state = \(state.rawValue)" }
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM recordings WHERE \(conditions)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = """
                SELECT \(raw: RecordingRows.columns) FROM recordings WHERE \(conditions)
                ORDER BY started_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
                """
            let items = try await connection.query(select.query, logger: logger).all().map(RecordingRows.recording)
            return Page(items: items, total: total, request: page)
        }
    }

    public func updateRecording(_ id: RecordingID, _ change: RecordingChange) async throws -> Recording {
        var chapters: String?
        if let list = change.chapters {
            guard list.count <= RecordingRules.maxChapters else { throw RecordingRows.tooManyChapters }
            chapters = JSONColumn.text(RecordingRows.inTimeOrder(list))
        }
        // One statement: each field the change leaves nil keeps the row's value.
        guard let row = try await client.query("""
            UPDATE recordings SET title = coalesce(\(change.title)::text, title),
                shared_with_organisation = coalesce(\(change.sharedWithOrganisation)::boolean, shared_with_organisation),
                chapters = coalesce(\(chapters)::jsonb, chapters)
            WHERE id = \(id.uuid) RETURNING \(unescaped: RecordingRows.columns)
            """, logger: logger).first() else { throw DomainError.notFound("Recording") }
        return try RecordingRows.recording(row)
    }

    public func addRecordingChapter(_ id: RecordingID, _ chapter: RecordingChapter) async throws -> Recording {
        try await transaction { connection in
            // The row lock keeps two chapters added at once from both passing the limit, or one
            // writing over the other's list.
            guard let row = try await connection.query("""
                SELECT \(unescaped: RecordingRows.columns) FROM recordings WHERE id = \(id.uuid) FOR UPDATE
                """, logger: logger).first() else { throw DomainError.notFound("Recording") }
            var recording = try RecordingRows.recording(row)
            guard recording.chapters.count < RecordingRules.maxChapters else { throw RecordingRows.tooManyChapters }
            let place = recording.chapters.firstIndex { $0.offsetMs > chapter.offsetMs } ?? recording.chapters.endIndex
            recording.chapters.insert(chapter, at: place)
            _ = try await connection.query("""
                UPDATE recordings SET chapters = \(JSONColumn.text(recording.chapters))::jsonb WHERE id = \(id.uuid)
                """, logger: logger).collect()
            return recording
        }
    }

    public func addRecordingParticipant(_ participant: RecordingParticipant) async throws {
        do {
            _ = try await client.query("""
                INSERT INTO recording_participants (recording_id, stream_id, person_id, joined_offset_ms, file_name)
                VALUES (\(participant.recordingID.uuid), \(participant.streamID), \(participant.personID.uuid), \(participant.joinedOffsetMs),
                        \(participant.fileName))
                ON CONFLICT (recording_id, stream_id) DO UPDATE SET
                    person_id = EXCLUDED.person_id, joined_offset_ms = EXCLUDED.joined_offset_ms, file_name = EXCLUDED.file_name
                """, logger: logger).collect()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Recording")
        }
    }

    public func finishRecording(_ id: RecordingID, state: Recording.State, reason: Recording.StopReason?, endedAt: Date,
                                durationMs: Int, sizeBytes: Int64) async throws -> Recording {
        // The first end stays: only a row still `recording` changes (a concurrent finish waits
        // for the row lock, then finds the state changed and returns the row as it is).
        if let row = try await client.query("""
            UPDATE recordings SET state = \(state.rawValue), stop_reason = \(reason?.rawValue), ended_at = \(endedAt),
                duration_ms = \(max(durationMs, 0)), size_bytes = \(max(sizeBytes, 0))
            WHERE id = \(id.uuid) AND state = 'recording' RETURNING \(unescaped: RecordingRows.columns)
            """, logger: logger).first() {
            return try RecordingRows.recording(row)
        }
        guard let recording = try await recording(id: id) else { throw DomainError.notFound("Recording") }
        return recording
    }

    public func unfinishedRecordings() async throws -> [Recording] {
        try await client.query("""
            SELECT \(unescaped: RecordingRows.columns) FROM recordings WHERE state = 'recording' ORDER BY started_at, id
            """, logger: logger).all().map(RecordingRows.recording)
    }

    public func recordingParticipants(_ id: RecordingID) async throws -> [RecordingParticipant] {
        try await client.query("""
            SELECT recording_id, stream_id, person_id, joined_offset_ms, file_name FROM recording_participants
            WHERE recording_id = \(id.uuid) ORDER BY joined_offset_ms, stream_id
            """, logger: logger).all().map(RecordingRows.participant)
    }

    public func deleteRecording(_ id: RecordingID) async throws {
        guard try await client.query("DELETE FROM recordings WHERE id = \(id.uuid) RETURNING id", logger: logger).first() != nil else {
            throw DomainError.notFound("Recording")
        }
    }
}
