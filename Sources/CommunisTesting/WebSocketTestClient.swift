import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A real WebSocket client for tests (RFC 6455 over plain TCP, written by hand so tests can
/// also send what a browser never would): connects with whatever headers a test gives (a
/// cookie or a bearer token, an Origin), sends masked text and binary frames, and keeps what
/// the server sends — text messages to take by type, binary frames in arrival order, the close
/// code. Waiting is by condition with a generous deadline, never by a fixed sleep.
public final class WebSocketTestClient: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// One text message from the server, parsed as JSON.
    public struct Message: @unchecked Sendable, CustomStringConvertible {
        // @unchecked: immutable; `object` holds JSONSerialization's plain values.
        public let text: String
        public let object: [String: Any]

        init(text: String) {
            self.text = text
            self.object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        public var type: String { object["type"] as? String ?? "" }
        public var ref: String? { object["ref"] as? String }
        public var topic: String? { object["topic"] as? String }
        public var data: [String: Any] { object["data"] as? [String: Any] ?? [:] }
        /// `data.code` of an `error`.
        public var errorCode: String? { type == "error" ? data["code"] as? String : nil }
        public var description: String { text }
    }

    private struct Inbox {
        var unread: [Message] = []
        var everything: [Message] = []
        var binary: [[UInt8]] = []
        var closeCode: UInt16?
        var closed = false
    }

    let channel: any Channel
    private let inbox: NIOLockedValueBox<Inbox>

    private init(channel: any Channel, inbox: NIOLockedValueBox<Inbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Opens `ws://host:port/path` with these extra request headers, e.g.
    /// `[("Authorization", "Bearer …")]` or `[("Cookie", "communis_session=…"), ("Origin", "http://127.0.0.1:8080")]`.
    /// Throws when the server does not answer 101 (the failure names its status line).
    public static func connect(host: String = "127.0.0.1", port: Int, path: String = "/api/v1/live", headers: [(String, String)] = [],
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> WebSocketTestClient {
        let inbox = NIOLockedValueBox(Inbox())
        let loop = group.next()
        let opened = loop.makePromise(of: Void.self)
        var key = [UInt8](repeating: 0, count: 16)
        for index in key.indices { key[index] = .random(in: 0...255) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let handshake = request
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(request: handshake, inbox: inbox, opened: opened))
                }
            }
            .connect(host: host, port: port).get()
        } catch {
            // Nobody listens (yet): the handshake promise must not leak.
            opened.fail(error)
            throw error
        }
        try await opened.futureResult.get()
        return WebSocketTestClient(channel: channel, inbox: inbox)
    }

    // MARK: Sending

    /// A masked text frame.
    public func send(text: String) {
        write(opcode: 0x1, payload: Array(text.utf8))
    }

    /// A JSON command: `{"v":1,"type":…,"ref":…,"topic":…,"data":…}`.
    public func send(type: String, ref: String? = nil, topic: String? = nil, data: [String: Any] = [:]) {
        var object: [String: Any] = ["v": 1, "type": type, "data": data]
        if let ref { object["ref"] = ref }
        if let topic { object["topic"] = topic }
        // Test values are plain JSON; a failure here is a mistake in the test.
        send(text: String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    /// A masked binary frame.
    public func send(binary: [UInt8]) {
        write(opcode: 0x2, payload: binary)
    }

    /// Any frame, e.g. a close (0x8) with a code.
    public func write(opcode: UInt8, payload: [UInt8], fin: Bool = true) {
        let channel = channel
        channel.eventLoop.execute {
            var buffer = channel.allocator.buffer(capacity: payload.count + 14)
            Self.encodeMasked(opcode: opcode, fin: fin, payload: payload, into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    /// Sends a close frame with `code` (the server answers and closes).
    public func close(code: UInt16 = 1000) {
        write(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    /// Drops the TCP connection without a close frame.
    public func disconnect() async {
        try? await channel.close()
    }

    // MARK: Receiving

    /// Takes the first unread text message that matches (earlier ones that do not match stay
    /// unread), waiting up to `timeout` for it to arrive.
    public func next(timeout: Duration = .seconds(20), where matches: (Message) -> Bool) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found: Message? = inbox.withLockedValue { inbox in
                guard let index = inbox.unread.firstIndex(where: matches) else { return nil }
                return inbox.unread.remove(at: index)
            }
            if let found { return found }
            if ContinuousClock.now > deadline {
                throw Failure("no matching message within \(timeout); unread: \(inbox.withLockedValue { $0.unread.map(\.text) })")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The next unread message of this type (for `error`, optionally of this ref).
    public func next(_ type: String, ref: String? = nil, timeout: Duration = .seconds(20)) async throws -> Message {
        try await next(timeout: timeout) { $0.type == type && (ref == nil || $0.ref == ref) }
    }

    /// The answer (`ack` or `error`) to the command with this ref.
    public func answer(_ ref: String, timeout: Duration = .seconds(20)) async throws -> Message {
        try await next(timeout: timeout) { ($0.type == "ack" || $0.type == "error") && $0.ref == ref }
    }

    /// Sends a command and waits for its answer.
    public func command(_ type: String, topic: String? = nil, data: [String: Any] = [:], timeout: Duration = .seconds(20)) async throws -> Message {
        let ref = "r\(UInt32.random(in: 0...UInt32.max))"
        send(type: type, ref: ref, topic: topic, data: data)
        return try await answer(ref, timeout: timeout)
    }

    /// Every text message received so far (read or not), in order.
    public var messages: [Message] { inbox.withLockedValue { $0.everything } }
    /// Unread text messages, in order.
    public var unread: [Message] { inbox.withLockedValue { $0.unread } }

    /// Every binary frame received so far, in order.
    public var binaryFrames: [[UInt8]] { inbox.withLockedValue { $0.binary } }

    /// Waits until `condition` holds for the binary frames received so far.
    @discardableResult
    public func waitForBinary(timeout: Duration = .seconds(20), until condition: ([[UInt8]]) -> Bool) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frames = binaryFrames
            if condition(frames) { return frames }
            if ContinuousClock.now > deadline { throw Failure("binary frames did not arrive within \(timeout) (have \(frames.count))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The close code the server sent, once the connection has closed (nil: closed without one).
    public func closed(timeout: Duration = .seconds(20)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (closed, code) = inbox.withLockedValue { ($0.closed, $0.closeCode) }
            if closed { return code }
            if ContinuousClock.now > deadline { throw Failure("the connection did not close within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    public var isClosed: Bool { inbox.withLockedValue { $0.closed } }

    // MARK: Frames

    static func encodeMasked(opcode: UInt8, fin: Bool, payload: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8((fin ? 0x80 : 0) | opcode))
        let count = payload.count
        if count < 126 {
            buffer.writeInteger(UInt8(0x80 | UInt8(count)))
        } else if count <= 0xFFFF {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(count))
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        buffer.writeBytes(mask)
        buffer.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset & 3] })
    }

    /// Reads the handshake answer, then server frames (unmasked); answers pings.
    private final class ClientHandler: ChannelInboundHandler, @unchecked Sendable {
        // @unchecked: all state is touched on the channel's event loop only.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let request: String
        let inbox: NIOLockedValueBox<Inbox>
        let opened: EventLoopPromise<Void>
        var handshakeDone = false
        var pending = ByteBuffer()
        var fragments: (opcode: UInt8, bytes: [UInt8])?

        init(request: String, inbox: NIOLockedValueBox<Inbox>, opened: EventLoopPromise<Void>) {
            self.request = request
            self.inbox = inbox
            self.opened = opened
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !handshakeDone { opened.fail(Failure("connection closed during the WebSocket handshake")) }
            inbox.withLockedValue { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if !handshakeDone { opened.fail(error) }
            context.close(promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            pending.writeBuffer(&incoming)
            if !handshakeDone {
                guard let end = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
                let head = pending.readString(length: end.upperBound - pending.readerIndex) ?? ""
                guard head.hasPrefix("HTTP/1.1 101") else {
                    let status = head.split(separator: "\r\n").first.map(String.init) ?? head
                    opened.fail(Failure("upgrade refused: \(status)"))
                    context.close(promise: nil)
                    return
                }
                handshakeDone = true
                opened.succeed(())
            }
            readFrames(context)
        }

        private func readFrames(_ context: ChannelHandlerContext) {
            while pending.readableBytes >= 2 {
                let start = pending.readerIndex
                let b0 = pending.getInteger(at: start, as: UInt8.self)!
                let b1 = pending.getInteger(at: start + 1, as: UInt8.self)!
                var header = 2
                var length = Int(b1 & 0x7F)
                if length == 126 {
                    guard pending.readableBytes >= 4 else { return }
                    length = Int(pending.getInteger(at: start + 2, as: UInt16.self)!)
                    header = 4
                } else if length == 127 {
                    guard pending.readableBytes >= 10 else { return }
                    length = Int(pending.getInteger(at: start + 2, as: UInt64.self)!)
                    header = 10
                }
                guard pending.readableBytes >= header + length else { return }
                pending.moveReaderIndex(forwardBy: header)
                let payload = pending.readBytes(length: length) ?? []
                frame(context, fin: b0 & 0x80 != 0, opcode: b0 & 0x0F, payload: payload)
            }
            pending.discardReadBytes()
        }

        private func frame(_ context: ChannelHandlerContext, fin: Bool, opcode: UInt8, payload: [UInt8]) {
            switch opcode {
            case 0x0:
                guard var message = fragments else { return }
                message.bytes += payload
                fragments = fin ? nil : message
                if fin { deliver(opcode: message.opcode, message.bytes) }
            case 0x1, 0x2:
                if fin { deliver(opcode: opcode, payload) } else { fragments = (opcode, payload) }
            case 0x8:
                let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
                inbox.withLockedValue { $0.closeCode = code }
                context.close(promise: nil)
            case 0x9:
                var pong = context.channel.allocator.buffer(capacity: payload.count + 8)
                WebSocketTestClient.encodeMasked(opcode: 0xA, fin: true, payload: payload, into: &pong)
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            default:
                break
            }
        }

        private func deliver(opcode: UInt8, _ bytes: [UInt8]) {
            if opcode == 0x2 {
                inbox.withLockedValue { $0.binary.append(bytes) }
            } else {
                let message = Message(text: String(decoding: bytes, as: UTF8.self))
                inbox.withLockedValue {
                    $0.unread.append(message)
                    $0.everything.append(message)
                }
            }
        }
    }
}
