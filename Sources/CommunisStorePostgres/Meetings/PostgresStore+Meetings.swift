import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func createMeeting(_ meeting: Meeting) async throws {
        do {
            _ = try await client.query("""
                INSERT INTO meetings (id, workspace_id, title, scheduled_for, created_by, created_at, thread_id, started_at, ended_at, ended_by)
                VALUES (\(meeting.id.uuid), \(meeting.workspaceID.uuid), \(meeting.title), \(meeting.scheduledFor), \(meeting.createdBy.uuid),
                        \(meeting.createdAt), \(meeting.threadID.uuid), \(meeting.startedAt), \(meeting.endedAt), \(meeting.endedBy?.uuid))
                """, logger: logger).collect()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Workspace")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The meeting already exists.")
        }
    }

    public func meeting(id: MeetingID) async throws -> Meeting? {
        try await client.query("SELECT \(unescaped: MeetingRows.meetingColumns) FROM meetings WHERE id = \(id.uuid)", logger: logger)
            .first().map(MeetingRows.meeting)
    }

    public func meetings(workspace: WorkspaceID, includeEnded: Bool) async throws -> [Meeting] {
        try await client.query("""
            SELECT \(unescaped: MeetingRows.meetingColumns) FROM meetings
            WHERE workspace_id = \(workspace.uuid) AND (\(includeEnded) OR ended_at IS NULL)
            ORDER BY CASE WHEN ended_at IS NOT NULL THEN 2 WHEN started_at IS NOT NULL THEN 0 ELSE 1 END, created_at DESC, id
            """, logger: logger).all().map(MeetingRows.meeting)
    }

    public func liveMeetings(of person: PersonID) async throws -> [Meeting] {
        try await client.query("""
            SELECT \(unescaped: MeetingRows.meetingColumnsOfM) FROM memberships s JOIN meetings m ON m.workspace_id = s.workspace_id
            WHERE s.person_id = \(person.uuid) AND m.started_at IS NOT NULL AND m.ended_at IS NULL
            ORDER BY m.started_at DESC, m.id
            """, logger: logger).all().map(MeetingRows.meeting)
    }

    public func meetings(chatThreads threads: Set<ThreadID>) async throws -> [ThreadID: Meeting] {
        guard !threads.isEmpty else { return [:] }
        let ids = threads.map(\.uuid)
        let rows = try await client.query(
            "SELECT \(unescaped: MeetingRows.meetingColumns) FROM meetings WHERE thread_id = ANY(\(ids))", logger: logger).all()
        let meetings = try rows.map(MeetingRows.meeting)
        return Dictionary(meetings.map { ($0.threadID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func markMeetingStarted(_ id: MeetingID, at: Date) async throws -> Bool {
        try await client.query("""
            UPDATE meetings SET started_at = \(at) WHERE id = \(id.uuid) AND started_at IS NULL AND ended_at IS NULL RETURNING id
            """, logger: logger).first() != nil
    }

    public func markMeetingEnded(_ id: MeetingID, at: Date, by: PersonID?) async throws -> Bool {
        // One statement: of two concurrent ends exactly one changes the row (the second waits
        // for the first's row lock, then finds `ended_at` set).
        let row = try await client.query("""
            WITH ended AS (
                UPDATE meetings SET ended_at = \(at), ended_by = \(by?.uuid) WHERE id = \(id.uuid) AND ended_at IS NULL RETURNING id
            )
            SELECT EXISTS (SELECT 1 FROM ended) AS ended, EXISTS (SELECT 1 FROM meetings WHERE id = \(id.uuid)) AS known
            """, logger: logger).first()
        guard let row else { throw DomainError.notFound("Meeting") }
        if try row.get("ended", as: Bool.self) { return true }
        guard try row.get("known", as: Bool.self) else { throw DomainError.notFound("Meeting") }
        return false
    }

    // MARK: Invitations

    public func insertMeetingInvitation(_ invitation: MeetingInvitation) async throws {
        do {
            // `guest_id` starts empty whatever the value says: only `bindMeetingGuest` binds.
            _ = try await client.query("""
                INSERT INTO meeting_invitations (id, meeting_id, guest_name, guest_email, token_hash, created_by, created_at, expires_at)
                VALUES (\(invitation.id.uuid), \(invitation.meetingID.uuid), \(invitation.guestName), \(invitation.guestEmail),
                        \(invitation.tokenHash), \(invitation.createdBy.uuid), \(invitation.createdAt), \(invitation.expiresAt))
                """, logger: logger).collect()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw error.constraint == "meeting_invitations_meeting_id_fkey" ? DomainError.notFound("Meeting") : DomainError.notFound("Person")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The invitation already exists.")
        }
    }

    public func meetingInvitation(tokenHash: String) async throws -> MeetingInvitation? {
        try await client.query("""
            SELECT \(unescaped: MeetingRows.invitationColumns) FROM meeting_invitations WHERE token_hash = \(tokenHash)
            """, logger: logger).first().map(MeetingRows.invitation)
    }

    public func meetingInvitation(meeting: MeetingID, guest: PersonID) async throws -> MeetingInvitation? {
        try await client.query("""
            SELECT \(unescaped: MeetingRows.invitationColumns) FROM meeting_invitations
            WHERE meeting_id = \(meeting.uuid) AND guest_id = \(guest.uuid) ORDER BY created_at, id LIMIT 1
            """, logger: logger).first().map(MeetingRows.invitation)
    }

    public func meetingInvitation(guest: PersonID) async throws -> MeetingInvitation? {
        try await client.query("""
            SELECT \(unescaped: MeetingRows.invitationColumns) FROM meeting_invitations
            WHERE guest_id = \(guest.uuid) ORDER BY created_at, id LIMIT 1
            """, logger: logger).first().map(MeetingRows.invitation)
    }

    public func bindMeetingGuest(invitation id: MeetingInvitationID, newGuest: Person) async throws -> Person {
        try await transaction { connection in
            // The invitation's row lock makes devices opening the same link at once take turns:
            // the first makes the account, the others find it bound when they get the lock.
            guard let row = try await connection.query("""
                SELECT guest_id FROM meeting_invitations WHERE id = \(id.uuid) FOR UPDATE
                """, logger: logger).first() else { throw DomainError.notFound("Invitation") }
            if let bound = try row.optionalID("guest_id", as: PersonID.self) {
                let rows = try await connection.query("""
                    SELECT \(unescaped: PeopleRows.columns) FROM people WHERE id = \(bound.uuid)
                    """, logger: logger).all()
                if let person = try await PeopleRows.people(rows, on: connection, logger: logger).first { return person }
            }
            try await MeetingRows.insertGuest(newGuest, on: connection, logger: logger)
            _ = try await connection.query("""
                UPDATE meeting_invitations SET guest_id = \(newGuest.id.uuid) WHERE id = \(id.uuid)
                """, logger: logger).collect()
            return newGuest
        }
    }

    // MARK: Attendance

    public func openAttendance(_ attendance: MeetingAttendance) async throws -> Int64 {
        do {
            let row = try await client.query("""
                INSERT INTO meeting_attendance (meeting_id, person_id, joined_at)
                VALUES (\(attendance.meetingID.uuid), \(attendance.personID.uuid), \(attendance.joinedAt)) RETURNING id
                """, logger: logger).first()
            guard let row else { throw PostgresStoreError.corrupt("meeting_attendance: no id returned") }
            return try row.get("id")
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw error.constraint == "meeting_attendance_meeting_id_fkey" ? DomainError.notFound("Meeting") : DomainError.notFound("Person")
        }
    }

    public func closeAttendance(_ id: Int64, at: Date) async throws {
        _ = try await client.query("""
            UPDATE meeting_attendance SET left_at = \(at) WHERE id = \(id) AND left_at IS NULL
            """, logger: logger).collect()
    }

    public func closeOpenAttendance(of meeting: MeetingID, at: Date) async throws -> Int {
        try await client.query("""
            WITH closed AS (
                UPDATE meeting_attendance SET left_at = greatest(joined_at, \(at)) WHERE left_at IS NULL AND meeting_id = \(meeting.uuid) RETURNING 1
            )
            SELECT count(*) AS n FROM closed
            """, logger: logger).first()?.get("n") ?? 0
    }

    public func meetingsWithOpenAttendance() async throws -> Set<MeetingID> {
        Set(try await client.query("SELECT DISTINCT meeting_id FROM meeting_attendance WHERE left_at IS NULL", logger: logger).all()
            .map { try $0.id("meeting_id") })
    }

    public func closeOpenAttendance(at: Date) async throws -> Int {
        // Never before the stay began: a clock set back across the restart still gives a
        // stay of zero length, not a negative one.
        try await client.query("""
            WITH closed AS (
                UPDATE meeting_attendance SET left_at = greatest(joined_at, \(at)) WHERE left_at IS NULL RETURNING 1
            )
            SELECT count(*) AS n FROM closed
            """, logger: logger).first()?.get("n") ?? 0
    }

    public func attendance(meeting: MeetingID) async throws -> [MeetingAttendance] {
        try await client.query("""
            SELECT meeting_id, person_id, joined_at, left_at FROM meeting_attendance
            WHERE meeting_id = \(meeting.uuid) ORDER BY joined_at, id
            """, logger: logger).all().map(MeetingRows.attendance)
    }
}
