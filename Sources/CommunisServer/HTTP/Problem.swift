import CommunisModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An RFC 9457 problem: every error the API returns has this shape, with a stable `code`
/// (also in `type` as `urn:communis:problem:<code>`) that clients switch on.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var fieldErrors: [FieldError]?
    public var headers: HTTPFields
    public var extra: [String: String]
    /// Members of the document problems (`locked`, `file-too-large`, `quota-exceeded`, …).
    public var document: DocumentMembers?

    /// Who holds a lock and until when; the limits a file passed.
    public struct DocumentMembers: Encodable, Sendable {
        public struct Holder: Encodable, Sendable {
            public var id: String
            public var name: String
        }
        public var holder: Holder?
        public var expiresAt: Date?
        public var maxBytes: Int64?
        public var quotaBytes: Int64?
        public var usedBytes: Int64?
        public var allowedTypes: [String]?
    }

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, fieldErrors: [FieldError]? = nil, headers: HTTPFields = [:], extra: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
        self.extra = extra
        self.document = nil
    }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var errors: [FieldError]?
        var retryAfterSeconds: Int?
        var holder: DocumentMembers.Holder?
        var expiresAt: Date?
        var maxBytes: Int64?
        var quotaBytes: Int64?
        var usedBytes: Int64?
        var allowedTypes: [String]?
    }

    /// The problem+json body.
    func jsonBody() -> Data {
        let body = Body(
            type: "urn:communis:problem:\(code)", title: title, status: Int(status.code), detail: detail, code: code,
            errors: fieldErrors, retryAfterSeconds: extra["retryAfterSeconds"].flatMap(Int.init),
            holder: document?.holder, expiresAt: document?.expiresAt, maxBytes: document?.maxBytes, quotaBytes: document?.quotaBytes,
            usedBytes: document?.usedBytes, allowedTypes: document?.allowedTypes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding strings and numbers cannot fail.
        return (try? encoder.encode(body)) ?? Data()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = jsonBody()
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    static func malformedJSON(_ detail: String) -> Problem {
        Problem(.badRequest, code: "malformed-json", title: "Malformed request", detail: detail)
    }

    static let payloadTooLarge = Problem(.contentTooLarge, code: "payload-too-large", title: "Request too large", detail: "The request body is larger than this server accepts.")

    static let csrfFailed = Problem(.forbidden, code: "csrf-failed", title: "Missing or wrong CSRF token", detail: "Send the X-CSRF-Token header from the login answer with every change.")

    static func badParameter(_ name: String, _ message: String) -> Problem {
        Problem(.unprocessableContent, code: "validation-failed", title: "Invalid input", detail: "\(name): \(message)", fieldErrors: [FieldError(field: name, message: message)])
    }

    /// Maps a domain error to its HTTP problem.
    init(_ error: DomainError) {
        switch error {
        case .validation(let errors):
            self.init(.unprocessableContent, code: error.code, title: "Invalid input", detail: error.detail, fieldErrors: errors)
        case .notFound:
            self.init(.notFound, code: error.code, title: "Not found", detail: error.detail)
        case .forbidden:
            self.init(.forbidden, code: error.code, title: "Not allowed", detail: error.detail)
        case .conflict:
            self.init(.conflict, code: error.code, title: "Conflict", detail: error.detail)
        case .unauthenticated:
            self.init(.unauthorized, code: error.code, title: "Not logged in", detail: error.detail)
        case .invalidCredentials:
            self.init(.unauthorized, code: error.code, title: "Login failed", detail: error.detail)
        case .accountDisabled:
            self.init(.forbidden, code: error.code, title: "Account disabled", detail: error.detail)
        case .invitationInvalid:
            self.init(.gone, code: error.code, title: "Invitation not valid", detail: error.detail)
        case .resetInvalid:
            self.init(.gone, code: error.code, title: "Reset link not valid", detail: error.detail)
        case .tooManyAttempts(let wait):
            let seconds = String(max(1, Int(wait.rounded(.up))))
            self.init(.tooManyRequests, code: error.code, title: "Too many attempts", detail: error.detail,
                      headers: [.retryAfter: seconds], extra: ["retryAfterSeconds": seconds])
        case .directoryUnavailable:
            self.init(.serviceUnavailable, code: error.code, title: "Directory unavailable", detail: error.detail,
                      headers: [.retryAfter: "30"])
        case .locked(let holder, let name, let until):
            self.init(.locked423, code: error.code, title: "Locked", detail: error.detail)
            document = DocumentMembers(holder: .init(id: "\(holder)", name: name), expiresAt: until)
        case .fileTooLarge(let max):
            self.init(.contentTooLarge, code: error.code, title: "File too large", detail: error.detail)
            document = DocumentMembers(maxBytes: max)
        case .quotaExceeded(let quota, let used):
            self.init(.insufficientStorage507, code: error.code, title: "Quota exceeded", detail: error.detail)
            document = DocumentMembers(quotaBytes: quota, usedBytes: used)
        case .storageFull:
            self.init(.insufficientStorage507, code: error.code, title: "Storage full", detail: error.detail)
        case .typeNotAllowed(let allowed):
            self.init(.unsupportedMediaType, code: error.code, title: "File type not allowed", detail: error.detail)
            document = DocumentMembers(allowedTypes: allowed)
        case .textUnavailable:
            self.init(.unprocessableContent, code: error.code, title: "Text unavailable", detail: error.detail)
        case .textPending:
            self.init(.serviceUnavailable, code: error.code, title: "Text not extracted yet", detail: error.detail, headers: [.retryAfter: "5"])
        }
    }
}

/// Turns every error that leaves a route into a problem+json answer, so a client never sees
/// a stack trace or an HTML error page. Unexpected errors are logged with the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as DomainError {
            throw Problem(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                throw Problem(.notFound, code: "not-found", title: "Not found", detail: "There is nothing at \(request.uri.path).")
            case .contentTooLarge:
                throw Problem.payloadTooLarge
            case .methodNotAllowed:
                throw Problem(.methodNotAllowed, code: "method-not-allowed", title: "Method not allowed", detail: "\(request.method) is not allowed on \(request.uri.path).", headers: error.headers)
            default:
                throw Problem(error.status, code: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
            }
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(.internalServerError, code: "internal", title: "Internal error", detail: "Something went wrong on the server; it has been logged (request \(context.id)).")
        }
    }
}

extension HTTPResponse.Status {
    /// RFC 4918 §11.3 (not among swift-http-types' names).
    static let locked423 = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
    /// RFC 4918 §11.5: the quota, or the disk, has no room for it.
    static let insufficientStorage507 = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
