import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Writing the changes of a document library (`DocumentChange`) inside `apply`'s transaction.
/// `apply` takes the workspace's head row before the change, so the changes of one library
/// run one at a time, as under SQLite's one writer: a name checked free stays free until the
/// commit, a folder tree checked acyclic stays so. The document's row is locked (FOR UPDATE)
/// as well, for the writes that carry no event (a lock refresh, a purge). A thrown error
/// rolls the change back with its event. Search follows through the `documents` triggers.
extension LiveWriter {
    func writeDocument(_ change: DocumentChange, workspace: WorkspaceID) async throws {
        switch change {
        case .createFolder(let folder):
            try await createFolder(folder, workspace: workspace)
        case .updateFolder(let id, let name, let parentID, let at):
            try await updateFolder(id, name: name, parentID: parentID, at: at, workspace: workspace)
        case .deleteFolder(let id):
            try await deleteFolder(id, workspace: workspace)
        case .createDocument(let document):
            try await createDocument(document, workspace: workspace)
        case .addVersion(let version):
            try await addVersion(version, workspace: workspace)
        case .approve(let id, let version, let by, let at):
            let document = try await liveDocument(id, workspace: workspace)
            if let version, version > document.currentVersion || version < 1 { throw DomainError.notFound("Document") }
            try await run("""
                UPDATE documents SET approved_version = \(version.map { Int32($0) }), approved_by = \(version == nil ? nil : by.uuid),
                    approved_at = \(version == nil ? nil : at) WHERE id = \(id.uuid)
                """)
        case .lock(let id, let lock):
            let document = try await liveDocument(id, workspace: workspace)
            if document.lockedAgainst(lock.holderID, at: lock.lockedAt) {
                throw DomainError.conflict("The document is checked out by someone else.")
            }
            try await run("""
                UPDATE documents SET lock_holder_id = \(lock.holderID.uuid), lock_token = \(lock.token), locked_at = \(lock.lockedAt),
                    lock_expires_at = \(lock.expiresAt) WHERE id = \(id.uuid)
                """)
        case .unlock(let id):
            let unlocked = try await run("""
                UPDATE documents SET lock_holder_id = NULL, lock_token = NULL, locked_at = NULL, lock_expires_at = NULL
                WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid) RETURNING id
                """)
            guard !unlocked.isEmpty else { throw DomainError.notFound("Document") }
        case .moveDocument(let id, let title, let folderID, let at):
            try Self.validateName(title, field: "title")
            _ = try await liveDocument(id, workspace: workspace)
            try await requireFolder(folderID, in: workspace)
            try await requireFreeName(title, workspace: workspace, parent: folderID, exceptDocument: id)
            try await run("""
                UPDATE documents SET title = \(title), name_key = \(DocumentRules.nameKey(title)), folder_id = \(folderID?.uuid),
                    updated_at = \(at) WHERE id = \(id.uuid)
                """)
        case .trashDocument(let id, let by, let at):
            // The lock goes with it: nobody edits a document in the trash.
            let trashed = try await run("""
                UPDATE documents SET trashed_at = \(at), trashed_by = \(by.uuid),
                    lock_holder_id = NULL, lock_token = NULL, locked_at = NULL, lock_expires_at = NULL
                WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid) AND trashed_at IS NULL RETURNING id
                """)
            guard !trashed.isEmpty else { throw DomainError.notFound("Document") }
        case .restoreDocument(let id, let at):
            try await restoreDocument(id, at: at, workspace: workspace)
        }
    }

    // MARK: Folders

