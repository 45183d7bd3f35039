import CommunisFiles
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

extension Documents {
    /// The viewer's standing towards one workspace's library.
    struct Access: Sendable {
        var overview: WorkspaceOverview
        var membership: MembershipRole?
        var role: Role

        var workspace: Workspace { overview.workspace }
        var canWrite: Bool { DocumentPolicy.canWrite(viewer: role, membership: membership) }
        var canApprove: Bool { DocumentPolicy.canApprove(overview.workspace.visibility, viewer: role, membership: membership) }
        var sharedExternally: Bool { DocumentPolicy.sharedExternally(overview) }

        func requireWrite() throws {
            guard canWrite else {
                throw DomainError.forbidden("Bara arbetsytans medlemmar kan ändra dess dokument. / Only the workspace's members can change its documents.")
            }
        }
    }

    /// The library's readers only; to anyone else the workspace does not exist.
    func access(_ viewer: Viewer, _ workspace: WorkspaceID) async throws -> Access {
        let membership = try await store.membership(workspace: workspace, person: viewer.id)
        guard let overview = try await store.overview(id: workspace),
              DocumentPolicy.canRead(overview.workspace.visibility, viewer: viewer.role, membership: membership) else {
            throw DomainError.notFound("Workspace")
        }
        return Access(overview: overview, membership: membership, role: viewer.role)
    }

    /// A document the viewer may read (in the trash or not); else `notFound("Document")`.
    func readable(_ viewer: Viewer, _ id: DocumentID) async throws -> (Document, Access) {
        guard let document = try await store.document(id: id) else { throw DomainError.notFound("Document") }
        do {
            return (document, try await access(viewer, document.workspaceID))
        } catch DomainError.notFound {
            throw DomainError.notFound("Document")
        }
    }

    func readableFolder(_ viewer: Viewer, _ id: DocumentFolderID) async throws -> DocumentFolder {
        guard let folder = try await store.documentFolder(id: id) else { throw DomainError.notFound("Folder") }
        do { _ = try await access(viewer, folder.workspaceID) } catch DomainError.notFound { throw DomainError.notFound("Folder") }
        return folder
    }

