import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Throws `notFound("Person")` when the owner does not exist, `conflict` when the id is taken.
    public func createWorkspace(_ workspace: Workspace, owner: PersonID) async throws {
        try await transaction { connection in
            try await WorkspaceRows.requirePerson(owner, on: connection, logger: logger)
            do {
                try await connection.query("""
                    INSERT INTO workspaces (id, name, name_key, description, visibility, created_by, created_at)
                    VALUES (\(workspace.id.uuid), \(workspace.name), \(Key.of(workspace.name)), \(workspace.description),
                            \(workspace.visibility.rawValue), \(workspace.createdBy?.uuid), \(workspace.createdAt))
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isUniqueViolation {
                throw DomainError.conflict("The workspace already exists.")
            } catch let error as PSQLError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
            try await connection.query("""
                INSERT INTO memberships (workspace_id, person_id, role, joined_at) VALUES (\(workspace.id.uuid), \(owner.uuid), 'owner', \(workspace.createdAt))
                """, logger: logger).run()
        }
    }

    public func workspace(id: WorkspaceID) async throws -> Workspace? {
        try await client.query("SELECT * FROM workspaces WHERE id = \(id.uuid)", logger: logger).first().map(WorkspaceRows.workspace)
    }

    public func overview(id: WorkspaceID) async throws -> WorkspaceOverview? {
        try await client.query("""
            SELECT w.*, \(unescaped: WorkspaceRows.countColumns("w")) FROM workspaces w WHERE w.id = \(id.uuid)
            """, logger: logger).first().map(WorkspaceRows.overview)
    }

    public func updateWorkspace(_ workspace: Workspace) async throws {
        let rows = try await client.query("""
            UPDATE workspaces SET name = \(workspace.name), name_key = \(Key.of(workspace.name)), description = \(workspace.description),
                visibility = \(workspace.visibility.rawValue)
            WHERE id = \(workspace.id.uuid) RETURNING id
            """, logger: logger).all()
        guard !rows.isEmpty else { throw DomainError.notFound("Workspace") }
    }

    /// Memberships, join requests and invitations go with it (foreign keys cascade).
    public func deleteWorkspace(id: WorkspaceID) async throws {
        let rows = try await client.query("DELETE FROM workspaces WHERE id = \(id.uuid) RETURNING id", logger: logger).all()
        guard !rows.isEmpty else { throw DomainError.notFound("Workspace") }
    }

    public func membership(workspace: WorkspaceID, person: PersonID) async throws -> MembershipRole? {
        try await client.withConnection { try await WorkspaceRows.role(workspace, person, on: $0, logger: logger) }
    }

    public func workspaces(of person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        try await listing(from: "workspaces w JOIN memberships m ON m.workspace_id = w.id AND m.person_id = \(person.uuid) WHERE true",
                          myRole: "m.role", person: person, text: text, page: page)
    }

    public func discoverableWorkspaces(for person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        try await listing(from: """
            workspaces w WHERE w.visibility IN ('open', 'closed')
            AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id AND m.person_id = \(person.uuid))
            """, myRole: "NULL::text", person: person, text: text, page: page)
    }

    /// One page of workspaces with their counts: the page is chosen first (ordered by name),
    /// then the counts are computed for that page only, in the same query.
    private func listing(from source: SQL, myRole: String, person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        var filtered = source
        if let needle = Key.query(text) { filtered += " AND w.name_key LIKE \(Key.containsPattern(needle)) ESCAPE '\\'" }
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM \(filtered)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = """
                WITH page AS (
                    SELECT w.*, \(raw: myRole) AS my_role FROM \(filtered)
                    ORDER BY w.name COLLATE communis_name, w.id LIMIT \(page.limit) OFFSET \(page.offset)
                )
                SELECT page.*, \(raw: WorkspaceRows.countColumns("page")),
                    EXISTS (SELECT 1 FROM join_requests r WHERE r.workspace_id = page.id AND r.person_id = \(person.uuid)) AS my_request_pending
                FROM page ORDER BY page.name COLLATE communis_name, page.id
                """
            let items = try await connection.query(select.query, logger: logger).all().map { row in
                WorkspaceListing(overview: try WorkspaceRows.overview(row),
                                 myRole: try row.get("my_role", as: String?.self).flatMap(MembershipRole.init(rawValue:)),
                                 myRequestPending: try row.get("my_request_pending"))
            }
            return Page(items: items, total: total, request: page)
        }
    }
}
