import CommunisHub
import CommunisWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// A live connection's outgoing side. `send` may be called from any task: it hops to the
/// channel's event loop, writes without flushing, and flushes once per loop turn, so a burst
/// of events (a broadcast, a backlog) leaves in one syscall. When more than `maxQueuedBytes`
/// wait in the channel's buffer, the client is too slow: it is closed with 4008 and the rest
/// of the room never waits for it.
final class ChannelSink: LiveSink, @unchecked Sendable {
    // @unchecked: `flushPending`, `unflushed` and `closed` are only touched on `channel.eventLoop`.
    let connectionID: ConnectionID
    let channel: any Channel
    let maxQueuedBytes: Int
    let group: (any LiveSinkGroup)?
    private var flushPending = false
    private var unflushed = false
    private var closed = false

    private static let counter = NIOLockedValueBox<UInt64>(0)

    init(channel: any Channel, maxQueuedBytes: Int) {
        self.channel = channel
        self.maxQueuedBytes = maxQueuedBytes
        self.group = LoopSinkGroup.for(channel.eventLoop)
        self.connectionID = Self.counter.withLockedValue { value in
            value += 1
            return value
        }
    }

    func send(_ frame: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            write(frame)
        } else {
            channel.eventLoop.execute { self.write(frame) }
        }
    }

    func close(_ code: CloseCode, reason: String) {
        channel.eventLoop.execute {
            guard !self.closed else { return }
            self.closed = true
            LiveFrameHandler.close(self.channel, code, reason: reason)
        }
    }

    private func write(_ frame: ByteBuffer) {
        enqueue(frame)
        if !flushPending {
            flushPending = true
            channel.eventLoop.execute {
                self.flushPending = false
                self.flushIfNeeded()
            }
        }
    }

    /// On the loop: writes without flushing.
    fileprivate func enqueue(_ frame: ByteBuffer) {
        guard !closed, channel.isActive else { return }
        channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
        unflushed = true
    }

    /// On the loop: flushes what `enqueue` wrote, then checks the backlog.
    fileprivate func flushIfNeeded() {
        guard unflushed else { return }
        unflushed = false
        channel.flush()
        checkBacklog()
    }

    private func checkBacklog() {
        guard !closed, let queued = try? channel.syncOptions?.getOption(.bufferedWritableBytes), queued > maxQueuedBytes else { return }
        closed = true
        LiveFrameHandler.close(channel, .slowConsumer, reason: "too slow: \(queued) bytes waiting")
    }
}

/// The connections of one event loop, for broadcasts: one task on the loop writes the frame
/// to each of them and then flushes each once.
final class LoopSinkGroup: LiveSinkGroup {
    let loop: any EventLoop

    private init(loop: any EventLoop) { self.loop = loop }

    private static let groups = NIOLockedValueBox<[ObjectIdentifier: LoopSinkGroup]>([:])

    static func `for`(_ loop: any EventLoop) -> LoopSinkGroup {
        groups.withLockedValue { groups in
            if let group = groups[ObjectIdentifier(loop)] { return group }
            let group = LoopSinkGroup(loop: loop)
            groups[ObjectIdentifier(loop)] = group
            return group
        }
    }

    func send(_ frame: ByteBuffer, to sinks: [any LiveSink]) {
        loop.execute {
            let channelSinks = sinks.compactMap { $0 as? ChannelSink }
            for sink in channelSinks { sink.enqueue(frame) }
            for sink in channelSinks { sink.flushIfNeeded() }
        }
    }
}
