import CommunisMedia
import CommunisWire
import Foundation
import Logging
import NIOCore
import NIOWebSocket

/// Reads a live connection's WebSocket frames on its event loop and holds it to RFC 6455
/// strictly, where NIO's decoder alone is lax: client frames must be masked (1002),
/// continuation frames must continue something (1002), reserved bits must be clear (1002),
/// text must be valid UTF-8 (1007), messages must fit the limit (1009). Complete text
/// messages go to the connection's task through a bounded stream; a client that floods it
/// is closed (4029). Pings keep the connection alive; silence past the idle timeout closes it.
/// Every close goes through `close`, which sends the close frame, waits a bounded time for
/// it to be taken, logs it and counts it by reason (`LiveMetrics`); so does a connection
/// that ends without a close frame.
///
/// Complete binary messages are meeting audio: they go, unchanged and synchronously on this
/// loop, to the connection's uplink into its meeting's relay (`ChannelSink.currentUplink`);
/// without one they are counted as unrouted and dropped. Writability changes reach the sink,
/// which drains its audio queue.
final class LiveFrameHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Settings {
        var maxMessageBytes: Int
        var pingInterval: TimeAmount
        var idleTimeout: TimeAmount
        var audioMetrics: AudioMetrics
        var liveMetrics: LiveMetrics = LiveMetrics()
    }

    /// How long a close frame may take to reach a client that is too slow (4008) before the
    /// TCP connection is closed without it: it waits behind at most `live.max_queued_bytes`
    /// (1 MiB by default is about 5 s on a 1.6 Mbit/s mobile link). docs/protocol.md says so.
    static let slowConsumerCloseWait: TimeAmount = .seconds(10)
    /// The same for every other close: the close frame waits behind nothing much.
    static let closeWait: TimeAmount = .seconds(2)

    private let settings: Settings
    private let messages: AsyncStream<Data>.Continuation
    private var fragments: ByteBuffer?
    /// Whether `fragments` is a binary (audio) message.
    private var fragmentsBinary = false
    /// The connection's outgoing side, for the audio uplink and queue; set by `attach`.
    private var sink: ChannelSink?
    private var lastHeard = NIODeadline.now()
    private var pinger: RepeatedTask?
    private var closing = false
    /// A close frame was sent (only one ever is).
    private var closeSent = false
    /// This connection's end was counted in `LiveMetrics` (once).
    private var counted = false
    private var logger: Logger

    init(settings: Settings, messages: AsyncStream<Data>.Continuation,
         logger: Logger = Logger(label: "communis.live", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.settings = settings
        self.messages = messages
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastHeard = .now()
        let channel = context.channel
        let loop = context.eventLoop
        let settings = settings
        // The repeated task runs on this loop; it reaches back into the handler through the
        // pipeline's sync view to keep all state loop-bound.
        pinger = loop.scheduleRepeatedTask(initialDelay: settings.pingInterval, delay: settings.pingInterval) { _ in
            guard let handler = try? channel.pipeline.syncOperations.handler(type: LiveFrameHandler.self) else { return }
            handler.tick(channel: channel)
        }
    }

    private func tick(channel: any Channel) {
        guard !closing else { return }
        if NIODeadline.now() - lastHeard > settings.idleTimeout {
            Self.close(channel, .idleTimeout, reason: "idle timeout")
            closing = true
        } else {
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(capacity: 0)), promise: nil)
        }
    }

    /// On the loop: connects the connection's sink (see `ChannelSink.init`); its logger
    /// names the person and the connection.
    func attach(_ sink: ChannelSink) {
        self.sink = sink
        self.logger = sink.logger
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sink?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        sink = nil
        pinger?.cancel()
        messages.finish()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !counted {
            counted = true
            settings.liveMetrics.closed(.dropped)
            logger.debug("live connection ended without a close frame", metadata: ["close.reason": "dropped"])
        }
        pinger?.cancel()
        messages.finish()
        context.fireChannelInactive()
    }

    /// The server allows TCP half-closure (for HTTP); a live client that closes its side
    /// without a close frame (a killed tab, a dropped socket) is gone: close now rather than
    /// at the next ping or the idle timeout, so it leaves its rooms and meetings at once.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            closing = true
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closing else { return }
        lastHeard = .now()
        guard frame.maskKey != nil else { return fail(context, .protocolError, "client frames must be masked") }
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else { return fail(context, .protocolError, "reserved bits set") }
        switch frame.opcode {
        case .text:
            guard fragments == nil else { return fail(context, .protocolError, "new message inside a fragmented one") }
            start(context, frame, binary: false)
        case .binary:
            guard fragments == nil else { return fail(context, .protocolError, "new message inside a fragmented one") }
            start(context, frame, binary: true)
        case .continuation:
            guard var buffer = fragments else { return fail(context, .protocolError, "continuation frame without a message") }
            var data = frame.unmaskedData
            guard buffer.readableBytes + data.readableBytes <= settings.maxMessageBytes else {
                return fail(context, .messageTooBig, "message larger than \(settings.maxMessageBytes) bytes")
            }
            buffer.writeBuffer(&data)
            fragments = buffer
            if frame.fin {
                fragments = nil
                if fragmentsBinary { route(buffer) } else { deliver(context, buffer) }
            }
        case .ping:
            guard frame.fin, frame.length <= 125 else { return fail(context, .protocolError, "invalid ping") }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // Answer with the same code (RFC 6455 §5.5.1), then close.
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).flatMap(CloseCode.init(rawValue:)) ?? .normal
            closing = true
            if !counted {
                counted = true
                settings.liveMetrics.closed(.client)
                logger.debug("live connection closed by the client", metadata: ["close.code": "\(code.rawValue)", "close.reason": "client"])
            }
            Self.close(context.channel, code, reason: "")
        default:
            fail(context, .protocolError, "unknown opcode")
        }
    }

    private func start(_ context: ChannelHandlerContext, _ frame: WebSocketFrame, binary: Bool) {
        guard frame.data.readableBytes <= settings.maxMessageBytes else {
            return fail(context, .messageTooBig, "message larger than \(settings.maxMessageBytes) bytes")
        }
        if binary, frame.fin {
            // The common case of audio: one frame, unmasked once into a buffer that already
            // holds the server's frame header in front (see `AudioWire`).
            return route(AudioWire.unmasked(frame, allocator: context.channel.allocator))
        }
        let data = frame.unmaskedData
        if !frame.fin {
            fragments = data
            fragmentsBinary = binary
        } else {
            deliver(context, data)
        }
    }

    /// A complete binary message: audio for the connection's meeting, if it is in one. The
    /// relay validates it (header, stream id, size, rate, mute).
    private func route(_ frame: ByteBuffer) {
        if let uplink = sink?.currentUplink {
            uplink.relay.receive(frame, from: uplink.stream)
        } else if let forward = sink?.currentForward {
            forward(frame)  // the meeting is relayed by another node of the cluster
        } else {
            settings.audioMetrics.unrouted.add()
        }
    }

    private func deliver(_ context: ChannelHandlerContext, _ buffer: ByteBuffer) {
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return fail(context, .invalidPayload, "text is not valid UTF-8")
        }
        if case .dropped = messages.yield(Data(bytes)) {
            fail(context, .rateLimited, "too many messages waiting")
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ code: CloseCode, _ reason: String) {
        closing = true
        fragments = nil
        Self.close(context.channel, code, reason: reason)
    }

    /// Sends a close frame with `code` and closes the connection once it is written, or after
    /// `wait` if the client does not take it (one that stopped reading). From any thread; the
    /// first close of a connection wins, later ones do nothing. Logged and counted here.
    static func close(_ channel: any Channel, _ code: CloseCode, reason: String, wait: TimeAmount = closeWait,
                      metadata: Logger.Metadata = [:]) {
        if channel.eventLoop.inEventLoop {
            closeOnLoop(channel, code, reason: reason, wait: wait, metadata: metadata)
        } else {
            channel.eventLoop.execute { closeOnLoop(channel, code, reason: reason, wait: wait, metadata: metadata) }
        }
    }

    private static func closeOnLoop(_ channel: any Channel, _ code: CloseCode, reason: String, wait: TimeAmount, metadata: Logger.Metadata) {
        let handler = try? channel.pipeline.syncOperations.handler(type: LiveFrameHandler.self)
        var logger = handler?.logger ?? Logger(label: "communis.live", factory: { _ in SwiftLogNoOpLogHandler() })
        if let handler {
            guard !handler.closeSent else { return }
            handler.closeSent = true
            handler.closing = true
            if !handler.counted {
                handler.counted = true
                handler.settings.liveMetrics.closed(.server(code))
                var details = metadata
                details["close.code"] = "\(code.rawValue)"
                details["close.reason"] = "\(code.reasonLabel)"
                details["detail"] = "\(reason)"
                let level: Logger.Level = switch code {
                case .slowConsumer, .rateLimited, .internalError: .warning
                case .normal, .goingAway: .debug
                default: .info
                }
                logger.log(level: level, "live connection closed by the server", metadata: details)
            }
        }
        logger[metadataKey: "close.code"] = "\(code.rawValue)"
        let closeLogger = logger
        var payload = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.writeInteger(code.rawValue)
        payload.writeString(String(reason.utf8.prefix(120)) ?? "")
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        // A peer that does not read would keep the close frame queued forever: bounded.
        let deadline = channel.eventLoop.scheduleTask(in: wait) {
            guard channel.isActive else { return }
            closeLogger.warning("close frame not taken in time; connection closed without it", metadata: ["wait.ms": "\(wait.nanoseconds / 1_000_000)"])
            channel.close(promise: nil)
        }
        channel.writeAndFlush(frame).whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }
}

/// Closes a connection that sends nothing for too long before its WebSocket handshake is
/// complete (and idle keep-alive HTTP connections): no half-open handshakes held forever.
/// On graceful shutdown a connection that has not sent a byte yet is closed at once; once
/// it has, `HTTPConnectionStateHandler` (HTTP) or the live connection decides.
final class SilenceTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private var heardAnything = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heardAnything = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent || (event is ChannelShouldQuiesceEvent && !heardAnything) {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
