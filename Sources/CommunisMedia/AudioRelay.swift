import NIOCore

/// The media plane of one meeting: forwards each admitted participant's Opus frames,
/// unchanged and undecoded, to every other admitted participant, and tells the control plane
/// who is speaking.
///
/// Owns: the meeting's `AudioRelayState` (membership, mute, rate budgets, sequence, jitter,
/// voice activity), the listeners of its participants grouped by event loop, and the
/// speaking timer. The actor runs on `loop` (its executor is the loop itself), so a frame
/// that arrives on that loop is handled synchronously, and one from another loop costs a
/// single `execute`: no `Task` per packet, no `await` on the hot path.
///
/// Fan-out: listeners on the relay's own loop are written directly, then flushed; for every
/// other loop with listeners there is one `execute` per packet that writes to all of them and
/// then flushes each. The per-loop arrays are rebuilt when membership changes, never per
/// packet. The relay never waits for a listener: each one queues (and drops the oldest) on
/// its own.
public actor AudioRelay {
    public nonisolated let loop: any EventLoop
    /// Kept so the unowned executor reference always points at a live object (for a loop
    /// that is not itself a `SerialExecutor`, `loop.executor` makes a fresh wrapper).
    private nonisolated let executor: any SerialExecutor
    private let metrics: AudioMetrics
    private let onSpeaking: @Sendable ([UInt16]) -> Void
    private var state: AudioRelayState
    private var listeners: [UInt16: any AudioListener] = [:]
    /// Listeners on `loop`, written to directly.
    private var local: [Member] = []
    /// Listeners on other loops, one entry per loop.
    private var remote: [LoopMembers] = []
    private var speakingTimer: RepeatedTask?
    private var closed = false
    /// Gets every forwarded frame while the meeting is recorded (nil otherwise).
    private var recordingTap: (any AudioRecordingTap)?

    /// How often the speaking set is recomputed: `meeting.speaking` goes out at most 5 times
    /// a second (docs/protocol.md), and a change is seen within about one tick.
    public static let speakingInterval = TimeAmount.milliseconds(100)

    struct Member: Sendable {
        let stream: UInt16
        let listener: any AudioListener
    }

    struct LoopMembers: Sendable {
        let loop: any EventLoop
        let members: [Member]
    }

    /// - Parameter onSpeaking: called on `loop` with the sorted stream ids of who is speaking,
    ///   whenever that set changes. It must not block.
    public init(loop: any EventLoop, limits: AudioLimits, metrics: AudioMetrics, onSpeaking: @escaping @Sendable ([UInt16]) -> Void) {
        self.loop = loop
        self.executor = loop.executor
        self.metrics = metrics
        self.onSpeaking = onSpeaking
        self.state = AudioRelayState(limits: limits)
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    deinit {
        speakingTimer?.cancel()
    }

    // MARK: Membership (called by the control plane)

    /// An admitted participant: may send (unless muted) and receives everyone else.
    public func add(stream: UInt16, listener: any AudioListener, muted: Bool) {
        guard !closed else { return }
        listeners[stream] = listener
        state.add(stream, muted: muted, now: .now())
        rebuildRoutes()
        startSpeakingTimer()
    }

    public func remove(stream: UInt16) {
        guard listeners.removeValue(forKey: stream) != nil else { return }
        state.remove(stream)
        rebuildRoutes()
        if listeners.isEmpty {
            stopSpeakingTimer()
            state.removeAll()
        }
    }

    public func setMuted(_ stream: UInt16, _ muted: Bool) {
        state.setMuted(stream, muted)
    }

    /// Starts (a tap) or stops (nil) handing every forwarded frame to a recorder. The tap is
    /// called on `loop` after the fan-out of each frame and must not block.
    public func setRecordingTap(_ tap: (any AudioRecordingTap)?) {
        recordingTap = closed ? nil : tap
    }

    /// Per participant figures, ordered by stream id.
    public func statistics() -> [AudioStreamStatistics] {
        listeners.keys.sorted().compactMap { id in
            guard var statistics = state.statistics(of: id) else { return nil }
            statistics.droppedSlow = listeners[id]?.audioDropped ?? 0
            statistics.droppedStale = listeners[id]?.audioDroppedStale ?? 0
            return statistics
        }
    }

    /// Who is speaking, as last reported to `onSpeaking` (for a snapshot).
    public func speaking() -> [UInt16] { state.speaking }

    /// Stops timers and forgets every stream; later frames are ignored.
    public func close() {
        closed = true
        recordingTap = nil
        stopSpeakingTimer()
        listeners = [:]
        state.removeAll()
        rebuildRoutes()
    }

    // MARK: The hot path

    /// The hot path: one binary frame from `stream`'s connection. Callable from any thread;
    /// hops to `loop` unless already on it. Never blocks, never throws.
    public nonisolated func receive(_ frame: ByteBuffer, from stream: UInt16) {
        if loop.inEventLoop {
            assumeIsolated { $0.handle(frame, from: stream) }
        } else {
            loop.execute { self.assumeIsolated { $0.handle(frame, from: stream) } }
        }
    }

    private func handle(_ frame: ByteBuffer, from stream: UInt16) {
        switch state.receive(frame, from: stream, now: .now()) {
        case .forward:
            metrics.packetsIn.add()
            forward(frame, from: stream)
        case .dropped(.unknownStream):
            // The route outlived the membership (a frame in flight while leaving).
            metrics.unrouted.add()
        case .dropped(.malformed):
            metrics.packetsIn.add()
            metrics.malformed.add()
        case .dropped(.rateLimited):
            metrics.packetsIn.add()
            metrics.rateLimited.add()
        case .dropped(.muted):
            metrics.packetsIn.add()
            metrics.mutedDropped.add()
        }
    }

    private func forward(_ frame: ByteBuffer, from sender: UInt16) {
        for member in local where member.stream != sender { member.listener.enqueueAudio(frame) }
        for member in local where member.stream != sender { member.listener.flushAudio() }
        for group in remote {
            let members = group.members
            if members.count == 1, members[0].stream == sender { continue }
            group.loop.execute {
                for member in members where member.stream != sender { member.listener.enqueueAudio(frame) }
                for member in members where member.stream != sender { member.listener.flushAudio() }
            }
        }
        // Every admitted stream but the sender (which is admitted: `state` said forward).
        metrics.packetsOut.add(listeners.count - 1)
        recordingTap?.offer(frame, from: sender)
    }

    /// Regroups the listeners by loop; called on every membership change, never per packet.
    private func rebuildRoutes() {
        var local: [Member] = []
        var remote: [LoopMembers] = []
        var index: [ObjectIdentifier: Int] = [:]
        var grouped: [[Member]] = []
        var loops: [any EventLoop] = []
        for (stream, listener) in listeners.sorted(by: { $0.key < $1.key }) {
            let member = Member(stream: stream, listener: listener)
            let listenerLoop = listener.audioLoop
            if listenerLoop === loop {
                local.append(member)
            } else if let at = index[ObjectIdentifier(listenerLoop)] {
                grouped[at].append(member)
            } else {
                index[ObjectIdentifier(listenerLoop)] = grouped.count
                grouped.append([member])
                loops.append(listenerLoop)
            }
        }
        for (at, members) in grouped.enumerated() { remote.append(LoopMembers(loop: loops[at], members: members)) }
        self.local = local
        self.remote = remote
    }

    // MARK: Speaking

    private func startSpeakingTimer() {
        guard speakingTimer == nil else { return }
        speakingTimer = loop.scheduleRepeatedTask(initialDelay: Self.speakingInterval, delay: Self.speakingInterval) { [weak self] _ in
            self?.assumeIsolated { $0.tickSpeaking() }
        }
    }

    private func stopSpeakingTimer() {
        speakingTimer?.cancel()
        speakingTimer = nil
    }

    private func tickSpeaking() {
        guard !closed, let change = state.speakingChange(at: .now()) else { return }
        onSpeaking(change)
    }
}
