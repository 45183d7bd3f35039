import CommunisModel
import CommunisStore
import Foundation
import NIOCore

/// Who hears of what happens on this node's hub that the other nodes of a cluster must know
/// and the log does not carry: presence and typing.
public protocol HubObserver: Sendable {
    /// This node's presence in `workspace` may have changed (a subscribe, an unsubscribe, a
    /// status change, a closed connection).
    func presenceChanged(in workspace: WorkspaceID) async
    /// Someone on this node is typing.
    func typed(in workspace: WorkspaceID, person: PersonID, name: String, thread: ThreadID, expiresInMs: Int) async
    /// A meeting's roster went out here (the meeting is relayed here, or was just created).
    func rostered(in workspace: WorkspaceID, frame: ByteBuffer) async
    /// Who the other nodes have subscribed to `workspace` now (asked when a room opens here;
    /// nil when that cannot be read: the periodic refresh fills it in).
    func remotePresence(in workspace: WorkspaceID) async -> [ClusterPresence]?
}

/// The hub's side of a cluster: it is told what other nodes did and passes it to its rooms.
extension Hub {
    /// Presence connections from here up stand for other nodes (local ones count from 1).
    public static let remoteConnectionBase: ConnectionID = 1 << 62

    /// The log of `workspace` reached `seq` (a doorbell, or the periodic check found it).
    /// Only a workspace with subscribers here has a room to tell.
    public func logAdvanced(_ workspace: WorkspaceID, to seq: Int64) async {
        await rooms[workspace]?.catchUp(to: seq)
    }

    /// The last seq each room sent out, for comparing with the log's heads.
    public func roomHeads() async -> [WorkspaceID: Int64] {
        var heads: [WorkspaceID: Int64] = [:]
        for (workspace, room) in rooms { heads[workspace] = await room.lastPublished }
        return heads
    }

    /// The workspaces with subscribers on this node.
    public var roomWorkspaces: [WorkspaceID] { Array(rooms.keys) }

    /// Who is subscribed to `workspace` on this node (nobody when it has no room here).
    public func localPresence(in workspace: WorkspaceID) async -> [(person: PersonID, name: String, status: PresenceStatus)] {
        guard let room = rooms[workspace] else { return [] }
        return await room.localPeople().map { (person: $0.0, name: $0.1, status: $0.2) }
    }

    /// Replaces what this node knows of the other nodes' presence in `workspaces` (a
    /// workspace of the list missing from `presence` has nobody elsewhere).
    public func setRemotePresence(_ presence: [WorkspaceID: [ClusterPresence]], for workspaces: [WorkspaceID]) async {
        for workspace in workspaces {
            guard let room = rooms[workspace] else { continue }
            var byNode: [ConnectionID: [(PersonID, String, PresenceStatus)]] = [:]
            for entry in presence[workspace] ?? [] {
                byNode[connection(forNode: entry.node), default: []].append((entry.person, entry.name, entry.status == "away" ? .away : .online))
            }
            for connection in Set(nodeConnections.values) {
                await room.setRemote(connection, people: byNode[connection] ?? [])
            }
        }
    }

    /// A meeting roster from the node relaying that meeting, to this node's subscribers.
    public func remoteRoster(in workspace: WorkspaceID, frame: ByteBuffer) async {
        await rooms[workspace]?.broadcast(frame)
    }

    /// A post of a meeting's chat was written on another node (stored at `seq`): when the
    /// meeting is relayed here, its guests are sent it (`meeting.chat`).
    public func remoteMeetingChat(_ meeting: MeetingID, workspace: WorkspaceID, seq: Int64) async {
        guard await meetings.relayed.contains(meeting),
              let event = try? await store.events(workspace: workspace, after: seq - 1, limit: 1).first, event.seq == seq,
              let chat = MeetingChatPost(event), chat.meeting == meeting else { return }
        await meetings.chat(meeting, event: event.kind, post: chat.post)
    }

    /// The meeting whose chat a stored post event is in, if any.
    public nonisolated static func meetingOfChat(_ event: WorkspaceEvent) -> MeetingID? { MeetingChatPost(event)?.meeting }

    /// Someone typing on another node.
    public func remoteTyping(in workspace: WorkspaceID, person: PersonID, name: String, thread: ThreadID, expiresInMs: Int) async {
        await rooms[workspace]?.remoteTyping(person: person, name: name, thread: thread, expiresInMs: expiresInMs)
    }

    private func connection(forNode node: String) -> ConnectionID {
        if let known = nodeConnections[node] { return known }
        let connection = Self.remoteConnectionBase + ConnectionID(nodeConnections.count)
        nodeConnections[node] = connection
        return connection
    }
}
