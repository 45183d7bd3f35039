import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func createHowTo(_ howTo: HowTo) async throws {
        let content = howTo.content
        try await transaction { connection in
            do {
                // A new article is its revision 1, by its owner, at its creation.
                _ = try await connection.query("""
                    INSERT INTO how_tos (id, workspace_id, owner_id, status, revision, title, summary, body, tags, tags_key,
                                         audience_departments, audience_departments_key, audience_roles, review_by, recordings,
                                         created_at, updated_at, updated_by)
                    VALUES (\(howTo.id.uuid), \(howTo.workspaceID?.uuid), \(howTo.ownerID.uuid), \(howTo.status.rawValue), 1,
                            \(content.title), \(content.summary), \(content.body), \(content.tags), \(content.tags.map(Key.of)),
                            \(content.audience.departments), \(content.audience.departments.map(Key.of)), \(content.audience.roles),
                            \(content.reviewBy), \(JSONColumn.text(content.recordings))::jsonb,
                            \(howTo.createdAt), \(howTo.createdAt), \(howTo.ownerID.uuid))
                    """, logger: logger).collect()
            } catch let error as PSQLError where error.isForeignKeyViolation {
                throw DomainError.notFound("Workspace")
            } catch let error as PSQLError where error.isUniqueViolation {
                throw DomainError.conflict("The how-to already exists.")
            }
            try await HowToRows.insertRevision(
                HowToRevision(howToID: howTo.id, number: 1, content: content, authorID: howTo.ownerID, createdAt: howTo.createdAt),
                on: connection, logger: logger)
        }
    }

    public func howTo(id: HowToID) async throws -> HowTo? {
        try await client.query("SELECT \(unescaped: HowToRows.howToColumns) FROM how_tos WHERE id = \(id.uuid)", logger: logger)
            .first().map(HowToRows.howTo)
    }

    public func saveHowTo(_ id: HowToID, content: HowToContent, basedOn: Int, by: PersonID, at: Date, restoredFrom: Int?) async throws -> HowTo {
        try await transaction { connection in
            // The article's row lock orders concurrent saves: the second waits, then reads the
            // first's revision and is refused. Numbers follow one another without gaps.
            guard let row = try await connection.query("""
                SELECT \(unescaped: HowToRows.howToColumns) FROM how_tos WHERE id = \(id.uuid) FOR UPDATE
                """, logger: logger).first() else { throw DomainError.notFound("How-to") }
            var howTo = try HowToRows.howTo(row)
            guard howTo.revision == basedOn else {
                throw DomainError.conflict("The how-to was changed by someone else (now revision \(howTo.revision), your edit is based on \(basedOn)); reload it and apply your changes again.")
            }
            howTo.revision += 1
            howTo.content = content
            howTo.updatedAt = at
            howTo.updatedBy = by
            try await HowToRows.insertRevision(
                HowToRevision(howToID: id, number: howTo.revision, content: content, authorID: by, createdAt: at, restoredFrom: restoredFrom),
                on: connection, logger: logger)
            _ = try await connection.query("""
                UPDATE how_tos SET revision = \(howTo.revision), title = \(content.title), summary = \(content.summary), body = \(content.body),
                    tags = \(content.tags), tags_key = \(content.tags.map(Key.of)), audience_departments = \(content.audience.departments),
                    audience_departments_key = \(content.audience.departments.map(Key.of)), audience_roles = \(content.audience.roles),
                    review_by = \(content.reviewBy), recordings = \(JSONColumn.text(content.recordings))::jsonb,
                    updated_at = \(at), updated_by = \(by.uuid)
                WHERE id = \(id.uuid)
                """, logger: logger).collect()
            return howTo
        }
    }

    public func setHowToStatus(_ id: HowToID, _ status: HowToStatus) async throws -> HowTo {
        guard let row = try await client.query("""
            UPDATE how_tos SET status = \(status.rawValue) WHERE id = \(id.uuid) RETURNING \(unescaped: HowToRows.howToColumns)
            """, logger: logger).first() else { throw DomainError.notFound("How-to") }
        return try HowToRows.howTo(row)
    }

    public func deleteHowTo(_ id: HowToID) async throws {
        guard try await client.query("DELETE FROM how_tos WHERE id = \(id.uuid) RETURNING id", logger: logger).first() != nil else {
            throw DomainError.notFound("How-to")
        }
    }

    public func howTos(_ filter: HowToFilter, page: PageRequest) async throws -> Page<HowTo> {
        // Permission first: the readable workspaces, and organisation-wide articles only when
        // allowed.
        let readable = filter.readableWorkspaces.map(\.uuid)
        var conditions: SQL = filter.organisation
            ? "(workspace_id = ANY(\(readable)) OR workspace_id IS NULL)"
            : "workspace_id = ANY(\(readable))"
        if let workspace = filter.workspace { conditions += " AND workspace_id = \(workspace.uuid)" }
        if filter.organisationOnly { conditions += " AND workspace_id IS NULL" }
        if let tag = Key.query(filter.tag) { conditions += " AND \(tag) = ANY(tags_key)" }
        if let status = filter.status {
            conditions += " AND status = \(status.rawValue)"
        } else if !filter.includeArchived {
            conditions += " AND status = 'current'"
        }
        if let owner = filter.owner { conditions += " AND owner_id = \(owner.uuid)" }
        if let day = filter.reviewDueOn {
            conditions += " AND status = 'current' AND review_by IS NOT NULL AND review_by <= \(day)"
        }
        if let audience = filter.audience {
            conditions += """
                 AND ((cardinality(audience_roles) = 0 AND cardinality(audience_departments) = 0)
                      OR \(audience.role.rawValue) = ANY(audience_roles) OR \(Key.of(audience.department)) = ANY(audience_departments_key))
                """
        }
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM how_tos WHERE \(conditions)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = """
                SELECT \(raw: HowToRows.howToColumns) FROM how_tos WHERE \(conditions)
                ORDER BY updated_at DESC, id LIMIT \(page.limit) OFFSET \(page.offset)
                """
            let items = try await connection.query(select.query, logger: logger).all().map(HowToRows.howTo)
            return Page(items: items, total: total, request: page)
        }
    }

    public func howToRevisions(_ id: HowToID) async throws -> [HowToRevision] {
        try await client.query("""
            SELECT \(unescaped: HowToRows.revisionColumns) FROM how_to_revisions WHERE how_to_id = \(id.uuid) ORDER BY number DESC
            """, logger: logger).all().map(HowToRows.revision)
    }

    public func howToRevision(_ id: HowToID, number: Int) async throws -> HowToRevision? {
        try await client.query("""
            SELECT \(unescaped: HowToRows.revisionColumns) FROM how_to_revisions WHERE how_to_id = \(id.uuid) AND number = \(number)
            """, logger: logger).first().map(HowToRows.revision)
    }
}
