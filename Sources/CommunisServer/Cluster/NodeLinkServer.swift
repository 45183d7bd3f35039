import CommunisHub
import CommunisMedia
import CommunisModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// The forwarded connections of one node link, by the forwarding node's connection number.
final class LinkConnections: Sendable {
    private let sinks = Mutex<[ConnectionID: RemoteSink]>([:])

    func add(_ sink: RemoteSink) { sinks.withLock { $0[sink.remoteID] = sink } }
    func remove(_ remoteID: ConnectionID) { _ = sinks.withLock { $0.removeValue(forKey: remoteID) } }
    func sink(_ remoteID: ConnectionID) -> RemoteSink? { sinks.withLock { $0[remoteID] } }
    func removeAll() -> [RemoteSink] { sinks.withLock { all in defer { all = [:] }; return Array(all.values) } }
}

/// On the node relaying meetings: reads one node link. Audio goes straight from the link's
/// event loop into the meeting's relay; opens, commands and closes go to `messages`, which
/// `LiveEndpoint.runLink` works through.
final class NodeLinkServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NodeLinkFrame

    let connections: LinkConnections
    let metrics: AudioMetrics
    let messages: AsyncStream<NodeLinkFrame>.Continuation

    init(connections: LinkConnections, metrics: AudioMetrics, messages: AsyncStream<NodeLinkFrame>.Continuation) {
        self.connections = connections
        self.metrics = metrics
        self.messages = messages
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.kind == .audio {
            connections.sink(frame.connection)?.receiveAudio(frame.payload, metrics: metrics)
        } else {
            messages.yield(frame)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        messages.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// What a node link delivers, set up with the upgrade itself (so that no frame sent right
/// after the 101 is lost): its forwarded connections and the frames that are not audio.
struct NodeLinkIntake: Sendable {
    let connections: LinkConnections
    let frames: AsyncStream<NodeLinkFrame>
}

/// The server side of the link's HTTP upgrade (`NodeLinkHTTP`): the node named in the request
/// must present the key whose hash its heartbeat stored.
struct NodeLinkUpgrader: NIOTypedHTTPServerProtocolUpgrader {
    typealias UpgradeResult = LiveServerChannel.UpgradeResult

    let verify: @Sendable (_ node: String, _ key: String) async -> Bool
    let metrics: AudioMetrics
    let admitted: NIOLoopBoundBox<String?>

    var supportedProtocol: String { NodeLinkHTTP.upgrade }
    var requiredUpgradeHeaders: [String] { [] }  // checked in buildUpgradeResponse

    func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        guard upgradeRequest.uri == NodeLinkHTTP.path, let node = upgradeRequest.headers.first(name: NodeLinkHTTP.nodeHeader),
              let authorization = upgradeRequest.headers.first(name: "authorization"), authorization.lowercased().hasPrefix("bearer ") else {
            return channel.eventLoop.makeFailedFuture(NodeLinkRefused())
        }
        let key = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let promise = channel.eventLoop.makePromise(of: Bool.self)
        let verify = verify
        promise.completeWithTask { await verify(node, key) }
        let admitted = admitted
        return promise.futureResult.flatMapThrowing { ok in
            guard ok else { throw NodeLinkRefused() }
            admitted.value = node
            return initialResponseHeaders
        }
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<UpgradeResult> {
        channel.eventLoop.makeCompletedFuture {
            guard let node = admitted.value else { throw NodeLinkRefused() }
            let sync = channel.pipeline.syncOperations
            try? sync.removeHandler(sync.handler(type: IdleStateHandler.self))
            try? sync.removeHandler(sync.handler(type: SilenceTimeoutHandler.self))
            let connections = LinkConnections()
            let (frames, continuation) = AsyncStream.makeStream(of: NodeLinkFrame.self)
            try sync.addHandler(ByteToMessageHandler(NodeLinkDecoder()))
            try sync.addHandler(NodeLinkServerHandler(connections: connections, metrics: metrics, messages: continuation))
            return .nodeLink(channel, node, NodeLinkIntake(connections: connections, frames: frames))
        }
    }

    struct NodeLinkRefused: Error {}
}

extension LiveEndpoint {
    /// One node link, for as long as it is open: each forwarded connection gets a
    /// `LiveSession` here (as if its browser were connected to this node), fed the commands
    /// that arrive for it; everything it is sent goes back over the link.
    func runLink(channel: any Channel, from node: String, intake: NodeLinkIntake, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "link.node"] = "\(node)"
        let connections = intake.connections
        let frames = intake.frames
        logger.info("node link opened")
        var sessions: [ConnectionID: AsyncStream<Data>.Continuation] = [:]
        // On SIGTERM the server waits for its connections: the link ends at once (the other
        // node's browsers reconnect, 1001, and their meeting moves).
        await withGracefulShutdownHandler {
        await withTaskGroup(of: Void.self) { group in
            for await frame in frames {
                switch frame.kind {
                case .open:
                    guard sessions[frame.connection] == nil,
                          let open = try? JSONDecoder().decode(NodeLinkOpen.self, from: Data(frame.payload.readableBytesView)),
                          let person = PersonID(open.person),
                          let viewer = try? await services.accounts.forwardedViewer(person) else {
                        RemoteSink(remoteID: frame.connection, channel: channel, onClose: {}).close(.sessionEnded, reason: "not allowed here")
                        continue
                    }
                    let (commands, feed) = AsyncStream.makeStream(of: Data.self)
                    sessions[frame.connection] = feed
                    let sink = RemoteSink(remoteID: frame.connection, channel: channel, onClose: { feed.finish() })
                    connections.add(sink)
                    let session = LiveSession(
                        viewer: viewer, sink: sink, hub: hub, workspaces: services.workspaces, discussions: services.discussions,
                        blogs: services.blogs, meetings: services.meetings, limits: settings.commandLimits, logger: logger)
                    group.addTask {
                        await session.attachForwarded(sessionHash: open.sessionHash)
                        for await text in commands { await session.handle(text) }
                        await session.finish()
                        connections.remove(sink.remoteID)
                    }
                case .command:
                    sessions[frame.connection]?.yield(Data(frame.payload.readableBytesView))
                case .close:
                    sessions.removeValue(forKey: frame.connection)?.finish()
                case .audio:
                    break  // taken on the event loop
                }
            }
            // The link is gone: every forwarded connection leaves its meeting here.
            for feed in sessions.values { feed.finish() }
        }
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        _ = connections.removeAll()
        try? await channel.close()
        logger.info("node link closed")
    }
}
