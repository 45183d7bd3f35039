import CommunisModel
import CommunisServices
import CommunisHub
import CommunisMedia
import CommunisStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Builds the Communis application: routes, middleware and long-running services around a
/// store that the caller has opened and migrated. The executable and the tests both call
/// this, so tests exercise exactly what runs in production.
///
/// `diskSpace` replaces the recorder's view of free disk space (tests simulate a full disk).
/// `adapters` are the outside systems (directory, OIDC provider, SMTP); nil builds them from
/// the configuration and checks that the directory and the provider answer.
/// `web` is the browser client to serve (`WebBundle.prepare`, which `communis serve` runs);
/// nil serves `server.web_root` as it is.
///
/// Requests reach the store only through `Services`, which does not keep it. The `store`
/// used here directly is for work that is not a request: closing stays a crash left open and
/// recovering recordings before the server listens, the hub's reading of the event log, and
/// the long-running services (the store's own lifetime, sweeping, pruning, reminders,
/// housekeeping, mail dispatch).
public func buildApplication(
    configuration: Configuration, store: any CommunisStore & LiveStore, clock: Clock = Clock(), logger: Logger,
    diskSpace: (any DiskSpaceProbe)? = nil, adapters: IdentityAdapters? = nil, web: WebBundle.Prepared? = nil
) async throws -> some ApplicationProtocol {
    let hasher = BcryptPasswordHasher(cost: UInt8(configuration.bcryptCost))
    let adapters = if let adapters { adapters } else { try await IdentityAdapters.make(configuration, check: true, logger: logger) }
    // The key other nodes of a cluster must present to link to this one (only its hash is stored).
    let linkKey = Secrets.newToken()
    let node = ClusterNode(id: configuration.nodeID, address: configuration.nodeAddress, startedAt: Date(), seenAt: Date(),
                           linkKeyHash: Secrets.hash(linkKey))
    let nodeMetrics = NodeMetrics(node: node.id)
    let cluster = store as? any ClusterStore
    // Alone on the database (SQLite always; the first node of a cluster), nobody is in a
    // meeting and no recording runs when the server starts: what a crash left open is closed
    // and finalised now. With other nodes alive, those belong to them.
    var othersAlive = 0
    if let cluster {
        othersAlive = try await cluster.heartbeat(node, window: ClusterLink.aliveWindow).filter { $0.id != node.id }.count
    }
    if othersAlive == 0 {
        let closedStays = try await store.closeOpenAttendance(at: clock.now())
        if closedStays > 0 { logger.notice("meeting stays left open by the last run closed", metadata: ["count": "\(closedStays)"]) }
    } else {
        logger.notice("other nodes are running: open meeting stays and recordings are theirs", metadata: ["nodes": "\(othersAlive)"])
    }
    // One set of audio counters for the whole process: every meeting's relay and every
    // connection's audio queue count into it (`/api/v1/admin/metrics` reads it).
    let audioMetrics = AudioMetrics()
    // Recordings a crash cut off are finalised before anyone can start a new one.
    let recordings = Recordings(store: store, directory: configuration.recordingsDirectory, clock: clock)
    if othersAlive == 0 { try await RecordingRecovery.run(recordings, logger: logger) }
    var recorder = MeetingRecorder.Settings()
    recorder.bitrate = Int32(configuration.recordingBitrate)
    recorder.minFreeBytes = Int64(configuration.recordingMinFreeMB) << 20
    if let diskSpace { recorder.diskSpace = diskSpace }
    let meetings = MeetingHub.Settings(
        maxParticipants: configuration.meetingMaxParticipants,
        audio: AudioLimits(maxPacketBytes: configuration.meetingMaxPacketBytes, maxPacketsPerSecond: configuration.meetingMaxPacketsPerSecond),
        metrics: audioMetrics,
        recording: RecordingSettings(records: recordings, recorder: recorder, keepParticipantStreams: configuration.recordingKeepParticipantStreams),
        rejoinGrace: .seconds(configuration.meetingRejoinGraceSeconds))
    let hub = Hub(store: store, settings: .init(replayLimit: configuration.liveReplayLimit, meetings: meetings), logger: logger)
    // In a cluster, what is not in the log also reaches the other nodes (notes).
    let link = cluster.map { ClusterLink(store: $0, hub: hub, node: node, metrics: nodeMetrics, logger: logger) }
    let clusterPublisher = link.map { ClusterPublisher(hub: hub, link: $0) }
    let publisher: any LivePublisher = clusterPublisher ?? hub
    let meetingLive: any MeetingLive = clusterPublisher ?? hub
    let services = try await Services(store: store, publisher: publisher, meetingLive: meetingLive, configuration: configuration, hasher: hasher,
                                  adapters: adapters, clock: clock, logger: logger)
    let liveMetrics = LiveMetrics()
    let web = web ?? WebBundle.Prepared(directory: configuration.webRoot, fallbacks: [], bundled: false)
    // The unbundled client (development, tests) is compressed quickly; a bundle was compressed at its best when built.
    let assets = try StaticAssets.load(directory: web.directory, fallbacks: web.fallbacks, brotliQuality: web.bundled ? 11 : 4)
    let router = buildRouter(services: services, configuration: configuration, hub: hub, node: nodeMetrics, live: liveMetrics, assets: assets,
                             logger: logger)
    let placement = cluster.map { MeetingPlacement(store: $0, node: node.id, linkKey: linkKey, logger: logger) }
    let live = LiveEndpoint(
        services: services, hub: hub, configuration: configuration,
        origins: OriginMiddleware(publicURL: configuration.publicURL, allowedOrigins: configuration.allowedOrigins),
        audioMetrics: audioMetrics, liveMetrics: liveMetrics, forwarder: placement)
    let links = cluster.map { cluster in
        LiveServerChannel.NodeLinks(
            verify: { from, key in
                guard let known = try? await cluster.clusterNode(from), !known.linkKeyHash.isEmpty else { return false }
                return known.linkKeyHash == Secrets.hash(key)
            },
            run: { channel, from, intake, logger in await live.runLink(channel: channel, from: from, intake: intake, logger: logger) })
    }
    let server = HTTPServerBuilder { responder in
        LiveServerChannel(
            responder: ConnectionClose.honouring(responder), settings: live.settings,
            authorize: { head in await live.authorize(head) },
            run: { admitted, channel, messages, logger in await live.run(admitted, channel: channel, messages: messages, logger: logger) },
            links: links)
    }
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Communis"),
        logger: logger)
    let jobs = JobRunner(store: store, node: node.id, metrics: nodeMetrics)
    app.addServices(StoreService(store: store, logger: logger))
    if let link { app.addServices(link) }
    if let cluster {
        // A recording whose relaying node died is finalised by a node alive: its meeting has had
        // no lease for a while (the relay renews it every 2 s while the meeting has a room).
        // So are the open attendance stays of such a meeting.
        app.addServices(PeriodicJob(name: "recover-meetings", interval: .seconds(20), jobs: jobs, logger: logger) {
            try await RecordingRecovery.run(recordings, logger: logger) { recording in
                guard recording.startedAt < Date().addingTimeInterval(-MeetingPlacement.lease * 2) else { return false }
                do { return try await cluster.meetingHolder(recording.meetingID, at: Date()) == nil } catch { return false }
            }
            for meeting in try await store.meetingsWithOpenAttendance() where try await cluster.meetingHolder(meeting, at: Date()) == nil {
                // A lease is claimed before anyone's stay opens, and renewed while they stay.
                let closed = try await store.closeOpenAttendance(of: meeting, at: clock.now())
                if closed > 0 { logger.notice("meeting stays of a node gone closed", metadata: ["meeting.id": "\(meeting)", "count": "\(closed)"]) }
            }
        })
    }
    app.addServices(
        SessionSweeper.job(store: store, clock: clock, jobs: jobs, logger: logger),
        EventPruner.job(store: store, retention: TimeInterval(configuration.eventRetentionDays) * 86_400, keep: configuration.liveReplayLimit,
                        clock: clock, jobs: jobs, logger: logger),
        ReviewReminderService.job(reminders: ReviewReminders(store: store, publisher: publisher, clock: clock, notifications: services.notificationRouter),
                                  jobs: jobs, logger: logger),
        DigestService.job(digests: services.digests, jobs: jobs, logger: logger),
        IdentityHousekeeping.job(store: store, configuration: configuration, clock: clock, jobs: jobs, logger: logger),
        DocumentHousekeepingService.job(housekeeping: services.documentHousekeeping, jobs: jobs, logger: logger),
        DocumentProcessingService(processor: services.documentProcessor),
        NewsPublishingService.job(news: services.news, jobs: jobs, logger: logger))
    if let transport = adapters.mailTransport {
        let domain = URL(string: configuration.publicURL)?.host ?? configuration.mail.fromAddress.split(separator: "@").last.map(String.init) ?? "communis"
        app.addServices(MailDispatchService(
            dispatcher: MailDispatcher(store: store, transport: transport, clock: clock, logger: logger,
                                       maxAttempts: configuration.mail.maxAttempts, domain: domain),
            wakeup: services.mailWakeup, logger: logger))
    }
    if let sync = services.directorySync, configuration.directory.syncIntervalMinutes > 0 {
        app.addServices(DirectorySyncService.job(sync: sync, interval: .seconds(configuration.directory.syncIntervalMinutes * 60), jobs: jobs, logger: logger))
    }
    if let client = adapters.httpClient { app.addServices(HTTPClientService(client: client)) }
    for threads in adapters.threadPools { app.addServices(ThreadPoolService(pool: threads)) }
    return app
}

