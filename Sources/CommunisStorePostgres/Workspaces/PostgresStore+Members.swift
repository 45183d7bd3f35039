import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    static let memberColumns = "\(PeopleRows.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")), m.role AS membership_role, m.joined_at"

    private func members(_ rows: [PostgresRandomAccessRow], on connection: PostgresConnection) async throws -> [Member] {
        let people = try await PeopleRows.people(rows, on: connection, logger: logger)
        return try zip(rows, people).map { row, person in
            Member(person: person, role: try row.enum("membership_role"), joinedAt: try row.get("joined_at"))
        }
    }

    public func member(workspace: WorkspaceID, person: PersonID) async throws -> Member? {
        try await client.withConnection { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.memberColumns) FROM memberships m JOIN people p ON p.id = m.person_id
                WHERE m.workspace_id = \(workspace.uuid) AND m.person_id = \(person.uuid)
                """, logger: logger).all()
            return try await members(rows, on: connection).first
        }
    }

    public func members(of workspace: WorkspaceID, page: PageRequest) async throws -> Page<Member> {
        try await client.withConnection { connection in
            let total: Int = try await connection.query("SELECT count(*) AS n FROM memberships WHERE workspace_id = \(workspace.uuid)", logger: logger)
                .first()?.get("n") ?? 0
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.memberColumns) FROM memberships m JOIN people p ON p.id = m.person_id
                WHERE m.workspace_id = \(workspace.uuid)
                ORDER BY m.role = 'owner' DESC, p.name COLLATE communis_name, p.id LIMIT \(page.limit) OFFSET \(page.offset)
                """, logger: logger).all()
            return Page(items: try await members(rows, on: connection), total: total, request: page)
        }
    }

    /// Throws `notFound("Workspace")` / `notFound("Person")` when either does not exist.
    public func addMember(_ membership: Membership) async throws {
        try await transaction { connection in
            try await WorkspaceRows.lock(membership.workspaceID, on: connection, logger: logger)
            try await WorkspaceRows.requirePerson(membership.personID, on: connection, logger: logger)
            let inserted = try await connection.query("""
                INSERT INTO memberships (workspace_id, person_id, role, joined_at)
                VALUES (\(membership.workspaceID.uuid), \(membership.personID.uuid), \(membership.role.rawValue), \(membership.joinedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).all()
            guard !inserted.isEmpty else { throw DomainError.conflict("The person is already a member of this workspace.") }
            try await connection.query("""
                DELETE FROM join_requests WHERE workspace_id = \(membership.workspaceID.uuid) AND person_id = \(membership.personID.uuid)
                """, logger: logger).run()
        }
    }

    public func setMemberRole(workspace: WorkspaceID, person: PersonID, role: MembershipRole) async throws {
        try await transaction { connection in
            try await WorkspaceRows.lock(workspace, on: connection, logger: logger)
            guard let current = try await WorkspaceRows.role(workspace, person, on: connection, logger: logger) else {
                throw DomainError.notFound("Member")
            }
            guard current != role else { return }
            try await WorkspaceRows.requireAnotherOwner(workspace, removing: current == .owner, on: connection, logger: logger)
            // A membership changed by hand is a hand membership from now on: the rules no longer
            // adjust or remove it.
            try await connection.query("""
                UPDATE memberships SET role = \(role.rawValue), origin = 'manual' WHERE workspace_id = \(workspace.uuid) AND person_id = \(person.uuid)
                """, logger: logger).run()
        }
    }

    public func removeMember(workspace: WorkspaceID, person: PersonID) async throws {
        try await transaction { connection in
            try await WorkspaceRows.lock(workspace, on: connection, logger: logger)
            guard let current = try await WorkspaceRows.role(workspace, person, on: connection, logger: logger) else {
                throw DomainError.notFound("Member")
            }
            try await WorkspaceRows.requireAnotherOwner(workspace, removing: current == .owner, on: connection, logger: logger)
            try await connection.query("DELETE FROM memberships WHERE workspace_id = \(workspace.uuid) AND person_id = \(person.uuid)", logger: logger)
                .run()
        }
    }

    public func shareWorkspace(_ a: PersonID, _ b: PersonID) async throws -> Bool {
        try await client.query("""
            SELECT EXISTS (SELECT 1 FROM memberships x JOIN memberships y ON y.workspace_id = x.workspace_id
                           WHERE x.person_id = \(a.uuid) AND y.person_id = \(b.uuid)) AS shared
            """, logger: logger).first()?.get("shared") ?? false
    }

    /// Throws `conflict` if a request is pending, `notFound("Workspace")` / `notFound("Person")`.
    public func insertJoinRequest(workspace: WorkspaceID, person: PersonID, at: Date) async throws {
        try await transaction { connection in
            try await WorkspaceRows.lock(workspace, on: connection, logger: logger)
            try await WorkspaceRows.requirePerson(person, on: connection, logger: logger)
            let inserted = try await connection.query("""
                INSERT INTO join_requests (workspace_id, person_id, requested_at) VALUES (\(workspace.uuid), \(person.uuid), \(at))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).all()
            guard !inserted.isEmpty else { throw DomainError.conflict("A request to join this workspace is already pending.") }
        }
    }

    public func joinRequests(of workspace: WorkspaceID) async throws -> [JoinRequest] {
        try await client.withConnection { connection in
            let columns = PeopleRows.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
            let rows = try await connection.query("""
                SELECT \(unescaped: columns), r.requested_at FROM join_requests r JOIN people p ON p.id = r.person_id
                WHERE r.workspace_id = \(workspace.uuid) ORDER BY r.requested_at, p.id
                """, logger: logger).all()
            let people = try await PeopleRows.people(rows, on: connection, logger: logger)
            return try zip(rows, people).map { row, person in
                JoinRequest(workspaceID: workspace, person: person, requestedAt: try row.get("requested_at"))
            }
        }
    }

    public func hasJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool {
        try await client.query("""
            SELECT 1 FROM join_requests WHERE workspace_id = \(workspace.uuid) AND person_id = \(person.uuid)
            """, logger: logger).first() != nil
    }

    public func deleteJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool {
        try await client.query("""
            DELETE FROM join_requests WHERE workspace_id = \(workspace.uuid) AND person_id = \(person.uuid) RETURNING 1
            """, logger: logger).first() != nil
    }

    /// Throws `notFound("Workspace")` / `notFound("Person")` when the workspace, the guest or
    /// the inviter does not exist, `conflict` when the token hash is already stored.
    public func insertInvitation(_ invitation: GuestInvitationRecord) async throws {
        try await transaction { connection in
            guard try await connection.query("SELECT 1 FROM workspaces WHERE id = \(invitation.workspaceID.uuid)", logger: logger).first() != nil else {
                throw DomainError.notFound("Workspace")
            }
            try await WorkspaceRows.requirePerson(invitation.personID, on: connection, logger: logger)
            try await WorkspaceRows.requirePerson(invitation.invitedBy, on: connection, logger: logger)
            let inserted = try await connection.query("""
                INSERT INTO guest_invitations (token_hash, workspace_id, person_id, invited_by, created_at, expires_at, accepted_at)
                VALUES (\(invitation.tokenHash), \(invitation.workspaceID.uuid), \(invitation.personID.uuid), \(invitation.invitedBy.uuid),
                        \(invitation.createdAt), \(invitation.expiresAt), \(invitation.acceptedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).all()
            guard !inserted.isEmpty else { throw DomainError.conflict("The invitation already exists.") }
        }
    }

    public func invitation(tokenHash: String) async throws -> GuestInvitationRecord? {
        try await client.query("SELECT * FROM guest_invitations WHERE token_hash = \(tokenHash)", logger: logger).first().map(WorkspaceRows.invitation)
    }

    /// Also removes a pending join request of the guest for that workspace, as `addMember` does.
    public func acceptInvitation(tokenHash: String, passwordHash: String?, at: Date) async throws -> PersonID {
        try await transaction { connection in
            guard let invitation = try await connection.query("""
                SELECT * FROM guest_invitations WHERE token_hash = \(tokenHash) FOR UPDATE
                """, logger: logger).first().map(WorkspaceRows.invitation),
                  invitation.acceptedAt == nil, at < invitation.expiresAt else {
                throw DomainError.invitationInvalid
            }
            if let passwordHash {
                try await connection.query("UPDATE people SET password_hash = \(passwordHash) WHERE id = \(invitation.personID.uuid)", logger: logger)
                    .run()
            }
            try await WorkspaceRows.lock(invitation.workspaceID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO memberships (workspace_id, person_id, role, joined_at) VALUES (\(invitation.workspaceID.uuid), \(invitation.personID.uuid), 'member', \(at))
                ON CONFLICT DO NOTHING
                """, logger: logger).run()
            try await connection.query("""
                DELETE FROM join_requests WHERE workspace_id = \(invitation.workspaceID.uuid) AND person_id = \(invitation.personID.uuid)
                """, logger: logger).run()
            try await connection.query("UPDATE guest_invitations SET accepted_at = \(at) WHERE token_hash = \(tokenHash)", logger: logger).run()
            return invitation.personID
        }
    }
}
