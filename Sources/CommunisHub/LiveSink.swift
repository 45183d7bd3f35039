import CommunisWire
import NIOCore

/// A unique number per live connection, for the lifetime of the process.
public typealias ConnectionID = UInt64

/// Where one connection's outgoing frames go. The WebSocket layer implements it; the hub
/// and rooms only ever call these non-blocking methods, so no room waits for a peer.
public protocol LiveSink: AnyObject, Sendable {
    var connectionID: ConnectionID { get }
    /// Queues a text frame. The same `ByteBuffer` may be handed to many sinks (encode once,
    /// send the same bytes to all). If the connection's queue is over its limit the sink
    /// closes itself with `CloseCode.slowConsumer`; the caller does not wait either way.
    func send(_ frame: ByteBuffer)
    /// Sends a close frame with `code` and ends the connection.
    func close(_ code: CloseCode, reason: String)
}

extension ByteBuffer {
    /// One frame's bytes, built once per message.
    init(frame data: some Sequence<UInt8>) {
        self.init(bytes: data)
    }
}
