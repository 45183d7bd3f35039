import CommunisHub
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation
import NIOCore
import Logging
import ServiceLifecycle

/// What one node tells the others through the database (`ClusterStore.sendNote`): what the
/// log does not carry. Small by design (a note holds at most 7 000 bytes).
enum ClusterNote: Codable, Sendable {
    case notify(person: PersonID, frame: Data)
    case membershipEnded(workspace: WorkspaceID, person: PersonID)
    case sessionsEnded(person: PersonID)
    case sessionEnded(tokenHash: String)
    case workspaceDeleted(WorkspaceID)
    /// The sender's presence rows of the workspace changed: read them again.
    case presence(WorkspaceID)
    case typing(workspace: WorkspaceID, person: PersonID, name: String, thread: ThreadID, expiresInMs: Int)
    /// A `meeting.roster` frame, for the workspace's subscribers on every node.
    case roster(workspace: WorkspaceID, frame: Data)
    /// A meeting was ended over HTTP: the node relaying it tells everyone in it.
    case meetingEnded(MeetingID, by: LiveJSON.PersonRef)
    /// A post of a meeting's chat was stored at (workspace, seq): the node relaying the meeting
    /// sends it to the meeting's guests.
    case meetingChat(MeetingID, workspace: WorkspaceID, seq: Int64)
}

