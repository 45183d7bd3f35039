import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird

extension DAVHandler {
    /// MOVE and COPY within `/dav/`.
    ///
    /// MOVE renames or moves a document or folder inside its workspace; the document keeps its
    /// id, so every link to it keeps working. MOVE onto an existing document (Overwrite: T) makes
    /// the moved file a new version of the one it replaces, and the moved document goes to
    /// the trash: that is how Word and other programs save through a temporary file (write
    /// `~WRL0001.tmp`, then rename it over the document), and it keeps the document's history.
    /// Moving to another workspace is refused (a document belongs to one library; copy it).
    ///
    /// COPY makes a new document from the same stored file (nothing is copied on disk), in
    /// any library the person may write to; a folder is copied with what is in it.
    func moveOrCopy(_ request: Request, path: DAVPath, viewer: Viewer, copy: Bool) async throws -> Response {
        guard let destinationText = DAVHeaders.destinationPath(request.headers[DAVResponse.destination]),
              let destination = DAVPath(requestPath: destinationText), destination.workspace != nil, !destination.names.isEmpty else {
            throw DAVResponse.Failure(status: .badRequest, message: "Destination must name a place inside a workspace under /dav/.")
        }
        let overwrite = DAVHeaders.overwrite(request.headers[DAVResponse.overwrite])
        let source = try await resolve(path, viewer: viewer)
        let submitted = try await conditions(request, path: path, target: source, viewer: viewer)
        switch source {
        case .root, .library:
            throw DAVResponse.Failure(status: .forbidden, message: "A workspace's library cannot be moved or copied.")
        case .missing:
            throw DomainError.notFound("Document")
        case .document, .folder:
            break
        }
        if !copy, destination.workspace != path.workspace {
            throw DAVResponse.Failure(status: .forbidden, message: "A document stays in its workspace; copy it to the other one instead.")
        }
        if destination.workspace == path.workspace, destination.names.starts(with: path.names), case .folder = source,
           destination.names.count > path.names.count {
            throw DAVResponse.Failure(status: .forbidden, message: "A folder cannot be moved or copied into itself.")
        }
        let name = destination.names[destination.names.count - 1]
        if Self.isDesktopClutter(name) { throw DAVResponse.Failure(status: .forbidden, message: "\(name) is not kept.") }
        var target = try await resolve(destination, viewer: viewer)
        // The same document or folder under another spelling (a rename that changes only case).
        let sameItem: Bool
        switch (source, target) {
        case (.document(let a), .document(let b)): sameItem = a.id == b.id
        case (.folder(let a), .folder(let b)): sameItem = a.id == b.id
        default: sameItem = false
        }
        var existed = false
        if !sameItem {
            switch target {
            case .missing:
                break
            case .root, .library:
                throw DAVResponse.Failure(status: .forbidden, message: "A library cannot be replaced.")
            case .document, .folder:
                guard overwrite else {
                    throw DAVResponse.Failure(status: .preconditionFailed, message: "\(destination.href(collection: false)) exists and Overwrite is F.")
                }
                existed = true
            }
        }

        switch source {
        case .document(let document):
            if !copy { try requireToken(document, submitted: submitted, path: path) }
            if case .document(let replaced) = target, !sameItem {
                // The moved or copied file becomes the replaced document's next version.
                try requireToken(replaced, submitted: submitted, path: destination)
                if replaced.current.sha256 != document.current.sha256 {
                    let file = try await linkedCopy(of: document, viewer: viewer)
                    defer { try? FileManager.default.removeItem(at: file) }
                    _ = try await documents.addVersion(viewer, replaced.id, file: file, mediaType: document.current.mediaType, fileName: name,
                                                       comment: "", lockToken: Self.token(of: replaced, in: submitted))
                }
                if !copy { try await documents.trash(viewer, document.id) }
                return DAVResponse.status(.noContent)
            }
            if case .folder(let folder) = target {
                let failures = await deleteFolder(folder, path: destination, viewer: viewer, submitted: submitted)
                guard failures.isEmpty else { throw DAVResponse.Failure(status: DAVResponse.failedDependency, message: "The folder in the way could not be deleted.") }
                target = try await resolve(destination, viewer: viewer)
            }
            let parent = try parentFolder(of: target, sameItem: sameItem, current: document.folderID)
            if copy {
                let file = try await linkedCopy(of: document, viewer: viewer)
                defer { try? FileManager.default.removeItem(at: file) }
                guard let workspace = WorkspaceID(destination.workspace ?? "") else { throw DomainError.notFound("Workspace") }
                _ = try await documents.create(viewer, workspace: workspace, folder: parent, title: name, file: file, mediaType: document.current.mediaType,
                                               comment: "")
            } else {
                _ = try await documents.move(viewer, document.id, title: name, folder: .some(parent))
            }
        case .folder(let folder):
            if case .document(let replaced) = target, !sameItem {
                try requireToken(replaced, submitted: submitted, path: destination)
                try await documents.trash(viewer, replaced.id)
                target = try await resolve(destination, viewer: viewer)
            } else if case .folder(let replaced) = target, !sameItem {
                let failures = await deleteFolder(replaced, path: destination, viewer: viewer, submitted: submitted)
                guard failures.isEmpty else { throw DAVResponse.Failure(status: DAVResponse.failedDependency, message: "The folder in the way could not be deleted.") }
                target = try await resolve(destination, viewer: viewer)
            }
            let parent = try parentFolder(of: target, sameItem: sameItem, current: folder.parentID)
            if copy {
                guard let workspace = WorkspaceID(destination.workspace ?? "") else { throw DomainError.notFound("Workspace") }
                let depth = DAVHeaders.depth(request.headers[DAVResponse.depth], missing: .infinity) ?? .infinity
                try await copyFolder(folder, to: workspace, parent: parent, name: name, deep: depth != .zero, viewer: viewer)
            } else {
                _ = try await documents.updateFolder(viewer, folder.id, name: name, parent: .some(parent))
            }
        default:
            break
        }
        return DAVResponse.status(existed ? .noContent : .created, headers: existed ? [:] : [.location: destination.href(collection: false)])
    }

