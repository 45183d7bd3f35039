import CommunisModel
import CommunisServices
import CommunisStore
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Document libraries over HTTP (docs/openapi.yaml, "Documents"): libraries and folders,
/// documents, their content, versions, approval, locks and links. Each route decodes, calls
/// `Documents` and encodes; uploads are `UploadRoutes` (tus), previews the preview routes.
struct DocumentRoutes {
    let services: Services

    struct ApprovalBody: Decodable { var version: Int }
    struct LockBody: Decodable { var minutes: Int? }
    struct RestoreBody: Decodable { var comment: String? }

    func register(on api: RouterGroup<AppRequestContext>) {
        let documents = services.documents

        api.get("workspaces/:id/documents") { request, context in
            let viewer = try context.requireViewer()
            let folder = try Self.folderParameter(request)
            let library = try await documents.library(viewer, workspace: try context.parameters.id("id"), folder: folder, page: try request.pageRequest())
            let items = try await documents.json(library.documents.items, viewer: viewer)
            let folderJSON = try await documents.json(library.path + library.folders)
            return try LibraryJSON(
                folder: library.folder == nil ? nil : folderJSON[library.path.count - 1],
                path: library.path.map { LiveJSON.PathItem(id: $0.id, name: $0.name) },
                folders: Array(folderJSON[library.path.count...]),
                documents: Self.page(items, like: library.documents),
                usedBytes: library.usedBytes, quotaBytes: library.quotaBytes, sharedExternally: library.sharedExternally,
                canWrite: library.canWrite).response()
        }
        api.get("workspaces/:id/documents/trash") { request, context in
            let viewer = try context.requireViewer()
            let page = try await documents.trashed(viewer, workspace: try context.parameters.id("id"), page: try request.pageRequest())
            return try Self.page(try await documents.json(page.items, viewer: viewer), like: page).response()
        }
        api.get("workspaces/:id/folders") { _, context in
            let folders = try await documents.folders(try context.requireViewer(), workspace: try context.parameters.id("id"))
            return try FoldersJSON(folders: try await documents.json(folders)).response()
        }
        api.post("workspaces/:id/folders") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(FolderBody.self, context: context)
            guard let name = body.name else { throw Problem.badParameter("name", "is required") }
            let folder = try await documents.createFolder(viewer, workspace: try context.parameters.id("id"), parent: body.parentId ?? nil, name: name)
            context.logger.info("folder created", metadata: ["folder.id": "\(folder.id)", "workspace.id": "\(folder.workspaceID)"])
            return try (try await documents.json([folder])[0]).response(.created)
        }
        api.patch("folders/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(FolderBody.self, context: context)
            let folder = try await documents.updateFolder(viewer, try context.parameters.id("id"), name: body.name, parent: body.parentId)
            return try (try await documents.json([folder])[0]).response()
        }
        api.delete("folders/:id") { _, context in
            try await documents.deleteFolder(try context.requireViewer(), try context.parameters.id("id"))
            return Response(status: .noContent)
        }

        api.get("documents") { request, context in
            let viewer = try context.requireViewer()
            let raw = request.queryAll("ids").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            guard raw.count <= PageRequest.maxLimit else { throw Problem.badParameter("ids", "at most \(PageRequest.maxLimit) ids") }
            // An id that is not a UUID names no document: left out like an unreadable one.
            let found = try await documents.documents(viewer, ids: raw.compactMap(DocumentID.init))
            return try DocumentsJSON(documents: try await documents.json(found, viewer: viewer)).response()
        }
        api.get("documents/:id") { _, context in
            let viewer = try context.requireViewer()
            return try (try await documents.json(try await documents.document(viewer, try context.parameters.id("id")), viewer: viewer)).response()
        }
        api.patch("documents/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(MoveBody.self, context: context)
            let document = try await documents.move(viewer, try context.parameters.id("id"), title: body.title, folder: body.folderId)
            return try (try await documents.json(document, viewer: viewer)).response()
        }
        api.delete("documents/:id") { _, context in
            let viewer = try context.requireViewer()
            let id: DocumentID = try context.parameters.id("id")
            try await documents.trash(viewer, id)
            context.logger.info("document trashed", metadata: ["document.id": "\(id)", "person.id": "\(viewer.id)"])
            return Response(status: .noContent)
        }
        api.post("documents/:id/restore") { _, context in
            let viewer = try context.requireViewer()
            return try (try await documents.json(try await documents.restore(viewer, try context.parameters.id("id")), viewer: viewer)).response()
        }

