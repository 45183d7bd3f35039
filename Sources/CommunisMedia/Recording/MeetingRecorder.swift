import Foundation
import NIOCore
import Synchronization

/// Records one meeting: receives the frames the relay forwards (as its `AudioRecordingTap`),
/// and on a thread of its own mixes them into one Ogg Opus file (plus, optionally, each
/// participant's own packets in a file of its own). See `RecordingMixer` for the processing.
///
/// Threads: `offer`, `addParticipant` and `removeParticipant` only append to a bounded,
/// lock-protected inbox (a `Mutex`; nothing is decoded there, the frame's storage is shared,
/// not copied) and return. The recorder's thread owns the `RecordingMixer`: every 20 ms it
/// takes the inbox, ingests it with each frame's arrival time, and mixes up to
/// `now − playoutDelay`, so packets up to that late still find their place. About once a
/// second it asks `diskSpace` how much room is left.
///
/// Stopping: `stop()` (or the recorder itself, on a full disk or a write error) mixes what is
/// pending, writes end-of-stream and closes every file. After a write error the files are
/// closed as well as possible and then repaired with `OggOpusRecovery`, so what was written
/// stays playable. `onEvent` is called on the recorder's thread and must not block.
///
/// Falling behind: when `queueLimit` frames already wait, new frames are dropped and counted;
/// the thread reports `.fallingBehind` at most once every 5 s.
public final class MeetingRecorder: AudioRecordingTap, Sendable {
    public struct Settings: Sendable {
        /// Bit rate of the mixed file, bit/s.
        public var bitrate: Int32 = 32_000
        /// libopus complexity of the mixed file's encoder, 0…10.
        public var complexity: Int32 = 5
        /// How long the mixer waits for late packets before mixing a 20 ms frame.
        public var playoutDelay: Duration = .milliseconds(300)
        /// Frames waiting for the recorder thread; beyond that new frames are dropped and counted (falling behind).
        public var queueLimit: Int = 2_000
        /// Stop with .diskFull when the disk holding the file has less than this free (checked about once a second).
        public var minFreeBytes: Int64 = 200 << 20
        public var diskSpace: any DiskSpaceProbe = FileSystemDiskSpace()
        /// Folder for each participant's own packets (`<stream>.opus` files inside it); nil = not kept.
        public var participantDirectory: String? = nil
        /// OpusTags `TITLE=` of the mixed file.
        public var title: String? = nil
        public init() {}
    }

    public enum StopReason: Sendable, Equatable {
        /// `stop()` was called.
        case requested
        /// Less than `minFreeBytes` left, or a write failed with ENOSPC / EDQUOT.
        case diskFull
        /// Another write error (its description).
        case writeFailed(String)
    }

    public enum Event: Sendable, Equatable {
        /// Frames were dropped because the recorder could not keep up (total since start). Reported at most once every 5 s.
        case fallingBehind(droppedFrames: Int)
        /// The recorder stopped by itself (disk full or a write error); the file written so far is finalised and playable.
        case stopped(StopReason)
    }

    public struct Result: Sendable, Equatable {
        /// Length of the mixed audio.
        public var durationMs: Int
        /// Size of the mixed file.
        public var sizeBytes: Int64
        public var reason: StopReason
        /// Stream → path of each participant's own file.
        public var participantFiles: [UInt16: String]
        /// Frames dropped because the recorder fell behind.
        public var droppedFrames: Int
        /// Frames that arrived after their time had been mixed.
        public var lateFrames: Int
        /// Lost frames filled by packet-loss concealment.
        public var concealedFrames: Int

        public init(durationMs: Int, sizeBytes: Int64, reason: StopReason, participantFiles: [UInt16: String] = [:],
                    droppedFrames: Int = 0, lateFrames: Int = 0, concealedFrames: Int = 0) {
            self.durationMs = durationMs
            self.sizeBytes = sizeBytes
            self.reason = reason
            self.participantFiles = participantFiles
            self.droppedFrames = droppedFrames
            self.lateFrames = lateFrames
            self.concealedFrames = concealedFrames
        }
    }

    /// How often the thread wakes up.
    static let tick: Duration = .milliseconds(20)
    /// How often `.fallingBehind` may be reported.
    static let behindInterval: Duration = .seconds(5)

    private enum Item {
        case frame(ByteBuffer, UInt16, Int64)
        case add(UInt16)
        case remove(UInt16)
    }

    /// What the callers and the thread share; everything else belongs to the thread.
    private struct Inbox {
        var items: [Item] = []
        var dropped = 0
        var stopRequested = false
        /// Set once, when the thread has finished.
        var result: Result?
        var waiters: [CheckedContinuation<Result, Never>] = []
    }

    private let inbox = Mutex(Inbox())
    private let started = ContinuousClock.now
    private let settings: Settings
    private let path: String
    private let onEvent: @Sendable (Event) -> Void

