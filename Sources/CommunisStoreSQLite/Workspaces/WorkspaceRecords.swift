import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `workspaces`.
struct WorkspaceRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "workspaces"

    var workspace: Workspace

    init(_ workspace: Workspace) { self.workspace = workspace }

    init(row: Row) throws {
        let idText: String = row["id"]
        let visibilityText: String = row["visibility"]
        let createdByText: String? = row["created_by"]
        guard let id = WorkspaceID(idText) else { throw CorruptRow(table: "workspaces", column: "id", value: idText) }
        guard let visibility = Visibility(rawValue: visibilityText) else {
            throw CorruptRow(table: "workspaces", column: "visibility", value: visibilityText)
        }
        var createdBy: PersonID?
        if let createdByText {
            guard let personID = PersonID(createdByText) else {
                throw CorruptRow(table: "workspaces", column: "created_by", value: createdByText)
            }
            createdBy = personID
        }
        workspace = Workspace(
            id: id, name: row["name"], description: row["description"], visibility: visibility,
            createdBy: createdBy, createdAt: Date(timeIntervalSince1970: row["created_at"])
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = workspace.id.description
        container["name"] = workspace.name
        container["name_key"] = Key.of(workspace.name)
        container["description"] = workspace.description
        container["visibility"] = workspace.visibility.rawValue
        container["created_by"] = workspace.createdBy?.description
        container["created_at"] = workspace.createdAt.unixSeconds
    }
}

/// A row of `memberships`.
struct MembershipRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "memberships"

    var membership: Membership

    init(_ membership: Membership) { self.membership = membership }

    init(row: Row) throws {
        let workspaceText: String = row["workspace_id"]
        let personText: String = row["person_id"]
        let roleText: String = row["role"]
        guard let workspaceID = WorkspaceID(workspaceText) else {
            throw CorruptRow(table: "memberships", column: "workspace_id", value: workspaceText)
        }
        guard let personID = PersonID(personText) else { throw CorruptRow(table: "memberships", column: "person_id", value: personText) }
        guard let role = MembershipRole(rawValue: roleText) else { throw CorruptRow(table: "memberships", column: "role", value: roleText) }
        membership = Membership(
            workspaceID: workspaceID, personID: personID, role: role,
            joinedAt: Date(timeIntervalSince1970: row["joined_at"])
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["workspace_id"] = membership.workspaceID.description
        container["person_id"] = membership.personID.description
        container["role"] = membership.role.rawValue
        container["joined_at"] = membership.joinedAt.unixSeconds
    }
}

/// A row of `join_requests`.
struct JoinRequestRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "join_requests"

    var workspaceID: String
    var personID: String
    var requestedAt: Double

    init(workspace: WorkspaceID, person: PersonID, at: Date) {
        workspaceID = workspace.description
        personID = person.description
        requestedAt = at.unixSeconds
    }

    init(row: Row) throws {
        workspaceID = row["workspace_id"]
        personID = row["person_id"]
        requestedAt = row["requested_at"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["workspace_id"] = workspaceID
        container["person_id"] = personID
        container["requested_at"] = requestedAt
    }
}

/// A row of `guest_invitations`.
struct InvitationRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "guest_invitations"

    var invitation: GuestInvitationRecord

    init(_ invitation: GuestInvitationRecord) { self.invitation = invitation }

    init(row: Row) throws {
        let table = "guest_invitations"
        let acceptedAt: Double? = row["accepted_at"]
        invitation = GuestInvitationRecord(
            tokenHash: row["token_hash"], workspaceID: try row.id("workspace_id", table: table),
            personID: try row.id("person_id", table: table), invitedBy: try row.id("invited_by", table: table),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
            acceptedAt: acceptedAt.map(Date.init(timeIntervalSince1970:))
        )
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["token_hash"] = invitation.tokenHash
        container["workspace_id"] = invitation.workspaceID.description
        container["person_id"] = invitation.personID.description
        container["invited_by"] = invitation.invitedBy.description
        container["created_at"] = invitation.createdAt.unixSeconds
        container["expires_at"] = invitation.expiresAt.unixSeconds
        container["accepted_at"] = invitation.acceptedAt?.unixSeconds
    }
}

extension Row {
    /// A parsed id from a column the schema declares as a UUID.
    func id<Tag>(_ column: String, table: String) throws -> ID<Tag> {
        let text: String = self[column]
        guard let id = ID<Tag>(text) else { throw CorruptRow(table: table, column: column, value: text) }
        return id
    }
}
