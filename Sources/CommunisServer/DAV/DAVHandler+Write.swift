import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension DAVHandler {
    /// Files the desktop's file managers write beside everything they touch (Finder's
    /// AppleDouble `._` files and `.DS_Store`, Explorer's `Thumbs.db` and `desktop.ini`):
    /// refused, so that they never become documents. Both cope with the refusal.
    static func isDesktopClutter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("._") || [".ds_store", "thumbs.db", "desktop.ini"].contains(lower)
    }

    /// PUT: a new document, or a new version of one (`If:` lock tokens honoured). The body is
    /// streamed to a temporary file (never held whole in memory) while its SHA-256 is taken;
    /// a body identical to the current version adds no version (clients save unchanged files
    /// again, autosave most of all).
    func put(_ request: Request, path: DAVPath, viewer: Viewer, context: AppRequestContext) async throws -> Response {
        let target = try await resolve(path, viewer: viewer)
        let submitted = try await conditions(request, path: path, target: target, viewer: viewer)
        let name = path.names.last ?? ""
        switch target {
        case .root, .library, .folder:
            throw DAVResponse.Failure(status: .methodNotAllowed, message: "\(path.href(collection: true)) is a folder.", headers: [.allow: Self.methods])
        case .document(let document):
            try requireToken(document, submitted: submitted, path: path)
        case .missing:
            if Self.isDesktopClutter(name) {
                throw DAVResponse.Failure(status: .forbidden, message: "\(name) is a file manager's helper file; the library does not keep those.")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > maxFileBytes {
            throw tooLarge()
        }
        let file = blobs.temporaryFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let received = try await receive(request, into: file)
        let mediaType = request.headers[.contentType].flatMap { type -> String? in
            let bare = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            // Most clients send octet-stream for everything: then the name decides.
            return bare.isEmpty || bare == "application/octet-stream" ? nil : bare
        }
        switch target {
        case .document(let document):
            if received.sha256 == document.current.sha256 {
                return DAVResponse.status(.noContent, headers: [.eTag: "\"\(document.current.sha256)\""])
            }
            let updated = try await documents.addVersion(viewer, document.id, file: file, mediaType: mediaType, fileName: name, comment: "",
                                                         lockToken: Self.token(of: document, in: submitted))
            return DAVResponse.status(.noContent, headers: [.eTag: "\"\(updated.current.sha256)\""])
        case .missing(let workspace, let parent, let title):
            let created = try await documents.create(viewer, workspace: workspace, folder: parent, title: title, file: file, mediaType: mediaType,
                                                     comment: "")
            return DAVResponse.status(.created, headers: [.eTag: "\"\(created.current.sha256)\"", .location: path.href(collection: false)])
        default:
            preconditionFailure("collections were refused above")
        }
    }

    func tooLarge() -> DAVResponse.Failure {
        let megabytes = maxFileBytes >> 20
        return DAVResponse.Failure(status: .contentTooLarge,
                                   message: "Filen är större än \(megabytes) MB, som är gränsen här. / The file is larger than the limit of \(megabytes) MB.")
    }

    /// Streams the request body into `file` (the blob store's writer: bounded memory,
    /// fsynced, a full disk is `storageFull`), hashing it on the way; past `maxFileBytes`
    /// the upload stops with 413.
    func receive(_ request: Request, into file: URL) async throws -> (size: Int64, sha256: String) {
        let tally = BodyTally()
        do {
            let size = try await blobs.receive(TalliedBody(base: request.body, tally: tally), into: file, limit: maxFileBytes)
            return (size, tally.digest())
        } catch is BodyTooLong {
            throw tooLarge()
        }
    }

    /// DELETE: a document goes to the trash; a folder goes with everything in it (its
    /// documents to the trash). The list of workspaces and a library cannot be deleted.
    func delete(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        let target = try await resolve(path, viewer: viewer)
        let submitted = try await conditions(request, path: path, target: target, viewer: viewer)
        switch target {
        case .root, .library:
            throw DAVResponse.Failure(status: .forbidden, message: "A workspace's library cannot be deleted here.")
        case .missing:
            throw DomainError.notFound("Document")
        case .document(let document):
            try requireToken(document, submitted: submitted, path: path)
            try await documents.trash(viewer, document.id)
            return DAVResponse.status(.noContent)
        case .folder(let folder):
            let failures = await deleteFolder(folder, path: path, viewer: viewer, submitted: submitted)
            guard failures.isEmpty else { return DAVResponse.xml(DAVResponse.multiStatus, DAVXML.failures(failures)) }
            return DAVResponse.status(.noContent)
        }
    }

    /// Deletes a folder's documents (to the trash), its folders, then itself. Returns what
    /// could not be deleted (href, status); the folders above those stay.
    func deleteFolder(_ folder: DocumentFolder, path: DAVPath, viewer: Viewer, submitted: [String]) async -> [(String, Int)] {
        var failures: [(String, Int)] = []
        do {
            let library = try await documents.library(viewer, workspace: folder.workspaceID, folder: folder.id, page: PageRequest(limit: PageRequest.maxLimit))
            for child in library.folders {
                failures += await deleteFolder(child, path: path.appending(child.name), viewer: viewer, submitted: submitted)
            }
            // Each trashed document leaves the list: the first page again until nothing new is on it.
            var documentsLeft = library.documents.items
            var seen = Set<DocumentID>()
            while case let fresh = documentsLeft.filter({ !seen.contains($0.id) }), !fresh.isEmpty {
                for document in fresh {
                    seen.insert(document.id)
                    do {
                        try requireToken(document, submitted: submitted, path: path.appending(document.title))
                        try await documents.trash(viewer, document.id)
                    } catch {
                        failures.append((path.appending(document.title).href(collection: false), Self.code(error)))
                    }
                }
                documentsLeft = try await documents.library(viewer, workspace: folder.workspaceID, folder: folder.id,
                                                            page: PageRequest(limit: PageRequest.maxLimit)).documents.items
            }
            guard failures.isEmpty else { return failures }
            try await documents.deleteFolder(viewer, folder.id)
        } catch {
            failures.append((path.href(collection: true), Self.code(error)))
        }
        return failures
    }

    static func code(_ error: any Error) -> Int {
        if let domain = error as? DomainError { return Problem(domain).status.code }
        if let problem = error as? Problem { return problem.status.code }
        if let failure = error as? DAVResponse.Failure { return failure.status.code }
        return 500
    }

    /// MKCOL: a folder (RFC 4918 §9.3: a body is not understood, 415; an existing name, 405;
    /// a missing parent, 409).
    func makeCollection(_ request: Request, path: DAVPath, viewer: Viewer) async throws -> Response {
        guard DAVRequestBody.isBlank(try await body(request)) else {
            throw DAVResponse.Failure(status: .unsupportedMediaType, message: "MKCOL takes no body here.")
        }
        switch try await resolve(path, viewer: viewer) {
        case .missing(let workspace, let parent, let name):
            if Self.isDesktopClutter(name) { throw DAVResponse.Failure(status: .forbidden, message: "\(name) is not kept.") }
            _ = try await documents.createFolder(viewer, workspace: workspace, parent: parent, name: name)
            return DAVResponse.status(.created, headers: [.location: path.href(collection: true)])
        default:
            throw DAVResponse.Failure(status: .methodNotAllowed, message: "\(path.href(collection: false)) exists already.", headers: [.allow: Self.methods])
        }
    }
}

/// The SHA-256 of a request body as it streams past.
final class BodyTally: @unchecked Sendable {
    // Touched only by the one task that iterates the body, one chunk after another.
    private var hasher = SHA256()

    func add(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
    }

    func digest() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}

/// A request body that passes every chunk through a `BodyTally` on its way to the file.
struct TalliedBody<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let tally: BodyTally

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let tally: BodyTally

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            tally.add(buffer)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), tally: tally) }
}
