import NIOCore

/// The media plane of one meeting. SKELETON: the media helper replaces this file.
public actor AudioRelay {
    public nonisolated let loop: any EventLoop

    public init(loop: any EventLoop, limits: AudioLimits, metrics: AudioMetrics, onSpeaking: @escaping @Sendable ([UInt16]) -> Void) {
        self.loop = loop
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// An admitted participant: may send (unless muted) and receives everyone else.
    public func add(stream: UInt16, listener: any AudioListener, muted: Bool) {}
    public func remove(stream: UInt16) {}
    public func setMuted(_ stream: UInt16, _ muted: Bool) {}
    public func statistics() -> [AudioStreamStatistics] { [] }
    /// Stops timers and forgets every stream; later frames are ignored.
    public func close() {}
    /// The hot path: one binary frame from `stream`'s connection. Callable from any thread;
    /// hops to `loop` unless already on it. Never blocks, never throws.
    public nonisolated func receive(_ frame: ByteBuffer, from stream: UInt16) {}
}

/// Process-wide audio counters, for `/api/v1/admin/metrics`. SKELETON.
public final class AudioMetrics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var packetsIn = 0
        public var packetsOut = 0
        public var droppedSlow = 0
        public var malformed = 0
        /// Binary frames from connections that are not admitted to any meeting.
        public var unrouted = 0
        public var rateLimited = 0
        public var mutedDropped = 0
        public init() {}
    }
    public init() {}
    public func snapshot() -> Snapshot { Snapshot() }
}