    private func createFolder(_ folder: DocumentFolder, workspace: WorkspaceID) async throws {
        try Self.validateName(folder.name, field: "name")
        try Self.requireSameWorkspace(folder.workspaceID, workspace)
        try await requireFolder(folder.parentID, in: workspace)
        try await requireDepth(parent: folder.parentID, height: 1)
        try await requireFreeName(folder.name, workspace: workspace, parent: folder.parentID)
        do {
            try await LiveRows.mappingForeignKey("Workspace") {
                try await run("""
                    INSERT INTO document_folders (id, workspace_id, parent_id, name, name_key, created_by, created_at, updated_at)
                    VALUES (\(folder.id.uuid), \(workspace.uuid), \(folder.parentID?.uuid), \(folder.name), \(DocumentRules.nameKey(folder.name)),
                            \(folder.createdBy.uuid), \(folder.createdAt), \(folder.updatedAt))
                    """)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The folder already exists.")
        }
    }

    private func updateFolder(_ id: DocumentFolderID, name: String, parentID: DocumentFolderID?, at: Date, workspace: WorkspaceID) async throws {
        try Self.validateName(name, field: "name")
        guard try await folderWorkspace(id) == workspace else { throw DomainError.notFound("Folder") }
        try await requireFolder(parentID, in: workspace)
        if let parentID {
            // The new parent, or one of its ancestors, is the folder itself: a move into itself.
            let cycle = try await run("""
                WITH RECURSIVE up(id) AS (
                    SELECT \(parentID.uuid)::uuid UNION SELECT f.parent_id FROM document_folders f JOIN up ON f.id = up.id WHERE f.parent_id IS NOT NULL)
                SELECT EXISTS (SELECT 1 FROM up WHERE id = \(id.uuid)) AS cycle
                """).first?.get("cycle", as: Bool.self) ?? false
            if cycle { throw DomainError.conflict("A folder cannot be moved into itself or into a folder inside it.") }
        }
        let height = try await run("""
            WITH RECURSIVE down(id, level) AS (
                SELECT \(id.uuid)::uuid, 1 UNION ALL
                SELECT f.id, down.level + 1 FROM document_folders f JOIN down ON f.parent_id = down.id WHERE down.level <= \(DocumentRules.maxFolderDepth))
            SELECT max(level) AS height FROM down
            """).first.flatMap { try $0.get("height", as: Int?.self) } ?? 1
        try await requireDepth(parent: parentID, height: height)
        try await requireFreeName(name, workspace: workspace, parent: parentID, exceptFolder: id)
        try await run("""
            UPDATE document_folders SET name = \(name), name_key = \(DocumentRules.nameKey(name)), parent_id = \(parentID?.uuid),
                updated_at = \(at) WHERE id = \(id.uuid)
            """)
    }

    /// Only an empty folder goes; the documents in the trash that were in it move to the top,
    /// so that restoring them finds a place.
    private func deleteFolder(_ id: DocumentFolderID, workspace: WorkspaceID) async throws {
        guard try await folderWorkspace(id) == workspace else { throw DomainError.notFound("Folder") }
        let occupied = try await run("""
            SELECT EXISTS (SELECT 1 FROM document_folders WHERE parent_id = \(id.uuid))
                OR EXISTS (SELECT 1 FROM documents WHERE folder_id = \(id.uuid) AND trashed_at IS NULL) AS occupied
            """).first?.get("occupied", as: Bool.self) ?? false
        if occupied { throw DomainError.conflict("The folder is not empty.") }
        try await run("UPDATE documents SET folder_id = NULL WHERE folder_id = \(id.uuid)")
        try await run("DELETE FROM document_folders WHERE id = \(id.uuid)")
    }

    // MARK: Documents

    private func createDocument(_ document: Document, workspace: WorkspaceID) async throws {
        try Self.validateName(document.title, field: "title")
        guard document.current.number == 1, document.current.documentID == document.id else {
            throw DomainError.validation([FieldError(field: "current", message: "A new document starts with its version 1.")])
        }
        try Self.requireSameWorkspace(document.workspaceID, workspace)
        try await requireFolder(document.folderID, in: workspace)
        if document.trashedAt == nil {
            try await requireFreeName(document.title, workspace: workspace, parent: document.folderID)
        }
        let lock = document.lock
        do {
            try await LiveRows.mappingForeignKey("Workspace") {
                try await run("""
                    INSERT INTO documents (id, workspace_id, folder_id, title, name_key, current_version, approved_version, approved_by,
                                           approved_at, lock_holder_id, lock_token, locked_at, lock_expires_at, created_by, created_at,
                                           updated_at, trashed_at, trashed_by)
                    VALUES (\(document.id.uuid), \(workspace.uuid), \(document.folderID?.uuid), \(document.title),
                            \(DocumentRules.nameKey(document.title)), 1, \(document.approvedVersion.map { Int32($0) }),
                            \(document.approvedBy?.uuid), \(document.approvedAt), \(lock?.holderID.uuid), \(lock?.token), \(lock?.lockedAt),
                            \(lock?.expiresAt), \(document.createdBy.uuid), \(document.createdAt), \(document.updatedAt),
                            \(document.trashedAt), \(document.trashedBy?.uuid))
                    """)
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("The document already exists.")
        }
        try await insertVersion(document.current)
    }

    private func addVersion(_ version: DocumentVersion, workspace: WorkspaceID) async throws {
        let document = try await liveDocument(version.documentID, workspace: workspace)
        if document.lockedAgainst(version.createdBy, at: version.createdAt) {
            throw DomainError.conflict("The document is checked out by someone else.")
        }
        guard version.number == document.currentVersion + 1 else {
            throw DomainError.conflict("The document has changed meanwhile (now version \(document.currentVersion)); upload again based on it.")
        }
        try await insertVersion(version)
        try await run("""
            UPDATE documents SET current_version = \(Int32(version.number)), updated_at = \(version.createdAt) WHERE id = \(version.documentID.uuid)
            """)
    }

    private func insertVersion(_ version: DocumentVersion) async throws {
        try await run("""
            INSERT INTO document_versions (document_id, number, sha256, size, media_type, file_name, comment, created_by, created_at, restored_from)
            VALUES (\(version.documentID.uuid), \(Int32(version.number)), \(version.sha256), \(version.size), \(version.mediaType),
                    \(version.fileName), \(version.comment), \(version.createdBy.uuid), \(version.createdAt), \(version.restoredFrom.map { Int32($0) }))
            """)
    }

    /// Back into its folder, or to the top when the folder is gone.
    private func restoreDocument(_ id: DocumentID, at: Date, workspace: WorkspaceID) async throws {
        guard let document = try await documentState(id), document.workspaceID == workspace, document.trashed else {
            throw DomainError.notFound("Document")
        }
        var folder = document.folderID
        if let id = folder, try await folderWorkspace(id) != workspace { folder = nil }
        try await requireFreeName(document.title, workspace: workspace, parent: folder, exceptDocument: id)
        try await run("""
            UPDATE documents SET trashed_at = NULL, trashed_by = NULL, folder_id = \(folder?.uuid), updated_at = \(at) WHERE id = \(id.uuid)
            """)
    }

    // MARK: Checks

    /// What a change needs to know of a document's row, the row locked until the commit.
    private func documentState(_ id: DocumentID) async throws -> DocumentState? {
        guard let row = try await run("""
            SELECT workspace_id, folder_id, title, current_version, lock_holder_id, lock_expires_at, trashed_at
            FROM documents WHERE id = \(id.uuid) FOR UPDATE
            """).first else { return nil }
        return DocumentState(
            workspaceID: try row.id("workspace_id"), folderID: try row.optionalID("folder_id"), title: try row.get("title"),
            currentVersion: Int(try row.get("current_version", as: Int32.self)), lockHolder: try row.optionalID("lock_holder_id"),
            lockExpiresAt: try row.get("lock_expires_at"), trashed: try row.get("trashed_at", as: Date?.self) != nil)
    }

    /// The document, when it exists in `workspace` and is not in the trash.
    private func liveDocument(_ id: DocumentID, workspace: WorkspaceID) async throws -> DocumentState {
        guard let document = try await documentState(id), document.workspaceID == workspace, !document.trashed else {
            throw DomainError.notFound("Document")
        }
        return document
    }

    private func folderWorkspace(_ id: DocumentFolderID) async throws -> WorkspaceID? {
        try await run("SELECT workspace_id FROM document_folders WHERE id = \(id.uuid)").first?.id("workspace_id")
    }

    /// `folder` (nil: the top, always there) exists in `workspace`.
    private func requireFolder(_ folder: DocumentFolderID?, in workspace: WorkspaceID) async throws {
        guard let folder else { return }
        guard try await folderWorkspace(folder) == workspace else { throw DomainError.notFound("Folder") }
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
    private func requireDepth(parent: DocumentFolderID?, height: Int) async throws {
        var depth = 0
        if let parent {
            depth = try await run("""
                WITH RECURSIVE up(id, level) AS (
                    SELECT \(parent.uuid)::uuid, 1 UNION ALL
                    SELECT f.parent_id, up.level + 1 FROM document_folders f JOIN up ON f.id = up.id
                    WHERE f.parent_id IS NOT NULL AND up.level <= \(DocumentRules.maxFolderDepth))
                SELECT max(level) AS depth FROM up
                """).first.flatMap { try $0.get("depth", as: Int?.self) } ?? 1
        }
        if depth + height > DocumentRules.maxFolderDepth {
            throw DomainError.validation([FieldError(field: "parentId", message: "folders nest at most \(DocumentRules.maxFolderDepth) deep")])
        }
    }

    /// Throws `conflict` when `name` is taken directly in `parent`: by a folder (other than
    /// `exceptFolder`) or by a document not in the trash (other than `exceptDocument`).
    private func requireFreeName(
        _ name: String, workspace: WorkspaceID, parent: DocumentFolderID?, exceptFolder: DocumentFolderID? = nil, exceptDocument: DocumentID? = nil
    ) async throws {
        let parentKey = parent?.uuid ?? DocumentRows.top
        let key = DocumentRules.nameKey(name)
        let taken = try await run("""
            SELECT EXISTS (SELECT 1 FROM document_folders
                           WHERE workspace_id = \(workspace.uuid) AND coalesce(parent_id, \(DocumentRows.top)) = \(parentKey)
                             AND name_key = \(key) AND id IS DISTINCT FROM \(exceptFolder?.uuid))
                OR EXISTS (SELECT 1 FROM documents
                           WHERE workspace_id = \(workspace.uuid) AND coalesce(folder_id, \(DocumentRows.top)) = \(parentKey)
                             AND name_key = \(key) AND trashed_at IS NULL AND id IS DISTINCT FROM \(exceptDocument?.uuid)) AS taken
            """).first?.get("taken", as: Bool.self) ?? false
        if taken { throw DomainError.conflict("The name \"\(name)\" is already used in this folder.") }
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

    /// Whether someone other than `person` holds a lock that has not expired at `at`.
    func lockedAgainst(_ person: PersonID, at: Date) -> Bool {
        guard let holder = lockHolder, let expires = lockExpiresAt else { return false }
        return holder != person && expires > at
    }
}
