import CommunisModel
import CommunisServices
import CommunisStore
import CommunisWire
import Foundation
import Logging
import NIOCore

/// The live hub: owns the open connections, who they are, which workspace rooms they are in,
/// and the rooms themselves (one actor per workspace with subscribers); the live meetings are
/// in `meetings` (one actor per meeting). Services tell it what they have stored
/// (`LivePublisher`); connections tell it what they subscribe to.
public actor Hub: LivePublisher {
    public struct Settings: Sendable {
        /// Missed events a resuming client may be sent before it is told to reload.
        public var replayLimit: Int
        /// How long a typing indicator shows unless repeated.
        public var typingTTL: Duration
        /// Meeting limits and the shared audio counters.
        public var meetings: MeetingHub.Settings

        public init(replayLimit: Int = 1000, typingTTL: Duration = .seconds(6), meetings: MeetingHub.Settings = .init()) {
            self.replayLimit = replayLimit
            self.typingTTL = typingTTL
            self.meetings = meetings
        }
    }

    private struct Connection {
        let sink: any LiveSink
        let person: PersonID
        let name: String
        /// The SHA-256 of the session cookie it was opened with (nil for bearer tokens).
        let sessionHash: String?
        var status: PresenceStatus = .online
        var rooms: Set<WorkspaceID> = []
    }

    let store: any LiveStore
    private let settings: Settings
    private let logger: Logger
    private var connections: [ConnectionID: Connection] = [:]
    private var byPerson: [PersonID: Set<ConnectionID>] = [:]
    var rooms: [WorkspaceID: Room] = [:]
    /// Told of local presence changes and typing (a cluster's link to the other nodes).
    var observer: (any HubObserver)?
    /// The presence connection standing for each other node of a cluster.
    var nodeConnections: [String: ConnectionID] = [:]
    /// Connections subscribed (or subscribing) per room; a room goes when this is empty.
    private var roomConnections: [WorkspaceID: Set<ConnectionID>] = [:]
    private var lastSeen: [PersonID: Date] = [:]
    /// When the last roster of each meeting went out (a few bytes per meeting held live in
    /// this process).
    private var rosterSent: [MeetingID: ContinuousClock.Instant] = [:]
    /// The live meetings (one room actor each) and which connection is in which.
    public nonisolated let meetings: MeetingHub

    public init(store: any LiveStore, settings: Settings = Settings(), logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        // The meeting registry sends `meeting.roster` through this hub's workspace rooms; the
        // reference is weak because the hub owns the registry.
        let reference = HubReference()
        self.meetings = MeetingHub(settings: settings.meetings, logger: logger) { roster in
            await reference.hub?.announce(roster)
        }
        reference.hub = self
    }

    /// Sends a meeting's roster (not stored, no seq, like presence) to everyone subscribed to
    /// its workspace, unless a newer roster of that meeting has already gone out (two changes
    /// of one meeting can reach the hub in either order).
    func announce(_ roster: RosterAnnouncement) async {
        if let last = rosterSent[roster.meeting], roster.at < last { return }
        rosterSent[roster.meeting] = roster.at
        await rooms[roster.workspace]?.broadcast(roster.frame)
        await observer?.rostered(in: roster.workspace, frame: roster.frame)
    }

    // MARK: Connections

    public func register(_ sink: any LiveSink, viewer: Viewer, sessionHash: String?) {
        connections[sink.connectionID] = Connection(sink: sink, person: viewer.id, name: viewer.person.name, sessionHash: sessionHash)
        byPerson[viewer.id, default: []].insert(sink.connectionID)
    }

    /// Sets who hears of local presence changes and typing (at most one; a cluster link).
    public func observe(_ observer: any HubObserver) {
        self.observer = observer
    }

    public func unregister(_ id: ConnectionID) async {
        await meetings.disconnect(id)
        guard let connection = connections.removeValue(forKey: id) else { return }
        for workspace in connection.rooms { await leave(workspace, id) }
        for workspace in connection.rooms { await observer?.presenceChanged(in: workspace) }
        byPerson[connection.person]?.remove(id)
        if byPerson[connection.person]?.isEmpty == true {
            byPerson[connection.person] = nil
            lastSeen[connection.person] = Date()
        }
    }

    /// Subscribes a connection to a workspace it may read (the caller checked membership).
    /// Returns the workspace's current seq.
    public func subscribe(_ id: ConnectionID, workspace: WorkspaceID, lastSeq: Int64?) async throws -> Int64 {
        guard connections[id] != nil else { return 0 }
        roomConnections[workspace, default: []].insert(id)
        connections[id]?.rooms.insert(workspace)
        let room: Room
        do { room = try await self.room(for: workspace) } catch {
            connections[id]?.rooms.remove(workspace)
            forget(workspace, id)
            throw error
        }
        guard let connection = connections[id], connection.rooms.contains(workspace) else {
            forget(workspace, id)  // left while the room was being made
            return room.startSeq
        }
        let seq = await room.subscribe(sink: connection.sink, person: connection.person, name: connection.name, status: connection.status, lastSeq: lastSeq)
        await observer?.presenceChanged(in: workspace)
        return seq
    }

    public func unsubscribe(_ id: ConnectionID, workspace: WorkspaceID) async {
        connections[id]?.rooms.remove(workspace)
        await leave(workspace, id)
        await observer?.presenceChanged(in: workspace)
    }

    public func isSubscribed(_ id: ConnectionID, workspace: WorkspaceID) -> Bool {
        connections[id]?.rooms.contains(workspace) ?? false
    }

    public func setStatus(_ id: ConnectionID, _ status: PresenceStatus) async {
        guard var connection = connections[id], status != .offline else { return }
        connection.status = status
        connections[id] = connection
        for workspace in connection.rooms {
            await rooms[workspace]?.setStatus(id, status)
            await observer?.presenceChanged(in: workspace)
        }
    }

    public func typing(_ id: ConnectionID, workspace: WorkspaceID, thread: ThreadID) async {
        guard let connection = connections[id], connection.rooms.contains(workspace) else { return }
        let ttl = settings.typingTTL.components
        let expiresInMs = Int(ttl.seconds * 1000 + ttl.attoseconds / 1_000_000_000_000_000)
        await rooms[workspace]?.typing(from: id, name: connection.name, thread: thread, expiresInMs: expiresInMs)
        await observer?.typed(in: workspace, person: connection.person, name: connection.name, thread: thread, expiresInMs: expiresInMs)
    }

    /// A person's presence across all their connections, and when they were last seen.
    public func presence(of person: PersonID) -> (status: PresenceStatus, lastSeen: Date?) {
        let statuses = (byPerson[person] ?? []).compactMap { connections[$0]?.status }
        let status: PresenceStatus = statuses.contains(.online) ? .online : statuses.isEmpty ? .offline : .away
        return (status, status == .offline ? lastSeen[person] : nil)
    }

    // MARK: LivePublisher

    public func publish(_ event: WorkspaceEvent) async {
        // A workspace nobody is subscribed to has no room: there is no one to tell.
        await rooms[event.workspaceID]?.publish(event)
        if let chat = MeetingChatPost(event) { await meetings.chat(chat.meeting, event: event.kind, post: chat.post) }
    }

    public func notify(person: PersonID, frame: Data) {
        let buffer = ByteBuffer(bytes: frame)
        for id in byPerson[person] ?? [] { connections[id]?.sink.send(buffer) }
    }

    public func membershipEnded(workspace: WorkspaceID, person: PersonID) async {
        await meetings.remove(person: person, workspace: workspace)
        guard let room = rooms[workspace] else { return }
        for id in await room.remove(person: person, reason: "removed") {
            connections[id]?.rooms.remove(workspace)
            forget(workspace, id)
        }
        await observer?.presenceChanged(in: workspace)
    }

    public func sessionsEnded(person: PersonID) async {
        for id in byPerson[person] ?? [] {
            connections[id]?.sink.close(.sessionEnded, reason: "session ended")
        }
    }

    public func sessionEnded(tokenHash: String) {
        for connection in connections.values where connection.sessionHash == tokenHash {
            connection.sink.close(.sessionEnded, reason: "logged out")
        }
    }

    public func workspaceDeleted(_ workspace: WorkspaceID) async {
        await meetings.workspaceDeleted(workspace)
        guard let room = rooms.removeValue(forKey: workspace) else { return }
        roomConnections[workspace] = nil
        for id in await room.removeAll(reason: "deleted") { connections[id]?.rooms.remove(workspace) }
        await observer?.presenceChanged(in: workspace)
    }

    // MARK: Rooms

    private func room(for workspace: WorkspaceID) async throws -> Room {
        if let room = rooms[workspace] { return room }
        let latest = try await store.latestSeq(workspace: workspace)
        // In a cluster, who is subscribed on the other nodes, so that the first subscriber's
        // `presence.state` lists everyone present.
        let elsewhere = await observer?.remotePresence(in: workspace)
        if let room = rooms[workspace] { return room }  // created while we read
        let room = Room(workspaceID: workspace, store: store, latestSeq: latest, replayLimit: settings.replayLimit,
                        logger: logger.with(metadataKey: "workspace.id", value: "\(workspace)"))
        rooms[workspace] = room
        if let elsewhere { await setRemotePresence([workspace: elsewhere], for: [workspace]) }
        return room
    }

    private func leave(_ workspace: WorkspaceID, _ id: ConnectionID) async {
        let room = rooms[workspace]
        forget(workspace, id)
        await room?.unsubscribe(id)
    }

    /// Removes the connection from the room's count, and the room when nobody is left. No
    /// await between the check and the removal, so a subscriber arriving meanwhile is counted.
    private func forget(_ workspace: WorkspaceID, _ id: ConnectionID) {
        roomConnections[workspace]?.remove(id)
        if roomConnections[workspace]?.isEmpty ?? true {
            roomConnections[workspace] = nil
            rooms[workspace] = nil
        }
    }
}

/// A weak way back from the meeting registry to its hub.
private final class HubReference: @unchecked Sendable {
    // @unchecked: written once in `Hub.init` before any meeting exists, read-only after.
    weak var hub: Hub?
}

extension Logger {
    func with(metadataKey key: String, value: Logger.MetadataValue) -> Logger {
        var logger = self
        logger[metadataKey: key] = value
        return logger
    }
}
