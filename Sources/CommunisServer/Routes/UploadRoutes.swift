import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Resumable uploads: the tus 1.0.0 protocol (https://tus.io/protocols/resumable-upload) with
/// the creation, creation-with-upload, termination and expiration extensions, at
/// `/api/v1/uploads`. Any tus client works: create with POST (`Upload-Length`,
/// `Upload-Metadata`), send bytes with PATCH at the offset HEAD reports, repeat after a cut.
/// The bytes stream to disk (never whole in memory, not bound by `http.max_body_bytes`) and
/// are fsynced before each answer. When the last byte is in, the file becomes a document or a
/// version: the final PATCH answers with `Communis-Document-Id` and `-Version`.
/// Authentication as everywhere (cookie + `X-CSRF-Token`, or a bearer token).
struct UploadRoutes {
    let services: Services

    static let tusVersion = "1.0.0"
    static let tusExtensions = "creation,creation-with-upload,termination,expiration"
    static let offsetContentType = "application/offset+octet-stream"

    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersionHeader = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let documentID = HTTPField.Name("Communis-Document-Id")!
    static let documentVersion = HTTPField.Name("Communis-Document-Version")!

    struct StatusJSON: Encodable {
        var id: String
        var offset: Int64
        var length: Int64
        var complete: Bool
        var expiresAt: Date
        var document: LiveJSON.DocumentJSON?

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case id, offset, length, complete, expiresAt, document }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            try c.encode(offset, forKey: .offset)
            try c.encode(length, forKey: .length)
            try c.encode(complete, forKey: .complete)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(document, forKey: .document)  // null until the file became a version
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let uploads = services.uploads
        let documents = services.documents
        let maxSize = documents.settings.maxFileBytes

        api.on("uploads", method: .options) { _, _ in
            Response(status: .noContent, headers: [
                Self.tusResumable: Self.tusVersion, Self.tusVersionHeader: Self.tusVersion, Self.tusExtension: Self.tusExtensions,
                Self.tusMaxSize: String(maxSize), .cacheControl: "no-store",
            ])
        }
        api.post("uploads") { request, context in
            try await Self.tus(request) {
                let viewer = try context.requireViewer()
                guard let text = request.headers[Self.uploadLength], let length = Int64(text), length >= 0 else {
                    throw Problem(.badRequest, code: "upload-length-required", title: "Upload-Length required",
                                  detail: "Send Upload-Length: the file's size in bytes (deferred lengths are not supported).")
                }
                let metadata = try Self.metadata(request.headers[Self.uploadMetadata])
                let record = try await uploads.create(viewer, length: length, metadata: metadata)
                context.logger.info("upload created", metadata: ["upload.id": "\(record.id)", "upload.length": "\(length)", "person.id": "\(viewer.id)"])
                var headers: HTTPFields = [.location: "/api/v1/uploads/\(record.id)", Self.uploadExpires: HTTPDate.format(record.expiresAt)]
                var progress: UploadProgress?
                // creation-with-upload (a first chunk in the POST), or an empty file, which is complete now.
                if length == 0 || (request.hasBody && request.headers[.contentType] == Self.offsetContentType) {
                    do {
                        progress = try await uploads.append(viewer, record.id, offset: 0, body: request.body)
                    } catch {
                        // The upload exists: the client finds where it stands with HEAD.
                        context.logger.notice("first bytes of an upload not taken", metadata: ["upload.id": "\(record.id)", "error": "\(error)"])
                        progress = try? await uploads.status(viewer, record.id)
                    }
                }
                headers[Self.uploadOffset] = String(progress?.offset ?? 0)
                Self.addDocument(progress, to: &headers)
                return Response(status: .created, headers: headers)
            }
        }
        api.head("uploads/:id") { request, context in
            do {
                return try await Self.tus(request) {
                    let progress = try await uploads.status(try context.requireViewer(), try Self.id(context))
                    var headers = Self.position(progress)
                    Self.addDocument(progress, to: &headers)
                    return Response(status: .ok, headers: headers)
                }
            } catch let problem as Problem {
                // A HEAD answer has no body: the status and headers say it.
                return Response(status: problem.status, headers: problem.headers.merging([.cacheControl: "no-store"]))
            }
        }
        api.patch("uploads/:id") { request, context in
            try await Self.tus(request) {
                let viewer = try context.requireViewer()
                let id = try Self.id(context)
                guard request.headers[.contentType]?.lowercased().hasPrefix(Self.offsetContentType) == true else {
                    throw Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "Wrong content type",
                                  detail: "PATCH sends the bytes as \(Self.offsetContentType).")
                }
                guard let text = request.headers[Self.uploadOffset], let offset = Int64(text), offset >= 0 else {
                    throw Problem(.badRequest, code: "upload-offset-required", title: "Upload-Offset required",
                                  detail: "Send Upload-Offset: where these bytes start (HEAD says where the upload stands).")
                }
                let progress: UploadProgress
                do {
                    progress = try await uploads.append(viewer, id, offset: offset, body: request.body)
                } catch let error where !(error is DomainError || error is UploadError || error is BodyTooLong || error is BlobStoreError) {
                    // The body broke off (a dropped connection): an everyday event for uploads, not
                    // a server fault. What arrived is kept; the client resumes after a HEAD.
                    context.logger.notice("upload interrupted", metadata: ["upload.id": "\(id)", "error": "\(error)"])
                    throw Problem(.badRequest, code: "upload-interrupted", title: "Upload interrupted",
                                  detail: "The request body ended early; the bytes received are kept (HEAD tells how many).")
                }
                if let document = progress.document, progress.record.document != nil {
                    context.logger.info("upload completed", metadata: ["upload.id": "\(id)", "document.id": "\(document.id)",
                                                                       "document.version": "\(document.currentVersion)"])
                }
                var headers = Self.position(progress)
                Self.addDocument(progress, to: &headers)
                return Response(status: .noContent, headers: headers)
            }
        }
        api.delete("uploads/:id") { request, context in
            try await Self.tus(request) {
                try await uploads.terminate(try context.requireViewer(), try Self.id(context))
                return Response(status: .noContent)
            }
        }
        api.get("uploads/:id") { _, context in
            let viewer = try context.requireViewer()
            let progress = try await uploads.status(viewer, try Self.id(context))
            var document: LiveJSON.DocumentJSON?
            if let done = progress.document { document = try await documents.json(done, viewer: viewer) }
            return try StatusJSON(id: progress.record.id, offset: progress.offset, length: progress.record.length, complete: progress.isComplete,
                                  expiresAt: progress.record.expiresAt, document: document).response()
        }
    }

    static func id(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UploadRecord.isID(id) else { throw DomainError.notFound("Upload") }
        return id
    }

    static func position(_ progress: UploadProgress) -> HTTPFields {
        [uploadOffset: String(progress.offset), uploadLength: String(progress.record.length),
         uploadExpires: HTTPDate.format(progress.record.expiresAt), .cacheControl: "no-store"]
    }

    static func addDocument(_ progress: UploadProgress?, to headers: inout HTTPFields) {
        guard let document = progress?.document else { return }
        headers[documentID] = "\(document.id)"
        headers[documentVersion] = String(document.currentVersion)
    }

    /// Checks `Tus-Resumable`, runs `body`, and gives every answer (errors too) the
    /// `Tus-Resumable` header; maps the upload errors to problems.
    static func tus(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            guard request.headers[tusResumable] == tusVersion else {
                throw Problem(.preconditionFailed, code: "tus-version", title: "Unsupported tus version",
                              detail: "Send Tus-Resumable: \(tusVersion).", headers: [tusVersionHeader: tusVersion])
            }
            var response = try await body()
            response.headers[tusResumable] = tusVersion
            return response
        } catch var problem as Problem {
            problem.headers[tusResumable] = tusVersion
            throw problem
        } catch let error as DomainError {
            var problem = Problem(error)
            problem.headers[tusResumable] = tusVersion
            throw problem
        } catch UploadError.offsetMismatch(let actual) {
            throw Problem(.conflict, code: "offset-mismatch", title: "Wrong offset",
                          detail: "The upload stands at byte \(actual); send from there (HEAD tells).",
                          headers: [tusResumable: tusVersion, uploadOffset: String(actual)])
        } catch UploadError.busy {
            throw Problem(.locked423, code: "upload-busy", title: "Upload busy",
                          detail: "Another request is sending bytes of this upload; try again in a moment.",
                          headers: [tusResumable: tusVersion, .retryAfter: "2"])
        } catch UploadError.missing {
            throw Problem(.notFound, code: "not-found", title: "Not found", detail: "Upload was not found.", headers: [tusResumable: tusVersion])
        } catch let error as BodyTooLong {
            throw Problem(.contentTooLarge, code: "upload-exceeds-length", title: "More bytes than Upload-Length",
                          detail: "The upload is \(error.limit) bytes long; the bytes past that were not stored.", headers: [tusResumable: tusVersion])
        }
    }

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (a key alone has an empty
    /// value); keys unique, ASCII without spaces or commas.
    static func metadata(_ header: String?) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in (header ?? "").split(separator: ",") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first, parts.count <= 2, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }), result[String(key)] == nil else {
                throw Problem(.badRequest, code: "upload-metadata-invalid", title: "Invalid Upload-Metadata",
                              detail: "Upload-Metadata is comma-separated pairs of a key and its value in base64, each key once.")
            }
            var value = ""
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8) else {
                    throw Problem(.badRequest, code: "upload-metadata-invalid", title: "Invalid Upload-Metadata",
                                  detail: "The value of \(key) is not base64 of UTF-8 text.")
                }
                value = text
            }
            result[String(key)] = value
        }
        return result
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}
