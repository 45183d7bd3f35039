import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Throws `notFound("Person")` when the owner does not exist, `conflict` when the id is taken.
    public func createWorkspace(_ workspace: Workspace, owner: PersonID) async throws {
        try await pool.write { db in
            try Self.requirePerson(owner, db)
            do {
                try WorkspaceRow(workspace).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The workspace already exists.")
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
            try MembershipRow(Membership(
                workspaceID: workspace.id, personID: owner, role: .owner, joinedAt: workspace.createdAt
            )).insert(db)
        }
    }

    public func workspace(id: WorkspaceID) async throws -> Workspace? {
        try await pool.read { db in try WorkspaceRow.fetchOne(db, key: id.description)?.workspace }
    }

    public func overview(id: WorkspaceID) async throws -> WorkspaceOverview? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT w.*, \(Self.countColumns("w"))
                FROM workspaces w WHERE w.id = ?
                """, arguments: [id.description]).map(Self.overview(_:))
        }
    }

    public func updateWorkspace(_ workspace: Workspace) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE workspaces SET name = ?, name_key = ?, description = ?, visibility = ?
                WHERE id = ?
                """, arguments: [
                    workspace.name, Key.of(workspace.name), workspace.description,
                    workspace.visibility.rawValue, workspace.id.description,
                ])
            guard db.changesCount > 0 else { throw DomainError.notFound("Workspace") }
        }
    }

    /// Memberships, join requests and invitations go with it (foreign keys cascade).
    /// Throws `notFound("Workspace")` when it does not exist.
    public func deleteWorkspace(id: WorkspaceID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM workspaces WHERE id = ?", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Workspace") }
        }
    }

    public func membership(workspace: WorkspaceID, person: PersonID) async throws -> MembershipRole? {
        try await pool.read { db in try Self.role(workspace, person, db) }
    }

    public func workspaces(of person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        try await listing(
            from: "workspaces w JOIN memberships m ON m.workspace_id = w.id AND m.person_id = :person",
            myRole: "m.role", person: person, text: text, page: page
        )
    }

    public func discoverableWorkspaces(for person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        try await listing(
            from: """
                workspaces w WHERE w.visibility IN ('open', 'closed')
                AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id AND m.person_id = :person)
                """,
            myRole: "NULL", person: person, text: text, page: page
        )
    }

    /// One page of workspaces with their counts: the page is chosen first (ordered by name),
    /// then the counts are computed for that page only, in the same query.
    private func listing(
        from source: String, myRole: String, person: PersonID, text: String?, page: PageRequest
    ) async throws -> Page<WorkspaceListing> {
        let connector = source.contains("WHERE") ? "AND" : "WHERE"
        var filter = ""
        var arguments: [String: (any DatabaseValueConvertible)?] = ["person": person.description]
        if let needle = Key.query(text) {
            filter = "\(connector) w.name_key LIKE :pattern ESCAPE '\\'"
            arguments["pattern"] = Key.containsPattern(needle)
        }
        let countArguments = StatementArguments(arguments)
        arguments["limit"] = page.limit
        arguments["offset"] = page.offset
        let pageArguments = StatementArguments(arguments)
        let filterClause = filter
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(source) \(filterClause)", arguments: countArguments) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                WITH page AS (
                    SELECT w.*, \(myRole) AS my_role FROM \(source) \(filterClause)
                    ORDER BY w.name COLLATE communis_name, w.id
                    LIMIT :limit OFFSET :offset
                )
                SELECT page.*, \(Self.countColumns("page")),
                    EXISTS (SELECT 1 FROM join_requests r WHERE r.workspace_id = page.id AND r.person_id = :person)
                        AS my_request_pending
                FROM page
                ORDER BY page.name COLLATE communis_name, page.id
                """, arguments: pageArguments)
            let items = try rows.map { row in
                let roleText: String? = row["my_role"]
                return WorkspaceListing(
                    overview: try Self.overview(row),
                    myRole: roleText.flatMap(MembershipRole.init(rawValue:)),
                    myRequestPending: row["my_request_pending"]
                )
            }
            return Page(items: items, total: total, request: page)
        }
    }

    /// `member_count`, `owner_count` and `guest_count` (members whose account is a guest's)
    /// of the workspace row aliased `alias`.
    private static func countColumns(_ alias: String) -> String {
        """
        (SELECT COUNT(*) FROM memberships c WHERE c.workspace_id = \(alias).id) AS member_count,
        (SELECT COUNT(*) FROM memberships c WHERE c.workspace_id = \(alias).id AND c.role = 'owner') AS owner_count,
        (SELECT COUNT(*) FROM memberships c JOIN people p ON p.id = c.person_id
            WHERE c.workspace_id = \(alias).id AND p.role = 'guest') AS guest_count
        """
    }

    private static func overview(_ row: Row) throws -> WorkspaceOverview {
        WorkspaceOverview(
            workspace: try WorkspaceRow(row: row).workspace,
            memberCount: row["member_count"], ownerCount: row["owner_count"], guestCount: row["guest_count"]
        )
    }

    static func role(_ workspace: WorkspaceID, _ person: PersonID, _ db: Database) throws -> MembershipRole? {
        try MembershipRow.fetchOne(db, key: ["workspace_id": workspace.description, "person_id": person.description])?
            .membership.role
    }

    static func requirePerson(_ id: PersonID, _ db: Database) throws {
        guard try PersonRow.exists(db, key: id.description) else { throw DomainError.notFound("Person") }
    }

    static func requireWorkspace(_ id: WorkspaceID, _ db: Database) throws {
        guard try WorkspaceRow.exists(db, key: id.description) else { throw DomainError.notFound("Workspace") }
    }
}
