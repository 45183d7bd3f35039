import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The floor of `bench relay`: a bare NIO WebSocket relay (NIO's upgrader and a handler that
/// forwards each binary frame to the rest of its group; no authentication, no header checks,
/// no queues). `communis bench relay-floor-server` runs it as a child process so that its CPU
/// is measured like the Communis server's.
public enum RelayFloor {
    /// Serves until the process is killed.
    public static func serve(host: String, port: Int, threads: Int, say: (String) -> Void) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let groups = FloorGroups()
        let upgrader = NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, head in
                channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/floor/") ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                let name = String(head.uri.dropFirst("/floor/".count))
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FloorRelayHandler(group: groups.group(name)))
                }
            })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
        let channel = try bootstrap.bind(host: host, port: port).wait()
        say("relay floor server on \(host):\(port), \(threads) event loops")
        try channel.closeFuture.wait()
    }
}

/// The floor's groups by name.
final class FloorGroups: Sendable {
    private let groups = NIOLockedValueBox<[String: FloorGroup]>([:])

    func group(_ name: String) -> FloorGroup {
        groups.withLockedValue { groups in
            if let group = groups[name] { return group }
            let group = FloorGroup()
            groups[name] = group
            return group
        }
    }
}

/// The connections of one group, kept by event loop so that a frame costs one hop per other
/// loop (as the hub's fan-out does), not one per connection.
final class FloorGroup: Sendable {
    struct Members: Sendable {
        var byLoop: [(loop: any EventLoop, channels: [any Channel])] = []
    }

    private let members = NIOLockedValueBox(Members())

    var snapshot: Members { members.withLockedValue { $0 } }

    func add(_ channel: any Channel) {
        members.withLockedValue { members in
            if let i = members.byLoop.firstIndex(where: { $0.loop === channel.eventLoop }) {
                members.byLoop[i].channels.append(channel)
            } else {
                members.byLoop.append((channel.eventLoop, [channel]))
            }
        }
    }

    func remove(_ channel: any Channel) {
        members.withLockedValue { members in
            for i in members.byLoop.indices { members.byLoop[i].channels.removeAll { $0 === channel } }
            members.byLoop.removeAll { $0.channels.isEmpty }
        }
    }
}

/// Forwards each binary frame to the other connections of the group; answers a close.
final class FloorRelayHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let group: FloorGroup

    init(group: FloorGroup) { self.group = group }

    func handlerAdded(context: ChannelHandlerContext) {
        group.add(context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        group.remove(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            let out = WebSocketFrame(fin: true, opcode: .binary, data: frame.unmaskedData)
            let me = context.channel
            for (loop, channels) in group.snapshot.byLoop {
                if loop.inEventLoop {
                    for channel in channels where channel !== me { channel.writeAndFlush(out, promise: nil) }
                } else {
                    loop.execute {
                        for channel in channels where channel !== me { channel.writeAndFlush(out, promise: nil) }
                    }
                }
            }
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? ByteBuffer()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        default:
            break
        }
    }
}