    /// The folder a moved or copied item goes into.
    private func parentFolder(of target: Target, sameItem: Bool, current: DocumentFolderID?) throws -> DocumentFolderID? {
        switch target {
        case .missing(_, let parent, _): return parent
        case .document, .folder where sameItem: return current
        default: throw DAVResponse.Failure(status: .conflict, message: "The destination is in the way.")
        }
    }

    /// A temporary file with the document's current bytes, for the service to adopt: a hard
    /// link to the stored file (same disk; adopting it finds the file already stored), or a
    /// copy where links are not possible.
    func linkedCopy(of document: Document, viewer: Viewer) async throws -> URL {
        let opened = try await documents.open(viewer, document.id, version: .current)
        let file = blobs.temporaryFile()
        do {
            try FileManager.default.linkItem(at: opened.file, to: file)
        } catch {
            try FileManager.default.copyItem(at: opened.file, to: file)
        }
        return file
    }

    /// Copies a folder (with `deep`, everything in it) as `name` into `parent`.
    func copyFolder(_ folder: DocumentFolder, to workspace: WorkspaceID, parent: DocumentFolderID?, name: String, deep: Bool, viewer: Viewer) async throws {
        let copy = try await documents.createFolder(viewer, workspace: workspace, parent: parent, name: name)
        guard deep else { return }
        var offset = 0
        while true {
            let library = try await documents.library(viewer, workspace: folder.workspaceID, folder: folder.id,
                                                      page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            if offset == 0 {
                for child in library.folders {
                    try await copyFolder(child, to: workspace, parent: copy.id, name: child.name, deep: true, viewer: viewer)
                }
            }
            for document in library.documents.items {
                let file = try await linkedCopy(of: document, viewer: viewer)
                defer { try? FileManager.default.removeItem(at: file) }
                _ = try await documents.create(viewer, workspace: workspace, folder: copy.id, title: document.title, file: file,
                                               mediaType: document.current.mediaType, comment: "")
            }
            offset += library.documents.items.count
            if library.documents.items.isEmpty || offset >= library.documents.total { return }
        }
    }

    /// LOCK: an exclusive write lock on a document is its check-out (`Documents.lock`);
    /// an empty body with the lock's token in `If` refreshes it. LOCK on a name that does not
    /// exist creates an empty document and locks it (RFC 4918 §9.10.4), as Office does before
    /// it saves a new file. The holder asking again gets the lock they hold (the same token),
    /// so that a document checked out in the browser can be opened in Word by the same
    /// person; anyone else gets 423. Folders are not locked (403), shared locks not offered
    /// (412).
    func lock(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        let info = try DAVRequestBody.lockInfo(try await body(request))
        let minutes = DAVHeaders.timeoutMinutes(request.headers[DAVResponse.timeout], maxMinutes: maxLockMinutes)
        var target = try await resolve(path, viewer: viewer)
        let submitted = try await conditions(request, path: path, target: target, viewer: viewer)
        var created = false
        if let info {
            guard info.write else { throw DAVResponse.Failure(status: .preconditionFailed, message: "Only write locks are offered.") }
            guard info.exclusive else { throw DAVResponse.Failure(status: .preconditionFailed, message: "Only exclusive locks are offered.") }
            if case .missing(let workspace, let parent, let name) = target {
                if Self.isDesktopClutter(name) { throw DAVResponse.Failure(status: .forbidden, message: "\(name) is not kept.") }
                let file = blobs.temporaryFile()
                defer { try? FileManager.default.removeItem(at: file) }
                FileManager.default.createFile(atPath: file.path, contents: nil)
                target = .document(try await documents.create(viewer, workspace: workspace, folder: parent, title: name, file: file, mediaType: nil, comment: ""))
                created = true
            }
        }
        guard case .document(let document) = target else {
            if case .missing = target { throw DomainError.notFound("Document") }
            throw DAVResponse.Failure(status: .forbidden, message: "Folders are not locked here; lock the documents in them.")
        }
        var token: String?
        if info == nil {
            // A refresh names its lock in If.
            guard let held = Self.token(of: document, in: submitted), document.lock?.holds(at: Date()) == true else {
                throw DAVResponse.Failure(status: .preconditionFailed, message: "Name the lock to refresh in the If header.", condition: "lock-token-submitted",
                                          hrefs: [path.href(collection: false)])
            }
            token = held
        }
        let lock = try await documents.lock(viewer, document.id, minutes: minutes, token: token)
        if let owner = info?.owner { owners.set(owner, for: lock.token) }
        let active = DAVActiveLock(token: lock.token, owner: owners.owner(of: lock.token) ?? viewer.person.name,
                                   timeoutSeconds: Int(lock.expiresAt.timeIntervalSinceNow.rounded(.up)), root: path.href(collection: false))
        return DAVResponse.xml(created ? .created : .ok, DAVXML.lockAnswer(active), headers: [DAVResponse.lockToken: "<\(lock.token)>"])
    }

    /// UNLOCK with the lock's token (`Lock-Token`). Someone else's lock is the service's to
    /// judge: a workspace owner or administrator may break it, no one else.
    func unlock(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        guard let token = DAVHeaders.lockToken(request.headers[DAVResponse.lockToken]) else {
            throw DAVResponse.Failure(status: .badRequest, message: "UNLOCK needs the Lock-Token header.")
        }
        guard case .document(let document) = try await resolve(path, viewer: viewer) else { throw DomainError.notFound("Document") }
        guard let lock = document.lock, lock.holds(at: Date()), lock.token == token else {
            throw DAVResponse.Failure(status: .conflict, message: "The document holds no lock with that token.", condition: "lock-token-matches-request-uri")
        }
        try await documents.unlock(viewer, document.id, token: token)
        return DAVResponse.status(.noContent)
    }
}