/// The router alone (for in-process route tests and the application).
/// `assets` is the browser client (`StaticAssets.load`); nil serves none.
public func buildRouter(services: Services, configuration: Configuration, hub: Hub?, node: NodeMetrics? = nil, live: LiveMetrics? = nil,
                        assets: StaticAssets? = nil,
                        logger: Logger) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ConnectionCloseMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: ClientAddressMiddleware(proxies: TrustedProxies(configuration.trustedProxies)))
    router.add(middleware: OriginMiddleware(publicURL: configuration.publicURL, allowedOrigins: configuration.allowedOrigins))
    router.add(middleware: DAVMiddleware(handler: DAVHandler(
        accounts: services.accounts, workspaces: services.workspaces, documents: services.documents, blobs: services.documents.blobs,
        maxFileBytes: services.documents.settings.maxFileBytes, maxLockMinutes: DocumentSettings.maxLockMinutes)))
    // Paths under /api/ and /feeds/ are the routes' (an undecodable one is their 404, never a 400).
    if let assets { router.add(middleware: StaticAssetsMiddleware(assets: assets)) }

    let health = services.health
    router.get("healthz") { _, _ in
        guard await health.check().database else {
            throw Problem(.serviceUnavailable, code: "database-unavailable", title: "Database unavailable", detail: "The database does not answer.")
        }
        return try ["status": "ok", "database": "ok", "node": node?.node ?? configuration.nodeID].response()
    }
    router.get("api/openapi.yaml") { _, _ in
        guard let data = FileManager.default.contents(atPath: configuration.openAPIFile) else {
            throw Problem(.notFound, code: "not-found", title: "Not found", detail: "The OpenAPI document is not installed at \(configuration.openAPIFile).")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    router.get("api/v1/live") { _, _ -> Response in
        // Reached only without WebSocket upgrade headers (upgrades are taken before routing).
        throw Problem(HTTPResponse.Status(code: 426, reasonPhrase: "Upgrade Required"), code: "upgrade-required", title: "Upgrade required",
                      detail: "/api/v1/live is a WebSocket; connect with an upgrade request (see docs/protocol.md).",
                      headers: [.upgrade: "websocket", .connection: "Upgrade"])
    }
    let api = router.group("api/v1").add(middleware: AuthenticationMiddleware(accounts: services.accounts, maxBodyBytes: configuration.maxBodyBytes, publicURL: configuration.publicURL))
    let session = SessionRoutes(services: services)
    session.register(on: api)
    AuthRoutes(services: services, session: session).register(on: api)
    IdentityAdminRoutes(services: services).register(on: api)
    PeopleRoutes(services: services, hub: hub).register(on: api)
    WorkspaceRoutes(services: services).register(on: api)
    InvitationRoutes(services: services, session: session).register(on: api)
    AdminRoutes(services: services).register(on: api)
    DiscussionRoutes(services: services).register(on: api)
    NotificationRoutes(services: services).register(on: api)
    MeetingRoutes(services: services, audio: hub?.meetings.settings.metrics, node: node, live: live).register(on: api)
    HowToRoutes(services: services).register(on: api)
    DocumentRoutes(services: services).register(on: api)
    UploadRoutes(services: services).register(on: api)
    DocumentPreviewRoutes(documents: services.documents, processor: services.documentProcessor).register(on: api)
    RecordingRoutes(services: services).register(on: api)
    PushRoutes(services: services).register(on: api)
    SearchRoutes(services: services).register(on: api)
    let blogs = BlogRoutes(services: services)
    blogs.register(on: api)
    blogs.registerFeeds(on: router)
    NewsRoutes(services: services).register(on: api)
    NewsFeed.register(on: router, services: services)
    return router
}

/// Owns the store's lifetime in the service group: it is added first, so it is shut down
/// last, after the HTTP server has finished its in-flight requests; then the database closes.
struct StoreService: Service {
    let store: any CommunisStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
        logger.info("database closed")
    }
}

/// Prunes the resume log once an hour: events older than the retention, keeping the newest
/// `keep` per workspace so a recent reconnect can always resume.
enum EventPruner {
    static func job(store: any LiveStore, retention: TimeInterval, keep: Int, clock: CommunisServices.Clock, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "prune-events", interval: .seconds(3600), jobs: jobs, logger: logger) {
            let removed = try await store.pruneEvents(before: clock.now().addingTimeInterval(-retention), keep: keep)
            if removed > 0 { logger.info("old events pruned", metadata: ["count": "\(removed)"]) }
        }
    }
}

/// Deletes expired sessions once an hour.
enum SessionSweeper {
    static func job(store: any CommunisStore, clock: CommunisServices.Clock, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "sweep-sessions", interval: .seconds(3600), jobs: jobs, logger: logger) {
            let removed = try await store.deleteExpiredSessions(before: clock.now())
            if removed > 0 { logger.info("expired sessions removed", metadata: ["count": "\(removed)"]) }
        }
    }
}
