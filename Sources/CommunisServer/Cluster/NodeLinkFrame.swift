import CommunisHub
import Foundation
import NIOCore

/// One message on a node-to-node link (`NodeLinkClient` → `NodeLinkServer`): a connection
/// of the forwarding node, and what concerns it. On the wire: a 32-bit length of the rest,
/// the kind (one byte), the connection (64 bits), the payload.
///
/// Forwarding node → meeting's node: `open` (JSON: who), `command` (a `meeting.*` command's
/// text), `audio` (a binary audio frame as the browser sent it), `close`.
/// Meeting's node → forwarding node: `text` (a frame for the browser), `audio` (a frame the
/// relay forwards), `close` (the meeting's node ended that connection: code and reason).
struct NodeLinkFrame: Sendable {
    enum Kind: UInt8, Sendable {
        case open = 1
        case command = 2
        case audio = 3
        case close = 4
    }

    var kind: Kind
    var connection: ConnectionID
    var payload: ByteBuffer

    static let headerBytes = 4 + 1 + 8
    /// Larger messages end the link (a live message is at most 16 MiB; audio far less).
    static let maxBytes = 17 << 20

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(1 + 8 + payload.readableBytes))
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(connection)
        var payload = payload
        buffer.writeBuffer(&payload)
    }

    func encoded(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Self.headerBytes + payload.readableBytes)
        write(into: &buffer)
        return buffer
    }

    struct Malformed: Error {}
}

extension NodeLinkFrame {
    /// The next whole frame at the front of `buffer` (consumed), or nil when more bytes are
    /// needed.
    static func read(from buffer: inout ByteBuffer) throws -> NodeLinkFrame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 9, length <= maxBytes else { throw Malformed() }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let raw = buffer.readInteger(as: UInt8.self), let kind = Kind(rawValue: raw),
              let connection = buffer.readInteger(as: UInt64.self), let payload = buffer.readSlice(length: Int(length) - 9) else {
            throw Malformed()
        }
        return NodeLinkFrame(kind: kind, connection: connection, payload: payload)
    }
}

/// Cuts the link's bytes into `NodeLinkFrame`s.
struct NodeLinkDecoder: ByteToMessageDecoder {
    typealias InboundOut = NodeLinkFrame

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try NodeLinkFrame.read(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }
}

/// Who a forwarded connection is (the `open` payload).
struct NodeLinkOpen: Codable, Sendable {
    var person: String
    var sessionHash: String?
}

/// The link's HTTP upgrade: `GET /api/v1/cluster/link` with `Upgrade: communis-node-link`,
/// `X-Communis-Node: <node id>` and `Authorization: Bearer <that node's link key>` (each node
/// makes a random key at start and keeps its SHA-256 in `cluster_nodes`, which only nodes of
/// the cluster can read and write).
enum NodeLinkHTTP {
    static let path = "/api/v1/cluster/link"
    static let upgrade = "communis-node-link"
    static let nodeHeader = "x-communis-node"
}
