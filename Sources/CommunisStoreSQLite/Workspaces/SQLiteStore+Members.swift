import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func member(workspace: WorkspaceID, person: PersonID) async throws -> Member? {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, m.role AS membership_role, m.joined_at
                FROM memberships m JOIN people p ON p.id = m.person_id
                WHERE m.workspace_id = ? AND m.person_id = ?
                """, arguments: [workspace.description, person.description])
            return try Self.members(rows, db).first
        }
    }

    public func members(of workspace: WorkspaceID, page: PageRequest) async throws -> Page<Member> {
        try await pool.read { db in
            let total = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM memberships WHERE workspace_id = ?", arguments: [workspace.description]
            ) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, m.role AS membership_role, m.joined_at
                FROM memberships m JOIN people p ON p.id = m.person_id
                WHERE m.workspace_id = ?
                ORDER BY m.role = 'owner' DESC, p.name COLLATE communis_name, p.id
                LIMIT ? OFFSET ?
                """, arguments: [workspace.description, page.limit, page.offset])
            return Page(items: try Self.members(rows, db), total: total, request: page)
        }
    }

    /// Members from rows of `people` extended with `membership_role` and `joined_at`.
    private static func members(_ rows: [Row], _ db: Database) throws -> [Member] {
        let people = try PersonRow.people(rows.map(PersonRow.init(row:)), db)
        return try zip(rows, people).map { row, person in
            let roleText: String = row["membership_role"]
            guard let role = MembershipRole(rawValue: roleText) else {
                throw CorruptRow(table: "memberships", column: "role", value: roleText)
            }
            return Member(person: person, role: role, joinedAt: Date(timeIntervalSince1970: row["joined_at"]))
        }
    }

    /// Throws `notFound("Workspace")` / `notFound("Person")` when either does not exist.
    public func addMember(_ membership: Membership) async throws {
        try await pool.write { db in
            try Self.requireWorkspace(membership.workspaceID, db)
            try Self.requirePerson(membership.personID, db)
            do {
                try MembershipRow(membership).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The person is already a member of this workspace.")
            }
            try Self.deleteJoinRequest(membership.workspaceID, membership.personID, db)
        }
    }

    public func setMemberRole(workspace: WorkspaceID, person: PersonID, role: MembershipRole) async throws {
        try await pool.write { db in
            guard let current = try Self.role(workspace, person, db) else { throw DomainError.notFound("Member") }
            guard current != role else { return }
            try Self.requireAnotherOwner(workspace, removing: current == .owner, db)
            try db.execute(
                // A membership changed by hand is a hand membership from now on: the rules
                // no longer adjust or remove it.
                sql: "UPDATE memberships SET role = ?, origin = 'manual' WHERE workspace_id = ? AND person_id = ?",
                arguments: [role.rawValue, workspace.description, person.description]
            )
        }
    }

    public func removeMember(workspace: WorkspaceID, person: PersonID) async throws {
        try await pool.write { db in
            guard let current = try Self.role(workspace, person, db) else { throw DomainError.notFound("Member") }
            try Self.requireAnotherOwner(workspace, removing: current == .owner, db)
            try db.execute(
                sql: "DELETE FROM memberships WHERE workspace_id = ? AND person_id = ?",
                arguments: [workspace.description, person.description]
            )
        }
    }

    public func shareWorkspace(_ a: PersonID, _ b: PersonID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (
                    SELECT 1 FROM memberships x JOIN memberships y ON y.workspace_id = x.workspace_id
                    WHERE x.person_id = ? AND y.person_id = ?
                )
                """, arguments: [a.description, b.description]) ?? false
        }
    }

    /// Throws `conflict` if a request is pending, `notFound("Workspace")` / `notFound("Person")`
    /// when either does not exist.
    public func insertJoinRequest(workspace: WorkspaceID, person: PersonID, at: Date) async throws {
        try await pool.write { db in
            try Self.requireWorkspace(workspace, db)
            try Self.requirePerson(person, db)
            do {
                try JoinRequestRow(workspace: workspace, person: person, at: at).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("A request to join this workspace is already pending.")
            }
        }
    }

    public func joinRequests(of workspace: WorkspaceID) async throws -> [JoinRequest] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, r.requested_at
                FROM join_requests r JOIN people p ON p.id = r.person_id
                WHERE r.workspace_id = ?
                ORDER BY r.requested_at, p.id
                """, arguments: [workspace.description])
            let people = try PersonRow.people(rows.map(PersonRow.init(row:)), db)
            return zip(rows, people).map { row, person in
                JoinRequest(workspaceID: workspace, person: person, requestedAt: Date(timeIntervalSince1970: row["requested_at"]))
            }
        }
    }

    public func hasJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool {
        try await pool.read { db in
            try JoinRequestRow.exists(db, key: ["workspace_id": workspace.description, "person_id": person.description])
        }
    }

    public func deleteJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool {
        try await pool.write { db in try Self.deleteJoinRequest(workspace, person, db) }
    }

    /// Throws `notFound("Workspace")` / `notFound("Person")` when the workspace, the guest or
    /// the inviter does not exist, `conflict` when the token hash is already stored.
    public func insertInvitation(_ invitation: GuestInvitationRecord) async throws {
        try await pool.write { db in
            try Self.requireWorkspace(invitation.workspaceID, db)
            try Self.requirePerson(invitation.personID, db)
            try Self.requirePerson(invitation.invitedBy, db)
            do {
                try InvitationRow(invitation).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The invitation already exists.")
            }
        }
    }

    public func invitation(tokenHash: String) async throws -> GuestInvitationRecord? {
        try await pool.read { db in try InvitationRow.fetchOne(db, key: tokenHash)?.invitation }
    }

    /// Also removes a pending join request of the guest for that workspace, as `addMember` does.
    public func acceptInvitation(tokenHash: String, passwordHash: String?, at: Date) async throws -> PersonID {
        try await pool.write { db in
            guard let invitation = try InvitationRow.fetchOne(db, key: tokenHash)?.invitation,
                  invitation.acceptedAt == nil, at < invitation.expiresAt else {
                throw DomainError.invitationInvalid
            }
            if let passwordHash {
                try db.execute(
                    sql: "UPDATE people SET password_hash = ? WHERE id = ?",
                    arguments: [passwordHash, invitation.personID.description]
                )
            }
            if try Self.role(invitation.workspaceID, invitation.personID, db) == nil {
                try MembershipRow(Membership(
                    workspaceID: invitation.workspaceID, personID: invitation.personID, role: .member, joinedAt: at
                )).insert(db)
            }
            try Self.deleteJoinRequest(invitation.workspaceID, invitation.personID, db)
            try db.execute(
                sql: "UPDATE guest_invitations SET accepted_at = ? WHERE token_hash = ?",
                arguments: [at.unixSeconds, tokenHash]
            )
            return invitation.personID
        }
    }

    /// Inside the caller's transaction, so two owners stepping down at once cannot both pass.
    static func requireAnotherOwner(_ workspace: WorkspaceID, removing: Bool, _ db: Database) throws {
        guard removing else { return }
        let owners = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'",
            arguments: [workspace.description]
        ) ?? 0
        guard WorkspacePolicy.leavesAnOwner(currentOwners: owners, removingOwner: true) else {
            throw DomainError.conflict("A workspace must keep at least one owner; make someone else owner first.")
        }
    }

    @discardableResult
    private static func deleteJoinRequest(_ workspace: WorkspaceID, _ person: PersonID, _ db: Database) throws -> Bool {
        try db.execute(
            sql: "DELETE FROM join_requests WHERE workspace_id = ? AND person_id = ?",
            arguments: [workspace.description, person.description]
        )
        return db.changesCount > 0
    }
}
