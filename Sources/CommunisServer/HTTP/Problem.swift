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

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, fieldErrors: [FieldError]? = nil, headers: HTTPFields = [:], extra: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
        self.extra = extra
    }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var errors: [FieldError]?
        var retryAfterSeconds: Int?
    }

    /// The problem+json body.
    func jsonBody() -> Data {
        let body = Body(
            type: "urn:communis:problem:\(code)", title: title, status: Int(status.code), detail: detail, code: code,
            errors: fieldErrors, retryAfterSeconds: extra["retryAfterSeconds"].flatMap(Int.init))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
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
