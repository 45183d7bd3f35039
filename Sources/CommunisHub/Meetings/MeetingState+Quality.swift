import CommunisWire

/// Participants' connection quality (docs/protocol.md, `meeting.quality`): the worse of what
/// their client measures of what it receives and what the relay sees of them, announced as
/// `meeting.participant.updated` when the level changes, at most once per `qualityInterval`
/// per participant. A change inside the interval waits for the room's next quality tick
/// (`relayQuality`, every `qualityInterval`).
extension MeetingState {
    public static let qualityInterval: Duration = .seconds(2)

    /// The participant's client reports its quality.
    public mutating func reportQuality(connection: ConnectionID, _ level: MeetingQuality, now: ContinuousClock.Instant) throws(WireError) -> [MeetingAction] {
        let me = try participant(connection)
        guard let index = participants.firstIndex(where: { $0.stream == me.stream }) else { return [] }
        participants[index].quality.reported = level
        return announceQuality(at: index, now: now)
    }

    /// The relay's view of each stream (streams it has no figures for keep theirs); also
    /// announces changes that had to wait for the interval.
    public mutating func relayQuality(_ levels: [UInt16: MeetingQuality], now: ContinuousClock.Instant) -> [MeetingAction] {
        var actions: [MeetingAction] = []
        for index in participants.indices where participants[index].connected {
            if let level = levels[participants[index].stream] { participants[index].quality.relay = level }
            actions += announceQuality(at: index, now: now)
        }
        return actions
    }

    private mutating func announceQuality(at index: Int, now: ContinuousClock.Instant) -> [MeetingAction] {
        var quality = participants[index].quality
        guard quality.combined != quality.announced else { return [] }
        if let last = quality.lastAnnounced, now < last + Self.qualityInterval { return [] }
        quality.announced = quality.combined
        quality.lastAnnounced = now
        participants[index].quality = quality
        return [updated(index, by: nil)]
    }
}
