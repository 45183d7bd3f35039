import CommunisModel
import CommunisWire

/// The live side of meetings, as the HTTP routes see it: who is in a meeting right now and
/// ending one for everyone. The hub implements it (its meeting rooms); tools without a hub
/// use `NoMeetingLive`.
public protocol MeetingLive: Sendable {
    /// The people in the meeting now (the lobby not included), in joining order.
    func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef]
    /// The meeting was ended (already stored): everyone in it and in its lobby is told and
    /// its audio stops.
    func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async
    /// The meeting was created (already stored): the workspace's subscribers see it at once
    /// (`meeting.roster` with its state and no participants).
    func created(_ meeting: Meeting) async
    /// Live meetings, participants and people waiting in lobbies, for metrics.
    func gauges() async -> MeetingGauges
}

public struct MeetingGauges: Sendable, Equatable {
    public var liveMeetings: Int
    public var participants: Int
    public var lobby: Int

    public init(liveMeetings: Int = 0, participants: Int = 0, lobby: Int = 0) {
        self.liveMeetings = liveMeetings
        self.participants = participants
        self.lobby = lobby
    }
}

public struct NoMeetingLive: MeetingLive {
    public init() {}
    public func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef] { [] }
    public func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async {}
    public func created(_ meeting: Meeting) async {}
    public func gauges() async -> MeetingGauges { MeetingGauges() }
}