        api.get("documents/:id/content") { request, context in
            try await Self.content(documents, request: request, context: context)
        }
        api.head("documents/:id/content") { request, context in
            try await Self.content(documents, request: request, context: context).createHeadResponse()
        }

        api.get("documents/:id/versions") { _, context in
            let viewer = try context.requireViewer()
            let id: DocumentID = try context.parameters.id("id")
            let document = try await documents.document(viewer, id)
            return try VersionsJSON(versions: try await documents.json(try await documents.versions(viewer, id), of: document)).response()
        }
        api.post("documents/:id/versions/:number/restore") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let number = try Self.versionNumber(context.parameters.get("number"), name: "number")
            let body = try await request.optionalJSON(RestoreBody.self, context: context) ?? RestoreBody()
            let document = try await documents.restoreVersion(viewer, try context.parameters.id("id"), number: number, comment: body.comment ?? "")
            return try (try await documents.json(document, viewer: viewer)).response(.created)
        }
        api.put("documents/:id/approval") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(ApprovalBody.self, context: context)
            let document = try await documents.approve(viewer, try context.parameters.id("id"), version: body.version)
            context.logger.info("document approved", metadata: ["document.id": "\(document.id)", "version": "\(body.version)"])
            return try (try await documents.json(document, viewer: viewer)).response()
        }
        api.delete("documents/:id/approval") { _, context in
            let viewer = try context.requireViewer()
            let document = try await documents.approve(viewer, try context.parameters.id("id"), version: nil)
            return try (try await documents.json(document, viewer: viewer)).response()
        }
        api.get("documents/:id/compare") { request, context in
            let viewer = try context.requireViewer()
            // The id first: one that cannot exist is 404 whatever the query says.
            let id: DocumentID = try context.parameters.id("id")
            let from = try Self.versionNumber(request.query("from"), name: "from")
            let to = try Self.versionNumber(request.query("to"), name: "to")
            let lines = try await documents.compare(viewer, id, from: from, to: to)
            return try CompareJSON(from: from, to: to, diff: lines).response()
        }
        api.post("documents/:id/lock") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.optionalJSON(LockBody.self, context: context) ?? LockBody()
            let lock = try await documents.lock(viewer, try context.parameters.id("id"), minutes: body.minutes, token: nil)
            return try (try await documents.json(lock, viewer: viewer)).response()
        }
        api.delete("documents/:id/lock") { _, context in
            try await documents.unlock(try context.requireViewer(), try context.parameters.id("id"), token: nil)
            return Response(status: .noContent)
        }
        api.get("documents/:id/links") { _, context in
            let links = try await documents.links(try context.requireViewer(), try context.parameters.id("id"))
            return try LinksJSON(links).response()
        }
    }

    static func content(_ documents: Documents, request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireViewer()
        let id: DocumentID = try context.parameters.id("id")
        let selector: DocumentVersionSelector
        switch request.query("version") {
        case nil, "current": selector = .current
        case "approved": selector = .approved
        case let text?: selector = .number(try versionNumber(text, name: "version"))
        }
        let download: Bool
        switch request.query("download") {
        case nil: download = false
        case "1", "true": download = true
        default: throw Problem.badParameter("download", "must be 1 or true (or left out)")
        }
        let opened = try await documents.open(viewer, id, version: selector)
        return try await DocumentContent.response(opened, request: request, context: context, download: download)
    }

    static func folderParameter(_ request: Request) throws -> DocumentFolderID? {
        guard let text = request.query("folder") else { return nil }
        guard let id = DocumentFolderID(text) else { throw Problem.badParameter("folder", "must be a folder id") }
        return id
    }

    static func versionNumber(_ text: String?, name: String) throws -> Int {
        guard let text, let number = Int(text), number >= 1 else { throw Problem.badParameter(name, "must be a version number (1 or more)") }
        return number
    }

    static func page(_ items: [LiveJSON.DocumentJSON], like page: Page<Document>) -> PageJSON<LiveJSON.DocumentJSON> {
        PageJSON(Page(items: items, total: page.total, limit: page.limit, offset: page.offset)) { $0 }
    }
}
