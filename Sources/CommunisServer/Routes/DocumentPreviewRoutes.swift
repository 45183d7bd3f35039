import CommunisFiles
import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /api/v1/documents/{id}/preview?page=N&version=`: a page of a document's preview as
/// PNG (an image that a browser shows is its own one page, in its own type). While the
/// preview is being made: 202 with `Retry-After`; a kind without previews, or a preview that
/// failed: 404. Read permission is `Documents.open`'s (to anyone else the document does not
/// exist).
struct DocumentPreviewRoutes {
    let documents: Documents
    let processor: DocumentProcessor

    /// Seconds a client waits before asking again for a preview being made.
    static let retryAfter = "3"

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("documents/:id/preview") { request, context in
            let viewer = try context.requireViewer()
            let id: DocumentID = try context.parameters.id("id")
            let page = try Self.page(request)
            let opened = try await documents.open(viewer, id, version: try Self.version(request))
            let version = opened.version
            let kind = DocumentFileKind(mediaType: version.mediaType, fileName: version.fileName)
            if kind == .image {
                guard page == 1 else { throw Self.noPage(page) }
                return try await Self.file(opened.file, type: version.mediaType, tag: version.sha256, request: request, context: context)
            }
            switch processor.preview(sha256: version.sha256, mediaType: version.mediaType, fileName: version.fileName) {
            case .ready(let pages):
                guard page <= pages else { throw Self.noPage(page) }
                return try await Self.file(processor.previews.page(version.sha256, page), type: "image/png", tag: "\(version.sha256)-\(page)",
                                           request: request, context: context)
            case .pending:
                var response = try ["state": "pending"].response(.accepted)
                response.headers[.retryAfter] = Self.retryAfter
                return response
            case .none:
                throw Problem(.notFound, code: "preview-unavailable", title: "No preview",
                              detail: "Files of this kind have no preview; download the file to see it.")
            case .failed:
                throw Problem(.notFound, code: "preview-failed", title: "No preview",
                              detail: "The preview of this file could not be made (the file may be damaged); download the file to see it.")
            }
        }
    }

    static func page(_ request: Request) throws -> Int {
        guard let text = request.query("page") else { return 1 }
        guard let page = Int(text), page >= 1 else { throw Problem.badParameter("page", "must be a whole number from 1") }
        return page
    }

    static func version(_ request: Request) throws -> DocumentVersionSelector {
        switch request.query("version") {
        case nil, "current": return .current
        case "approved": return .approved
        case let text?:
            guard let number = Int(text), number >= 1 else { throw Problem.badParameter("version", "must be a version number, approved or current") }
            return .number(number)
        }
    }

    static func noPage(_ page: Int) -> Problem {
        Problem(.notFound, code: "not-found", title: "Not found", detail: "The preview has no page \(page).")
    }

    /// A preview file (content-addressed: its tag never names other bytes), revalidated
    /// with its ETag.
    static func file(_ url: URL, type: String, tag: String, request: Request, context: AppRequestContext) async throws -> Response {
        let etag = "\"\(tag)\""
        var headers: HTTPFields = [.contentType: type, .eTag: etag, .cacheControl: "private, no-cache", .contentSecurityPolicy: "sandbox"]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue else {
            throw Problem(.notFound, code: "preview-unavailable", title: "No preview", detail: "The preview is not on disk.")
        }
        headers[.contentLength] = String(size)
        let body = try await FileIO().loadFile(path: url.path, context: context, chunkLength: 64 << 10)
        return Response(status: .ok, headers: headers, body: body)
    }
}
