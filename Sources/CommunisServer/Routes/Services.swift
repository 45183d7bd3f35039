import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The use cases the routes call, built once in `buildApplication`.
public struct Services: Sendable {
    public let store: any CommunisStore & LiveStore
    public let publisher: any LivePublisher
    public let accounts: Accounts
    public let directory: Directory
    public let administration: Administration
    public let workspaces: Workspaces
    public let invitations: GuestInvitations
    public let discussions: Discussions
    public let blogs: Blogs
    public let meetings: Meetings
    public let howTos: HowTos
    public let search: Search
    public let recordings: Recordings
    let configuration: Configuration

    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, configuration: Configuration, hasher: any PasswordHasher, clock: Clock = Clock(), logger: Logger) async {
        self.store = store
        self.publisher = publisher
        self.configuration = configuration
        let settings = AccountSettings(
            sessionLifetime: TimeInterval(configuration.sessionLifetimeHours) * 3600,
            lockThreshold: configuration.lockThreshold,
            lockDuration: TimeInterval(configuration.lockMinutes) * 60)
        let throttle = LoginThrottle(limit: configuration.loginAttemptsPerAddress, window: TimeInterval(configuration.loginWindowSeconds))
        accounts = await Accounts(store: store, hasher: hasher, settings: settings, throttle: throttle, publisher: publisher, clock: clock, logger: logger)
        directory = Directory(store: store)
        administration = Administration(store: store, hasher: hasher, publisher: publisher, clock: clock)
        workspaces = Workspaces(store: store, publisher: publisher, clock: clock)
        invitations = GuestInvitations(store: store, hasher: hasher, lifetime: TimeInterval(configuration.invitationLifetimeHours) * 3600, clock: clock)
        discussions = Discussions(store: store, publisher: publisher, clock: clock)
        blogs = Blogs(store: store, publisher: publisher, clock: clock)
        meetings = Meetings(store: store, publisher: publisher, invitationLifetime: TimeInterval(configuration.meetingInvitationLifetimeHours) * 3600, clock: clock)
        howTos = HowTos(store: store, clock: clock)
        search = Search(store: store)
        recordings = Recordings(store: store, directory: configuration.recordingsDirectory, clock: clock)
    }
}

extension Request {
    /// A query parameter, trimmed; nil when absent or empty. Decoded as HTML forms encode
    /// it: `+` is a space (a literal plus arrives as `%2B`), then percent-decoding.
    func query(_ name: String) -> String? {
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            let value = (raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// `limit` and `offset` from the query; non-numbers are refused, ranges are clamped.
    func pageRequest() throws -> PageRequest {
        func number(_ name: String) throws -> Int? {
            guard let text = query(name) else { return nil }
            guard let value = Int(text) else { throw Problem.badParameter(name, "must be a whole number") }
            return value
        }
        return PageRequest(limit: try number("limit"), offset: try number("offset"))
    }

    /// Whether the client reached us over TLS (directly or through a proxy that says so).
    func isSecure(publicURL: String) -> Bool {
        publicURL.lowercased().hasPrefix("https://")
            || headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
            || uri.scheme == .https
    }
}

extension Parameters {
    /// A typed id from the path; an id that is not a UUID cannot exist, so it is "not found".
    func id<Tag>(_ name: String, as: ID<Tag>.Type = ID<Tag>.self) throws -> ID<Tag> {
        guard let text = get(name), let id = ID<Tag>(text) else {
            throw DomainError.notFound(name == "personId" ? "Person" : "Resource")
        }
        return id
    }
}
