import NIOCore

// The contract between the media plane and the rest (see docs/protocol.md, "Audio frames").
// The control plane (CommunisHub's meeting rooms) decides who is in a meeting and tells the
// relay; the WebSocket layer (CommunisServer) hands the relay each binary frame and gives it
// a listener per connection. The relay never decodes audio.

/// Where a meeting's audio for one connection goes. Implemented by the WebSocket layer.
public protocol AudioListener: AnyObject, Sendable {
    /// The event loop the listener's connection lives on. `enqueueAudio` and `flushAudio`
    /// are only ever called on it.
    var audioLoop: any EventLoop { get }
    /// Queues one binary frame (the sender's frame, unchanged) without flushing. When the
    /// connection cannot keep up and `meeting.listener_queue_packets` frames already wait,
    /// the oldest waiting audio is dropped and counted. Never blocks.
    func enqueueAudio(_ frame: ByteBuffer)
    /// Flushes what `enqueueAudio` wrote.
    func flushAudio()
    /// Audio frames dropped for this listener so far because it was too slow. Any thread.
    var audioDropped: Int { get }
    /// Audio frames dropped for this listener so far because they waited in its queue longer
    /// than `meeting.audio_max_age_ms`. Any thread.
    var audioDroppedStale: Int { get }
}

extension AudioListener {
    /// A listener without a queue of its own never holds audio long enough to go stale.
    public var audioDroppedStale: Int { 0 }
}

/// A connection that can also send audio: the control plane routes its binary frames to a
/// meeting's relay when it is admitted and clears the route when it leaves.
public protocol AudioPeer: AudioListener {
    /// Sets where this connection's incoming binary frames go (nil: nowhere; such frames are
    /// counted as unrouted and dropped). May be called from any thread.
    func setUplink(_ uplink: AudioUplink?)
}

/// Receives every frame the relay forwards, for a recording (muted or dropped frames never
/// arrive). Set with `AudioRelay.setRecordingTap(_:)`; the relay calls it after the fan-out.
public protocol AudioRecordingTap: AnyObject, Sendable {
    /// One forwarded frame: its readable bytes are the 10-byte audio header followed by the
    /// Opus packet, exactly as the relay saw them. Called on the relay's event loop; must never
    /// block (queue and return).
    func offer(_ frame: ByteBuffer, from stream: UInt16)
}

/// One admitted participant's way into its meeting's relay.
public struct AudioUplink: Sendable {
    public let relay: AudioRelay
    public let stream: UInt16

    public init(relay: AudioRelay, stream: UInt16) {
        self.relay = relay
        self.stream = stream
    }
}

/// The configured limits of the relay (`meeting.*` keys).
public struct AudioLimits: Sendable {
    /// Largest Opus packet after the 10-byte header.
    public var maxPacketBytes: Int
    /// Sustained packets per second per sender; a burst of one second's worth is allowed.
    public var maxPacketsPerSecond: Int
    /// A stream is "speaking" while packets with voice activity (or louder than
    /// `speakingLevel` −dBov) arrived within this window.
    public var speakingWindow: Duration
    public var speakingLevel: UInt8

    public init(maxPacketBytes: Int = 1000, maxPacketsPerSecond: Int = 60, speakingWindow: Duration = .milliseconds(300), speakingLevel: UInt8 = 50) {
        self.maxPacketBytes = maxPacketBytes
        self.maxPacketsPerSecond = maxPacketsPerSecond
        self.speakingWindow = speakingWindow
        self.speakingLevel = speakingLevel
    }
}

/// Per participant figures, for moderators (`meeting.stats`) and metrics.
public struct AudioStreamStatistics: Sendable, Codable, Equatable {
    public var streamId: UInt16
    /// Packets received from this participant (forwarded or not).
    public var packetsIn: Int
    /// Packets forwarded to this participant.
    public var packetsOut: Int
    /// Gaps in this participant's sequence numbers.
    public var lost: Int
    /// RFC 3550 inter-arrival jitter of this participant's packets, in milliseconds.
    public var jitterMs: Double
    /// Audio dropped because this participant's connection could not keep up.
    public var droppedSlow: Int
    /// Audio for this participant that waited in their queue longer than
    /// `meeting.audio_max_age_ms` and was dropped instead of sent late.
    public var droppedStale: Int
    /// Frames from this participant that were malformed (bad header, wrong stream id, size).
    public var malformed: Int
    /// Packets over the rate limit.
    public var rateLimited: Int
    /// Packets sent while muted (not forwarded).
    public var mutedDropped: Int

    public init(streamId: UInt16, packetsIn: Int = 0, packetsOut: Int = 0, lost: Int = 0, jitterMs: Double = 0, droppedSlow: Int = 0,
                droppedStale: Int = 0, malformed: Int = 0, rateLimited: Int = 0, mutedDropped: Int = 0) {
        self.streamId = streamId
        self.packetsIn = packetsIn
        self.packetsOut = packetsOut
        self.lost = lost
        self.jitterMs = jitterMs
        self.droppedSlow = droppedSlow
        self.droppedStale = droppedStale
        self.malformed = malformed
        self.rateLimited = rateLimited
        self.mutedDropped = mutedDropped
    }
}
