import CommunisFiles
import CommunisModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The answers of the WebDAV handler: XML bodies, statuses WebDAV defines (207, 423, 424,
/// 507), and errors turned into them. A WebDAV client shows the status, not a body; the
/// sentence in a plain error body is for whoever reads the server's answers in a log.
enum DAVResponse {
    static let davHeader = HTTPField.Name("DAV")!
    static let authorVia = HTTPField.Name("MS-Author-Via")!
    static let lockToken = HTTPField.Name("Lock-Token")!
    static let depth = HTTPField.Name("Depth")!
    static let destination = HTTPField.Name("Destination")!
    static let overwrite = HTTPField.Name("Overwrite")!
    static let ifHeader = HTTPField.Name("If")!
    static let timeout = HTTPField.Name("Timeout")!

    static let multiStatus = HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status")
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
    static let failedDependency = HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// Thrown before anything else when the request has no usable token.
    struct Unauthenticated: Error {}
    static let unauthenticated = Unauthenticated()

    /// An ancestor of the path does not exist (RFC 4918 §9.3.1, §9.7.1: 409 Conflict).
    struct ParentMissing: Error {}
    static let parentMissing = ParentMissing()

    /// A DAV answer with a status of its own and a sentence.
    struct Failure: Error {
        var status: HTTPResponse.Status
        var message: String
        var condition: String?
        var hrefs: [String] = []
        var headers: HTTPFields = [:]
    }

    static func xml(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/xml; charset=utf-8"
        let buffer = ByteBuffer(string: body)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func status(_ status: HTTPResponse.Status, _ message: String? = nil, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        guard let message else {
            headers[.contentLength] = "0"
            return Response(status: status, headers: headers)
        }
        headers[.contentType] = "text/plain; charset=utf-8"
        let buffer = ByteBuffer(string: message + "\n")
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func unauthorized() -> Response {
        var headers: HTTPFields = [:]
        headers.append(HTTPField(name: .wwwAuthenticate, value: #"Basic realm="Communis", charset="UTF-8""#))
        headers.append(HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="Communis""#))
        return status(.unauthorized, "Log in with an API token as the password (any user name); make one under Profil → API-nycklar.",
                      headers: headers)
    }

    /// An error from the services or from the handler as a WebDAV answer.
    static func failure(_ error: any Error, path: DAVPath, context: AppRequestContext) -> Response {
        switch error {
        case let failure as Failure:
            if let condition = failure.condition {
                return xml(failure.status, DAVXML.error(condition, hrefs: failure.hrefs, message: failure.message), headers: failure.headers)
            }
            return status(failure.status, failure.message, headers: failure.headers)
        case is ParentMissing:
            return status(.conflict, "A folder on the way to \(path.href(collection: false)) does not exist; create it first.")
        case is DAVRequestBody.Malformed:
            return status(.badRequest, "\(error)")
        case is Unauthenticated:
            return unauthorized()
        case let problem as Problem:
            return status(problem.status, problem.detail, headers: problem.headers)
        case let domain as DomainError:
            return failure(domain, path: path, context: context)
        case BlobStoreError.storageFull:
            return status(insufficientStorage, "Servern har inte plats för filen just nu. / The server's disk is full.")
        default:
            context.logger.error("WebDAV request failed", metadata: ["error": "\(String(reflecting: error))", "dav.path": "\(path.href(collection: false))"])
            return status(.internalServerError, "Something went wrong on the server; it has been logged (request \(context.id)).")
        }
    }

    private static func failure(_ error: DomainError, path: DAVPath, context: AppRequestContext) -> Response {
        let problem = Problem(error)
        switch problem.status.code {
        case 422:
            // A name the library does not take (WebDAV has no 422 for it).
            return status(.badRequest, problem.detail)
        case 423:
            return xml(locked, DAVXML.error("lock-token-submitted", hrefs: [path.href(collection: false)], message: problem.detail))
        default:
            return status(problem.status, problem.detail, headers: problem.headers)
        }
    }
}
