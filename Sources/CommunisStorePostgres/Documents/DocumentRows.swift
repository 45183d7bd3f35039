import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading the rows of the document libraries.
enum DocumentRows {
    static let folderColumns = "id, workspace_id, parent_id, name, created_by, created_at, updated_at"
    static let versionColumns = "document_id, number, sha256, size, media_type, file_name, comment, created_by, created_at, restored_from"

    /// The documents with their current version: `SELECT … FROM documents d JOIN … v`.
    static let select = """
        SELECT d.id, d.workspace_id, d.folder_id, d.title, d.approved_version, d.approved_by, d.approved_at,
               d.lock_holder_id, d.lock_token, d.locked_at, d.lock_expires_at, d.created_by, d.created_at, d.updated_at,
               d.trashed_at, d.trashed_by,
               v.number AS v_number, v.sha256 AS v_sha256, v.size AS v_size, v.media_type AS v_media_type,
               v.file_name AS v_file_name, v.comment AS v_comment, v.created_by AS v_created_by,
               v.created_at AS v_created_at, v.restored_from AS v_restored_from
        FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
        """

    static func folder(_ row: PostgresRandomAccessRow) throws -> DocumentFolder {
        DocumentFolder(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), parentID: try row.optionalID("parent_id"),
            name: try row.get("name"), createdBy: try row.id("created_by"), createdAt: try row.get("created_at"),
            updatedAt: try row.get("updated_at"))
    }

    static func version(_ row: PostgresRandomAccessRow) throws -> DocumentVersion {
        try version(row, prefix: "", documentColumn: "document_id")
    }

    static func version(_ row: PostgresRandomAccessRow, prefix: String, documentColumn: String) throws -> DocumentVersion {
        DocumentVersion(
            documentID: try row.id(documentColumn), number: Int(try row.get(prefix + "number", as: Int32.self)),
            sha256: try row.get(prefix + "sha256"), size: try row.get(prefix + "size"), mediaType: try row.get(prefix + "media_type"),
            fileName: try row.get(prefix + "file_name"), comment: try row.get(prefix + "comment"),
            createdBy: try row.id(prefix + "created_by"), createdAt: try row.get(prefix + "created_at"),
            restoredFrom: try row.get(prefix + "restored_from", as: Int32?.self).map { Int($0) })
    }

    static func document(_ row: PostgresRandomAccessRow) throws -> Document {
        var lock: DocumentLock?
        if let holder: PersonID = try row.optionalID("lock_holder_id") {
            lock = DocumentLock(holderID: holder, token: try row.get("lock_token"), lockedAt: try row.get("locked_at"),
                                expiresAt: try row.get("lock_expires_at"))
        }
        return Document(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), folderID: try row.optionalID("folder_id"),
            title: try row.get("title"), current: try version(row, prefix: "v_", documentColumn: "id"),
            approvedVersion: try row.get("approved_version", as: Int32?.self).map { Int($0) }, approvedBy: try row.optionalID("approved_by"),
            approvedAt: try row.get("approved_at"), lock: lock, createdBy: try row.id("created_by"), createdAt: try row.get("created_at"),
            updatedAt: try row.get("updated_at"), trashedAt: try row.get("trashed_at"), trashedBy: try row.optionalID("trashed_by"))
    }

    static func lock(_ row: PostgresRandomAccessRow) throws -> DocumentLock {
        DocumentLock(holderID: try row.id("lock_holder_id"), token: try row.get("lock_token"), lockedAt: try row.get("locked_at"),
                     expiresAt: try row.get("lock_expires_at"))
    }

    /// The nil uuid: the top of a library in the unique indexes and in comparisons.
    static let top = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
