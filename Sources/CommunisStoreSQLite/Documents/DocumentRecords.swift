import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `document_folders`.
struct DocumentFolderRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "document_folders"

    var folder: DocumentFolder

    init(_ folder: DocumentFolder) { self.folder = folder }

    init(row: Row) throws {
        let table = Self.databaseTableName
        folder = DocumentFolder(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table),
            parentID: try row.optionalID("parent_id", table: table), name: row["name"],
            createdBy: try row.id("created_by", table: table), createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = folder.id.description
        container["workspace_id"] = folder.workspaceID.description
        container["parent_id"] = folder.parentID?.description
        container["name"] = folder.name
        container["name_key"] = DocumentRules.nameKey(folder.name)
        container["created_by"] = folder.createdBy.description
        container["created_at"] = folder.createdAt.unixSeconds
        container["updated_at"] = folder.updatedAt.unixSeconds
    }
}

/// A row of `document_versions`.
struct DocumentVersionRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "document_versions"

    var version: DocumentVersion

    init(_ version: DocumentVersion) { self.version = version }

    init(row: Row) throws {
        version = try Self.version(row, prefix: "", documentColumn: "document_id")
    }

    /// A version from `row`'s columns named `prefix` + the column name (a document's row joined
    /// with its current version names them `v_…`).
    static func version(_ row: Row, prefix: String, documentColumn: String) throws -> DocumentVersion {
        let table = databaseTableName
        return DocumentVersion(
            documentID: try row.id(documentColumn, table: table), number: row[prefix + "number"], sha256: row[prefix + "sha256"],
            size: row[prefix + "size"], mediaType: row[prefix + "media_type"], fileName: row[prefix + "file_name"],
            comment: row[prefix + "comment"], createdBy: try row.id(prefix + "created_by", table: table),
            createdAt: Date(timeIntervalSince1970: row[prefix + "created_at"]), restoredFrom: row[prefix + "restored_from"])
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["document_id"] = version.documentID.description
        container["number"] = version.number
        container["sha256"] = version.sha256
        container["size"] = version.size
        container["media_type"] = version.mediaType
        container["file_name"] = version.fileName
        container["comment"] = version.comment
        container["created_by"] = version.createdBy.description
        container["created_at"] = version.createdAt.unixSeconds
        container["restored_from"] = version.restoredFrom
    }
}

/// A row of `documents` (its own columns; the current version is a row of its own). Read only
/// through `DocumentRow.select`, which joins the current version in.
struct DocumentRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "documents"

    /// The documents with their current version: `SELECT … FROM documents d JOIN … v`.
    static let select = """
        SELECT d.*, v.number AS v_number, v.sha256 AS v_sha256, v.size AS v_size, v.media_type AS v_media_type,
               v.file_name AS v_file_name, v.comment AS v_comment, v.created_by AS v_created_by,
               v.created_at AS v_created_at, v.restored_from AS v_restored_from
        FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
        """

    var document: Document

    init(_ document: Document) { self.document = document }

    init(row: Row) throws {
        let table = Self.databaseTableName
        var lock: DocumentLock?
        if let holder: String = row["lock_holder_id"] {
            guard let holderID = PersonID(holder) else { throw CorruptRow(table: table, column: "lock_holder_id", value: holder) }
            lock = DocumentLock(holderID: holderID, token: row["lock_token"], lockedAt: Date(timeIntervalSince1970: row["locked_at"]),
                                expiresAt: Date(timeIntervalSince1970: row["lock_expires_at"]))
        }
        let approvedAt: Double? = row["approved_at"]
        let trashedAt: Double? = row["trashed_at"]
        document = Document(
            id: try row.id("id", table: table), workspaceID: try row.id("workspace_id", table: table),
            folderID: try row.optionalID("folder_id", table: table), title: row["title"],
            current: try DocumentVersionRow.version(row, prefix: "v_", documentColumn: "id"),
            approvedVersion: row["approved_version"], approvedBy: try row.optionalID("approved_by", table: table),
            approvedAt: approvedAt.map(Date.init(timeIntervalSince1970:)), lock: lock,
            createdBy: try row.id("created_by", table: table), createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            trashedAt: trashedAt.map(Date.init(timeIntervalSince1970:)), trashedBy: try row.optionalID("trashed_by", table: table))
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = document.id.description
        container["workspace_id"] = document.workspaceID.description
        container["folder_id"] = document.folderID?.description
        container["title"] = document.title
        container["name_key"] = DocumentRules.nameKey(document.title)
        container["current_version"] = document.current.number
        container["approved_version"] = document.approvedVersion
        container["approved_by"] = document.approvedBy?.description
        container["approved_at"] = document.approvedAt?.unixSeconds
        container["lock_holder_id"] = document.lock?.holderID.description
        container["lock_token"] = document.lock?.token
        container["locked_at"] = document.lock?.lockedAt.unixSeconds
        container["lock_expires_at"] = document.lock?.expiresAt.unixSeconds
        container["created_by"] = document.createdBy.description
        container["created_at"] = document.createdAt.unixSeconds
        container["updated_at"] = document.updatedAt.unixSeconds
        container["trashed_at"] = document.trashedAt?.unixSeconds
        container["trashed_by"] = document.trashedBy?.description
    }
}

/// What a change needs to know of a document's row before it writes (no join).
struct DocumentState {
    var workspaceID: WorkspaceID
    var folderID: DocumentFolderID?
    var title: String
    var currentVersion: Int
    var lockHolder: PersonID?
    var lockExpiresAt: Date?
    var trashed: Bool

    static func fetch(_ id: DocumentID, _ db: Database) throws -> DocumentState? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT workspace_id, folder_id, title, current_version, lock_holder_id, lock_expires_at, trashed_at FROM documents WHERE id = ?
            """), arguments: [id.description]) else { return nil }
        let table = "documents"
        let expires: Double? = row["lock_expires_at"]
        let trashedAt: Double? = row["trashed_at"]
        return DocumentState(
            workspaceID: try row.id("workspace_id", table: table), folderID: try row.optionalID("folder_id", table: table),
            title: row["title"], currentVersion: row["current_version"], lockHolder: try row.optionalID("lock_holder_id", table: table),
            lockExpiresAt: expires.map(Date.init(timeIntervalSince1970:)), trashed: trashedAt != nil)
    }

    /// Whether someone other than `person` holds a lock that has not expired at `at`.
    func lockedAgainst(_ person: PersonID, at: Date) -> Bool {
        guard let holder = lockHolder, let expires = lockExpiresAt else { return false }
        return holder != person && expires > at
    }
}
