import CommunisMedia
import NIOCore
import Synchronization

/// An `AudioListener` that records every frame it is sent (and checks that the relay only
/// calls it on its loop), for relay tests without sockets.
public final class RecordingAudioListener: AudioListener {
    public let audioLoop: any EventLoop
    public let stream: UInt16
    private let state = Mutex<(frames: [ByteBuffer], flushes: Int, offLoop: Int)>(([], 0, 0))
    private let dropped = Atomic<Int>(0)

    public init(stream: UInt16, loop: any EventLoop) {
        self.stream = stream
        self.audioLoop = loop
    }

    public func enqueueAudio(_ frame: ByteBuffer) {
        let onLoop = audioLoop.inEventLoop
        state.withLock {
            $0.frames.append(frame)
            if !onLoop { $0.offLoop += 1 }
        }
    }

    public func flushAudio() {
        let onLoop = audioLoop.inEventLoop
        state.withLock {
            $0.flushes += 1
            if !onLoop { $0.offLoop += 1 }
        }
    }

    /// What `setDropped` said (a recording listener never drops anything itself).
    public var audioDropped: Int { dropped.load(ordering: .relaxed) }

    /// Pretends the connection dropped `count` frames so far (for statistics tests).
    public func setDropped(_ count: Int) { dropped.store(count, ordering: .relaxed) }

    /// Every frame received, in arrival order.
    public var frames: [ByteBuffer] { state.withLock { $0.frames } }
    public var count: Int { state.withLock { $0.frames.count } }
    public var flushes: Int { state.withLock { $0.flushes } }
    /// Calls that were not on `audioLoop` (should stay 0).
    public var offLoopCalls: Int { state.withLock { $0.offLoop } }

    /// Frames received from `sender` (by the header's stream id), in arrival order.
    public func frames(from sender: UInt16) -> [ByteBuffer] {
        frames.filter { AudioFrameHeader(peeking: $0)?.streamId == sender }
    }
}
