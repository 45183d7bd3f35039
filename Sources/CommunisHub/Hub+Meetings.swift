import CommunisModel
import CommunisServices
import CommunisWire
import NIOCore

/// The HTTP routes' view of the live meetings (who is in one, ending one for all, gauges).
extension Hub: MeetingLive {
    public func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef] {
        await meetings.roster(of: meeting)
    }

    public func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async {
        await meetings.end(meeting, by: by)
    }

    public func created(_ meeting: Meeting) async {
        let roster = MeetingJSON.Roster(meetingId: meeting.id, title: meeting.title, state: meeting.state.rawValue, participants: [],
                                        scheduledFor: meeting.scheduledFor)
        let frame = ByteBuffer(bytes: Wire.frame(type: .meetingRoster, topic: Topic.workspace(meeting.workspaceID.description), value: roster))
        await announce(RosterAnnouncement(workspace: meeting.workspaceID, meeting: meeting.id, at: .now, frame: frame))
    }

    public func gauges() async -> MeetingGauges {
        let gauges = await meetings.gauges()
        return MeetingGauges(liveMeetings: gauges.liveMeetings, participants: gauges.participants, lobby: gauges.lobby)
    }
}

/// The Meetings service keeps the records of the live meetings.
extension Meetings: MeetingRecords {}

/// The Recordings service stores what the meeting rooms record.
extension Recordings: RecordingRecords {}
