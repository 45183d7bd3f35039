import CommunisHub
import CommunisModel
import CommunisServices
import CommunisStore
import CommunisWire
import Foundation
import Logging
import NIOCore

/// Which node relays a meeting's audio, and the way there for browsers connected elsewhere.
/// The first join claims the meeting for the node it arrived on (a lease row renewed every
/// 2 s by `ClusterLink` while the meeting has a room there, `lease` long); a join arriving on
/// another node is forwarded over a node link (`NodeLinkClient`), and so is everything that
/// browser then says in that meeting, its audio included, while one WebSocket per tab stays.
/// When the relaying node dies its links close, the browsers forwarded to it reconnect (1001),
/// and their next join claims the meeting anew once the lease ran out.
actor MeetingPlacement: MeetingForwarder {
    static let lease: TimeInterval = 15

    let store: any ClusterStore
    let node: String
    let linkKey: String
    let logger: Logger
    private var links: [String: NodeLinkClient] = [:]
    private var forwarded: [ConnectionID: (meeting: MeetingID, link: NodeLinkClient)] = [:]

    init(store: any ClusterStore, node: String, linkKey: String, logger: Logger) {
        self.store = store
        self.node = node
        self.linkKey = linkKey
        self.logger = logger
    }

    func forward(_ text: Data, meeting: MeetingID, joining: Bool, from sink: any LiveSink, viewer: Viewer, sessionHash: String?) async throws -> Bool {
        let connection = sink.connectionID
        if let current = forwarded[connection] {
            if current.link.isOpen, current.meeting == meeting {
                current.link.command(connection, text)
                return true
            }
            guard joining else { return false }
            // Joining another meeting (or again after the link was lost): leave the old one.
            stopForwarding(connection, sink: sink)
        }
        guard joining else { return false }
        let holder = try await self.holder(of: meeting)
        guard holder.id != node else { return false }
        let link: NodeLinkClient
        do {
            link = try await self.link(to: holder)
        } catch {
            logger.warning("the node relaying a meeting does not answer", metadata: ["meeting.id": "\(meeting)", "node": "\(holder.id)", "error": "\(error)"])
            throw WireError(.conflict, "The meeting is moving to another server; join again in a few seconds.")
        }
        link.open(sink, who: NodeLinkOpen(person: viewer.id.description, sessionHash: sessionHash))
        forwarded[connection] = (meeting, link)
        (sink as? ChannelSink)?.setForward { frame in link.audio(connection, frame) }
        link.command(connection, text)
        return true
    }

    func disconnected(_ connection: ConnectionID) {
        guard let current = forwarded.removeValue(forKey: connection) else { return }
        current.link.close(connection)
    }

    private func stopForwarding(_ connection: ConnectionID, sink: any LiveSink) {
        guard let current = forwarded.removeValue(forKey: connection) else { return }
        (sink as? ChannelSink)?.setForward(nil)
        current.link.close(connection)
    }

    /// The node relaying `meeting`: the one holding its lease, or this one after claiming it.
    private func holder(of meeting: MeetingID) async throws -> ClusterNode {
        for _ in 0..<3 {
            let now = Date()
            let holder = try await store.claimMeeting(meeting, node: node, until: now.addingTimeInterval(Self.lease), at: now)
            if holder == node { return ClusterNode(id: node, address: "", startedAt: now, seenAt: now) }
            // Another node holds it; read where it is (its lease may have run out meanwhile).
            if let target = try await store.meetingHolder(meeting, at: now), target.id == holder { return target }
        }
        throw WireError(.conflict, "The meeting is moving to another server; join again in a few seconds.")
    }

    private func link(to target: ClusterNode) async throws -> NodeLinkClient {
        if let link = links[target.id], link.isOpen { return link }
        let link = try await NodeLinkClient.connect(to: target, as: node, key: linkKey, logger: logger) { [weak self] in
            Task { await self?.linkClosed(target.id) }
        }
        links[target.id] = link
        logger.info("node link to the meeting's node opened", metadata: ["node": "\(target.id)"])
        return link
    }

    private func linkClosed(_ target: String) {
        if let link = links[target], !link.isOpen { links[target] = nil }
        for (connection, current) in forwarded where current.link.node == target && !current.link.isOpen {
            forwarded[connection] = nil
        }
    }
}
