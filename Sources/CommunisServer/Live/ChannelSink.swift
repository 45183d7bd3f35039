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
    // @unchecked: `flushPending` and `closed` are only touched on `channel.eventLoop`.
    let connectionID: ConnectionID
    let channel: any Channel
    let maxQueuedBytes: Int
    private var flushPending = false
    private var closed = false

    private static let counter = NIOLockedValueBox<UInt64>(0)

    init(channel: any Channel, maxQueuedBytes: Int) {
        self.channel = channel
        self.maxQueuedBytes = maxQueuedBytes
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
        guard !closed, channel.isActive else { return }
        channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
        if !flushPending {
            flushPending = true
            channel.eventLoop.execute {
                self.flushPending = false
                self.channel.flush()
                self.checkBacklog()
            }
        }
    }

    private func checkBacklog() {
        guard !closed, let queued = try? channel.syncOptions?.getOption(.bufferedWritableBytes), queued > maxQueuedBytes else { return }
        closed = true
        LiveFrameHandler.close(channel, .slowConsumer, reason: "too slow: \(queued) bytes waiting")
    }
}
