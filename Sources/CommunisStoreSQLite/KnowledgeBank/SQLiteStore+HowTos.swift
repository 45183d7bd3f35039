import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createHowTo(_ howTo: HowTo) async throws {
        var stored = howTo
        stored.revision = 1
        stored.updatedAt = howTo.createdAt
        stored.updatedBy = howTo.ownerID
        try await pool.write { [stored] db in
            if let workspace = stored.workspaceID { try Self.requireWorkspace(workspace, db) }
            do {
                try HowToRow(stored).insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The how-to already exists.")
            }
            try HowToRevisionRow(HowToRevision(
                howToID: stored.id, number: 1, content: stored.content, authorID: stored.ownerID, createdAt: stored.createdAt)).insert(db)
        }
    }

    public func howTo(id: HowToID) async throws -> HowTo? {
        try await pool.read { db in try HowToRow.fetchOne(db, key: id.description)?.howTo }
    }

    public func saveHowTo(_ id: HowToID, content: HowToContent, basedOn: Int, by: PersonID, at: Date, restoredFrom: Int?) async throws -> HowTo {
        try await pool.write { db in
            guard var howTo = try HowToRow.fetchOne(db, key: id.description)?.howTo else { throw DomainError.notFound("How-to") }
            guard howTo.revision == basedOn else {
                throw DomainError.conflict("The how-to was changed by someone else (now revision \(howTo.revision), your edit is based on \(basedOn)); reload it and apply your changes again.")
            }
            howTo.revision += 1
            howTo.content = content
            howTo.updatedAt = at
            howTo.updatedBy = by
            try HowToRevisionRow(HowToRevision(
                howToID: id, number: howTo.revision, content: content, authorID: by, createdAt: at, restoredFrom: restoredFrom)).insert(db)
            try HowToRow(howTo).update(db)
            return howTo
        }
    }

    public func setHowToStatus(_ id: HowToID, _ status: HowToStatus) async throws -> HowTo {
        try await pool.write { db in
            try db.execute(sql: "UPDATE how_tos SET status = ? WHERE id = ?", arguments: [status.rawValue, id.description])
            guard let howTo = try HowToRow.fetchOne(db, key: id.description)?.howTo else { throw DomainError.notFound("How-to") }
            return howTo
        }
    }

    public func deleteHowTo(_ id: HowToID) async throws {
        try await pool.write { db in
            guard try HowToRow.deleteOne(db, key: id.description) else { throw DomainError.notFound("How-to") }
        }
    }

    public func howTos(_ filter: HowToFilter, page: PageRequest) async throws -> Page<HowTo> {
        var conditions: [String] = []
        var arguments = StatementArguments()
        // Permission first: the readable workspaces (as a JSON array, one bound value) and
        // organisation-wide articles only when allowed.
        var scope = "workspace_id IN (SELECT value FROM json_each(?))"
        _ = arguments.append(contentsOf: [HowToColumns.json(filter.readableWorkspaces.map(\.description).sorted())])
        if filter.organisation { scope += " OR workspace_id IS NULL" }
        conditions.append("(\(scope))")
        if let workspace = filter.workspace {
            conditions.append("workspace_id = ?")
            _ = arguments.append(contentsOf: [workspace.description])
        }
        if filter.organisationOnly { conditions.append("workspace_id IS NULL") }
        if let tag = Key.query(filter.tag) {
            conditions.append("EXISTS (SELECT 1 FROM json_each(tags_key) WHERE value = ?)")
            _ = arguments.append(contentsOf: [tag])
        }
        if let status = filter.status {
            conditions.append("status = ?")
            _ = arguments.append(contentsOf: [status.rawValue])
        } else if !filter.includeArchived {
            conditions.append("status = 'current'")
        }
        if let owner = filter.owner {
            conditions.append("owner_id = ?")
            _ = arguments.append(contentsOf: [owner.description])
        }
        if let day = filter.reviewDueOn {
            conditions.append("status = 'current' AND review_by IS NOT NULL AND review_by <= ?")
            _ = arguments.append(contentsOf: [day])
        }
        if let audience = filter.audience {
            conditions.append("""
                ((audience_roles = '[]' AND audience_departments = '[]')
                 OR EXISTS (SELECT 1 FROM json_each(audience_roles) WHERE value = ?)
                 OR EXISTS (SELECT 1 FROM json_each(audience_departments_key) WHERE value = ?))
                """)
            _ = arguments.append(contentsOf: [audience.role.rawValue, Key.of(audience.department)])
        }
        let whereClause = conditions.joined(separator: " AND ")
        return try await pool.read { [arguments] db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM how_tos WHERE \(whereClause)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [page.limit, page.offset])
            let items = try HowToRow.fetchAll(
                db, sql: "SELECT * FROM how_tos WHERE \(whereClause) ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                arguments: pageArguments).map(\.howTo)
            return Page(items: items, total: total, request: page)
        }
    }

    public func howToRevisions(_ id: HowToID) async throws -> [HowToRevision] {
        try await pool.read { db in
            try HowToRevisionRow.fetchAll(
                db, sql: "SELECT * FROM how_to_revisions WHERE how_to_id = ? ORDER BY number DESC",
                arguments: [id.description]).map(\.revision)
        }
    }

    public func howToRevision(_ id: HowToID, number: Int) async throws -> HowToRevision? {
        try await pool.read { db in
            try HowToRevisionRow.fetchOne(
                db, sql: "SELECT * FROM how_to_revisions WHERE how_to_id = ? AND number = ?",
                arguments: [id.description, number])?.revision
        }
    }
}
