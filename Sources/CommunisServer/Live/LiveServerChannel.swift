import CommunisHub
import CommunisMedia
import CommunisServices
import CommunisWire
import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The server's connections: HTTP/1.1 for the API and the web client, and the live
/// WebSocket at `/api/v1/live`. Replaces hummingbird-websocket's channel so that the upgrade
/// can check Origin and the session before anything else, answer refusals with 401/403, and
/// hand the upgraded connection to `LiveFrameHandler`, which holds frames to RFC 6455.
struct LiveServerChannel: ServerChildChannel, HTTPChannelHandler {
    struct Settings: Sendable {
        var path = "/api/v1/live"
        var maxFrameBytes: Int
        var maxMessageBytes: Int
        var maxQueuedBytes: Int
        var pingInterval: TimeAmount
        var idleTimeout: TimeAmount
        /// Silence allowed before a handshake completes (and on idle HTTP connections).
        var silenceTimeout: TimeAmount
        var commandLimits: LiveSession.Limits
        /// `meeting.listener_queue_packets`: audio frames a slow listener may have waiting.
        var audioQueuePackets: Int = 64
        /// Counters shared by every meeting's relay and every connection.
        var audioMetrics: AudioMetrics = AudioMetrics()
        /// How live connections ended, by reason.
        var liveMetrics: LiveMetrics = LiveMetrics()
    }

    /// The write-buffer water marks of a live connection. Audio is written only while the
    /// channel is writable (below `high`, until it drains to `low`), so at most about 64 KiB
    /// of audio waits in the channel: about 0.2 s of a full 50-person meeting (49 streams of
    /// ~130-byte frames at 50/s ≈ 320 KB/s) on top of the kernel's socket buffer. Beyond that
    /// audio waits in the sink's drop-oldest queue. Text is not held back by this: it is
    /// bounded by `maxQueuedBytes` (4008).
    static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 64 * 1024)

    /// Who a live connection is for.
    struct Admitted: Sendable {
        var viewer: Viewer
        var sessionHash: String?
    }

    /// Decides whether an upgrade request may become a live connection.
    typealias Authorize = @Sendable (HTTPRequestHead) async -> Result<Admitted, Refusal>
    /// Runs a live connection until it ends.
    typealias Run = @Sendable (Admitted, any Channel, AsyncStream<Data>, Logger) async -> Void

    enum Refusal: Error, Sendable {
        case unauthenticated
        case originRefused(String)
    }

    enum UpgradeResult: Sendable {
        case live(any Channel, Admitted, AsyncStream<Data>)
        /// A link from another node of the cluster (`NodeLinkHTTP`), named by its id.
        case nodeLink(any Channel, String, NodeLinkIntake)
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, Refusal)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let settings: Settings
    let authorize: Authorize
    let run: Run
    /// In a cluster: who may open a node link, and what runs on one.
    var links: NodeLinks?

    struct NodeLinks: Sendable {
        var verify: @Sendable (_ node: String, _ key: String) async -> Bool
        var run: @Sendable (any Channel, String, NodeLinkIntake, Logger) async -> Void
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let attempt = NIOLoopBoundBox<(Admitted?, Refusal?)>((nil, nil), eventLoop: channel.eventLoop)
            let settings = self.settings
            let authorize = self.authorize
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: settings.maxFrameBytes,
                enableAutomaticErrorHandling: true,
                shouldUpgrade: { channel, head in
                    guard head.uri.split(separator: "?").first.map(String.init) == settings.path else {
                        return channel.eventLoop.makeSucceededFuture(nil)
                    }
                    let promise = channel.eventLoop.makePromise(of: Result<Admitted, Refusal>.self)
                    promise.completeWithTask { await authorize(head) }
                    return promise.futureResult.map { result -> HTTPHeaders? in
                        switch result {
                        case .success(let admitted):
                            attempt.value = (admitted, nil)
                            return HTTPHeaders()
                        case .failure(let refusal):
                            attempt.value = (nil, refusal)
                            return nil
                        }
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let admitted = attempt.value.0 else { throw Refusal.unauthenticated }
                        let sync = channel.pipeline.syncOperations
                        try? sync.removeHandler(sync.handler(type: IdleStateHandler.self))
                        try? sync.removeHandler(sync.handler(type: SilenceTimeoutHandler.self))
                        // Room for a whole allowed burst (the rate limiter answers those);
                        // past it the client floods faster than commands can run: 4029.
                        let (stream, continuation) = AsyncStream.makeStream(of: Data.self, bufferingPolicy: .bufferingOldest(settings.commandLimits.burst * 2 + 16))
                        try channel.syncOptions?.setOption(ChannelOptions.writeBufferWaterMark, value: LiveServerChannel.writeBufferWaterMark)
                        try sync.addHandler(LiveFrameHandler(
                            settings: .init(maxMessageBytes: settings.maxMessageBytes, pingInterval: settings.pingInterval, idleTimeout: settings.idleTimeout,
                                            audioMetrics: settings.audioMetrics, liveMetrics: settings.liveMetrics),
                            messages: continuation, logger: logger))
                        return UpgradeResult.live(channel, admitted, stream)
                    }
                })

            var upgraders: [any NIOTypedHTTPServerProtocolUpgrader<UpgradeResult>] = [upgrader]
            if let links = self.links {
                upgraders.append(NodeLinkUpgrader(verify: links.verify, metrics: settings.audioMetrics,
                                                  admitted: NIOLoopBoundBox(nil, eventLoop: channel.eventLoop)))
            }
            let serverUpgrade = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: upgraders,
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        // As Hummingbird's own HTTP1Channel: on graceful shutdown (the server's
                        // quiesce event) an idle keep-alive connection closes at once, and one
                        // with a request in flight closes after its answer.
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if let refusal = attempt.value.1 { return UpgradeResult.refused(asyncChannel, refusal) }
                        return UpgradeResult.notUpgraded(asyncChannel)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: serverUpgrade)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: settings.silenceTimeout))
            try channel.pipeline.syncOperations.addHandler(SilenceTimeoutHandler())
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .notUpgraded(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let refusal):
                await writeRefusal(http, refusal)
            case .live(let channel, let admitted, let stream):
                await run(admitted, channel, stream, logger)
            case .nodeLink(let channel, let node, let intake):
                await links?.run(channel, node, intake, logger)
            }
        } catch {
            logger.debug("connection ended during upgrade", metadata: ["error": "\(error)"])
        }
    }

    /// 401 or 403 with a problem+json body (the same shape and headers as every API error),
    /// then close: a refused upgrade learns why.
    private func writeRefusal(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, _ refusal: Refusal) async {
        let problem: Problem = switch refusal {
        case .unauthenticated:
            Problem(.unauthorized, code: "unauthenticated", title: "Not logged in", detail: "Log in before opening the live connection.")
        case .originRefused(let origin):
            Problem(.forbidden, code: "origin-refused", title: "Origin refused", detail: "Live connections from \(origin) are not accepted by this server.")
        }
        let body = problem.jsonBody()
        try? await http.executeThenClose { _, outbound in
            var headers: HTTPFields = [
                .contentType: "application/problem+json", .contentLength: String(body.count), .connection: "close", .cacheControl: "no-store",
            ]
            SecurityHeadersMiddleware<AppRequestContext>.add(to: &headers)
            try await outbound.write(contentsOf: [.head(HTTPResponse(status: problem.status, headerFields: headers)), .body(ByteBuffer(bytes: body)), .end(nil)])
        }
    }
}