    /// Creates the mixed file (and the participant folder) and starts the recorder's own thread. Time 0 of the recording is now. Throws when the file cannot be created.
    public init(path: String, settings: Settings, onEvent: @escaping @Sendable (Event) -> Void) throws {
        self.path = path
        self.settings = settings
        self.onEvent = onEvent
        if let directory = settings.participantDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let mixer = Transfer(try RecordingMixer(path: path, settings: settings))
        let thread = Thread { [self] in self.run(mixer.value) }
        thread.name = "communis-recorder"
        thread.start()
    }

    /// A participant whose frames may now arrive (admitted while recording). Any thread.
    public func addParticipant(stream: UInt16) {
        inbox.withLock { if $0.result == nil { $0.items.append(.add(stream)) } }
    }

    /// A participant who left: later frames of `stream` are ignored. Any thread.
    public func removeParticipant(stream: UInt16) {
        inbox.withLock { if $0.result == nil { $0.items.append(.remove(stream)) } }
    }

    /// Milliseconds since the recording started (for chapter marks). Any thread.
    public var elapsedMilliseconds: Int {
        let elapsed = ContinuousClock.now - started
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    public func offer(_ frame: ByteBuffer, from stream: UInt16) {
        let arrival = sample(at: .now)
        let limit = settings.queueLimit
        inbox.withLock {
            guard !$0.stopRequested, $0.result == nil else { return }
            if $0.items.count >= limit {
                $0.dropped += 1
            } else {
                $0.items.append(.frame(frame, stream, arrival))
            }
        }
    }

    /// Mixes what is still pending, writes end-of-stream, closes all files, stops the thread. Idempotent: a second call (or a call after the recorder stopped itself) returns the same Result.
    public func stop() async -> Result {
        await withCheckedContinuation { continuation in
            let done: Result? = inbox.withLock {
                $0.stopRequested = true
                if let result = $0.result { return result }
                $0.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    // MARK: The recorder's thread

    private func sample(at instant: ContinuousClock.Instant) -> Int64 {
        let elapsed = instant - started
        let nanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        return nanos * Int64(OpusFormat.sampleRate) / 1_000_000_000
    }

    private func run(_ mixer: RecordingMixer) {
        let playout = sample(at: started + settings.playoutDelay)
        let second = Int64(OpusFormat.sampleRate)
        var nextDiskCheck: Int64 = 0
        var reportedDropped = 0
        var lastReport: ContinuousClock.Instant?
        var reason = StopReason.requested
        var dropped = 0
        loop: while true {
            let (items, stopping, droppedNow) = inbox.withLock { inbox in
                defer { inbox.items.removeAll(keepingCapacity: true) }
                return (inbox.items, inbox.stopRequested, inbox.dropped)
            }
            dropped = droppedNow
            let now = sample(at: .now)
            do {
                for item in items {
                    switch item {
                    case .frame(let frame, let stream, let arrival): try mixer.ingest(frame: frame, from: stream, arrivalSample: arrival)
                    case .add(let stream): try mixer.addParticipant(stream: stream)
                    case .remove(let stream): mixer.removeParticipant(stream: stream)
                    }
                }
                if stopping {
                    try mixer.finish(through: now)
                    break loop
                }
                try mixer.render(through: now - playout)
                if now >= nextDiskCheck {
                    nextDiskCheck = now + second
                    if let free = settings.diskSpace.availableBytes(atPath: path), free < settings.minFreeBytes {
                        reason = .diskFull
                        try mixer.finish(through: now)
                        break loop
                    }
                }
            } catch {
                reason = RecordingFailure.reason(for: error)
                mixer.abandon()
                for file in mixer.allPaths { _ = try? OggOpusRecovery.finalize(path: file) }
                break loop
            }
            if dropped > reportedDropped, lastReport.map({ ContinuousClock.now - $0 >= Self.behindInterval }) ?? true {
                reportedDropped = dropped
                lastReport = .now
                onEvent(.fallingBehind(droppedFrames: dropped))
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let result = Result(
            durationMs: mixer.durationMs, sizeBytes: size, reason: reason, participantFiles: mixer.participantFiles,
            droppedFrames: inbox.withLock { $0.dropped }, lateFrames: mixer.statistics.lateFrames, concealedFrames: mixer.statistics.concealedFrames)
        let waiters = inbox.withLock { inbox in
            inbox.result = result
            inbox.items = []
            defer { inbox.waiters = [] }
            return inbox.waiters
        }
        if reason != .requested { onEvent(.stopped(reason)) }
        for waiter in waiters { waiter.resume(returning: result) }
    }
}

/// Hands a value that is not `Sendable` to exactly one other thread, which owns it from then
/// on (the mixer, made in `init`, used only by the recorder's thread).
private struct Transfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
