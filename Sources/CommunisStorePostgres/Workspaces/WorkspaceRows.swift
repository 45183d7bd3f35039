import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading workspace rows and their counts.
enum WorkspaceRows {
    static func workspace(_ row: PostgresRandomAccessRow) throws -> Workspace {
        Workspace(id: try row.id("id"), name: try row.get("name"), description: try row.get("description"),
                  visibility: try row.enum("visibility"), createdBy: try row.optionalID("created_by"), createdAt: try row.get("created_at"))
    }

    /// `member_count`, `owner_count` and `guest_count` of the workspace row aliased `alias`.
    static func countColumns(_ alias: String) -> String {
        """
        (SELECT count(*) FROM memberships c WHERE c.workspace_id = \(alias).id) AS member_count,
        (SELECT count(*) FROM memberships c WHERE c.workspace_id = \(alias).id AND c.role = 'owner') AS owner_count,
        (SELECT count(*) FROM memberships c JOIN people p ON p.id = c.person_id
            WHERE c.workspace_id = \(alias).id AND p.role = 'guest') AS guest_count
        """
    }

    static func overview(_ row: PostgresRandomAccessRow) throws -> WorkspaceOverview {
        WorkspaceOverview(workspace: try workspace(row), memberCount: try row.get("member_count", as: Int.self),
                          ownerCount: try row.get("owner_count", as: Int.self), guestCount: try row.get("guest_count", as: Int.self))
    }

    static func invitation(_ row: PostgresRandomAccessRow) throws -> GuestInvitationRecord {
        GuestInvitationRecord(tokenHash: try row.get("token_hash"), workspaceID: try row.id("workspace_id"), personID: try row.id("person_id"),
                              invitedBy: try row.id("invited_by"), createdAt: try row.get("created_at"), expiresAt: try row.get("expires_at"),
                              acceptedAt: try row.get("accepted_at"))
    }

    /// Locks the workspace row for the rest of the transaction: membership changes of one
    /// workspace then happen one after another, so a count checked here (its owners) stays
    /// true until the commit — what SQLite's single writer gives the other engine.
    static func lock(_ workspace: WorkspaceID, on connection: PostgresConnection, logger: Logger) async throws {
        guard try await connection.query("SELECT 1 FROM workspaces WHERE id = \(workspace.uuid) FOR UPDATE", logger: logger).first() != nil else {
            throw DomainError.notFound("Workspace")
        }
    }

    static func requirePerson(_ person: PersonID, on connection: PostgresConnection, logger: Logger) async throws {
        guard try await connection.query("SELECT 1 FROM people WHERE id = \(person.uuid)", logger: logger).first() != nil else {
            throw DomainError.notFound("Person")
        }
    }

    static func role(_ workspace: WorkspaceID, _ person: PersonID, on connection: PostgresConnection, logger: Logger) async throws -> MembershipRole? {
        try await connection.query("""
            SELECT role FROM memberships WHERE workspace_id = \(workspace.uuid) AND person_id = \(person.uuid)
            """, logger: logger).first().map { try $0.enum("role") }
    }

    /// Inside the caller's transaction (after `lock`), so two owners stepping down at once
    /// cannot both pass.
    static func requireAnotherOwner(_ workspace: WorkspaceID, removing: Bool, on connection: PostgresConnection, logger: Logger) async throws {
        guard removing else { return }
        let owners: Int = try await connection.query("""
            SELECT count(*) AS n FROM memberships WHERE workspace_id = \(workspace.uuid) AND role = 'owner'
            """, logger: logger).first()?.get("n") ?? 0
        guard WorkspacePolicy.leavesAnOwner(currentOwners: owners, removingOwner: true) else {
            throw DomainError.conflict("A workspace must keep at least one owner; make someone else owner first.")
        }
    }
}
