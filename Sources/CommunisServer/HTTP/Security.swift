import CommunisServices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging

/// Names shared by the middleware and the session routes.
enum SessionCookie {
    static let name = "communis_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests),
    /// Secure when people reach the server over https.
    static func cookie(token: String, expires: Date, secure: Bool) -> Cookie {
        Cookie(name: name, value: token, expires: expires, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

/// Refuses browser requests from other sites: a request that carries an `Origin` header must
/// come from the server's own origin (its public URL, or else the Host it was asked for) or
/// from a configured extra origin. Requests without `Origin` (same-origin GETs, API clients)
/// pass: they cannot be cross-site browser requests with cookies in modern browsers.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let publicURL: String
    let allowedOrigins: Set<String>

    init(publicURL: String, allowedOrigins: [String]) {
        self.publicURL = publicURL
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalize))
    }

    static func normalize(_ origin: String) -> String {
        origin.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    /// Whether a request with this `Origin` is accepted; shared with the WebSocket upgrade.
    func accepts(origin: String, host: String?, forwardedProto: String?) -> Bool {
        let origin = Self.normalize(origin)
        if allowedOrigins.contains(origin) { return true }
        if !publicURL.isEmpty { return origin == Self.normalize(publicURL) }
        guard let host else { return false }
        let scheme = forwardedProto?.lowercased() == "https" ? "https" : "http"
        return origin == Self.normalize("\(scheme)://\(host)")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let origin = request.headers[.origin],
           !accepts(origin: origin, host: request.head.authority, forwardedProto: request.headers[HTTPField.Name("X-Forwarded-Proto")!]) {
            throw Problem(.forbidden, code: "origin-refused", title: "Origin refused", detail: "Requests from \(origin) are not accepted by this server.")
        }
        return try await next(request, context)
    }
}

/// Finds who is asking: a bearer token (`Authorization: Bearer …`) or the session cookie.
/// Cookie-authenticated changes must carry the session's CSRF token in `X-CSRF-Token`.
/// Anonymous requests pass with no viewer; routes that need one ask `requireViewer()`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: Accounts
    let maxBodyBytes: Int
    let publicURL: String
    /// Changes that need no CSRF token: they are the ones that start a session or need none
    /// (a password reset is proven by its link, not by a session).
    static func exemptFromCSRF(_ request: Request) -> Bool {
        let path = request.uri.path
        return request.method == .post && (path == "/api/v1/session" || (path.hasPrefix("/api/v1/invitations/") && path.hasSuffix("/accept"))
            || path == "/api/v1/password-reset" || path.hasPrefix("/api/v1/password-reset/"))
    }

    /// The bytes of a resumable upload (tus PATCH, and POST with creation-with-upload) are
    /// streamed to disk and bounded by the upload's length, not by `http.max_body_bytes`.
    static func streamsBody(_ request: Request) -> Bool {
        (request.method == .patch || request.method == .post) && request.uri.path.hasPrefix("/api/v1/uploads")
            // A news image is bounded by `news.max_image_bytes` in its route.
            || (request.method == .post && request.uri.path.hasPrefix("/api/v1/news/") && request.uri.path.hasSuffix("/image"))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes, !Self.streamsBody(request) {
            throw Problem.payloadTooLarge
        }
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer "),
                  let viewer = try await accounts.authenticate(bearer: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                throw Problem(.unauthorized, code: "unauthenticated", title: "Invalid token", detail: "The bearer token is unknown or revoked.",
                              headers: [.wwwAuthenticate: "Bearer"])
            }
            context.viewer = Viewer(person: viewer.person, address: context.clientAddress)
            context.authenticatedByBearer = true
        } else if let token = request.cookies[SessionCookie.name]?.value,
                  let (viewer, session, renewed) = try await accounts.authenticate(sessionToken: token) {
            context.viewer = Viewer(person: viewer.person, address: context.clientAddress)
            context.session = session
            let isChange = ![.get, .head, .options].contains(request.method)
            if isChange && !Self.exemptFromCSRF(request) {
                guard let sent = request.headers[SessionCookie.csrfHeader], Secrets.constantTimeEquals(sent, session.csrfToken) else {
                    throw Problem.csrfFailed
                }
            }
            if renewed {
                var response = try await next(request, context)
                if response.headers[.setCookie] == nil {
                    response.setCookie(SessionCookie.cookie(token: token, expires: session.expiresAt, secure: request.isSecure(publicURL: publicURL)))
                }
                return response
            }
        }
        return try await next(request, context)
    }
}

/// Security headers on every answer: no framing, no MIME sniffing, a strict content security
/// policy (scripts only from this server, no inline script), no referrer leaks.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        Self.add(to: &response.headers)
        return response
    }

    static func add(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        // A route that sets its own policy keeps it (user files: `sandbox`, stricter still).
        guard headers[.contentSecurityPolicy] == nil else { return }
        headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }
}

/// A client that asks for `Connection: close` gets its connection closed after the answer,
/// and RFC 9112 §9.6 wants a server that closes to say so: the header is echoed on every
/// answer, errors included. Outermost middleware, so that nothing after it drops the header.
/// Hummingbird itself closes only for the exact value `close`; `ConnectionClose.honouring`
/// closes for the token in any case or list (`Close`, `keep-alive, close`).
struct ConnectionCloseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ConnectionClose.requested(request.headers) else { return try await next(request, context) }
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.connection] = "close"
        return response
    }
}

enum ConnectionClose {
    /// Whether the request's `Connection` header holds the token `close` (RFC 9110 §7.6.1:
    /// a comma-separated list of case-insensitive tokens).
    static func requested(_ headers: HTTPFields) -> Bool {
        headers[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }

    /// Wraps the server's responder: after answering a request whose `Connection` asks for
    /// close in a form Hummingbird does not test for, the input side is closed, so the
    /// connection's loop ends and the connection closes once the answer is written.
    static func honouring(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            try await responder(request, writer, channel)
            if request.headers[.connection] != "close", requested(request.headers) {
                channel.close(mode: .input, promise: nil)
            }
        }
    }
}
