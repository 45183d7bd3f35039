import CommunisWire

/// Who is speaking, as the meeting's state announces it: at most once per `speakingInterval`.
extension MeetingState {
    public enum SpeakingOutcome: Sendable, Equatable {
        case none
        case send([MeetingAction])
        /// Call `flushSpeaking` at this instant (the last announcement was too recent).
        case later(ContinuousClock.Instant)
    }

    /// The relay says who is speaking now. Announced when it changed, at most once per
    /// `speakingInterval`; a change inside the interval is announced when it ends.
    public mutating func speakingChanged(_ streams: [UInt16], now: ContinuousClock.Instant) -> SpeakingOutcome {
        let current = Set(streams)
        speaking = participants.filter { current.contains($0.stream) && !$0.muted }.map(\.stream).sorted()
        return announceSpeaking(now: now)
    }

    public mutating func flushSpeaking(now: ContinuousClock.Instant) -> SpeakingOutcome {
        speakingFlushPending = false
        return announceSpeaking(now: now)
    }

    private mutating func announceSpeaking(now: ContinuousClock.Instant) -> SpeakingOutcome {
        guard speaking != announcedSpeaking, !participants.isEmpty else { return .none }
        if let last = lastSpeakingAnnounced, now < last + speakingInterval {
            if speakingFlushPending { return .none }
            speakingFlushPending = true
            return .later(last + speakingInterval)
        }
        lastSpeakingAnnounced = now
        announcedSpeaking = speaking
        return .send([.send(.speaking(speaking), to: participants.map(\.stream))])
    }
}
