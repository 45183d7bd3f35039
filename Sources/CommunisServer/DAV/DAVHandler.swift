import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// WebDAV at `/dav/` (RFC 4918, class 1 and 2) over the document libraries: `/dav/` lists
/// the person's workspaces as folders, `/dav/<workspace id>/<folder>/<name>` is a folder or
/// a document. Every change goes through the `Documents` service, with the same permissions,
/// versions and locks as the web client: a PUT on a document is a new version, a LOCK is the
/// document's check-out, a DELETE moves it to the trash, a MOVE keeps its id.
///
/// Authentication: Basic with an API token as the password (any user name), or a bearer
/// token; never the session cookie (a WebDAV client is not a browser tab, and a cookie would
/// let another site's form write here).
struct DAVHandler: Sendable {
    let accounts: Accounts
    let workspaces: Workspaces
    let documents: Documents
    let blobs: BlobStore
    /// `documents.max_file_bytes`.
    let maxFileBytes: Int64
    /// `documents.lock_minutes`'s ceiling (a lock's `Timeout` is cut to it).
    let maxLockMinutes: Int
    let owners = DAVLockOwners()

    static let methods = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MOVE, COPY, LOCK, UNLOCK"
    /// The most a PROPFIND, PROPPATCH or LOCK body may be.
    static let maxXMLBody = 1 << 20

    func respond(_ request: Request, context: AppRequestContext) async throws -> Response {
        // OPTIONS answers without credentials: clients (Windows first of all) ask before they
        // authenticate, and what it says is the same for everyone.
        if request.method == .options { return options() }
        let viewer = try await authenticate(request, context: context)
        guard let path = DAVPath(requestPath: request.uri.path) else {
            return DAVResponse.status(.badRequest, "The path has a segment that cannot be used (., .., or an encoded /).")
        }
        do {
            switch request.method.rawValue {
            case "PROPFIND": return try await propFind(request, path: path, viewer: viewer)
            case "PROPPATCH": return try await propPatch(request, path: path, viewer: viewer)
            case "GET": return try await get(request, path: path, viewer: viewer, context: context, head: false)
            case "HEAD": return try await get(request, path: path, viewer: viewer, context: context, head: true)
            case "PUT": return try await put(request, path: path, viewer: viewer, context: context)
            case "DELETE": return try await delete(request, path: path, viewer: viewer)
            case "MKCOL": return try await makeCollection(request, path: path, viewer: viewer)
            case "MOVE": return try await moveOrCopy(request, path: path, viewer: viewer, copy: false)
            case "COPY": return try await moveOrCopy(request, path: path, viewer: viewer, copy: true)
            case "LOCK": return try await lock(request, path: path, viewer: viewer)
            case "UNLOCK": return try await unlock(request, path: path, viewer: viewer)
            default:
                return DAVResponse.status(.methodNotAllowed, "\(request.method.rawValue) is not a WebDAV method this server knows.",
                                          headers: [.allow: Self.methods])
            }
        } catch {
            return DAVResponse.failure(error, path: path, context: context)
        }
    }

    func options() -> Response {
        Response(status: .ok, headers: [
            .allow: Self.methods, DAVResponse.davHeader: "1, 2", DAVResponse.authorVia: "DAV", .contentLength: "0",
        ])
    }

    /// The person behind the request's token. Basic: the password is the token (the user name
    /// is ignored: a token names its person). Bearer: the token itself.
    func authenticate(_ request: Request, context: AppRequestContext) async throws -> Viewer {
        var token: String?
        if let authorization = request.headers[.authorization] {
            let lower = authorization.lowercased()
            if lower.hasPrefix("basic ") {
                let encoded = authorization.dropFirst(6).trimmingCharacters(in: .whitespaces)
                if let data = Data(base64Encoded: encoded), let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
                    token = String(pair[pair.index(after: colon)...])
                }
            } else if lower.hasPrefix("bearer ") {
                token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let token, !token.isEmpty, let found = try await accounts.authenticate(bearer: token) else {
            throw DAVResponse.unauthenticated
        }
        return Viewer(person: found.person, address: context.clientAddress)
    }

    // MARK: Resolving paths

    /// What a `/dav/` path names.
    enum Target {
        case root
        case library(WorkspaceID)
        case folder(DocumentFolder)
        case document(Document)
        /// Nothing by that name, in a parent that exists (what PUT, MKCOL, MOVE and LOCK create).
        case missing(workspace: WorkspaceID, parent: DocumentFolderID?, name: String)
    }

    /// Resolves `path` for `viewer`. A missing parent folder is `DAVResponse.parentMissing`
    /// (409 for the methods that create), a workspace the viewer may not read is not found.
    func resolve(_ path: DAVPath, viewer: Viewer) async throws -> Target {
        guard let text = path.workspace else { return .root }
        guard let workspace = WorkspaceID(text) else { throw DomainError.notFound("Workspace") }
        do {
            switch try await documents.resolve(viewer, workspace: workspace, path: path.names) {
            case .library: return .library(workspace)
            case .folder(let folder): return .folder(folder)
            case .document(let document): return .document(document)
            case .missing(let parent, let name): return .missing(workspace: workspace, parent: parent, name: name)
            }
        } catch DomainError.notFound(let what) where path.names.count > 1 {
            // The library is there (its workspace readable): an ancestor of the last name is missing.
            guard (try? await documents.resolve(viewer, workspace: workspace, path: [])) != nil else { throw DomainError.notFound(what) }
            throw DAVResponse.parentMissing
        }
    }
}
