import CommunisFiles
import CommunisModel
import CommunisPush
import CommunisServices
import CommunisStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The use cases the routes and the live connection call, built once in `buildApplication`.
/// They are the only door to the store: the store is handed to each service here and kept by
/// nobody else, so every check, every "persist, then publish" and every side effect (files,
/// the hub, mail) lives in a service, never in a route. The hub (`publisher`, `meetingLive`)
/// is likewise handed to the services and not kept here.
public struct Services: Sendable {
    public let accounts: Accounts
    public let directory: Directory
    public let administration: Administration
    public let workspaces: Workspaces
    public let invitations: GuestInvitations
    public let discussions: Discussions
    public let blogs: Blogs
    public let meetings: Meetings
    /// The home feed and notifications.
    public let feed: Feed
    /// What `/healthz` reports.
    public let health: Health
    public let howTos: HowTos
    public let search: Search
    public let recordings: Recordings
    /// Document libraries (WebDAV calls the same service), their resumable uploads and cleaning.
    public let documents: Documents
    public let uploads: DocumentUploads
    public let documentHousekeeping: DocumentHousekeeping
    /// Text and previews of new versions, made in the background (`DocumentProcessingService`).
    public let documentProcessor: DocumentProcessor
    public let audit: AuditLog
    public let groupRules: GroupRuleAdministration
    /// Nil without a directory (`directory.url`).
    public let directorySync: DirectorySync?
    /// Nil without OpenID Connect (`oidc.issuer`).
    public let oidcLogins: OIDCLogins?
    /// Nil without e-mail (`mail.smtp_host`).
    public let outbox: Outbox?
    public let passwordResets: PasswordResets?
    public let mailWakeup: MailWakeup
    public let identityOverview: IdentityOverview
    /// Web Push: the devices people subscribe and the test message (nil when `push.enabled`
    /// is off).
    public let push: PushDevices?
    /// What sends push messages: the Web Push sender, or `NoPush` when push is off. Hand it
    /// to whatever notifies people (the notification router).
    public let pushSender: any PushSending
    // Notifications (issue 14): routing per person's settings, settings and follows, digests.
    public let notificationRouter: NotificationRouter
    public let notificationCentre: NotificationCentre
    public let digests: Digests
    /// News (issue 14): organisations, editors, items, läst och förstått, scheduled publishing.
    public let news: Newsroom
    let adapters: IdentityAdapters
    let configuration: Configuration

