import CommunisHub
import CommunisMedia
import CommunisWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import Synchronization

/// A live connection's outgoing side. `send` may be called from any task: it hops to the
/// channel's event loop, writes without flushing, and flushes once per loop turn, so a burst
/// of events (a broadcast, a backlog) leaves in one syscall. When more than `maxQueuedBytes`
/// wait in the channel's buffer, the client is too slow: it is closed with 4008 and the rest
/// of the room never waits for it.
///
/// Audio (meetings) is different: late audio is worthless, so a slow listener loses the
/// oldest audio instead of the connection. Audio frames go straight to the channel while it
/// is writable (its write-buffer water mark, set by `LiveServerChannel`, bounds what waits
/// there); otherwise they wait in a ring of `audioQueueCapacity` frames that drops its oldest
/// frame when full, and drains when the channel becomes writable again: each queued frame
/// carries its arrival time, and one older than `audioMaxAge` by then is dropped and counted
/// as stale instead of sent late (a listener whose socket stalled gets what is still worth
/// playing). Text frames and the channel's own buffer are not affected. Audio that arrived
/// through a `LiveFrameHandler` already carries its server frame header (`AudioWire`), so
/// every listener writes the same bytes; audio flushes are batched per loop turn.
final class ChannelSink: LiveSink, AudioPeer, @unchecked Sendable {
    // @unchecked: `flushPending`, `unflushed`, `closed`, `uplink`, `audioQueue`,
    // `audioUnflushed`, `audioFlushQueued` and `encoderContext` are only touched on
    // `channel.eventLoop`; `droppedAudio` is atomic.
    let connectionID: ConnectionID
    let channel: any Channel
    let maxQueuedBytes: Int
    let group: (any LiveSinkGroup)?
    private let loopGroup: LoopSinkGroup
    let audioQueueCapacity: Int
    let audioMetrics: AudioMetrics
    /// Names the person and the connection; the frame handler logs closes with it.
    let logger: Logger
    private var flushPending = false
    private var unflushed = false
    private var closed = false
    /// Where this connection's binary frames go; read by `LiveFrameHandler` on every frame.
    private var uplink: AudioUplink?
    /// In a cluster, when the meeting is relayed by another node: where binary frames go
    /// instead (the node link). Loop-bound like `uplink`.
    private var forward: (@Sendable (ByteBuffer) -> Void)?
    private var audioQueue: CircularBuffer<(frame: ByteBuffer, arrived: NIODeadline)>
    /// `meeting.audio_max_age_ms`: queued audio older than this when the queue drains is dropped.
    let audioMaxAge: TimeAmount
    /// The time queued frames are stamped and judged with (tests set it).
    private let now: @Sendable () -> NIODeadline
    private let droppedStaleAudio = Atomic<Int>(0)
    private var audioUnflushed = false
    /// Waiting in `loopGroup`'s batch for this loop turn's audio flush.
    private var audioFlushQueued = false
    private let droppedAudio = Atomic<Int>(0)
    /// The WebSocket encoder's context: audio that carries its own frame header (`AudioWire`)
    /// is written from here, below the encoder. Loop-bound; nil until attached.
    private var encoderContext: ChannelHandlerContext?

    private static let counter = NIOLockedValueBox<UInt64>(0)

