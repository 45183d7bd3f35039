import CommunisServices
import CommunisStore
import Hummingbird
import NIOCore

/// The per-request context: who is asking (set by `AuthenticationMiddleware`), how they
/// authenticated, and the request body limit from the configuration.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var viewer: Viewer?
    public var session: SessionRecord?
    public var authenticatedByBearer = false
    public var maxUploadSize: Int = 1_048_576
    /// The client's IP address (through trusted proxies), for login delays and the audit log.
    public var clientAddress: String
    /// The browser's User-Agent, for the list of sessions.
    public var userAgent = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Where a login comes from.
    public var loginOrigin: LoginOrigin { LoginOrigin(address: clientAddress, userAgent: userAgent) }

    /// The viewer, or 401 for anonymous requests.
    public func requireViewer() throws -> Viewer {
        guard let viewer else { throw Problem(.unauthorized, code: "unauthenticated", title: "Not logged in", detail: "Log in first.") }
        return viewer
    }
}