    /// `meetingLive` is the hub's side of meetings (who is in one, ending one for all); tools
    /// without a hub leave it out: nobody is in a meeting.
    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, meetingLive: any MeetingLive = NoMeetingLive(),
                configuration: Configuration, hasher: any PasswordHasher,
                adapters: IdentityAdapters = IdentityAdapters(), clock: Clock = Clock(),
                logger: Logger) async throws {
        self.configuration = configuration
        self.adapters = adapters
        let delays = LoginDelayPolicy(
            freeAttempts: configuration.freeAttempts, maxDelay: TimeInterval(configuration.maxDelaySeconds),
            addressFailures: configuration.loginAttemptsPerAddress, addressWindow: TimeInterval(configuration.loginWindowSeconds))
        let settings = AccountSettings(sessionLifetime: TimeInterval(configuration.sessionLifetimeHours) * 3600, delays: delays)
        let identities = ExternalIdentities(store: store, publisher: publisher, clock: clock, linkByEmail: configuration.directory.linkByEmail)
        let wakeup = MailWakeup()
        mailWakeup = wakeup
        let outbox = adapters.mailTransport == nil ? nil : Outbox(store: store, wakeup: wakeup, clock: clock)
        self.outbox = outbox
        // Push first: the notification router below sends through it.
        if configuration.push.enabled {
            let sender = try await WebPushSender.make(
                store: store, settings: .init(subject: configuration.pushSubject, ttlSeconds: configuration.push.ttlSeconds), clock: clock,
                logger: logger)
            push = PushDevices(store: store, sender: sender, allowHTTP: configuration.push.allowHTTP, clock: clock)
            pushSender = sender
        } else {
            push = nil
            pushSender = NoPush()
        }
        // Links in e-mail need an absolute address: the public URL, else where this server listens.
        let host = ["", "0.0.0.0", "::"].contains(configuration.host) ? "localhost" : configuration.host
        let notificationBase = configuration.publicURL.isEmpty ? "http://\(host):\(configuration.port)" : configuration.publicURL
        let router = NotificationRouter(store: store, publisher: publisher, outbox: outbox, push: pushSender, clock: clock,
                                        baseURL: notificationBase, logger: logger)
        notificationRouter = router
        notificationCentre = NotificationCentre(store: store, clock: clock)
        digests = Digests(store: store, wakeup: outbox == nil ? nil : wakeup, clock: clock, baseURL: notificationBase, logger: logger)
        let accounts = await Accounts(store: store, hasher: hasher, settings: settings, publisher: publisher, directory: adapters.directory,
                                      identities: identities, clock: clock, logger: logger)
        self.accounts = accounts
        directory = Directory(store: store)
        administration = Administration(store: store, hasher: hasher, publisher: publisher, clock: clock)
        let recordings = Recordings(store: store, directory: configuration.recordingsDirectory, clock: clock)
        self.recordings = recordings
        workspaces = Workspaces(store: store, publisher: publisher, recordings: recordings, clock: clock)
        invitations = GuestInvitations(store: store, hasher: hasher, lifetime: TimeInterval(configuration.invitationLifetimeHours) * 3600,
                                       outbox: outbox, clock: clock)
        discussions = Discussions(store: store, publisher: publisher, clock: clock, notifications: router)
        blogs = Blogs(store: store, publisher: publisher, clock: clock, notifications: router)
        meetings = Meetings(store: store, publisher: publisher, invitationLifetime: TimeInterval(configuration.meetingInvitationLifetimeHours) * 3600,
                            outbox: outbox, live: meetingLive, clock: clock, notifications: router)
        feed = Feed(store: store)
        health = Health(store: store)
        howTos = HowTos(store: store, clock: clock)
        let blobs = try BlobStore(root: URL(fileURLWithPath: configuration.documentsDirectory),
                                  minFreeBytes: Int64(configuration.documents.minFreeMB) << 20)
        var processing = DocumentProcessor.Settings()
        processing.previews = configuration.documents.previews
        processing.extraction.office.command = configuration.documents.officeCommand
        let processor = DocumentProcessor(store: store, documentsDirectory: blobs.root, blobURL: { blobs.url(of: $0) }, settings: processing,
                                          logger: logger)
        documentProcessor = processor
        let documents = Documents(store: store, publisher: publisher, blobs: blobs, settings: configuration.documentSettings, processing: processor,
                                  clock: clock)
        self.documents = documents
        uploads = DocumentUploads(documents: documents, clock: clock)
        documentHousekeeping = DocumentHousekeeping(documents: documents, clock: clock)
        search = Search(store: store)
        audit = AuditLog(store: store, clock: clock)
        groupRules = GroupRuleAdministration(store: store, directory: adapters.directory, publisher: publisher, clock: clock)
        directorySync = adapters.directory.map {
            DirectorySync(store: store, directory: $0, publisher: publisher, clock: clock, logger: logger,
                          linkByEmail: configuration.directory.linkByEmail,
                          maxDisableFraction: Double(configuration.directory.maxDisablePercent) / 100)
        }
        oidcLogins = adapters.identityProvider.map { OIDCLogins(provider: $0, store: store, accounts: accounts, clock: clock, logger: logger) }
        identityOverview = IdentityOverview(
            store: store, directoryKind: configuration.directory.isEnabled ? configuration.directory.kind : nil,
            directoryURL: configuration.directory.isEnabled ? configuration.directory.url : nil,
            syncIntervalMinutes: configuration.directory.syncIntervalMinutes, provider: adapters.identityProvider, outbox: outbox)
        news = Newsroom(store: store, publisher: publisher, notifications: router, settings: configuration.newsSettings, clock: clock,
                        logger: logger)
        passwordResets = outbox.map {
            PasswordResets(store: store, hasher: hasher, outbox: $0, publisher: publisher,
                           lifetime: TimeInterval(configuration.passwordResetMinutes) * 60, delays: delays, clock: clock, logger: logger)
        }
    }

    /// The address people reach this server at: the configured public URL, else the request's host.
    func baseURL(_ request: Request) -> String {
        let configured = configuration.publicURL
        if !configured.isEmpty { return configured }
        let scheme = request.isSecure(publicURL: configured) ? "https" : "http"
        return "\(scheme)://\(request.head.authority ?? "localhost")"
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

    /// Every value of a repeated query parameter, trimmed, empty ones left out.
    func queryAll(_ name: String) -> [String] {
        (uri.query ?? "").split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding == name, parts.count > 1 else { return nil }
            let raw = String(parts[1])
            let value = (raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
    }

    /// `limit` and `offset` from the query; non-numbers are refused, ranges are clamped.
    func pageRequest() throws -> PageRequest {
        func number(_ name: String) throws -> Int? {
            guard let text = query(name) else { return nil }
            guard let value = Int(text) else { throw Problem.badParameter(name, "must be a whole number") }
            return value
        }
        // Out of range is an error, not silently clamped (docs/openapi.yaml, Limit and Offset):
        // a client asking for 500 items must learn that it gets at most 100.
        let limit = try number("limit")
        if let limit, !(1...PageRequest.maxLimit).contains(limit) {
            throw Problem.badParameter("limit", "must be between 1 and \(PageRequest.maxLimit)")
        }
        let offset = try number("offset")
        if let offset, offset < 0 { throw Problem.badParameter("offset", "must be 0 or more") }
        return PageRequest(limit: limit, offset: offset)
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
