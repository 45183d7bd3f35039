import CommunisModel
import CommunisServices
import CommunisWire

/// The HTTP routes' view of the live meetings (who is in one, ending one for all, gauges).
extension Hub: MeetingLive {
    public func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef] {
        await meetings.roster(of: meeting)
    }

    public func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async {
        await meetings.end(meeting, by: by)
    }

    public func gauges() async -> MeetingGauges {
        let gauges = await meetings.gauges()
        return MeetingGauges(liveMeetings: gauges.liveMeetings, participants: gauges.participants, lobby: gauges.lobby)
    }
}

/// The Meetings service keeps the records of the live meetings.
extension Meetings: MeetingRecords {}