/// One node's link to the others of a cluster on one PostgreSQL database. The database is the
/// log: after each commit the writing node rings a doorbell (workspace, seq); this link hears
/// every doorbell and lets the hub's room of that workspace read what it lacks from the log,
/// so events reach this node's subscribers in seq order whichever node wrote them. A missed
/// doorbell (a lost connection, a full queue) costs latency, never an event: every second the
/// link compares its rooms with the log's heads, and after listening again it checks at once.
///
/// Presence and typing are not stored events: each node writes who is subscribed where on it
/// (`cluster_presence`) and rings a note; the others read those rows, and ignore the rows of a
/// node whose heartbeat (every 2 s) is older than 10 s, so the people of a node that died
/// leave everyone's presence within seconds.
actor ClusterLink: HubObserver, Service {
    static let heartbeatInterval: Duration = .seconds(2)
    static let aliveWindow: TimeInterval = 10
    static let headsInterval: Duration = .seconds(1)

    nonisolated let store: any ClusterStore
    nonisolated let hub: Hub
    nonisolated let node: ClusterNode
    nonisolated let metrics: NodeMetrics
    nonisolated let logger: Logger
    private var dirty: Set<WorkspaceID> = []
    private var flushing = false

    init(store: any ClusterStore, hub: Hub, node: ClusterNode, metrics: NodeMetrics, logger: Logger) {
        self.store = store
        self.hub = hub
        self.node = node
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        try? await store.clearPresence(node: node.id)  // what a crashed run of this node left
        await hub.observe(self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            group.addTask { await self.beat() }
            group.addTask { await self.watchHeads() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        // The others drop this node's people at their next presence read (within 2 s).
        try? await store.clearPresence(node: node.id)
    }

    // MARK: Hearing the others

    private func listen() async {
        for await signal in store.clusterSignals() {
            switch signal {
            case .listening:
                // Doorbells rung while not listening are lost: look at the heads now.
                await checkHeads()
                await refreshRemote(await hub.roomWorkspaces)
            case .logAdvanced(let workspace, let seq):
                metrics.doorbell()
                await hub.logAdvanced(workspace, to: seq)
            case .note(let text):
                await receive(text)
            }
        }
    }

    private func receive(_ text: String) async {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(text.utf8)) else {
            logger.warning("a note from another node could not be read", metadata: ["note": "\(text.prefix(200))"])
            return
        }
        guard envelope.node != node.id else { return }
        switch envelope.note {
        case .notify(let person, let frame): await hub.notify(person: person, frame: frame)
        case .membershipEnded(let workspace, let person): await hub.membershipEnded(workspace: workspace, person: person)
        case .sessionsEnded(let person): await hub.sessionsEnded(person: person)
        case .sessionEnded(let tokenHash): await hub.sessionEnded(tokenHash: tokenHash)
        case .workspaceDeleted(let workspace): await hub.workspaceDeleted(workspace)
        case .presence(let workspace): await refreshRemote([workspace])
        case .typing(let workspace, let person, let name, let thread, let expiresInMs):
            await hub.remoteTyping(in: workspace, person: person, name: name, thread: thread, expiresInMs: expiresInMs)
        case .roster(let workspace, let frame): await hub.remoteRoster(in: workspace, frame: ByteBuffer(bytes: frame))
        case .meetingEnded(let meeting, let by): await hub.ended(meeting, by: by)
        case .meetingChat(let meeting, let workspace, let seq): await hub.remoteMeetingChat(meeting, workspace: workspace, seq: seq)
        }
    }

    /// Every second: a room behind its workspace's log reads the rest (a missed doorbell, or a commit whose publish has not come yet).
    private func watchHeads() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.headsInterval)
            await checkHeads()
        }
    }

    private func checkHeads() async {
        let rooms = await hub.roomHeads()
        guard !rooms.isEmpty else { return }
        do {
            for (workspace, head) in try await store.logHeads(Array(rooms.keys)) where head > rooms[workspace] ?? head {
                metrics.caughtUp()
                await hub.logAdvanced(workspace, to: head)
            }
        } catch {
            logger.warning("the log's heads could not be read; the next check tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Every 2 s: this node's heartbeat, the others' presence; every 30 s this node's own
    /// presence rows again (rebuilding them after a database restart lost them).
    private func beat() async {
        var round = 0
        while !Task.isCancelled {
            do {
                let alive = try await store.heartbeat(
                    ClusterNode(id: node.id, address: node.address, startedAt: node.startedAt, seenAt: Date(), linkKeyHash: node.linkKeyHash),
                    window: Self.aliveWindow)
                metrics.nodesAlive(alive.count)
                // The meetings relayed here stay here while they have a room.
                let relayed = await hub.meetings.relayed
                if !relayed.isEmpty {
                    _ = try await store.renewMeetings(relayed, node: node.id, until: Date().addingTimeInterval(MeetingPlacement.lease))
                }
            } catch {
                logger.warning("heartbeat failed; the other nodes will count this node gone after 10 s", metadata: ["error": "\(error)"])
            }
            let rooms = await hub.roomWorkspaces
            await refreshRemote(rooms)
            if round % 15 == 0 { for workspace in rooms { markDirty(workspace) } }
            round += 1
            try? await Task.sleep(for: Self.heartbeatInterval)
        }
    }

    private func refreshRemote(_ workspaces: [WorkspaceID]) async {
        guard !workspaces.isEmpty else { return }
        do {
            let presence = try await store.presence(in: workspaces, excluding: node.id, window: Self.aliveWindow, at: Date())
            await hub.setRemotePresence(presence, for: workspaces)
        } catch {
            logger.warning("the other nodes' presence could not be read", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Telling the others (HubObserver)

    func presenceChanged(in workspace: WorkspaceID) {
        markDirty(workspace)
    }

    nonisolated func typed(in workspace: WorkspaceID, person: PersonID, name: String, thread: ThreadID, expiresInMs: Int) async {
        await send(.typing(workspace: workspace, person: person, name: name, thread: thread, expiresInMs: expiresInMs))
    }

    nonisolated func rostered(in workspace: WorkspaceID, frame: ByteBuffer) async {
        let data = Data(frame.readableBytesView)
        await send(.roster(workspace: workspace, frame: data))
        // Kept with the lease for the other nodes' HTTP answers (only the relaying node's counts).
        struct Frame: Decodable { struct Roster: Decodable { var meetingId: MeetingID; var participants: [LiveJSON.PersonRef] }; var data: Roster }
        guard let roster = try? JSONDecoder().decode(Frame.self, from: data).data,
              await hub.meetings.relayed.contains(roster.meetingId),
              let participants = try? JSONEncoder().encode(roster.participants) else { return }
        try? await store.setMeetingRoster(roster.meetingId, node: node.id, roster: participants)
    }

    /// Who is in `meeting` now, as the node relaying it last said (nil: nobody relays it).
    nonisolated func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef]? {
        guard let data = try? await store.meetingRoster(meeting, at: Date()) else { return nil }
        return try? JSONDecoder().decode([LiveJSON.PersonRef].self, from: data)
    }

    nonisolated func remotePresence(in workspace: WorkspaceID) async -> [ClusterPresence]? {
        try? await store.presence(in: [workspace], excluding: node.id, window: Self.aliveWindow, at: Date())[workspace] ?? []
    }

    private func markDirty(_ workspace: WorkspaceID) {
        dirty.insert(workspace)
        guard !flushing else { return }
        flushing = true
        Task { await self.flush() }
    }

    /// Writes this node's presence of each changed workspace and rings a note; the running
    /// flush takes changes that arrive meanwhile.
    private func flush() async {
        while let workspace = dirty.popFirst() {
            let people = await hub.localPresence(in: workspace).map {
                ClusterPresence(node: node.id, person: $0.person, name: $0.name, status: $0.status.rawValue)
            }
            do {
                try await store.setPresence(node: node.id, workspace: workspace, people: people)
                await send(.presence(workspace))
            } catch {
                logger.warning("this node's presence could not be written; the next round writes it", metadata: ["error": "\(error)"])
            }
        }
        flushing = false
    }

    /// Sends `note` to the other nodes; one too large for a note is dropped (what it carried
    /// is stored: a notification is in the list, an ended session fails its next request).
    nonisolated func send(_ note: ClusterNote) async {
        guard let text = Self.encode(note, from: node.id) else {
            metrics.noteDropped()
            logger.warning("a note too large for the other nodes was dropped")
            return
        }
        do {
            try await store.sendNote(text)
            metrics.noteSent()
        } catch {
            metrics.noteDropped()
            logger.warning("a note to the other nodes failed", metadata: ["error": "\(error)"])
        }
    }

    struct Envelope: Codable {
        var node: String
        var note: ClusterNote
    }

    static func encode(_ note: ClusterNote, from node: String) -> String? {
        guard let data = try? JSONEncoder().encode(Envelope(node: node, note: note)), data.count <= 7_000 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
