import CommunisMedia
import CommunisModel
import CommunisWire
import Logging
import NIOCore

/// A `meeting.roster` frame for a workspace's subscribers. `at` orders the rosters of one
/// meeting: one that arrives after a newer one is stale and not sent.
public struct RosterAnnouncement: Sendable {
    public var workspace: WorkspaceID
    public var meeting: MeetingID
    public var at: ContinuousClock.Instant
    public var frame: ByteBuffer
}

/// The registry of live meetings: which `MeetingRoom` serves which meeting, which meeting
/// each connection is in (one per connection), and which meetings have ended in this process.
/// A room is made when the first person joins and closed when the last one has left (the
/// meeting itself stays live and can be joined again; stream ids continue where they were).
/// Owned by the `Hub`; the rooms do the work, this actor only finds them.
public actor MeetingHub {
    public struct Settings: Sendable {
        public var maxParticipants: Int
        public var audio: AudioLimits
        /// Process-wide audio counters, shared by every relay (and the WebSocket layer).
        public var metrics: AudioMetrics
        /// How meetings are recorded (nil records: recording is not available).
        public var recording: RecordingSettings
        /// `meeting.rejoin_grace_seconds`: how long a participant whose connection was lost
        /// keeps their place (0: they leave at once).
        public var rejoinGrace: Duration

        public init(maxParticipants: Int = 50, audio: AudioLimits = AudioLimits(), metrics: AudioMetrics = AudioMetrics(),
                    recording: RecordingSettings = RecordingSettings(), rejoinGrace: Duration = .seconds(15)) {
            self.maxParticipants = maxParticipants
            self.audio = audio
            self.metrics = metrics
            self.recording = recording
            self.rejoinGrace = rejoinGrace
        }

        var limits: MeetingJSON.Limits {
            .init(maxParticipants: maxParticipants, maxPacketBytes: audio.maxPacketBytes, maxPacketsPerSecond: audio.maxPacketsPerSecond)
        }
    }

    /// Who joins: what the Meetings service decided about them.
    public struct Entrant: Sendable {
        public var person: MeetingJSON.PersonRef
        public var moderator: Bool
        public var guest: Bool
        public var waitsInLobby: Bool

        public init(person: MeetingJSON.PersonRef, moderator: Bool, guest: Bool, waitsInLobby: Bool) {
            self.person = person
            self.moderator = moderator
            self.guest = guest
            self.waitsInLobby = waitsInLobby
        }
    }

    public nonisolated let settings: Settings
    private let logger: Logger
    private let announce: @Sendable (RosterAnnouncement) async -> Void
    private var rooms: [MeetingID: MeetingRoom] = [:]
    private var byConnection: [ConnectionID: MeetingID] = [:]
    /// Meetings ended while this process ran: a join that read the meeting just before it
    /// ended is still refused.
    private var ended: Set<MeetingID> = []
    /// The last stream id of meetings whose room closed while they stay live.
    private var lastStreams: [MeetingID: UInt16] = [:]

    /// `announce` sends a `meeting.roster` frame to a workspace's subscribers.
    public init(settings: Settings, logger: Logger, announce: @escaping @Sendable (RosterAnnouncement) async -> Void) {
        self.settings = settings
        self.logger = logger
        self.announce = announce
    }

    // MARK: Joining

    /// Joins `meeting` (or its lobby), or takes a participant's place back (`rejoin`, see
    /// MeetingState+Rejoin.swift). The caller checked that the person may.
    public func join(_ meeting: Meeting, sink: any LiveSink, entrant: Entrant, muted: Bool, rejoin: MeetingState.Rejoin? = nil,
                     records: any MeetingRecords) async throws -> MeetingState.Joined {
        let connection = sink.connectionID
        if let current = byConnection[connection] {
            throw WireError(.conflict, current == meeting.id
                ? "This connection is already in the meeting." : "This connection is already in another meeting; leave it first.")
        }
        guard meeting.state != .ended, !ended.contains(meeting.id) else { throw WireError(.meetingEnded, "The meeting has ended.") }
        byConnection[connection] = meeting.id  // held while the room works, so a second join is refused
        do {
            while true {
                let room = self.room(for: meeting, records: records)
                do {
                    let joined = try await room.join(sink: sink, person: entrant.person, moderator: entrant.moderator, guest: entrant.guest,
                                                     waitsInLobby: entrant.waitsInLobby, muted: muted, rejoin: rejoin)
                    if let replaced = joined.replaced, byConnection[replaced] == meeting.id { byConnection[replaced] = nil }
                    return joined
                } catch is MeetingRoom.Closed {
                    if rooms[meeting.id] === room { rooms[meeting.id] = nil }
                }
            }
        } catch {
            if byConnection[connection] == meeting.id { byConnection[connection] = nil }
            throw error
        }
    }

    private func room(for meeting: Meeting, records: any MeetingRecords) -> MeetingRoom {
        if let room = rooms[meeting.id] { return room }
        let info = MeetingState.Info(id: meeting.id, workspaceID: meeting.workspaceID, title: meeting.title, threadID: meeting.threadID)
        // A meeting that had a room before in this process has been started already.
        let state = MeetingState(info: info, limits: settings.limits, started: meeting.startedAt != nil || lastStreams[meeting.id] != nil,
                                 lastStream: lastStreams[meeting.id] ?? 0, rejoinGrace: settings.rejoinGrace)
        var logger = logger
        logger[metadataKey: "meeting.id"] = "\(meeting.id)"
        let room = MeetingRoom(meeting: meeting, state: state, audioLimits: settings.audio, metrics: settings.metrics, records: records,
                               recordingSettings: settings.recording, announce: announce, logger: logger)
        rooms[meeting.id] = room
        return room
    }

    // MARK: Commands of a connection in a meeting

    /// Runs a command on the room of the connection's meeting; `not-in-meeting` if it is in
    /// another one or none.
    public func perform(_ connection: ConnectionID, meeting: MeetingID, _ change: @Sendable (inout MeetingState) throws(WireError) -> [MeetingAction]) async throws {
        let room = try room(of: connection, meeting)
        let outcome = try await room.perform(change)
        await settle(room, outcome)
    }

    public func leave(_ connection: ConnectionID, meeting: MeetingID) async throws {
        try await perform(connection, meeting: meeting) { state throws(WireError) in try state.leave(connection: connection, reason: .left) }
    }

    /// Throws unless the connection is an admitted moderator of the meeting.
    public func requireModerator(_ connection: ConnectionID, meeting: MeetingID) async throws {
        try await room(of: connection, meeting).requireModerator(connection)
    }

    public func statistics(_ connection: ConnectionID, meeting: MeetingID) async throws -> [MeetingJSON.StreamStats] {
        try await room(of: connection, meeting).statistics(for: connection)
    }

    // MARK: Recording (moderators)

    public func startRecording(_ connection: ConnectionID, meeting: MeetingID, title: String?, kind: Recording.Kind) async throws -> MeetingJSON.RecordingState {
        try await room(of: connection, meeting).startRecording(connection: connection, title: title, kind: kind)
    }

    /// Returns the recording's id and the length of its audio.
    public func stopRecording(_ connection: ConnectionID, meeting: MeetingID) async throws -> (id: RecordingID, durationMs: Int) {
        try await room(of: connection, meeting).stopRecording(connection: connection)
    }

    public func addChapter(_ connection: ConnectionID, meeting: MeetingID, title: String) async throws -> RecordingChapter {
        try await room(of: connection, meeting).addChapter(connection: connection, title: title)
    }

    private func room(of connection: ConnectionID, _ meeting: MeetingID) throws -> MeetingRoom {
        guard byConnection[connection] == meeting, let room = rooms[meeting] else {
            throw WireError(.notInMeeting, "You are not in this meeting.")
        }
        return room
    }

    // MARK: From outside the meeting

    /// The connection went away: a participant is `reconnecting` for the rejoin grace period,
    /// then out with reason `disconnected` (the lobby, or with no grace period: at once).
    public func disconnect(_ connection: ConnectionID) async {
        guard let meeting = byConnection[connection], let room = rooms[meeting] else {
            byConnection[connection] = nil
            return
        }
        guard let outcome = try? await room.perform({ state throws(WireError) in try state.disconnected(connection: connection) }) else {
            // The room no longer has it (the meeting ended meanwhile).
            if byConnection[connection] == meeting { byConnection[connection] = nil }
            return
        }
        await settle(room, outcome)
    }

    /// The meeting ended (already stored): everyone is told and its audio stops.
    public func end(_ meeting: MeetingID, by: MeetingJSON.PersonRef?) async {
        ended.insert(meeting)
        lastStreams[meeting] = nil
        guard let room = rooms.removeValue(forKey: meeting) else { return }
        let outcome = await room.end(by: by)
        for connection in outcome.detached where byConnection[connection] == meeting { byConnection[connection] = nil }
    }

    /// The person is no longer a member of the workspace: out of its meetings.
    public func remove(person: PersonID, workspace: WorkspaceID) async {
        for room in rooms.values where room.workspaceID == workspace {
            guard let outcome = try? await room.perform({ state in state.remove(person: person) }) else { continue }
            await settle(room, outcome)
        }
    }

    /// The workspace was deleted (its meetings with it): each of its live meetings ends.
    public func workspaceDeleted(_ workspace: WorkspaceID) async {
        for (id, room) in rooms where room.workspaceID == workspace { await end(id, by: nil) }
    }

    /// A post of a meeting's chat was written, edited or deleted: its guests (admitted), who do
    /// not follow the workspace, are sent it on the meeting's topic.
    public func chat(_ meeting: MeetingID, event: String, post: JSONValue) async {
        guard let room = rooms[meeting] else { return }
        await room.sendToGuests(.chat(event: event, post: post))
    }

    public func roster(of meeting: MeetingID) async -> [MeetingJSON.PersonRef] {
        await rooms[meeting]?.roster ?? []
    }

    public func gauges() async -> (liveMeetings: Int, participants: Int, lobby: Int) {
        var participants = 0
        var lobby = 0
        var live = 0
        for room in rooms.values {
            let counts = await room.counts
            if counts.participants > 0 { live += 1 }
            participants += counts.participants
            lobby += counts.lobby
        }
        return (live, participants, lobby)
    }

    /// A rejoin grace period ran out: the participant leaves unless they came back.
    private func graceExpired(_ room: MeetingRoom, stream: UInt16, generation: Int) async {
        // Not performed: the room was closed (the meeting ended), so nobody is left to drop.
        guard rooms[room.meetingID] === room,
              let outcome = try? await room.perform({ state in state.graceExpired(stream: stream, generation: generation) }) else { return }
        await settle(room, outcome)
    }

    /// The meetings with a room here (relayed by this node).
    public var relayed: [MeetingID] { Array(rooms.keys) }

    /// Which meeting a connection is in, if any.
    public func meeting(of connection: ConnectionID) -> MeetingID? { byConnection[connection] }

    /// Forgets connections that left the room, starts rejoin grace periods, and closes the
    /// room when it is empty.
    private func settle(_ room: MeetingRoom, _ outcome: MeetingRoom.Outcome) async {
        for connection in outcome.detached where byConnection[connection] == room.meetingID {
            byConnection[connection] = nil
        }
        for grace in outcome.graces {
            let delay = settings.rejoinGrace
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.graceExpired(room, stream: grace.stream, generation: grace.generation)
            }
        }
        guard outcome.empty, let last = await room.closeIfEmpty() else { return }
        if rooms[room.meetingID] === room {
            rooms[room.meetingID] = nil
            lastStreams[room.meetingID] = last
        }
    }
}
