import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension DAVHandler {
    /// PROPFIND with Depth 0 or 1 (infinity is refused: RFC 4918 §9.1 lets a server, and a
    /// whole library in one answer is what it is there to prevent).
    func propFind(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        guard let depth = DAVHeaders.depth(request.headers[DAVResponse.depth], missing: .infinity) else {
            throw DAVResponse.Failure(status: .badRequest, message: "Depth must be 0, 1 or infinity.")
        }
        guard depth != .infinity else {
            throw DAVResponse.Failure(status: .forbidden, message: "Ask for one level at a time (Depth: 0 or 1).",
                                      condition: "propfind-finite-depth")
        }
        let asked = try DAVRequestBody.propFind(try await body(request))
        let resources = try await describe(path, viewer: viewer, children: depth == .one)
        let xml: String
        switch asked {
        case .all: xml = DAVXML.multistatus(resources, names: nil)
        case .names: xml = DAVXML.multistatus(resources, names: nil, namesOnly: true)
        case .properties(let names): xml = DAVXML.multistatus(resources, names: names)
        }
        return DAVResponse.xml(DAVResponse.multiStatus, xml)
    }

    /// The resource at `path` and, with `children`, the ones directly in it.
    func describe(_ path: DAVPath, viewer: Viewer, children: Bool) async throws -> [DAVResource] {
        let now = Date()
        switch try await resolve(path, viewer: viewer) {
        case .root:
            var resources = [DAVResource(href: path.href(collection: true), isCollection: true, displayName: "Communis", created: now, modified: now)]
            if children {
                for listing in try await myWorkspaces(viewer) {
                    let workspace = listing.overview.workspace
                    resources.append(DAVResource(href: DAVPath(workspace: "\(workspace.id)", names: []).href(collection: true), isCollection: true,
                                                 displayName: workspace.name, created: workspace.createdAt, modified: workspace.createdAt))
                }
            }
            return resources
        case .library(let workspace):
            let first = try await documents.library(viewer, workspace: workspace, folder: nil, page: PageRequest(limit: PageRequest.maxLimit))
            let library = DAVResource(href: path.href(collection: true), isCollection: true, displayName: first.workspace.name,
                                      created: first.workspace.createdAt, modified: first.workspace.createdAt,
                                      quotaUsed: first.usedBytes, quotaAvailable: first.quotaBytes.map { max(0, $0 - first.usedBytes) })
            guard children else { return [library] }
            return [library] + (try await contents(path, viewer: viewer, workspace: workspace, folder: nil, first: first))
        case .folder(let folder):
            let resource = DAVResource(href: path.href(collection: true), isCollection: true, displayName: folder.name,
                                       created: folder.createdAt, modified: folder.updatedAt)
            guard children else { return [resource] }
            return [resource] + (try await contents(path, viewer: viewer, workspace: folder.workspaceID, folder: folder.id, first: nil))
        case .document(let document):
            return [try await resource(document, path: path, viewer: viewer)]
        case .missing:
            throw DomainError.notFound("Document")
        }
    }

    /// Every folder and document directly in a library or folder (page after page).
    func contents(_ path: DAVPath, viewer: Viewer, workspace: WorkspaceID, folder: DocumentFolderID?, first: DocumentLibrary?) async throws -> [DAVResource] {
        var resources: [DAVResource] = []
        var offset = 0
        var library = first
        while true {
            let page = if let library, offset == 0 { library } else {
                try await documents.library(viewer, workspace: workspace, folder: folder, page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            }
            library = page
            if offset == 0 {
                for child in page.folders {
                    resources.append(DAVResource(href: path.appending(child.name).href(collection: true), isCollection: true, displayName: child.name,
                                                 created: child.createdAt, modified: child.updatedAt))
                }
            }
            for document in page.documents.items {
                resources.append(try await resource(document, path: path.appending(document.title), viewer: viewer))
            }
            offset += page.documents.items.count
            if page.documents.items.isEmpty || offset >= page.documents.total { break }
        }
        return resources
    }

    func resource(_ document: Document, path: DAVPath, viewer: Viewer) async throws -> DAVResource {
        var holderName: String?
        if let lock = document.lock, lock.holds(at: Date()), lock.holderID != viewer.id {
            // Someone else's lock: who holds it is what a desktop program shows (rare: one read).
            holderName = try await documents.json(document, viewer: nil).lock?.holder.name
        }
        return DAVResource(href: path.href(collection: false), isCollection: false, displayName: document.title,
                    contentLength: document.current.size, contentType: document.current.mediaType, etag: document.current.sha256,
                    created: document.createdAt, modified: document.current.createdAt,
                    lock: activeLock(document, path: path, viewer: viewer, holderName: holderName))
    }

    /// The document's lock as WebDAV shows it, while it holds. Its token only to its holder.
    func activeLock(_ document: Document, path: DAVPath, viewer: Viewer, holderName: String? = nil) -> DAVActiveLock? {
        guard let lock = document.lock, lock.holds(at: Date()) else { return nil }
        let mine = lock.holderID == viewer.id
        let owner = owners.owner(of: lock.token) ?? (mine ? viewer.person.name : holderName ?? "")
        return DAVActiveLock(token: mine ? lock.token : nil, owner: owner,
                             timeoutSeconds: Int(lock.expiresAt.timeIntervalSinceNow.rounded(.up)), root: path.href(collection: false))
    }

    func myWorkspaces(_ viewer: Viewer) async throws -> [WorkspaceListing] {
        var all: [WorkspaceListing] = []
        while true {
            let page = try await workspaces.mine(viewer: viewer, text: nil, page: PageRequest(limit: PageRequest.maxLimit, offset: all.count))
            all += page.items
            if page.items.isEmpty || all.count >= page.total { return all }
        }
    }

    /// PROPPATCH: nothing is stored. Windows' file times and attributes (the Microsoft
    /// namespace) are accepted and dropped, as Windows treats a refusal as a failed copy and
    /// the times it sets are the server's to keep; the live DAV properties are protected, and
    /// other (dead) properties are not kept: 403 each, the rest 424 (a PROPPATCH is all or
    /// nothing, RFC 4918 §9.2).
    func propPatch(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        let patch = try DAVRequestBody.propPatch(try await body(request))
        let collection: Bool
        let target = try await resolve(path, viewer: viewer)
        let submitted = try await conditions(request, path: path, target: target, viewer: viewer)
        switch target {
        case .missing: throw DomainError.notFound("Document")
        case .document(let document):
            try requireToken(document, submitted: submitted, path: path)
            collection = false
        default: collection = true
        }
        let accepted = patch.changes.map { $0.name.namespace == "urn:schemas-microsoft-com:" }
        let allAccepted = !accepted.contains(false)
        let results = zip(patch.changes, accepted).map { change, ok in (change.name, ok ? (allAccepted ? 200 : 424) : 403) }
        return DAVResponse.xml(DAVResponse.multiStatus, DAVXML.propPatch(href: path.href(collection: collection), results: results))
    }

    /// GET and HEAD: a document's current version, streamed, with its ETag (the SHA-256 of
    /// its bytes), Last-Modified, ranges and conditional requests. A collection answers with
    /// a short list of what it holds, for a person who opens the address in a browser.
    func get(_ request: Request, path: DAVPath, viewer: Viewer, context: AppRequestContext, head: Bool) async throws -> Response {
        guard case .document(let document) = try await resolve(path, viewer: viewer) else {
            let listing = try await describe(path, viewer: viewer, children: true)
            var text = "\(listing.first?.displayName ?? "Communis")\n\n"
            for item in listing.dropFirst() { text += "\(item.displayName)\(item.isCollection ? "/" : "")\n" }
            let response = DAVResponse.status(.ok, text)
            return head ? response.createHeadResponse() : response
        }
        let opened = try await documents.open(viewer, document.id, version: .current)
        let version = opened.version
        var headers: HTTPFields = [
            .contentType: version.mediaType, .eTag: "\"\(version.sha256)\"", .lastModified: DAVDates.rfc1123(version.createdAt),
            .acceptRanges: "bytes", .cacheControl: "private, no-cache",
            // A document is never run as a page of this site, whatever its type.
            .contentSecurityPolicy: "sandbox",
        ]
        if let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { ["*", "\"\(version.sha256)\"", "W/\"\(version.sha256)\""].contains($0.trimmingCharacters(in: .whitespaces)) }) {
            return Response(status: .notModified, headers: headers)
        }
        let size = Int(version.size)
        let fileIO = FileIO()
        switch ByteRange(header: request.headers[.range], size: size) {
        case .unsatisfiable:
            return DAVResponse.status(.rangeNotSatisfiable, "The file has \(size) bytes.", headers: [.contentRange: "bytes */\(size)"])
        case .part(let part):
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(size)"
            headers[.contentLength] = String(part.count)
            if head { return Response(status: .partialContent, headers: headers) }
            let body = try await fileIO.loadFile(path: opened.file.path, range: part, context: context, chunkLength: 128 << 10)
            return Response(status: .partialContent, headers: headers, body: body)
        case .whole:
            headers[.contentLength] = String(size)
            if head || size == 0 { return Response(status: .ok, headers: headers) }
            let body = try await fileIO.loadFile(path: opened.file.path, context: context, chunkLength: 128 << 10)
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    /// A request's XML body, at most `maxXMLBody` bytes.
    func body(_ request: Request) async throws -> Data {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: Self.maxXMLBody)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw DAVResponse.Failure(status: .contentTooLarge, message: "The XML body is larger than \(Self.maxXMLBody) bytes.")
        }
    }
}
