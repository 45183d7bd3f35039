import CommunisMedia
import NIOCore
import Synchronization

/// Waits until `condition` holds, polling every 10 ms, for at most `timeout` (generous: the
/// machine is shared and slow; nothing here measures time).
func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// A listener that records what it is sent, checking it is only called on its loop.
final class RecordingListener: AudioListener {
    let audioLoop: any EventLoop
    let stream: UInt16
    private let state = Mutex<(frames: [ByteBuffer], flushes: Int, offLoop: Int)>(([], 0, 0))

    init(stream: UInt16, loop: any EventLoop) {
        self.stream = stream
        self.audioLoop = loop
    }

    func enqueueAudio(_ frame: ByteBuffer) {
        let onLoop = audioLoop.inEventLoop
        state.withLock {
            $0.frames.append(frame)
            if !onLoop { $0.offLoop += 1 }
        }
    }

    func flushAudio() {
        let onLoop = audioLoop.inEventLoop
        state.withLock {
            $0.flushes += 1
            if !onLoop { $0.offLoop += 1 }
        }
    }

    var audioDropped: Int { 0 }

    var frames: [ByteBuffer] { state.withLock { $0.frames } }
    var count: Int { state.withLock { $0.frames.count } }
    var offLoopCalls: Int { state.withLock { $0.offLoop } }

    /// Received frames from `sender`, in arrival order.
    func frames(from sender: UInt16) -> [ByteBuffer] {
        frames.filter { AudioFrameHeader(peeking: $0)?.streamId == sender }
    }
}

/// Collects what a relay reports as speaking.
final class SpeakingLog: Sendable {
    private let reports = Mutex<[[UInt16]]>([])
    func record(_ speaking: [UInt16]) { reports.withLock { $0.append(speaking) } }
    var all: [[UInt16]] { reports.withLock { $0 } }
}

/// A frame for `stream` with a one-byte-per-index payload that identifies it.
func frame(stream: UInt16, sequence: UInt16, timestamp: UInt32? = nil, voice: Bool = false, level: UInt8 = 127, payload: [UInt8]? = nil) -> ByteBuffer {
    AudioFrameHeader(voiceActivity: voice, level: level, streamId: stream, sequence: sequence, timestamp: timestamp ?? UInt32(sequence) &* 960)
        .frame(packet: payload ?? [0xF8, UInt8(truncatingIfNeeded: stream), UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8)])
}
