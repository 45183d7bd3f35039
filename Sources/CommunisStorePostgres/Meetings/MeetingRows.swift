import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading `meetings`, `meeting_invitations` and `meeting_attendance` rows.
enum MeetingRows {
    static let meetingColumns = """
        id, workspace_id, title, scheduled_for, created_by, created_at, thread_id, started_at, ended_at, ended_by
        """

    /// `meetingColumns` of the table aliased `m`.
    static let meetingColumnsOfM = meetingColumns.split(separator: ",")
        .map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    static let invitationColumns = """
        id, meeting_id, guest_name, guest_email, token_hash, created_by, created_at, expires_at, guest_id
        """

    static func meeting(_ row: PostgresRandomAccessRow) throws -> Meeting {
        Meeting(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), title: try row.get("title"),
            scheduledFor: try row.get("scheduled_for"), createdBy: try row.id("created_by"), createdAt: try row.get("created_at"),
            threadID: try row.id("thread_id"), startedAt: try row.get("started_at"), endedAt: try row.get("ended_at"),
            endedBy: try row.optionalID("ended_by"))
    }

    static func invitation(_ row: PostgresRandomAccessRow) throws -> MeetingInvitation {
        MeetingInvitation(
            id: try row.id("id"), meetingID: try row.id("meeting_id"), guestName: try row.get("guest_name"),
            guestEmail: try row.get("guest_email"), tokenHash: try row.get("token_hash"), createdBy: try row.id("created_by"),
            createdAt: try row.get("created_at"), expiresAt: try row.get("expires_at"), guestID: try row.optionalID("guest_id"))
    }

    static func attendance(_ row: PostgresRandomAccessRow) throws -> MeetingAttendance {
        MeetingAttendance(
            meetingID: try row.id("meeting_id"), personID: try row.id("person_id"), joinedAt: try row.get("joined_at"),
            leftAt: try row.get("left_at"))
    }

    /// Inserts the guest account an invitation makes, inside the caller's transaction (which
    /// holds the invitation's row lock). The same row as `insertPerson` writes, without a
    /// password: keep the two in step (`PostgresStore+People.swift`).
    static func insertGuest(_ person: Person, on connection: PostgresConnection, logger: Logger) async throws {
        let email = Email.normalize(person.email)
        do {
            _ = try await connection.query("""
                INSERT INTO people (id, email, login, name, role, role_source, managed_by, title, department, department_key,
                                    workplace, workplace_key, phone, presentation, search_text, password_hash, disabled,
                                    disabled_by, groups_unreadable, created_at, last_login_at)
                VALUES (\(person.id.uuid), \(email.isEmpty ? nil : email), \(person.login.map(Key.of)), \(person.name),
                        \(person.role.rawValue), \(person.roleSource.rawValue), \(person.managedBy?.rawValue), \(person.profile.title),
                        \(person.profile.department), \(Key.of(person.profile.department)), \(person.profile.workplace),
                        \(Key.of(person.profile.workplace)), \(person.profile.phone), \(person.profile.presentation),
                        \(PeopleRows.searchText(of: person)), \(String?.none), \(person.disabled),
                        \(person.disabled ? (person.disabledBy ?? .admin).rawValue : nil), \(person.groupsUnreadable),
                        \(person.createdAt), \(person.lastLoginAt))
                """, logger: logger).collect()
        } catch let error as PSQLError where error.isUniqueViolation {
            throw PeopleRows.conflict(error)
        }
        try await PeopleRows.insertCompetences(person.profile.competences, of: person.id.uuid, on: connection, logger: logger)
    }
}
