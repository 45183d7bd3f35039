import CommunisHub
import CommunisMedia
import CommunisWire
import Foundation
import NIOCore
import Synchronization

/// On the node relaying a meeting: a browser connection of another node, forwarded over a
/// node link. What the hub and the meeting send it goes back over the link, tagged with the
/// forwarding node's connection number; its audio comes from the link.
final class RemoteSink: LiveSink, AudioPeer, Sendable {
    /// Numbers of forwarded connections here: apart from local ones (counted from 1) and from
    /// the presence stand-ins of other nodes (`Hub.remoteConnectionBase`).
    private static let counter = Atomic<UInt64>(1 << 61)

    let connectionID: ConnectionID
    /// The connection's number on the forwarding node.
    let remoteID: ConnectionID
    let channel: any Channel
    private let uplink = Mutex<AudioUplink?>(nil)
    private let closed = Atomic<Bool>(false)
    private let dropped = Atomic<Int>(0)
    /// Called once when the meeting's node closes the connection (the session ends here).
    private let onClose: @Sendable () -> Void

    init(remoteID: ConnectionID, channel: any Channel, onClose: @escaping @Sendable () -> Void) {
        self.connectionID = Self.counter.add(1, ordering: .relaxed).newValue
        self.remoteID = remoteID
        self.channel = channel
        self.onClose = onClose
    }

    func send(_ frame: ByteBuffer) {
        guard !closed.load(ordering: .relaxed) else { return }
        channel.writeAndFlush(NodeLinkFrame(kind: .command, connection: remoteID, payload: frame).encoded(allocator: channel.allocator), promise: nil)
    }

    func close(_ code: CloseCode, reason: String) {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        var payload = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.writeInteger(code.rawValue)
        payload.writeString(reason)
        channel.writeAndFlush(NodeLinkFrame(kind: .close, connection: remoteID, payload: payload).encoded(allocator: channel.allocator), promise: nil)
        onClose()
    }

    // MARK: Audio

    var audioLoop: any EventLoop { channel.eventLoop }

    func enqueueAudio(_ frame: ByteBuffer) {
        guard !closed.load(ordering: .relaxed), channel.isActive else { return }
        // The link carries every forwarded listener of this node: when it cannot keep up the
        // newest audio is dropped (the listener's own node still drops oldest-first).
        guard channel.isWritable else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        channel.write(NodeLinkFrame(kind: .audio, connection: remoteID, payload: frame).encoded(allocator: channel.allocator), promise: nil)
    }

    func flushAudio() { channel.flush() }

    var audioDropped: Int { dropped.load(ordering: .relaxed) }

    func setUplink(_ uplink: AudioUplink?) { self.uplink.withLock { $0 = uplink } }

    /// A frame the browser sent, arrived over the link: into the meeting's relay, if admitted.
    func receiveAudio(_ frame: ByteBuffer, metrics: AudioMetrics) {
        if let uplink = uplink.withLock({ $0 }) {
            uplink.relay.receive(frame, from: uplink.stream)
        } else {
            metrics.unrouted.add()
        }
    }
}
