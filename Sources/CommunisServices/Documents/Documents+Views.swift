import CommunisFiles
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

extension Documents {
    /// A document as `viewer` sees it over HTTP (nil: the shape of events, the same for
    /// every reader: no lock token, no `mine`, no `canApprove`/`canWrite`).
    public func json(_ document: Document, viewer: Viewer?) async throws -> LiveJSON.DocumentJSON {
        try await json([document], viewer: viewer).first!
    }

    /// Many documents at once: each workspace's name, folders and standing read once.
    public func json(_ documents: [Document], viewer: Viewer?) async throws -> [LiveJSON.DocumentJSON] {
        var workspaces: [WorkspaceID: (overview: WorkspaceOverview, folders: [DocumentFolderID: DocumentFolder], access: Access?)] = [:]
        for id in Set(documents.map(\.workspaceID)) {
            guard let overview = try await store.overview(id: id) else { throw DomainError.notFound("Workspace") }
            let folders = try await store.documentFolders(workspace: id)
            var access: Access?
            if let viewer { access = try await self.access(viewer, id) }
            workspaces[id] = (overview, Dictionary(folders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }), access)
        }
        let people = Set(documents.flatMap { [$0.createdBy, $0.current.createdBy] + [$0.approvedBy, $0.lock?.holderID].compactMap { $0 } })
        let names = try await Names.load(people, from: store)
        return documents.map { document in
            let place = workspaces[document.workspaceID]!
            let path = (try? Self.chain(document.folderID, in: place.folders)) ?? []
            let version = document.current
            let approval = document.approvedVersion.map {
                LiveJSON.ApprovalJSON(version: $0, by: names.ref(document.approvedBy ?? document.createdBy), at: document.approvedAt ?? document.updatedAt)
            }
            var json = LiveJSON.DocumentJSON(
                id: document.id, workspaceId: document.workspaceID, workspaceName: place.overview.workspace.name, folderId: document.folderID,
                path: path.map { LiveJSON.PathItem(id: $0.id, name: $0.name) }, title: document.title,
                current: LiveJSON.DocumentVersionJSON(version, createdBy: names.ref(version.createdBy), approved: document.approvedVersion == version.number),
                approved: approval,
                lock: document.lock.flatMap { lock in
                    lock.holds(at: clock.now()) ? LiveJSON.LockJSON(lock, holder: names.ref(lock.holderID), viewer: viewer?.id) : nil
                },
                createdBy: names.ref(document.createdBy), createdAt: document.createdAt, updatedAt: document.updatedAt, trashedAt: document.trashedAt,
                sharedExternally: DocumentPolicy.sharedExternally(place.overview),
                davUrl: Self.davPath(workspace: document.workspaceID, folders: path.map(\.name), title: document.title),
                preview: preview(of: version))
            if let access = place.access {
                json.canWrite = access.canWrite
                json.canApprove = access.canApprove
            }
            return json
        }
    }

    public func json(_ versions: [DocumentVersion], of document: Document) async throws -> [LiveJSON.DocumentVersionJSON] {
        let names = try await Names.load(Set(versions.map(\.createdBy)), from: store)
        return versions.map { LiveJSON.DocumentVersionJSON($0, createdBy: names.ref($0.createdBy), approved: document.approvedVersion == $0.number) }
    }

    public func json(_ folders: [DocumentFolder]) async throws -> [LiveJSON.FolderJSON] {
        let names = try await Names.load(Set(folders.map(\.createdBy)), from: store)
        return folders.map { LiveJSON.FolderJSON($0, createdBy: names.ref($0.createdBy)) }
    }

    public func json(_ lock: DocumentLock, viewer: Viewer) async throws -> LiveJSON.LockJSON {
        LiveJSON.LockJSON(lock, holder: try await personRef(lock.holderID), viewer: viewer.id)
    }

    /// The preview's state, as the background processing knows it (`DocumentProcessor`).
    func preview(of version: DocumentVersion) -> LiveJSON.PreviewJSON {
        guard settings.previews else { return LiveJSON.PreviewJSON(state: "none", pages: 0) }
        switch processing.preview(of: version) {
        case .ready(let pages): return LiveJSON.PreviewJSON(state: "ready", pages: pages)
        case .pending: return LiveJSON.PreviewJSON(state: "pending", pages: 0)
        case .failed: return LiveJSON.PreviewJSON(state: "failed", pages: 0)
        case .none: return LiveJSON.PreviewJSON(state: "none", pages: 0)
        }
    }

    static func chain(_ id: DocumentFolderID?, in folders: [DocumentFolderID: DocumentFolder]) throws -> [DocumentFolder] {
        guard let id else { return [] }
        return try chain(id, in: folders)
    }

    /// `/dav/<workspace>/<folder>/…/<title>`, each name percent-encoded (RFC 3986 unreserved kept).
    static func davPath(workspace: WorkspaceID, folders: [String], title: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let segments = (folders + [title]).map { $0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0 }
        return "/dav/\(workspace)/" + segments.joined(separator: "/")
    }

    func personRef(_ id: PersonID) async throws -> LiveJSON.PersonRef {
        LiveJSON.PersonRef(id: id, name: try await store.person(id: id)?.name ?? "")
    }
}
