import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// JSON kept in `jsonb` columns that only this engine reads (a how-to's embedded recordings,
/// a recording's chapters): written as text and cast in SQL (`\(text)::jsonb`), read back as
/// text. Arrays keep their order in `jsonb`; only object keys may come back reordered, which
/// decoding does not mind.
enum JSONColumn {
    static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // These values are arrays of plain structs of strings and integers: encoding cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ row: PostgresRandomAccessRow, _ column: String) throws -> T {
        let text = try row.get(column, as: String.self)
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw PostgresStoreError.corrupt("\(column): \(text)")
        }
    }
}

/// Reading `how_tos` and `how_to_revisions` rows; the content columns they share.
enum HowToRows {
    static let contentColumns = "title, summary, body, tags, audience_departments, audience_roles, review_by, recordings"
    static let howToColumns = "id, workspace_id, owner_id, status, revision, created_at, updated_at, updated_by, \(contentColumns)"
    static let revisionColumns = "how_to_id, number, author_id, created_at, restored_from, \(contentColumns)"

    static func content(_ row: PostgresRandomAccessRow) throws -> HowToContent {
        HowToContent(
            title: try row.get("title"), summary: try row.get("summary"), body: try row.get("body"), tags: try row.get("tags"),
            audience: HowToAudience(departments: try row.get("audience_departments"), roles: try row.get("audience_roles")),
            reviewBy: try row.get("review_by"), recordings: try JSONColumn.decode([RecordingReference].self, row, "recordings"))
    }

    static func howTo(_ row: PostgresRandomAccessRow) throws -> HowTo {
        HowTo(
            id: try row.id("id"), workspaceID: try row.optionalID("workspace_id"), ownerID: try row.id("owner_id"),
            status: try row.enum("status"), content: try content(row), revision: try row.get("revision"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"), updatedBy: try row.id("updated_by"))
    }

    static func revision(_ row: PostgresRandomAccessRow) throws -> HowToRevision {
        HowToRevision(
            howToID: try row.id("how_to_id"), number: try row.get("number"), content: try content(row), authorID: try row.id("author_id"),
            createdAt: try row.get("created_at"), restoredFrom: try row.get("restored_from"))
    }

    static func insertRevision(_ revision: HowToRevision, on connection: PostgresConnection, logger: Logger) async throws {
        let content = revision.content
        _ = try await connection.query("""
            INSERT INTO how_to_revisions (how_to_id, number, title, summary, body, tags, audience_departments, audience_roles,
                                          review_by, recordings, author_id, created_at, restored_from)
            VALUES (\(revision.howToID.uuid), \(revision.number), \(content.title), \(content.summary), \(content.body), \(content.tags),
                    \(content.audience.departments), \(content.audience.roles), \(content.reviewBy),
                    \(JSONColumn.text(content.recordings))::jsonb, \(revision.authorID.uuid), \(revision.createdAt), \(revision.restoredFrom))
            """, logger: logger).collect()
    }
}