    /// - Parameters:
    ///   - audioQueueCapacity: `meeting.listener_queue_packets`.
    ///   - audioMaxAge: `meeting.audio_max_age_ms`.
    ///   - attach: hand the sink to the connection's `LiveFrameHandler` (so binary frames reach
    ///     the uplink and writability reaches the audio queue). Tests that drive the handler
    ///     themselves pass false.
    init(channel: any Channel, maxQueuedBytes: Int, audioQueueCapacity: Int = 64, audioMaxAge: TimeAmount = .milliseconds(1000),
         audioMetrics: AudioMetrics = AudioMetrics(), logger: Logger = Logger(label: "communis.live", factory: { _ in SwiftLogNoOpLogHandler() }),
         attach: Bool = true, now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.channel = channel
        self.audioMaxAge = audioMaxAge
        self.now = now
        self.maxQueuedBytes = maxQueuedBytes
        self.audioQueueCapacity = max(1, audioQueueCapacity)
        self.audioMetrics = audioMetrics
        self.audioQueue = CircularBuffer(initialCapacity: self.audioQueueCapacity)
        self.loopGroup = LoopSinkGroup.for(channel.eventLoop)
        self.group = loopGroup
        let connectionID = Self.counter.withLockedValue { value in
            value += 1
            return value
        }
        self.connectionID = connectionID
        var logger = logger
        logger[metadataKey: "connection.id"] = "\(connectionID)"
        self.logger = logger
        if attach {
            // The handler was installed at upgrade, before this sink existed; a frame that
            // arrives before this runs has no uplink yet either way (nobody has joined).
            channel.eventLoop.execute { [self] in
                try? channel.pipeline.syncOperations.handler(type: LiveFrameHandler.self).attach(self)
                encoderContext = try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
            }
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
            self.audioQueue.removeAll()
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

    // MARK: Audio

    var audioLoop: any EventLoop { channel.eventLoop }

    var audioDropped: Int { droppedAudio.load(ordering: .relaxed) }

    var audioDroppedStale: Int { droppedStaleAudio.load(ordering: .relaxed) }

    func setUplink(_ uplink: AudioUplink?) {
        if channel.eventLoop.inEventLoop {
            self.uplink = uplink
        } else {
            // In order with the sends that follow (the join ack): the uplink is in place
            // before the client learns it may send.
            channel.eventLoop.execute { self.uplink = uplink }
        }
    }

    /// On the loop: the current uplink (for `LiveFrameHandler`).
    var currentUplink: AudioUplink? { uplink }

    /// Sends this connection's binary frames to another node (nil: stop).
    func setForward(_ forward: (@Sendable (ByteBuffer) -> Void)?) {
        if channel.eventLoop.inEventLoop {
            self.forward = forward
        } else {
            channel.eventLoop.execute { self.forward = forward }
        }
    }

    /// On the loop: where binary frames go when the meeting is relayed elsewhere.
    var currentForward: (@Sendable (ByteBuffer) -> Void)? { forward }

    /// On the loop (the relay calls it there): writes now if the channel takes it, else
    /// queues, dropping the oldest queued frame when the queue is full.
    func enqueueAudio(_ frame: ByteBuffer) {
        guard !closed, channel.isActive else { return }
        if audioQueue.isEmpty, channel.isWritable {
            writeAudio(frame)
            return
        }
        if audioQueue.count >= audioQueueCapacity {
            audioQueue.removeFirst()
            droppedAudio.add()
            audioMetrics.droppedSlow.add()
        }
        audioQueue.append((frame, now()))
    }

    private func writeAudio(_ frame: ByteBuffer) {
        if let encoderContext, let wire = AudioWire.wireFrame(frame) {
            encoderContext.write(NIOAny(wire), promise: nil)
        } else {
            channel.write(WebSocketFrame(fin: true, opcode: .binary, data: frame), promise: nil)
        }
        audioUnflushed = true
    }

    /// On the loop (for tests that build the pipeline themselves): write pre-encoded audio
    /// below the WebSocket encoder, if the pipeline has one.
    func useEncoder(of pipeline: ChannelPipeline) {
        encoderContext = try? pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
    }

    /// On the loop. The flush itself happens once per loop turn for all connections of the
    /// loop (`LoopSinkGroup.flushAudioLater`): audio from several talkers read in the same
    /// turn leaves each listener in one write system call instead of one per packet.
    func flushAudio() {
        guard audioUnflushed, !audioFlushQueued else { return }
        audioFlushQueued = true
        loopGroup.flushAudioLater(self)
    }

    /// On the loop: flushes audio written since the last flush.
    fileprivate func flushAudioNow() {
        audioFlushQueued = false
        guard audioUnflushed else { return }
        audioUnflushed = false
        channel.flush()
    }

    /// On the loop, when the channel became writable again: sends queued audio while it
    /// stays writable, dropping (and counting) what has waited longer than `audioMaxAge`.
    func writabilityChanged() {
        guard !closed, channel.isWritable, !audioQueue.isEmpty else { return }
        let oldest = now() - audioMaxAge
        while channel.isWritable, let queued = audioQueue.popFirst() {
            guard queued.arrived >= oldest else {
                droppedStaleAudio.add()
                audioMetrics.droppedStale.add()
                continue
            }
            writeAudio(queued.frame)
        }
        flushAudioNow()
    }

    /// Frames waiting in the audio queue (on the loop; for tests).
    var queuedAudio: Int { audioQueue.count }

    private func checkBacklog() {
        guard !closed, let queued = try? channel.syncOptions?.getOption(.bufferedWritableBytes), queued > maxQueuedBytes else { return }
        // Decided here, once per flush: nothing more is queued for this client, and its close
        // frame waits behind what is already queued for at most `slowConsumerCloseWait`.
        closed = true
        audioQueue.removeAll()
        LiveFrameHandler.close(channel, .slowConsumer, reason: "too slow: \(queued) bytes waiting", wait: LiveFrameHandler.slowConsumerCloseWait,
                               metadata: ["queued.bytes": "\(queued)", "max.queued.bytes": "\(maxQueuedBytes)"])
    }
}

/// The connections of one event loop, for broadcasts: one task on the loop writes the frame
/// to each of them and then flushes each once.
final class LoopSinkGroup: LiveSinkGroup, @unchecked Sendable {
    // @unchecked: `audioFlushes`, `spareFlushes` and `audioFlushScheduled` are only touched on `loop`.
    let loop: any EventLoop
    private var audioFlushes: [ChannelSink] = []
    private var spareFlushes: [ChannelSink] = []
    private var audioFlushScheduled = false

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

    /// On the loop: flushes `sink`'s audio in one task at the end of this loop turn, together
    /// with every other connection of the loop that got audio in the same turn. One task per
    /// loop turn, not per connection or packet; the two arrays are swapped, not reallocated.
    fileprivate func flushAudioLater(_ sink: ChannelSink) {
        audioFlushes.append(sink)
        guard !audioFlushScheduled else { return }
        audioFlushScheduled = true
        loop.execute { self.flushAudio() }
    }

    private func flushAudio() {
        audioFlushScheduled = false
        swap(&audioFlushes, &spareFlushes)
        for sink in spareFlushes { sink.flushAudioNow() }
        spareFlushes.removeAll(keepingCapacity: true)
    }
}
