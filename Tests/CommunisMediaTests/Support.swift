import CommunisMedia
import CommunisTesting
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

typealias RecordingListener = RecordingAudioListener

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