    /// The folder and its ancestors, top first; `notFound("Folder")` unless it is in `workspace`.
    func folderChain(_ id: DocumentFolderID, in workspace: WorkspaceID) async throws -> [DocumentFolder] {
        let folders = try await store.documentFolders(workspace: workspace)
        return try Self.chain(id, in: Dictionary(folders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    static func chain(_ id: DocumentFolderID, in folders: [DocumentFolderID: DocumentFolder]) throws -> [DocumentFolder] {
        var chain: [DocumentFolder] = []
        var next: DocumentFolderID? = id
        while let current = next {
            guard let folder = folders[current], chain.count <= DocumentRules.maxFolderDepth * 2 else { throw DomainError.notFound("Folder") }
            chain.insert(folder, at: 0)
            next = folder.parentID
        }
        return chain
    }

    // MARK: Reading

    public func library(_ viewer: Viewer, workspace: WorkspaceID, folder: DocumentFolderID?, page: PageRequest) async throws -> DocumentLibrary {
        let access = try await self.access(viewer, workspace)
        let all = try await store.documentFolders(workspace: workspace)
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let path = try folder.map { try Self.chain($0, in: byID) } ?? []
        return DocumentLibrary(
            workspace: access.workspace, folder: path.last, path: path, folders: all.filter { $0.parentID == folder },
            documents: try await store.documents(workspace: workspace, folder: folder, page: page),
            usedBytes: try await store.documentBytes(workspace: workspace), quotaBytes: settings.quotaBytes,
            sharedExternally: access.sharedExternally, canWrite: access.canWrite, canApprove: access.canApprove)
    }

    /// The workspace's trash, most recently trashed first.
    public func trashed(_ viewer: Viewer, workspace: WorkspaceID, page: PageRequest) async throws -> Page<Document> {
        _ = try await access(viewer, workspace)
        return try await store.trashedDocuments(workspace: workspace, page: page)
    }

    public func folders(_ viewer: Viewer, workspace: WorkspaceID) async throws -> [DocumentFolder] {
        _ = try await access(viewer, workspace)
        return try await store.documentFolders(workspace: workspace)
    }

    /// One document, also in the trash.
    public func document(_ viewer: Viewer, _ id: DocumentID) async throws -> Document {
        try await readable(viewer, id).0
    }

    /// The readable ones of `ids` (link cards); the rest are left out without a word.
    public func documents(_ viewer: Viewer, ids: [DocumentID]) async throws -> [Document] {
        var readable: [WorkspaceID: Bool] = [:]
        var result: [Document] = []
        for document in try await store.documents(ids: Array(ids.prefix(PageRequest.maxLimit))) {
            if readable[document.workspaceID] == nil {
                do {
                    _ = try await access(viewer, document.workspaceID)
                    readable[document.workspaceID] = true
                } catch DomainError.notFound {
                    readable[document.workspaceID] = false
                }
            }
            if readable[document.workspaceID] == true { result.append(document) }
        }
        return result
    }

    /// What a path of names inside the library names (WebDAV). A missing parent is `notFound`.
    public func resolve(_ viewer: Viewer, workspace: WorkspaceID, path: [String]) async throws -> DocumentPathTarget {
        _ = try await access(viewer, workspace)
        guard let last = path.last else { return .library }
        let folders = try await store.documentFolders(workspace: workspace)
        var parent: DocumentFolderID?
        for name in path.dropLast() {
            guard let folder = folders.first(where: { $0.parentID == parent && DocumentRules.nameKey($0.name) == DocumentRules.nameKey(name) }) else {
                throw DomainError.notFound("Folder")
            }
            parent = folder.id
        }
        if let folder = folders.first(where: { $0.parentID == parent && DocumentRules.nameKey($0.name) == DocumentRules.nameKey(last) }) {
            return .folder(folder)
        }
        if let document = try await store.document(workspace: workspace, folder: parent, title: last) { return .document(document) }
        return .missing(parent: parent, name: last)
    }

    /// Every version, newest first.
    public func versions(_ viewer: Viewer, _ id: DocumentID) async throws -> [DocumentVersion] {
        _ = try await readable(viewer, id)
        return try await store.documentVersions(id)
    }

    public func open(_ viewer: Viewer, _ id: DocumentID, version selector: DocumentVersionSelector) async throws -> OpenedDocument {
        let (document, _) = try await readable(viewer, id)
        let version: DocumentVersion
        switch selector {
        case .current:
            version = document.current
        case .approved:
            guard let number = document.approvedVersion, let found = try await store.documentVersion(id, number: number) else {
                throw DomainError.notFound("Approved version")
            }
            version = found
        case .number(let number):
            guard let found = try await store.documentVersion(id, number: number) else { throw DomainError.notFound("Version") }
            version = found
        }
        let file = blobs.url(of: version.sha256)
        guard FileManager.default.fileExists(atPath: file.path) else { throw DomainError.notFound("Version file") }
        return OpenedDocument(document: document, version: version, file: file)
    }

    /// The text of version `from` against version `to`, line by line; `textPending` while the
    /// text of either is still being extracted, `textUnavailable` when it cannot be.
    public func compare(_ viewer: Viewer, _ id: DocumentID, from: Int, to: Int) async throws -> [DiffLine] {
        _ = try await readable(viewer, id)
        for number in [from, to] where try await store.documentVersion(id, number: number) == nil { throw DomainError.notFound("Version") }
        guard let old = try await store.documentText(id, version: from), let new = try await store.documentText(id, version: to) else {
            if processing.isProcessing(id, version: from) || processing.isProcessing(id, version: to) { throw DomainError.textPending }
            throw DomainError.textUnavailable
        }
        return LineDiff.diff(old, new)
    }

    /// The places linking the document that the viewer may read, newest first.
    public func links(_ viewer: Viewer, _ id: DocumentID) async throws -> [DocumentLinkView] {
        _ = try await readable(viewer, id)
        var views: [DocumentLinkView] = []
        var readable: [WorkspaceID: Bool] = [:]
        func mayRead(_ workspace: WorkspaceID) async throws -> Bool {
            if let known = readable[workspace] { return known }
            let result: Bool
            do { _ = try await access(viewer, workspace); result = true } catch DomainError.notFound { result = false }
            readable[workspace] = result
            return result
        }
        for source in try await store.documentLinks(id) {
            switch source.kind {
            case .post:
                guard let postID = PostID(source.id), let post = try await store.post(id: postID), !post.isDeleted,
                      try await mayRead(post.workspaceID), let thread = try await store.thread(id: post.threadID) else { continue }
                views.append(DocumentLinkView(kind: .post, id: source.id, title: thread.title,
                                              url: "#/workspaces/\(post.workspaceID)?thread=\(post.threadID)", workspaceID: post.workspaceID))
            case .blog:
                guard let blogID = BlogPostID(source.id), let blog = try await store.blogPost(id: blogID), blog.status == .published else { continue }
                if let workspace = blog.workspaceID {
                    guard try await mayRead(workspace) else { continue }
                    views.append(DocumentLinkView(kind: .blog, id: source.id, title: blog.title, url: "#/workspaces/\(workspace)/blog/\(blog.id)", workspaceID: workspace))
                } else {
                    guard viewer.role.isEmployee else { continue }
                    views.append(DocumentLinkView(kind: .blog, id: source.id, title: blog.title, url: "#/people/\(blog.authorID)/blog/\(blog.id)", workspaceID: nil))
                }
            case .article:
                guard let articleID = HowToID(source.id), let article = try await store.howTo(id: articleID) else { continue }
                if let workspace = article.workspaceID {
                    guard try await store.membership(workspace: workspace, person: viewer.id) != nil else { continue }
                } else if !viewer.role.isEmployee {
                    continue
                }
                views.append(DocumentLinkView(kind: .article, id: source.id, title: article.content.title, url: "#/knowledge/\(article.id)",
                                              workspaceID: article.workspaceID))
            }
        }
        return views
    }
}
