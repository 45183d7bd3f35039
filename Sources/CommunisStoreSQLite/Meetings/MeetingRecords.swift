import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `meetings`.
struct MeetingRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "meetings"

    var meeting: Meeting

    init(_ meeting: Meeting) { self.meeting = meeting }

    init(row: Row) throws {
        let table = "meetings"
        let scheduledFor: Double? = row["scheduled_for"]
        let startedAt: Double? = row["started_at"]
        let endedAt: Double? = row["ended_at"]
        let endedByText: String? = row["ended_by"]
        var endedBy: PersonID?
        if let endedByText {
            guard let id = PersonID(endedByText) else { throw CorruptRow(table: table, column: "ended_by", value: endedByText) }
            endedBy = id
        }
        meeting = Meeting(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table), title: row["title"],
            scheduledFor: scheduledFor.map(Date.init(timeIntervalSince1970:)), createdBy: try row.id("created_by", table: table),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), threadID: try row.id("thread_id", table: table),
            startedAt: startedAt.map(Date.init(timeIntervalSince1970:)), endedAt: endedAt.map(Date.init(timeIntervalSince1970:)),
            endedBy: endedBy)
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = meeting.id.description
        container["workspace_id"] = meeting.workspaceID.description
        container["title"] = meeting.title
        container["scheduled_for"] = meeting.scheduledFor?.unixSeconds
        container["created_by"] = meeting.createdBy.description
        container["created_at"] = meeting.createdAt.unixSeconds
        container["thread_id"] = meeting.threadID.description
        container["started_at"] = meeting.startedAt?.unixSeconds
        container["ended_at"] = meeting.endedAt?.unixSeconds
        container["ended_by"] = meeting.endedBy?.description
    }
}

/// A row of `meeting_invitations`.
struct MeetingInvitationRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "meeting_invitations"

    var invitation: MeetingInvitation

    init(_ invitation: MeetingInvitation) { self.invitation = invitation }

    init(row: Row) throws {
        let table = "meeting_invitations"
        let guestText: String? = row["guest_id"]
        var guestID: PersonID?
        if let guestText {
            guard let id = PersonID(guestText) else { throw CorruptRow(table: table, column: "guest_id", value: guestText) }
            guestID = id
        }
        invitation = MeetingInvitation(
            id: try row.id("id", table: table), meetingID: try row.id("meeting_id", table: table), guestName: row["guest_name"],
            guestEmail: row["guest_email"], tokenHash: row["token_hash"], createdBy: try row.id("created_by", table: table),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
            guestID: guestID)
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = invitation.id.description
        container["meeting_id"] = invitation.meetingID.description
        container["guest_name"] = invitation.guestName
        container["guest_email"] = invitation.guestEmail
        container["token_hash"] = invitation.tokenHash
        container["created_by"] = invitation.createdBy.description
        container["created_at"] = invitation.createdAt.unixSeconds
        container["expires_at"] = invitation.expiresAt.unixSeconds
        container["guest_id"] = invitation.guestID?.description
    }
}

/// A row of `meeting_attendance` (its integer id is the stay's id).
struct MeetingAttendanceRow: FetchableRecord {
    var attendance: MeetingAttendance

    init(row: Row) throws {
        let table = "meeting_attendance"
        let leftAt: Double? = row["left_at"]
        attendance = MeetingAttendance(
            meetingID: try row.id("meeting_id", table: table), personID: try row.id("person_id", table: table),
            joinedAt: Date(timeIntervalSince1970: row["joined_at"]), leftAt: leftAt.map(Date.init(timeIntervalSince1970:)))
    }
}
