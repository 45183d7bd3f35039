import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// What a connection does with the messages it receives. Called on the connection's event
/// loop only.
protocol WSDelegate: AnyObject, Sendable {
    /// A complete text frame (payload unmasked, as servers send it).
    func text(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer)
    /// A complete binary frame (meeting audio). Unless a delegate cares, it is handed to
    /// `text` like every other data frame, as the hub benchmark always did.
    func binary(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer)
    func closed(_ connection: WSConnection, code: UInt16?)
}

extension WSDelegate {
    func binary(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) { text(connection, payload) }
}

/// One client connection. Sends masked text frames; `send` may be called from any thread.
final class WSConnection: @unchecked Sendable {
    let channel: any Channel
    let index: Int
    /// Set by the handler once the upgrade answered 101.
    fileprivate(set) var open = false

    init(channel: any Channel, index: Int) {
        self.channel = channel
        self.index = index
    }

    func send(_ text: String) {
        if channel.eventLoop.inEventLoop {
            write(text)
        } else {
            channel.eventLoop.execute { self.write(text) }
        }
    }

    private func write(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 14)
        WSFrame.encodeMaskedText(text, into: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Writes bytes that already are one or more complete client frames (masked), without
    /// flushing. Call on the connection's event loop only.
    func writeFrames(_ buffer: ByteBuffer) {
        channel.write(buffer, promise: nil)
    }

    /// Flushes what `writeFrames` wrote. Call on the connection's event loop only.
    func flush() {
        channel.flush()
    }

    func close() {
        channel.close(promise: nil)
    }
}

enum WSFrame {
    /// A client frame: FIN + text, masked (RFC 6455 §5.3: clients must mask).
    static func encodeMaskedText(_ text: String, into buffer: inout ByteBuffer) {
        let payload = Array(text.utf8)
        encodeMasked(opcode: 0x1, payload: payload, into: &buffer)
    }

    static func encodeMasked(opcode: UInt8, payload: [UInt8], into buffer: inout ByteBuffer) {
        writeHeader(opcode: opcode, count: payload.count, into: &buffer)
        let count = payload.count
        let mask = UInt32.random(in: 0...UInt32.max)
        buffer.writeInteger(mask)
        let m: [UInt8] = [UInt8(mask >> 24), UInt8((mask >> 16) & 0xFF), UInt8((mask >> 8) & 0xFF), UInt8(mask & 0xFF)]
        buffer.reserveCapacity(minimumWritableBytes: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            for i in 0..<count { out[i] = payload[i] ^ m[i & 3] }
            return count
        }
    }

    /// FIN + opcode and the masked payload length (the 4-byte mask follows, then the payload).
    static func writeHeader(opcode: UInt8, count: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x80 | opcode))
        if count < 126 {
            buffer.writeInteger(UInt8(0x80 | UInt8(count)))
        } else if count <= 0xFFFF {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(count))
        }
    }
}

