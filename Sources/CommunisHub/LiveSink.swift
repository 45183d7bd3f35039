import CommunisMedia
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
    /// Sinks that share a group (connections on one event loop) can be sent a broadcast in
    /// one hop instead of one per connection; nil sends one by one.
    var group: (any LiveSinkGroup)? { get }
}

/// Delivers one frame to many sinks of the same group at once.
public protocol LiveSinkGroup: AnyObject, Sendable {
    func send(_ frame: ByteBuffer, to sinks: [any LiveSink])
}

extension LiveSink {
    public var group: (any LiveSinkGroup)? { nil }
}


extension LiveSink {
    /// The connection's audio side, if it can carry meeting audio (WebSocket connections can).
    public var audioPeer: (any AudioPeer)? { self as? any AudioPeer }
}
