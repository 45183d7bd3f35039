import Hummingbird

/// Sends every request under `/dav` to the WebDAV handler, whatever its method (PROPFIND,
/// MKCOL, LOCK … are not methods the router knows), and everything else on. It stands in
/// front of the static files and the API, after the security headers, problem answers and
/// the origin check: a page of another site cannot use a person's remembered Basic
/// credentials to write here.
struct DAVMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let handler: DAVHandler

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == DAVPath.root || path.hasPrefix(DAVPath.root + "/") else { return try await next(request, context) }
        do {
            return try await handler.respond(request, context: context)
        } catch is DAVResponse.Unauthenticated {
            return DAVResponse.unauthorized()
        }
    }
}