/// A minimal WebSocket client: writes the HTTP upgrade request itself, checks for 101, then
/// parses server frames by hand (no NIOHTTP1/NIOWebSocket handlers, so a connection costs a
/// socket, this handler and a buffer). Answers pings with pongs; reports close codes.
final class WSClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let delegate: any WSDelegate
    private let index: Int
    private let opened: EventLoopPromise<WSConnection>
    private var connection: WSConnection?
    private var handshakeDone = false
    private var pending: ByteBuffer?
    private var closedReported = false

    init(request: String, delegate: any WSDelegate, index: Int, opened: EventLoopPromise<WSConnection>) {
        self.request = request
        self.delegate = delegate
        self.index = index
        self.opened = opened
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = WSConnection(channel: context.channel, index: index)
        var buffer = context.channel.allocator.buffer(capacity: request.utf8.count)
        buffer.writeString(request)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !handshakeDone {
            opened.fail(BenchError("connection closed during the WebSocket handshake"))
        }
        reportClosed(code: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !handshakeDone { opened.fail(error) }
        context.close(promise: nil)
    }

    private func reportClosed(code: UInt16?) {
        guard !closedReported, let connection else { return }
        closedReported = true
        if handshakeDone { delegate.closed(connection, code: code) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        if !handshakeDone {
            guard let end = pending!.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
                if pending!.readableBytes > 16384 { fail(context, "oversized handshake answer") }
                return
            }
            let headLength = end.upperBound - pending!.readerIndex
            let head = pending!.readString(length: headLength) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                let status = head.split(separator: "\r\n").first.map(String.init) ?? head
                opened.fail(BenchError("upgrade refused: \(status)"))
                context.close(promise: nil)
                return
            }
            handshakeDone = true
            connection!.open = true
            opened.succeed(connection!)
        }
        parseFrames(context)
    }

    private func fail(_ context: ChannelHandlerContext, _ why: String) {
        opened.fail(BenchError(why))
        context.close(promise: nil)
    }

    private func parseFrames(_ context: ChannelHandlerContext) {
        guard var buffer = pending else { return }
        pending = nil
        while buffer.readableBytes >= 2 {
            let start = buffer.readerIndex
            let b0 = buffer.getInteger(at: start, as: UInt8.self)!
            let b1 = buffer.getInteger(at: start + 1, as: UInt8.self)!
            var headerLength = 2
            var length = Int(b1 & 0x7F)
            if length == 126 {
                guard buffer.readableBytes >= 4 else { break }
                length = Int(buffer.getInteger(at: start + 2, as: UInt16.self)!)
                headerLength = 4
            } else if length == 127 {
                guard buffer.readableBytes >= 10 else { break }
                length = Int(buffer.getInteger(at: start + 2, as: UInt64.self)!)
                headerLength = 10
            }
            let masked = b1 & 0x80 != 0
            if masked { headerLength += 4 }  // servers do not mask; tolerate it anyway
            guard buffer.readableBytes >= headerLength + length else { break }
            let opcode = b0 & 0x0F
            let payloadStart = start + headerLength
            switch opcode {
            case 0x1, 0x0:
                buffer.withUnsafeReadableBytes { raw in
                    let slice = UnsafeRawBufferPointer(rebasing: raw[(headerLength)..<(headerLength + length)])
                    delegate.text(connection!, slice)
                }
            case 0x2:
                buffer.withUnsafeReadableBytes { raw in
                    let slice = UnsafeRawBufferPointer(rebasing: raw[(headerLength)..<(headerLength + length)])
                    delegate.binary(connection!, slice)
                }
            case 0x9:
                let payload = buffer.getBytes(at: payloadStart, length: length) ?? []
                var pong = context.channel.allocator.buffer(capacity: length + 8)
                WSFrame.encodeMasked(opcode: 0xA, payload: payload, into: &pong)
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            case 0x8:
                let code = length >= 2 ? buffer.getInteger(at: payloadStart, as: UInt16.self) : nil
                reportClosed(code: code)
                context.close(promise: nil)
            default:
                break
            }
            buffer.moveReaderIndex(forwardBy: headerLength + length)
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            pending = buffer
        }
    }
}

/// Opens many client connections from one event loop group, a bounded number at a time.
struct WSConnector {
    let group: any EventLoopGroup
    let host: String
    let port: Int

    static func upgradeRequest(host: String, port: Int, path: String, headers: [(String, String)]) -> String {
        var key = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { key[i] = UInt8.random(in: 0...255) }
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    /// Connects and completes once the server answered 101.
    func connect(index: Int, loop: any EventLoop, path: String, headers: [(String, String)], delegate: any WSDelegate) -> EventLoopFuture<WSConnection> {
        let promise = loop.makePromise(of: WSConnection.self)
        let request = Self.upgradeRequest(host: host, port: port, path: path, headers: headers)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        WSClientHandler(request: request, delegate: delegate, index: index, opened: promise))
                }
            }
        bootstrap.connect(host: host, port: port).whenFailure { promise.fail($0) }
        return promise.futureResult
    }
}
