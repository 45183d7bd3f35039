import CommunisHub
import CommunisStore
import CommunisWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// On a node whose browsers are in a meeting relayed elsewhere: the link to the meeting's
/// node. One TCP connection per pair of nodes, opened with an HTTP upgrade (`NodeLinkHTTP`)
/// on the other node's server port, carrying every forwarded connection's commands and
/// audio there and what they are sent back.
final class NodeLinkClient: Sendable {
    let node: String
    let channel: any Channel
    private let routing: Routing

    /// The browser connections forwarded over this link, by number.
    final class Routing: Sendable {
        let sinks = Mutex<[ConnectionID: any LiveSink]>([:])
        let open = Atomic<Bool>(true)
        /// Whether the upgrade's promise was completed (once, by whichever comes first).
        let answered = Atomic<Bool>(false)
    }

    private init(node: String, channel: any Channel, routing: Routing) {
        self.node = node
        self.channel = channel
        self.routing = routing
    }

    var isOpen: Bool { routing.open.load(ordering: .relaxed) }

    /// Connects to `target` as `me` (presenting this node's link key); `closed` runs once when
    /// the link ends, after every forwarded browser connection was closed (1001: reconnect).
    static func connect(to target: ClusterNode, as me: String, key: String, logger: Logger,
                        closed: @escaping @Sendable () -> Void) async throws -> NodeLinkClient {
        guard let url = URL(string: target.address), let host = url.host, let port = url.port ?? (url.scheme == "https" ? 443 : 80) as Int? else {
            throw LinkFailed(reason: "node \(target.id) has no usable address (\(target.address))")
        }
        let routing = Routing()
        let upgraded = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(3))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(routing: routing, upgraded: upgraded, closed: closed, logger: logger))
                }
            }
            .connect(host: host, port: port).get()
        } catch {
            if !routing.answered.exchange(true, ordering: .relaxed) { upgraded.fail(error) }
            throw error
        }
        var request = "GET \(NodeLinkHTTP.path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: Upgrade\r\n"
        request += "Upgrade: \(NodeLinkHTTP.upgrade)\r\n\(NodeLinkHTTP.nodeHeader): \(me)\r\nAuthorization: Bearer \(key)\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await upgraded.futureResult.get() }
                group.addTask {
                    try await Task.sleep(for: .seconds(3))
                    throw LinkFailed(reason: "node \(target.id) did not answer the link upgrade")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return NodeLinkClient(node: target.id, channel: channel, routing: routing)
    }

    struct LinkFailed: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Starts forwarding browser connection `sink` (it is `who`).
    func open(_ sink: any LiveSink, who: NodeLinkOpen) {
        routing.sinks.withLock { $0[sink.connectionID] = sink }
        let payload = (try? JSONEncoder().encode(who)) ?? Data()
        write(.open, sink.connectionID, ByteBuffer(bytes: payload))
    }

    func command(_ connection: ConnectionID, _ text: Data) {
        write(.command, connection, ByteBuffer(bytes: text))
    }

    /// An audio frame from the browser (called on its connection's event loop).
    func audio(_ connection: ConnectionID, _ frame: ByteBuffer) {
        write(.audio, connection, frame)
    }

    /// The browser connection is gone (or left for a meeting elsewhere).
    func close(_ connection: ConnectionID) {
        guard routing.sinks.withLock({ $0.removeValue(forKey: connection) }) != nil else { return }
        write(.close, connection, ByteBuffer())
    }

    private func write(_ kind: NodeLinkFrame.Kind, _ connection: ConnectionID, _ payload: ByteBuffer) {
        guard isOpen else { return }
        channel.writeAndFlush(NodeLinkFrame(kind: kind, connection: connection, payload: payload).encoded(allocator: channel.allocator), promise: nil)
    }

    /// Reads the upgrade answer, then frames; delivers them to the browser connections.
    final class ClientHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        let routing: Routing
        let upgraded: EventLoopPromise<Void>
        let closed: @Sendable () -> Void
        let logger: Logger
        /// Loop-bound: bytes not yet taken, and whether the HTTP answer is past.
        private let state = Mutex<(buffer: ByteBuffer, linked: Bool)>((ByteBuffer(), false))

        init(routing: Routing, upgraded: EventLoopPromise<Void>, closed: @escaping @Sendable () -> Void, logger: Logger) {
            self.routing = routing
            self.upgraded = upgraded
            self.closed = closed
            self.logger = logger
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            var frames: [NodeLinkFrame] = []
            let failure: String? = state.withLock { state in
                state.buffer.writeBuffer(&incoming)
                if !state.linked {
                    let bytes = state.buffer.readableBytesView
                    guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
                    let head = String(decoding: bytes[bytes.startIndex..<end.lowerBound], as: UTF8.self)
                    guard head.hasPrefix("HTTP/1.1 101") else { return "link refused: \(head.prefix(80))" }
                    state.buffer.moveReaderIndex(to: end.upperBound)
                    state.linked = true
                    if !routing.answered.exchange(true, ordering: .relaxed) { upgraded.succeed() }
                }
                do {
                    while let frame = try NodeLinkFrame.read(from: &state.buffer) { frames.append(frame) }
                } catch {
                    return "malformed link frame"
                }
                state.buffer.discardReadBytes()
                return nil
            }
            if let failure {
                logger.warning("node link failed", metadata: ["reason": "\(failure)"])
                if !routing.answered.exchange(true, ordering: .relaxed) { upgraded.fail(LinkFailed(reason: failure)) }
                context.close(promise: nil)
                return
            }
            for frame in frames { deliver(frame) }
        }

        private func deliver(_ frame: NodeLinkFrame) {
            guard let sink = routing.sinks.withLock({ $0[frame.connection] }) else { return }
            switch frame.kind {
            case .command:
                sink.send(frame.payload)
            case .audio:
                guard let listener = sink.audioPeer else { return }
                let payload = frame.payload
                if listener.audioLoop.inEventLoop {
                    listener.enqueueAudio(payload)
                    listener.flushAudio()
                } else {
                    listener.audioLoop.execute {
                        listener.enqueueAudio(payload)
                        listener.flushAudio()
                    }
                }
            case .close:
                var payload = frame.payload
                let code = payload.readInteger(as: UInt16.self).flatMap(CloseCode.init(rawValue:)) ?? .goingAway
                let reason = payload.readString(length: payload.readableBytes) ?? ""
                _ = routing.sinks.withLock { $0.removeValue(forKey: frame.connection) }
                sink.close(code, reason: reason)
            case .open:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            routing.open.store(false, ordering: .relaxed)
            if !routing.answered.exchange(true, ordering: .relaxed) { upgraded.fail(LinkFailed(reason: "the link closed")) }
            let sinks = routing.sinks.withLock { all in defer { all = [:] }; return Array(all.values) }
            // Their meeting's relay is out of reach: the browsers reconnect (1001) and join again,
            // on whichever node then relays the meeting.
            for sink in sinks { sink.close(.goingAway, reason: "the meeting's server went away") }
            closed()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
