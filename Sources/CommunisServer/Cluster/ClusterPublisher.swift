import CommunisHub
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

/// What the services publish, in a cluster: stored events go to this node's hub (the other
/// nodes hear the database's doorbell and read the log); what is not in the log — a personal
/// notification's frame, ended memberships and sessions, a deleted workspace — goes to this
/// hub and, as a note, to every other node's.
struct ClusterPublisher: LivePublisher, MeetingLive {
    let hub: Hub
    let link: ClusterLink

    func publish(_ event: WorkspaceEvent) async {
        await hub.publish(event)
        // A meeting's guests follow its chat on the node that relays the meeting.
        if let meeting = Hub.meetingOfChat(event), await !hub.meetings.relayed.contains(meeting) {
            await link.send(.meetingChat(meeting, workspace: event.workspaceID, seq: event.seq))
        }
    }

    func notify(person: PersonID, frame: Data) async {
        await hub.notify(person: person, frame: frame)
        await link.send(.notify(person: person, frame: frame))
    }

    func membershipEnded(workspace: WorkspaceID, person: PersonID) async {
        await hub.membershipEnded(workspace: workspace, person: person)
        await link.send(.membershipEnded(workspace: workspace, person: person))
    }

    func sessionsEnded(person: PersonID) async {
        await hub.sessionsEnded(person: person)
        await link.send(.sessionsEnded(person: person))
    }

    func sessionEnded(tokenHash: String) async {
        await hub.sessionEnded(tokenHash: tokenHash)
        await link.send(.sessionEnded(tokenHash: tokenHash))
    }

    func workspaceDeleted(_ workspace: WorkspaceID) async {
        await hub.workspaceDeleted(workspace)
        await link.send(.workspaceDeleted(workspace))
    }

    // MARK: MeetingLive (the gauges are this node's)

    /// From the meeting's room when it is relayed here, else as the relaying node recorded it.
    func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef] {
        if await hub.meetings.relayed.contains(meeting) { return await hub.roster(of: meeting) }
        return await link.roster(of: meeting) ?? []
    }

    func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async {
        await hub.ended(meeting, by: by)
        await link.send(.meetingEnded(meeting, by: by))
    }

    func created(_ meeting: Meeting) async { await hub.created(meeting) }

    func gauges() async -> MeetingGauges { await hub.gauges() }
}
