import CommunisFiles
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Document libraries (dokument): folders, documents with every version kept, approval
/// (fastställd), check-out locks, the trash. Every method checks `DocumentPolicy` first (a
/// document the viewer may not read does not exist: `notFound`), validates, writes the file
/// (`BlobStore.adopt`: complete and synced on disk), then applies the change with its event
/// in one transaction, then publishes it — so no row ever names a missing file and nothing
/// announced can be taken back. WebDAV (`/dav/`) and the HTTP routes call the same methods.
public struct Documents: Sendable {
    let store: any CommunisStore & LiveStore
    let publisher: any LivePublisher
    public let blobs: BlobStore
    public let settings: DocumentSettings
    let processing: any DocumentProcessing
    let clock: Clock

    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, blobs: BlobStore, settings: DocumentSettings = DocumentSettings(),
                processing: any DocumentProcessing = NoDocumentProcessing(), clock: Clock = Clock()) {
        self.store = store
        self.publisher = publisher
        self.blobs = blobs
        self.settings = settings
        self.processing = processing
        self.clock = clock
    }

    // MARK: Folders

    public func createFolder(_ viewer: Viewer, workspace: WorkspaceID, parent: DocumentFolderID?, name: String) async throws -> DocumentFolder {
        let access = try await self.access(viewer, workspace)
        try access.requireWrite()
        try check(DocumentRules.nameErrors(name))
        if let parent {
            let chain = try await folderChain(parent, in: workspace)
            guard chain.count < DocumentRules.maxFolderDepth else {
                throw DomainError.validation([FieldError(field: "parentId", message: "folders nest at most \(DocumentRules.maxFolderDepth) deep")])
            }
        }
        let folder = DocumentFolder(workspaceID: workspace, parentID: parent, name: name, createdBy: viewer.id, createdAt: clock.now())
        let payload = LiveJSON.FolderEvent(folder: LiveJSON.FolderJSON(folder, createdBy: viewer.ref))
        try await apply(.createFolder(folder), kind: .folderCreated, payload: payload, viewer: viewer, workspace: workspace)
        return folder
    }

    /// `name` nil keeps the name; `parent` nil keeps the place, `.some(nil)` moves to the top.
    public func updateFolder(_ viewer: Viewer, _ id: DocumentFolderID, name: String?, parent: DocumentFolderID??) async throws -> DocumentFolder {
        var folder = try await readableFolder(viewer, id)
        try await access(viewer, folder.workspaceID).requireWrite()
        if let name { try check(DocumentRules.nameErrors(name)) }
        let newParent = parent ?? folder.parentID
        if let newParent {
            let chain = try await folderChain(newParent, in: folder.workspaceID)
            if chain.contains(where: { $0.id == id }) { throw DomainError.conflict("A folder cannot be moved into itself or a folder below it.") }
        }
        folder.name = name ?? folder.name
        folder.parentID = newParent
        folder.updatedAt = clock.now()
        let payload = LiveJSON.FolderEvent(folder: LiveJSON.FolderJSON(folder, createdBy: try await personRef(folder.createdBy)))
        try await apply(.updateFolder(id, name: folder.name, parentID: newParent, at: folder.updatedAt), kind: .folderUpdated, payload: payload,
                        viewer: viewer, workspace: folder.workspaceID)
        return folder
    }

    /// Only an empty folder (409 otherwise).
    public func deleteFolder(_ viewer: Viewer, _ id: DocumentFolderID) async throws {
        let folder = try await readableFolder(viewer, id)
        try await access(viewer, folder.workspaceID).requireWrite()
        try await apply(.deleteFolder(id), kind: .folderDeleted, payload: LiveJSON.FolderDeleted(folderId: id), viewer: viewer, workspace: folder.workspaceID)
    }

    // MARK: Documents

    /// A new document from a complete temporary file (`blobs.temporaryFile()`), which this
    /// takes over: adopted on success, removed on any failure.
    public func create(_ viewer: Viewer, workspace: WorkspaceID, folder: DocumentFolderID?, title: String, file: URL, mediaType: String?,
                       comment: String) async throws -> Document {
        var owned = true
        defer { if owned { try? FileManager.default.removeItem(at: file) } }
        let access = try await self.access(viewer, workspace)
        try access.requireWrite()
        try check(DocumentRules.nameErrors(title, field: "title") + commentErrors(comment))
        if let folder { _ = try await folderChain(folder, in: workspace) }
        let type = MediaTypes.resolve(given: mediaType, fileName: title)
        try await admit(size: try fileSize(file), mediaType: type, fileName: title, workspace: workspace)
        if try await store.document(workspace: workspace, folder: folder, title: title) != nil {
            throw DomainError.conflict("Det finns redan ett dokument med namnet \(title) här. / A document named \(title) already exists here.")
        }
        owned = false
        let blob = try await adopt(file)
        return try await unpinning(blob.sha256) {
            let now = clock.now()
            let id = DocumentID()
            let version = DocumentVersion(documentID: id, number: 1, sha256: blob.sha256, size: blob.size, mediaType: type, fileName: title,
                                          comment: comment, createdBy: viewer.id, createdAt: now)
            let document = Document(id: id, workspaceID: workspace, folderID: folder, title: title, current: version, createdBy: viewer.id, createdAt: now)
            let payload = LiveJSON.DocumentEvent(document: try await json(document, viewer: nil))
            try await apply(.createDocument(document), kind: .documentAdded, payload: payload, viewer: viewer, workspace: workspace)
            await processing.versionStored(document, version: version)
            return try await stored(id)
        }
    }

    /// The next version from a complete temporary file (taken over as by `create`). Refused
    /// with `locked` while someone else has the document checked out; the holder needs no
    /// token (`lockToken` is for WebDAV clients, which send theirs). Content identical to the
    /// current version makes no new version (desktop programs save unchanged files often).
    public func addVersion(_ viewer: Viewer, _ id: DocumentID, file: URL, mediaType: String?, fileName: String?, comment: String,
                           lockToken: String?) async throws -> Document {
        var owned = true
        defer { if owned { try? FileManager.default.removeItem(at: file) } }
        let (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        try await requireUnlocked(document, by: viewer, token: lockToken)
        let name = fileName ?? document.title
        try check(commentErrors(comment) + (fileName.map { DocumentRules.nameErrors($0, field: "fileName") } ?? []))
        let type = MediaTypes.resolve(given: mediaType, fileName: name)
        try await admit(size: try fileSize(file), mediaType: type, fileName: name, workspace: document.workspaceID)
        owned = false
        let blob = try await adopt(file)
        return try await unpinning(blob.sha256) {
            if blob.sha256 == document.current.sha256 && name == document.current.fileName { return document }
            let version = DocumentVersion(documentID: id, number: document.currentVersion + 1, sha256: blob.sha256, size: blob.size, mediaType: type,
                                          fileName: name, comment: comment, createdBy: viewer.id, createdAt: clock.now())
            return try await storeVersion(version, of: document, viewer: viewer)
        }
    }

    /// A new version with the content of version `number` (nothing is lost: the later
    /// versions stay).
    public func restoreVersion(_ viewer: Viewer, _ id: DocumentID, number: Int, comment: String) async throws -> Document {
        let (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        try await requireUnlocked(document, by: viewer, token: nil)
        try check(commentErrors(comment))
        guard let old = try await store.documentVersion(id, number: number) else { throw DomainError.notFound("Version") }
        // Pinned while the new row is written: a purge must not take the file meanwhile.
        await blobs.pin(old.sha256)
        return try await unpinning(old.sha256) {
            guard blobs.contains(old.sha256) else { throw DomainError.notFound("Version file") }
            let version = DocumentVersion(documentID: id, number: document.currentVersion + 1, sha256: old.sha256, size: old.size, mediaType: old.mediaType,
                                          fileName: old.fileName, comment: comment, createdBy: viewer.id, createdAt: clock.now(), restoredFrom: number)
            return try await storeVersion(version, of: document, viewer: viewer)
        }
    }

    /// Marks `version` fastställd (the workspace's owners and administrators); nil removes the mark.
    public func approve(_ viewer: Viewer, _ id: DocumentID, version: Int?) async throws -> Document {
        var (document, access) = try await readable(viewer, id)
        guard access.canApprove else {
            throw DomainError.forbidden("Bara arbetsytans ägare och administratörer kan fastställa. / Only the workspace's owners and administrators can approve.")
        }
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        if let version, try await store.documentVersion(id, number: version) == nil { throw DomainError.notFound("Version") }
        let now = clock.now()
        document.approvedVersion = version
        document.approvedBy = version == nil ? nil : viewer.id
        document.approvedAt = version == nil ? nil : now
        let payload = LiveJSON.DocumentEvent(document: try await json(document, viewer: nil))
        try await apply(.approve(id, version: version, by: viewer.id, at: now), kind: .documentApproved, payload: payload, viewer: viewer,
                        workspace: document.workspaceID)
        return try await stored(id)
    }

    /// Checks the document out for `minutes` (default `documents.lock_minutes`, at most 24 h).
    /// The holder asking again refreshes the lock (same token, no event).
    public func lock(_ viewer: Viewer, _ id: DocumentID, minutes: Int?, token: String?) async throws -> DocumentLock {
        let (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        let minutes = minutes ?? settings.lockMinutes
        guard (1...DocumentSettings.maxLockMinutes).contains(minutes) else {
            throw DomainError.validation([FieldError(field: "minutes", message: "must be between 1 and \(DocumentSettings.maxLockMinutes)")])
        }
        if let token { try check(token.count > 200 || token.isEmpty ? [FieldError(field: "token", message: "must be 1 to 200 characters")] : []) }
        let now = clock.now()
        let until = now.addingTimeInterval(TimeInterval(minutes * 60))
        if let held = document.lock, held.holds(at: now) {
            guard held.holderID == viewer.id else { throw try await locked(held) }
            return try await store.refreshDocumentLock(id, token: held.token, until: until)
        }
        let lock = DocumentLock(holderID: viewer.id, token: token ?? "opaquelocktoken:\(UUID().uuidString.lowercased())", lockedAt: now, expiresAt: until)
        var locked = document
        locked.lock = lock
        let payload = LiveJSON.DocumentEvent(document: try await json(locked, viewer: nil))
        try await apply(.lock(id, lock), kind: .documentLocked, payload: payload, viewer: viewer, workspace: document.workspaceID)
        return lock
    }

    /// Removes the lock: its holder, or (breaking it) the workspace's owners and
    /// administrators. A `token` that is not the lock's is a conflict. No lock: nothing to do.
    public func unlock(_ viewer: Viewer, _ id: DocumentID, token: String?) async throws {
        let (document, access) = try await readable(viewer, id)
        // An expired lock holds nobody back: there is nothing to remove.
        guard let held = document.lock, held.holds(at: clock.now()) else { return }
        let isHolder = held.holderID == viewer.id
        guard isHolder ? access.canWrite : access.canApprove else {
            throw DomainError.forbidden("Bara den som checkat ut dokumentet, arbetsytans ägare och administratörer kan låsa upp det. / Only the holder, the workspace's owners and administrators can unlock it.")
        }
        if let token, token != held.token { throw DomainError.conflict("The lock token does not match the document's lock.") }
        var unlocked = document
        unlocked.lock = nil
        let payload = LiveJSON.DocumentEvent(document: try await json(unlocked, viewer: nil))
        try await apply(.unlock(id), kind: .documentUnlocked, payload: payload, viewer: viewer, workspace: document.workspaceID)
    }

    /// Renames and/or moves (`folder` nil keeps the place, `.some(nil)` is the top). The id
    /// stays, so every link keeps working.
    public func move(_ viewer: Viewer, _ id: DocumentID, title: String?, folder: DocumentFolderID??) async throws -> Document {
        var (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        try await requireUnlocked(document, by: viewer, token: nil)
        if let title { try check(DocumentRules.nameErrors(title, field: "title")) }
        let target = folder ?? document.folderID
        if let target { _ = try await folderChain(target, in: document.workspaceID) }
        let now = clock.now()
        document.title = title ?? document.title
        document.folderID = target
        document.updatedAt = now
        let payload = LiveJSON.DocumentEvent(document: try await json(document, viewer: nil))
        try await apply(.moveDocument(id, title: document.title, folderID: target, at: now), kind: .documentMoved, payload: payload, viewer: viewer,
                        workspace: document.workspaceID)
        return try await stored(id)
    }

    /// To the trash (kept `documents.trash_days`, then purged with its files).
    public func trash(_ viewer: Viewer, _ id: DocumentID) async throws {
        var (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
        try await requireUnlocked(document, by: viewer, token: nil)
        let now = clock.now()
        document.trashedAt = now
        document.trashedBy = viewer.id
        document.lock = nil
        let payload = LiveJSON.DocumentEvent(document: try await json(document, viewer: nil))
        try await apply(.trashDocument(id, by: viewer.id, at: now), kind: .documentDeleted, payload: payload, viewer: viewer, workspace: document.workspaceID)
    }

    /// Out of the trash, into its folder (the top when the folder is gone).
    public func restore(_ viewer: Viewer, _ id: DocumentID) async throws -> Document {
        var (document, access) = try await readable(viewer, id)
        try access.requireWrite()
        guard document.trashedAt != nil else { throw DomainError.notFound("Document in the trash") }
        if let folder = document.folderID, try await store.documentFolder(id: folder) == nil { document.folderID = nil }
        document.trashedAt = nil
        document.trashedBy = nil
        let payload = LiveJSON.DocumentEvent(document: try await json(document, viewer: nil))
        try await apply(.restoreDocument(id, at: clock.now()), kind: .documentRestored, payload: payload, viewer: viewer, workspace: document.workspaceID)
        return try await stored(id)
    }

    // MARK: Shared steps

    /// Stores a version whose file is on disk (and pinned), with its event.
    private func storeVersion(_ version: DocumentVersion, of document: Document, viewer: Viewer) async throws -> Document {
        var next = document
        next.current = version
        next.updatedAt = version.createdAt
        let payload = LiveJSON.DocumentEvent(document: try await json(next, viewer: nil))
        do {
            try await apply(.addVersion(version), kind: .documentVersioned, payload: payload, viewer: viewer, workspace: document.workspaceID)
        } catch DomainError.conflict(let why) {
            // The store refuses a version when another was added meanwhile or a lock came first.
            if let now = try await store.document(id: document.id), let held = now.lock, held.holds(at: version.createdAt), held.holderID != viewer.id {
                throw try await locked(held)
            }
            throw DomainError.conflict(why)
        }
        await processing.versionStored(next, version: version)
        return try await stored(document.id)
    }

    /// The size, type and quota checks every new file passes before it is adopted.
    func admit(size: Int64, mediaType: String, fileName: String, workspace: WorkspaceID) async throws {
        if size > settings.maxFileBytes { throw DomainError.fileTooLarge(maxBytes: settings.maxFileBytes) }
        guard DocumentPolicy.isAllowed(mediaType: mediaType, fileName: fileName, allowed: settings.allowedTypes) else {
            throw DomainError.typeNotAllowed(allowed: settings.allowedTypes)
        }
        if let quota = settings.quotaBytes {
            let used = try await store.documentBytes(workspace: workspace)
            if used + size > quota { throw DomainError.quotaExceeded(quotaBytes: quota, usedBytes: used) }
        }
    }

    /// Runs `body` while `sha256` is pinned (by `adopt` or `pin`), then unpins it, also on failure.
    func unpinning<T>(_ sha256: String, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await blobs.unpin(sha256)
            return result
        } catch {
            await blobs.unpin(sha256)
            throw error
        }
    }

    func adopt(_ file: URL) async throws -> Blob {
        do { return try await blobs.adopt(file) } catch BlobStoreError.storageFull { throw DomainError.storageFull }
    }

    func fileSize(_ file: URL) throws -> Int64 {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber else {
            throw DomainError.validation([FieldError(field: "file", message: "is missing")])
        }
        return size.int64Value
    }

    func requireUnlocked(_ document: Document, by viewer: Viewer, token: String?) async throws {
        guard let held = document.lock, held.holds(at: clock.now()), held.holderID != viewer.id else { return }
        throw try await locked(held)
    }

    func locked(_ lock: DocumentLock) async throws -> DomainError {
        DomainError.locked(holderID: lock.holderID, holderName: try await personRef(lock.holderID).name, expiresAt: lock.expiresAt)
    }

    func commentErrors(_ comment: String) -> [FieldError] {
        comment.count > DocumentRules.maxCommentLength ? [FieldError(field: "comment", message: "must be at most \(DocumentRules.maxCommentLength) characters")] : []
    }

    func check(_ errors: [FieldError]) throws {
        if !errors.isEmpty { throw DomainError.validation(errors) }
    }

    /// Stores the change with its event, then publishes it (persist, then publish).
    @discardableResult
    func apply<P: Encodable>(_ change: DocumentChange, kind: LiveEvent, payload: P, viewer: Viewer, workspace: WorkspaceID) async throws -> WorkspaceEvent {
        let draft = EventDraft(workspaceID: workspace, kind: kind.rawValue, payload: Wire.json(payload), actorID: viewer.id, createdAt: clock.now())
        let applied = try await store.apply(.document(change), event: draft, notifications: [], idempotency: nil)
        if case .applied(let event) = applied { await publisher.publish(event) }
        return applied.event
    }

    func stored(_ id: DocumentID) async throws -> Document {
        guard let document = try await store.document(id: id) else { throw DomainError.notFound("Document") }
        return document
    }
}

extension Viewer {
    var ref: LiveJSON.PersonRef { LiveJSON.PersonRef(id: id, name: person.name) }
}
