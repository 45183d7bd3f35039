import CommunisMedia
import CommunisWire
import Foundation
import NIOCore
import NIOWebSocket

/// Reads a live connection's WebSocket frames on its event loop and holds it to RFC 6455
/// strictly, where NIO's decoder alone is lax: client frames must be masked (1002),
/// continuation frames must continue something (1002), reserved bits must be clear (1002),
/// text must be valid UTF-8 (1007), messages must fit the limit (1009). Complete text
/// messages go to the connection's task through a bounded stream; a client that floods it
/// is closed (4029). Pings keep the connection alive; silence past the idle timeout closes it.
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
    }

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

    init(settings: Settings, messages: AsyncStream<Data>.Continuation) {
        self.settings = settings
        self.messages = messages
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
        if NIODeadline.now() - lastHeard > settings.idleTimeout {
            Self.close(channel, .idleTimeout, reason: "idle timeout")
            closing = true
        } else {
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(capacity: 0)), promise: nil)
        }
    }

    /// On the loop: connects the connection's sink (see `ChannelSink.init`).
    func attach(_ sink: ChannelSink) {
        self.sink = sink
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

    /// Sends a close frame with `code` and closes the connection once it is written.
    static func close(_ channel: any Channel, _ code: CloseCode, reason: String) {
        var payload = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.writeInteger(code.rawValue)
        payload.writeString(String(reason.utf8.prefix(120)) ?? "")
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
        // A peer that does not read would keep the close frame queued forever.
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }
}

/// Closes a connection that sends nothing for too long before its WebSocket handshake is
/// complete (and idle keep-alive HTTP connections): no half-open handshakes held forever.
final class SilenceTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
