extension PostgresSchema {
    /// Web meetings, guest invitation links into one meeting, and who took part when (SQLite's
    /// `v4-meetings`).
    ///
    /// - A meeting goes with its workspace; invitations and attendance go with the meeting.
    /// - `created_by`, `ended_by` and `thread_id` have no foreign key: like a thread's author,
    ///   the record of who created or ended a meeting stays when an account is removed, and the
    ///   chat thread belongs to the same workspace (it goes with it).
    /// - An invitation goes with the person who sent it (as guest_invitations do); the guest
    ///   account it made stays bound until that account is removed. Only the token's hash is
    ///   stored, unique.
    /// - A stay's id is an identity column: `openAttendance` returns it, `closeAttendance`
    ///   names it.
    static let meetings: [String] = [
        """
        CREATE TABLE meetings (
            id            uuid PRIMARY KEY,
            workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            title         text NOT NULL,
            scheduled_for timestamptz,
            created_by    uuid NOT NULL,
            created_at    timestamptz NOT NULL,
            thread_id     uuid NOT NULL,
            started_at    timestamptz,
            ended_at      timestamptz,
            ended_by      uuid
        )
        """,
        "CREATE INDEX meetings_workspace ON meetings (workspace_id, created_at)",
        """
        CREATE TABLE meeting_invitations (
            id          uuid PRIMARY KEY,
            meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            guest_name  text NOT NULL,
            guest_email text,
            token_hash  text NOT NULL UNIQUE,
            created_by  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            created_at  timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL,
            guest_id    uuid REFERENCES people (id) ON DELETE SET NULL
        )
        """,
        "CREATE INDEX meeting_invitations_meeting ON meeting_invitations (meeting_id, guest_id)",
        "CREATE INDEX meeting_invitations_guest ON meeting_invitations (guest_id)",
        "CREATE INDEX meeting_invitations_created_by ON meeting_invitations (created_by)",
        """
        CREATE TABLE meeting_attendance (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            joined_at  timestamptz NOT NULL,
            left_at    timestamptz
        )
        """,
        "CREATE INDEX meeting_attendance_meeting ON meeting_attendance (meeting_id, joined_at, id)",
        "CREATE INDEX meeting_attendance_person ON meeting_attendance (person_id)",
        "CREATE INDEX meeting_attendance_open ON meeting_attendance (id) WHERE left_at IS NULL",
    ]
}
