extension PostgresSchema {
    /// Recordings of meetings and guides, and who is in them (SQLite's `v7-recordings`,
    /// without its search triggers: those live in the later `search` migration).
    ///
    /// - A recording goes with its workspace (and its meeting, which goes with the same
    ///   workspace). `started_by` and a participant's `person_id` have no foreign key: the
    ///   record of who started a recording or spoke in it stays when an account is removed.
    /// - Chapters are a `jsonb` array `[{"title","offsetMs"}]` in time order: read and written
    ///   with the recording, never alone; a change locks the row (`SELECT … FOR UPDATE`) so the
    ///   limit on their number holds under concurrent writers.
    /// - The files live under the recordings folder; the database holds only their names.
    /// - Search reads title, chapters, state, workspace, sharing, starter and times.
    static let recordings: [String] = [
        """
        CREATE TABLE recordings (
            id                       uuid PRIMARY KEY,
            workspace_id             uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            meeting_id               uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            title                    text NOT NULL,
            kind                     text NOT NULL CHECK (kind IN ('meeting', 'guide')),
            started_by               uuid NOT NULL,
            started_at               timestamptz NOT NULL,
            ended_at                 timestamptz,
            duration_ms              bigint NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
            size_bytes               bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
            state                    text NOT NULL CHECK (state IN ('recording', 'complete', 'failed')),
            stop_reason              text CHECK (stop_reason IN ('stopped', 'meeting-ended', 'everyone-left', 'disk-full', 'write-failed', 'interrupted')),
            file_name                text NOT NULL,
            shared_with_organisation boolean NOT NULL DEFAULT false,
            chapters                 jsonb NOT NULL DEFAULT '[]'
        )
        """,
        "CREATE INDEX recordings_workspace ON recordings (workspace_id, started_at)",
        "CREATE INDEX recordings_meeting ON recordings (meeting_id)",
        "CREATE INDEX recordings_started ON recordings (started_at, id)",
        "CREATE INDEX recordings_shared ON recordings (started_at) WHERE shared_with_organisation",
        "CREATE INDEX recordings_unfinished ON recordings (started_at, id) WHERE state = 'recording'",
        """
        CREATE TABLE recording_participants (
            recording_id     uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
            stream_id        bigint NOT NULL,
            person_id        uuid NOT NULL,
            joined_offset_ms bigint NOT NULL CHECK (joined_offset_ms >= 0),
            file_name        text,
            PRIMARY KEY (recording_id, stream_id)
        )
        """,
    ]
}
