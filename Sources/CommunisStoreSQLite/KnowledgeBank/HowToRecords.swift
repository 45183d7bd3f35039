import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// The content columns that `how_tos` and `how_to_revisions` share.
enum HowToColumns {
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, column: String) throws -> T {
        guard let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
            throw CorruptRow(table: table, column: column, value: text)
        }
        return value
    }

    static func encode(_ content: HowToContent, to container: inout PersistenceContainer) {
        container["title"] = content.title
        container["summary"] = content.summary
        container["body"] = content.body
        container["tags"] = json(content.tags)
        container["audience_departments"] = json(content.audience.departments)
        container["audience_roles"] = json(content.audience.roles)
        container["review_by"] = content.reviewBy
        container["recordings"] = json(content.recordings)
    }

    static func content(_ row: Row, table: String) throws -> HowToContent {
        HowToContent(
            title: row["title"], summary: row["summary"], body: row["body"],
            tags: try decode([String].self, row["tags"], table: table, column: "tags"),
            audience: HowToAudience(
                departments: try decode([String].self, row["audience_departments"], table: table, column: "audience_departments"),
                roles: try decode([String].self, row["audience_roles"], table: table, column: "audience_roles")),
            reviewBy: row["review_by"],
            recordings: try decode([RecordingReference].self, row["recordings"], table: table, column: "recordings"))
    }
}

/// A row of `how_tos`.
struct HowToRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "how_tos"

    var howTo: HowTo

    init(_ howTo: HowTo) { self.howTo = howTo }

    init(row: Row) throws {
        let table = Self.databaseTableName
        let statusText: String = row["status"]
        guard let status = HowToStatus(rawValue: statusText) else { throw CorruptRow(table: table, column: "status", value: statusText) }
        howTo = HowTo(
            id: try row.id("id", table: table), workspaceID: try row.optionalID("workspace_id", table: table),
            ownerID: try row.id("owner_id", table: table), status: status, content: try HowToColumns.content(row, table: table),
            revision: row["revision"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]), updatedBy: try row.id("updated_by", table: table))
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = howTo.id.description
        container["workspace_id"] = howTo.workspaceID?.description
        container["owner_id"] = howTo.ownerID.description
        container["status"] = howTo.status.rawValue
        container["revision"] = howTo.revision
        HowToColumns.encode(howTo.content, to: &container)
        container["tags_key"] = HowToColumns.json(howTo.content.tags.map(Key.of))
        container["audience_departments_key"] = HowToColumns.json(howTo.content.audience.departments.map(Key.of))
        container["created_at"] = howTo.createdAt.unixSeconds
        container["updated_at"] = howTo.updatedAt.unixSeconds
        container["updated_by"] = howTo.updatedBy.description
    }
}

/// A row of `how_to_revisions`.
struct HowToRevisionRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "how_to_revisions"

    var revision: HowToRevision

    init(_ revision: HowToRevision) { self.revision = revision }

    init(row: Row) throws {
        let table = Self.databaseTableName
        revision = HowToRevision(
            howToID: try row.id("how_to_id", table: table), number: row["number"], content: try HowToColumns.content(row, table: table),
            authorID: try row.id("author_id", table: table), createdAt: Date(timeIntervalSince1970: row["created_at"]),
            restoredFrom: row["restored_from"])
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["how_to_id"] = revision.howToID.description
        container["number"] = revision.number
        HowToColumns.encode(revision.content, to: &container)
        container["author_id"] = revision.authorID.description
        container["created_at"] = revision.createdAt.unixSeconds
        container["restored_from"] = revision.restoredFrom
    }
}
