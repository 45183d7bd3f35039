import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createMeeting(_ meeting: Meeting) async throws {
        try await pool.write { db in
            try Self.requireWorkspace(meeting.workspaceID, db)
            do {
                try MeetingRow(meeting).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The meeting already exists.")
            }
        }
    }

    public func meeting(id: MeetingID) async throws -> Meeting? {
        try await pool.read { db in try MeetingRow.fetchOne(db, key: id.description)?.meeting }
    }

    public func meetings(workspace: WorkspaceID, includeEnded: Bool) async throws -> [Meeting] {
        let endedFilter = includeEnded ? "" : "AND ended_at IS NULL"
        return try await pool.read { db in
            try MeetingRow.fetchAll(db, sql: """
                SELECT * FROM meetings WHERE workspace_id = ? \(endedFilter)
                ORDER BY CASE WHEN ended_at IS NOT NULL THEN 2 WHEN started_at IS NOT NULL THEN 0 ELSE 1 END,
                    created_at DESC, id
                """, arguments: [workspace.description]).map(\.meeting)
        }
    }

    public func liveMeetings(of person: PersonID) async throws -> [Meeting] {
        try await pool.read { db in
            try MeetingRow.fetchAll(db, sql: """
                SELECT m.* FROM memberships s JOIN meetings m ON m.workspace_id = s.workspace_id
                WHERE s.person_id = ? AND m.started_at IS NOT NULL AND m.ended_at IS NULL
                ORDER BY m.started_at DESC, m.id
                """, arguments: [person.description]).map(\.meeting)
        }
    }

    public func meetings(chatThreads threads: Set<ThreadID>) async throws -> [ThreadID: Meeting] {
        guard !threads.isEmpty else { return [:] }
        let ids = threads.map(\.description).sorted()
        return try await pool.read { db in
            let rows = try MeetingRow.fetchAll(
                db, sql: "SELECT * FROM meetings WHERE thread_id IN (SELECT value FROM json_each(?))",
                arguments: [jsonArray(ids)])
            return Dictionary(rows.map { ($0.meeting.threadID, $0.meeting) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func markMeetingStarted(_ id: MeetingID, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE meetings SET started_at = ? WHERE id = ? AND started_at IS NULL AND ended_at IS NULL",
                arguments: [at.unixSeconds, id.description])
            return db.changesCount > 0
        }
    }

    public func markMeetingEnded(_ id: MeetingID, at: Date, by: PersonID?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE meetings SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL",
                arguments: [at.unixSeconds, by?.description, id.description])
            if db.changesCount > 0 { return true }
            guard try MeetingRow.exists(db, key: id.description) else { throw DomainError.notFound("Meeting") }
            return false
        }
    }

    // MARK: Invitations

    public func insertMeetingInvitation(_ invitation: MeetingInvitation) async throws {
        var stored = invitation
        stored.guestID = nil
        try await pool.write { [stored] db in
            guard try MeetingRow.exists(db, key: stored.meetingID.description) else { throw DomainError.notFound("Meeting") }
            do {
                try MeetingInvitationRow(stored).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The invitation already exists.")
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
        }
    }

    public func meetingInvitation(tokenHash: String) async throws -> MeetingInvitation? {
        try await pool.read { db in
            try MeetingInvitationRow.fetchOne(db, sql: "SELECT * FROM meeting_invitations WHERE token_hash = ?", arguments: [tokenHash])?
                .invitation
        }
    }

    public func meetingInvitation(meeting: MeetingID, guest: PersonID) async throws -> MeetingInvitation? {
        try await pool.read { db in
            try MeetingInvitationRow.fetchOne(
                db, sql: "SELECT * FROM meeting_invitations WHERE meeting_id = ? AND guest_id = ? ORDER BY created_at, id LIMIT 1",
                arguments: [meeting.description, guest.description])?.invitation
        }
    }

    public func meetingInvitation(guest: PersonID) async throws -> MeetingInvitation? {
        try await pool.read { db in
            try MeetingInvitationRow.fetchOne(
                db, sql: "SELECT * FROM meeting_invitations WHERE guest_id = ? ORDER BY created_at, id LIMIT 1",
                arguments: [guest.description])?.invitation
        }
    }

    public func bindMeetingGuest(invitation id: MeetingInvitationID, newGuest: Person) async throws -> Person {
        try await pool.write { db in
            guard let invitation = try MeetingInvitationRow.fetchOne(db, key: id.description)?.invitation else {
                throw DomainError.notFound("Invitation")
            }
            if let bound = invitation.guestID, let row = try PersonRow.fetchOne(db, key: bound.description),
               let person = try PersonRow.people([row], db).first {
                return person
            }
            let row = PersonRow(newGuest, passwordHash: nil)
            do {
                try row.insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw Self.personConflict(error)
            }
            try CompetenceRow.insertAll(newGuest.profile.competences, of: row.id, db)
            try db.execute(
                sql: "UPDATE meeting_invitations SET guest_id = ? WHERE id = ?",
                arguments: [newGuest.id.description, id.description])
            return newGuest
        }
    }

    // MARK: Attendance

    public func openAttendance(_ attendance: MeetingAttendance) async throws -> Int64 {
        try await pool.write { db in
            guard try MeetingRow.exists(db, key: attendance.meetingID.description) else { throw DomainError.notFound("Meeting") }
            try Self.requirePerson(attendance.personID, db)
            try db.execute(
                sql: "INSERT INTO meeting_attendance (meeting_id, person_id, joined_at) VALUES (?, ?, ?)",
                arguments: [attendance.meetingID.description, attendance.personID.description, attendance.joinedAt.unixSeconds])
            return db.lastInsertedRowID
        }
    }

    public func closeAttendance(_ id: Int64, at: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE meeting_attendance SET left_at = ? WHERE id = ? AND left_at IS NULL",
                arguments: [at.unixSeconds, id])
        }
    }

    public func closeOpenAttendance(at: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "UPDATE meeting_attendance SET left_at = max(joined_at, ?) WHERE left_at IS NULL", arguments: [at.unixSeconds])
            return db.changesCount
        }
    }

    public func closeOpenAttendance(of meeting: MeetingID, at: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "UPDATE meeting_attendance SET left_at = max(joined_at, ?) WHERE left_at IS NULL AND meeting_id = ?",
                           arguments: [at.unixSeconds, meeting.description])
            return db.changesCount
        }
    }

    public func meetingsWithOpenAttendance() async throws -> Set<MeetingID> {
        try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT meeting_id FROM meeting_attendance WHERE left_at IS NULL").compactMap(MeetingID.init))
        }
    }

    public func attendance(meeting: MeetingID) async throws -> [MeetingAttendance] {
        try await pool.read { db in
            try MeetingAttendanceRow.fetchAll(
                db, sql: "SELECT * FROM meeting_attendance WHERE meeting_id = ? ORDER BY joined_at, id",
                arguments: [meeting.description]).map(\.attendance)
        }
    }
}
