import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Writing the changes of a document library (`DocumentChange`), inside `apply`'s transaction:
/// the checks (the thing exists in the event's workspace, the name is free, the folder tree
/// stays a tree, the lock and the version number allow it) and the write happen under
/// SQLite's one writer, so no other change can slip in between a check and its write. A
/// thrown error rolls the change back with its event. Search follows through v14's triggers.
extension SQLiteStore {
    static func writeDocument(_ change: DocumentChange, workspace: WorkspaceID, _ db: Database) throws {
        switch change {
        case .createFolder(let folder):
            try createFolder(folder, workspace: workspace, db)
        case .updateFolder(let id, let name, let parentID, let at):
            try updateFolder(id, name: name, parentID: parentID, at: at, workspace: workspace, db)
        case .deleteFolder(let id):
            try deleteFolder(id, workspace: workspace, db)
        case .createDocument(let document):
            try createDocument(document, workspace: workspace, db)
        case .addVersion(let version):
            try addVersion(version, workspace: workspace, db)
        case .approve(let id, let version, let by, let at):
            let document = try liveDocument(id, workspace: workspace, db)
            if let version, version > document.currentVersion || version < 1 { throw DomainError.notFound("Document") }
            try db.cachedStatement(sql: "UPDATE documents SET approved_version = ?, approved_by = ?, approved_at = ? WHERE id = ?")
                .execute(arguments: [version, version == nil ? nil : by.description, version == nil ? nil : at.unixSeconds, id.description])
        case .lock(let id, let lock):
            let document = try liveDocument(id, workspace: workspace, db)
            if document.lockedAgainst(lock.holderID, at: lock.lockedAt) {
                throw DomainError.conflict("The document is checked out by someone else.")
            }
            try db.cachedStatement(sql: """
                UPDATE documents SET lock_holder_id = ?, lock_token = ?, locked_at = ?, lock_expires_at = ? WHERE id = ?
                """).execute(arguments: [lock.holderID.description, lock.token, lock.lockedAt.unixSeconds, lock.expiresAt.unixSeconds, id.description])
        case .unlock(let id):
            guard let document = try DocumentState.fetch(id, db), document.workspaceID == workspace else { throw DomainError.notFound("Document") }
            try db.cachedStatement(sql: """
                UPDATE documents SET lock_holder_id = NULL, lock_token = NULL, locked_at = NULL, lock_expires_at = NULL WHERE id = ?
                """).execute(arguments: [id.description])
        case .moveDocument(let id, let title, let folderID, let at):
            try validateName(title, field: "title")
            _ = try liveDocument(id, workspace: workspace, db)
            try requireFolder(folderID, in: workspace, db)
            try requireFreeName(title, workspace: workspace, parent: folderID, exceptDocument: id, db)
            try db.cachedStatement(sql: "UPDATE documents SET title = ?, name_key = ?, folder_id = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [title, DocumentRules.nameKey(title), folderID?.description, at.unixSeconds, id.description])
        case .trashDocument(let id, let by, let at):
            // The lock goes with it: nobody edits a document in the trash.
            try db.cachedStatement(sql: """
                UPDATE documents SET trashed_at = ?, trashed_by = ?, lock_holder_id = NULL, lock_token = NULL, locked_at = NULL, lock_expires_at = NULL
                WHERE id = ? AND workspace_id = ? AND trashed_at IS NULL
                """).execute(arguments: [at.unixSeconds, by.description, id.description, workspace.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Document") }
        case .restoreDocument(let id, let at):
            try restoreDocument(id, at: at, workspace: workspace, db)
        }
    }

    // MARK: Folders

    private static func createFolder(_ folder: DocumentFolder, workspace: WorkspaceID, _ db: Database) throws {
        try validateName(folder.name, field: "name")
        try requireSameWorkspace(folder.workspaceID, workspace)
        try requireWorkspace(workspace, db)
        try requireFolder(folder.parentID, in: workspace, db)
        try requireDepth(parent: folder.parentID, height: 1, db)
        try requireFreeName(folder.name, workspace: workspace, parent: folder.parentID, db)
        do {
            try DocumentFolderRow(folder).insert(db)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DomainError.conflict("The folder already exists.")
        }
    }

    private static func updateFolder(
        _ id: DocumentFolderID, name: String, parentID: DocumentFolderID?, at: Date, workspace: WorkspaceID, _ db: Database
    ) throws {
        try validateName(name, field: "name")
        guard try folderWorkspace(id, db) == workspace else { throw DomainError.notFound("Folder") }
        try requireFolder(parentID, in: workspace, db)
        if let parentID {
            // The new parent, or one of its ancestors, is the folder itself: a move into itself.
            let cycle = try Bool.fetchOne(db, sql: """
                WITH RECURSIVE up(id) AS (
                    SELECT ?1 UNION SELECT f.parent_id FROM document_folders f JOIN up ON f.id = up.id WHERE f.parent_id IS NOT NULL)
                SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)
                """, arguments: [parentID.description, id.description]) ?? false
            if cycle { throw DomainError.conflict("A folder cannot be moved into itself or into a folder inside it.") }
        }
        let height = try Int.fetchOne(db, sql: """
            WITH RECURSIVE down(id, level) AS (
                SELECT ?, 1 UNION ALL
                SELECT f.id, down.level + 1 FROM document_folders f JOIN down ON f.parent_id = down.id WHERE down.level <= ?)
            SELECT max(level) FROM down
            """, arguments: [id.description, DocumentRules.maxFolderDepth]) ?? 1
        try requireDepth(parent: parentID, height: height, db)
        try requireFreeName(name, workspace: workspace, parent: parentID, exceptFolder: id, db)
        try db.cachedStatement(sql: "UPDATE document_folders SET name = ?, name_key = ?, parent_id = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [name, DocumentRules.nameKey(name), parentID?.description, at.unixSeconds, id.description])
    }

    /// Only an empty folder goes; the documents in the trash that were in it move to the top,
    /// so that restoring them finds a place.
    private static func deleteFolder(_ id: DocumentFolderID, workspace: WorkspaceID, _ db: Database) throws {
        guard try folderWorkspace(id, db) == workspace else { throw DomainError.notFound("Folder") }
        let occupied = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM document_folders WHERE parent_id = ?1)
                OR EXISTS (SELECT 1 FROM documents WHERE folder_id = ?1 AND trashed_at IS NULL)
            """, arguments: [id.description]) ?? false
        if occupied { throw DomainError.conflict("The folder is not empty.") }
        try db.execute(sql: "UPDATE documents SET folder_id = NULL WHERE folder_id = ?", arguments: [id.description])
        try db.execute(sql: "DELETE FROM document_folders WHERE id = ?", arguments: [id.description])
    }

    // MARK: Documents

    private static func createDocument(_ document: Document, workspace: WorkspaceID, _ db: Database) throws {
        try validateName(document.title, field: "title")
        guard document.current.number == 1, document.current.documentID == document.id else {
            throw DomainError.validation([FieldError(field: "current", message: "A new document starts with its version 1.")])
        }
        try requireSameWorkspace(document.workspaceID, workspace)
        try requireWorkspace(workspace, db)
        try requireFolder(document.folderID, in: workspace, db)
        if document.trashedAt == nil {
            try requireFreeName(document.title, workspace: workspace, parent: document.folderID, db)
        }
        do {
            try DocumentRow(document).insert(db)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DomainError.conflict("The document already exists.")
        }
        try DocumentVersionRow(document.current).insert(db)
    }

    private static func addVersion(_ version: DocumentVersion, workspace: WorkspaceID, _ db: Database) throws {
        let document = try liveDocument(version.documentID, workspace: workspace, db)
        if document.lockedAgainst(version.createdBy, at: version.createdAt) {
            throw DomainError.conflict("The document is checked out by someone else.")
        }
        guard version.number == document.currentVersion + 1 else {
            throw DomainError.conflict("The document has changed meanwhile (now version \(document.currentVersion)); upload again based on it.")
        }
        // The version first: the document's update trigger moves search to the new version's text.
        try DocumentVersionRow(version).insert(db)
        try db.cachedStatement(sql: "UPDATE documents SET current_version = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [version.number, version.createdAt.unixSeconds, version.documentID.description])
    }

    /// Back into its folder, or to the top when the folder is gone.
    private static func restoreDocument(_ id: DocumentID, at: Date, workspace: WorkspaceID, _ db: Database) throws {
        guard let document = try DocumentState.fetch(id, db), document.workspaceID == workspace, document.trashed else {
            throw DomainError.notFound("Document")
        }
        var folder = document.folderID
        if let id = folder, try folderWorkspace(id, db) != workspace { folder = nil }
        try requireFreeName(document.title, workspace: workspace, parent: folder, exceptDocument: id, db)
        try db.cachedStatement(sql: """
            UPDATE documents SET trashed_at = NULL, trashed_by = NULL, folder_id = ?, updated_at = ? WHERE id = ?
            """).execute(arguments: [folder?.description, at.unixSeconds, id.description])
    }

    // MARK: Checks

    /// The document, when it exists in `workspace` and is not in the trash.
    private static func liveDocument(_ id: DocumentID, workspace: WorkspaceID, _ db: Database) throws -> DocumentState {
        guard let document = try DocumentState.fetch(id, db), document.workspaceID == workspace, !document.trashed else {
            throw DomainError.notFound("Document")
        }
        return document
    }

    private static func folderWorkspace(_ id: DocumentFolderID, _ db: Database) throws -> WorkspaceID? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT workspace_id FROM document_folders WHERE id = ?"), arguments: [id.description])
            .flatMap(WorkspaceID.init)
    }

    /// `folder` (nil: the top, always there) exists in `workspace`.
    private static func requireFolder(_ folder: DocumentFolderID?, in workspace: WorkspaceID, _ db: Database) throws {
        guard let folder else { return }
        guard try folderWorkspace(folder, db) == workspace else { throw DomainError.notFound("Folder") }
    }

    /// A change travels with the event of the workspace it changes.
    private static func requireSameWorkspace(_ stated: WorkspaceID, _ event: WorkspaceID) throws {
        guard stated == event else {
            throw DomainError.validation([FieldError(field: "workspaceId", message: "must be the workspace of the event")])
        }
    }

    private static func validateName(_ name: String, field: String) throws {
        let errors = DocumentRules.nameErrors(name, field: field)
        guard errors.isEmpty else { throw DomainError.validation(errors) }
    }

    /// Folders nest at most `DocumentRules.maxFolderDepth` deep: a folder tree `height` levels
    /// high placed under `parent` must fit.
    private static func requireDepth(parent: DocumentFolderID?, height: Int, _ db: Database) throws {
        guard let parent else {
            if height > DocumentRules.maxFolderDepth { throw tooDeep }
            return
        }
        let depth = try Int.fetchOne(db, sql: """
            WITH RECURSIVE up(id, level) AS (
                SELECT ?, 1 UNION ALL
                SELECT f.parent_id, up.level + 1 FROM document_folders f JOIN up ON f.id = up.id
                WHERE f.parent_id IS NOT NULL AND up.level <= ?)
            SELECT max(level) FROM up
            """, arguments: [parent.description, DocumentRules.maxFolderDepth]) ?? 1
        if depth + height > DocumentRules.maxFolderDepth { throw tooDeep }
    }

    private static var tooDeep: DomainError {
        .validation([FieldError(field: "parentId", message: "folders nest at most \(DocumentRules.maxFolderDepth) deep")])
    }

    /// Throws `conflict` when `name` is taken directly in `parent`: by a folder (other than
    /// `exceptFolder`) or by a document not in the trash (other than `exceptDocument`).
    static func requireFreeName(
        _ name: String, workspace: WorkspaceID, parent: DocumentFolderID?,
        exceptFolder: DocumentFolderID? = nil, exceptDocument: DocumentID? = nil, _ db: Database
    ) throws {
        let taken = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM document_folders
                           WHERE workspace_id = ?1 AND coalesce(parent_id, '') = ?2 AND name_key = ?3 AND id IS NOT ?4)
                OR EXISTS (SELECT 1 FROM documents
                           WHERE workspace_id = ?1 AND coalesce(folder_id, '') = ?2 AND name_key = ?3 AND trashed_at IS NULL AND id IS NOT ?5)
            """), arguments: [workspace.description, parent?.description ?? "", DocumentRules.nameKey(name),
                              exceptFolder?.description, exceptDocument?.description]) ?? false
        if taken { throw DomainError.conflict("The name \"\(name)\" is already used in this folder.") }
    }
}
