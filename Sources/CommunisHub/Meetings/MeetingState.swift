import CommunisModel
import CommunisWire

/// What a meeting room should do after a change: the `MeetingRoom` actor carries these out in
/// order. Recipients are listed by stream id, resolved when the action was made.
public enum MeetingAction: Sendable, Equatable {
    /// Encode `event` once and send the same bytes to these streams' connections.
    case send(MeetingEvent, to: [UInt16])
    /// An admitted participant: add it to the relay (as listener and, unless muted, speaker),
    /// then route its connection's binary frames to the relay.
    case relayAdd(stream: UInt16, muted: Bool)
    case relayMute(stream: UInt16, muted: Bool)
    /// Stop routing the connection's frames to the relay, then remove it from the relay.
    case relayRemove(stream: UInt16)
    /// The participant's connection was lost: as `relayRemove`, but they stay in a running
    /// recording (they simply send nothing until they rejoin).
    case relayDetach(stream: UInt16)
    /// Start the rejoin grace period of a reconnecting participant: when it has run out, call
    /// `graceExpired(stream:generation:)`.
    case startGrace(stream: UInt16, generation: Int)
    /// The connection is no longer in the meeting (after any message to it has been sent).
    case detach(stream: UInt16, connection: ConnectionID)
    /// The meeting is live from now (the first participant, `by`, was admitted).
    case markStarted(by: PersonID)
    /// A stay in the meeting begins or ends (attendance record).
    case attendanceBegan(stream: UInt16, person: PersonID)
    case attendanceEnded(stream: UInt16)
    /// Who is in the meeting changed (or it ended): tell the workspace (`meeting.roster`).
    case roster
}

/// One meeting's live state: participants (by stream id), the lobby, who speaks, stream ids
/// and the participant limit. A pure value, no I/O: every method validates a command and
/// returns what to do (`MeetingAction`s) or throws the `WireError` to answer with. The
/// `MeetingRoom` actor owns one and carries its actions out.
public struct MeetingState: Sendable {
    public struct Info: Sendable, Equatable {
        public var id: MeetingID
        public var workspaceID: WorkspaceID
        public var title: String
        public var threadID: ThreadID

        public init(id: MeetingID, workspaceID: WorkspaceID, title: String, threadID: ThreadID) {
            self.id = id
            self.workspaceID = workspaceID
            self.title = title
            self.threadID = threadID
        }
    }

    /// A connection in the meeting, admitted or in the lobby.
    public struct Member: Sendable, Equatable {
        public var stream: UInt16
        public var connection: ConnectionID
        public var person: MeetingJSON.PersonRef
        public var moderator: Bool
        public var guest: Bool
        public var muted: Bool
        public var handRaised = false
        /// The participant's secret for taking their place back from a new connection.
        public var rejoinToken = MeetingState.makeRejoinToken()
        /// False while the connection is lost and the rejoin grace period runs.
        public var connected = true
        /// Counts the times the connection was lost, so a grace timer of an earlier loss does nothing.
        var graceGeneration = 0
        public var quality = QualityTrack()

        var json: MeetingJSON.Participant {
            .init(streamId: stream, person: person, muted: muted, handRaised: handRaised, moderator: moderator, guest: guest,
                  connection: connected ? .ok : .reconnecting, quality: quality.announced)
        }
        var lobbyJSON: MeetingJSON.LobbyEntry { .init(streamId: stream, person: person) }
    }

    public let info: Info
    public let limits: MeetingJSON.Limits
    /// Admitted participants in joining order.
    public internal(set) var participants: [Member] = []
    /// People waiting to be admitted, in arrival order.
    public private(set) var lobby: [Member] = []
    /// Participants speaking now (sorted), and what was last announced.
    public internal(set) var speaking: [UInt16] = []
    var announcedSpeaking: [UInt16] = []
    var lastSpeakingAnnounced: ContinuousClock.Instant?
    var speakingFlushPending = false
    /// At most one `meeting.speaking` per this interval (5 a second).
    public let speakingInterval: Duration
    public internal(set) var ended = false
    /// How long a participant whose connection was lost keeps their place (0: they leave at once).
    public let rejoinGrace: Duration
    /// Whether the store has been told that the meeting is live.
    private var started: Bool
    /// The last stream id handed out; ids are not reused while the meeting is live.
    public private(set) var lastStream: UInt16
    /// The recording running now (see MeetingState+Recording.swift), and whether a start is
    /// under way (the store and the file are being prepared).
    public internal(set) var recording: MeetingJSON.RecordingState?
    var recordingStarting = false

    /// `lastStream`: the last id handed out before (a meeting whose room was closed when
    /// everyone left and is now joined again continues from there). `started`: the store
    /// already knows the meeting is live.
    public init(info: Info, limits: MeetingJSON.Limits, started: Bool = false, lastStream: UInt16 = 0,
                speakingInterval: Duration = .milliseconds(200), rejoinGrace: Duration = .zero) {
        self.info = info
        self.rejoinGrace = rejoinGrace
        self.limits = limits
        self.started = started
        self.lastStream = lastStream
        self.speakingInterval = speakingInterval
    }

    public var isEmpty: Bool { participants.isEmpty && lobby.isEmpty }

    /// The participant or lobby entry of a connection (not a participant whose connection was lost).
    public func member(connection: ConnectionID) -> Member? {
        participants.first { $0.connected && $0.connection == connection } ?? lobby.first { $0.connection == connection }
    }

    public func isParticipant(_ connection: ConnectionID) -> Bool {
        participants.contains { $0.connected && $0.connection == connection }
    }

    /// The people in the meeting (not the lobby), each once, in joining order.
    public var roster: [MeetingJSON.PersonRef] {
        var seen = Set<PersonID>()
        return participants.compactMap { seen.insert($0.person.id).inserted ? $0.person : nil }
    }

    public var rosterJSON: MeetingJSON.Roster {
        .init(meetingId: info.id, title: info.title, state: ended ? "ended" : "live", participants: ended ? [] : roster)
    }

    /// The meeting as `stream` sees it.
    public func snapshot(for stream: UInt16) -> MeetingJSON.Snapshot {
        let moderator = participants.first { $0.stream == stream }?.moderator ?? false
        return MeetingJSON.Snapshot(
            id: info.id, workspaceId: info.workspaceID, title: info.title, threadId: info.threadID, you: stream,
            moderator: moderator, participants: participants.map(\.json), lobby: moderator ? lobby.map(\.lobbyJSON) : [],
            speaking: speaking, limits: limits, recording: recording)
    }

    // MARK: Joining and leaving

    public struct Joined: Sendable, Equatable {
        public var stream: UInt16
        /// nil: waiting in the lobby.
        public var meeting: MeetingJSON.Snapshot?
        public var actions: [MeetingAction]
        /// The recording running when someone entered the lobby (a guest is told before being admitted).
        public var recording: MeetingJSON.RecordingState? = nil
        /// The participant's rejoin token (nil in the lobby: it comes with `meeting.admitted`).
        public var rejoinToken: String? = nil
        /// The participant took their place back (`meeting.join` with `rejoin`).
        public var rejoined = false
        /// A connection that was still the participant's and no longer is (a rejoin while the
        /// old connection was half-open): it is in no meeting now and is told nothing.
        public var replaced: ConnectionID? = nil
    }

    /// A connection joins: straight in, or into the lobby when `waitsInLobby`. The caller has
    /// checked that the connection is in no meeting and that the person may join. With
    /// `rejoin` naming this person's place and its token, they take it back (same stream id,
    /// mute, hand; no lobby); any other `rejoin` is an ordinary join.
    public mutating func join(connection: ConnectionID, person: MeetingJSON.PersonRef, moderator: Bool, guest: Bool,
                              waitsInLobby: Bool, muted: Bool, rejoin: Rejoin? = nil) throws(WireError) -> Joined {
        guard !ended else { throw WireError(.meetingEnded, "The meeting has ended.") }
        guard member(connection: connection) == nil else {
            throw WireError(.conflict, "This connection is already in the meeting.")
        }
        if let rejoin, let index = rejoinIndex(rejoin, person: person.id) {
            return takeBack(at: index, connection: connection)
        }
        if waitsInLobby {
            // The lobby is bounded like the meeting, so nobody can fill memory by knocking.
            guard lobby.count < limits.maxParticipants else {
                throw WireError(.meetingFull, "The lobby of this meeting is full.")
            }
            let stream = try nextStream()
            lobby.append(Member(stream: stream, connection: connection, person: person, moderator: moderator, guest: guest, muted: muted))
            return Joined(stream: stream, meeting: nil, actions: [lobbyChanged()], recording: recording)
        }
        try checkRoom()
        let stream = try nextStream()
        let member = Member(stream: stream, connection: connection, person: person, moderator: moderator, guest: guest, muted: muted)
        let actions = admitted(member)
        return Joined(stream: stream, meeting: snapshot(for: stream), actions: actions, rejoinToken: member.rejoinToken)
    }

    /// The connection leaves (command or disconnect). Throws `not-in-meeting` if it is in
    /// neither the meeting nor its lobby.
    public mutating func leave(connection: ConnectionID, reason: MeetingLeaveReason) throws(WireError) -> [MeetingAction] {
        if let index = lobby.firstIndex(where: { $0.connection == connection }) {
            let member = lobby.remove(at: index)
            return [.detach(stream: member.stream, connection: connection), lobbyChanged()]
        }
        guard let index = participants.firstIndex(where: { $0.connected && $0.connection == connection }) else {
            throw WireError(.notInMeeting, "You are not in this meeting.")
        }
        return drop(at: index, reason: reason, notice: nil)
    }

    // MARK: Participants' own commands

    /// Mute or unmute yourself (`target` nil or your own stream); moderators may mute others
    /// (never unmute them).
    public mutating func mute(connection: ConnectionID, target: UInt16?, muted: Bool) throws(WireError) -> [MeetingAction] {
        let me = try participant(connection)
        let index = try targetIndex(me, target)
        let byModerator = participants[index].stream != me.stream
        if byModerator {
            guard me.moderator else { throw WireError(.forbidden, "Only moderators can mute others.") }
            guard muted else { throw WireError(.forbidden, "Only the participant can unmute themselves.") }
        }
        guard participants[index].muted != muted else { return [] }
        participants[index].muted = muted
        let stream = participants[index].stream
        if muted { speaking.removeAll { $0 == stream } }
        return [.relayMute(stream: stream, muted: muted), updated(index, by: byModerator ? me.person : nil)]
    }

    /// Raise or lower your hand; moderators may lower others' hands (never raise them).
    public mutating func hand(connection: ConnectionID, target: UInt16?, raised: Bool) throws(WireError) -> [MeetingAction] {
        let me = try participant(connection)
        let index = try targetIndex(me, target)
        let byModerator = participants[index].stream != me.stream
        if byModerator {
            guard me.moderator else { throw WireError(.forbidden, "Only moderators can lower others' hands.") }
            guard !raised else { throw WireError(.forbidden, "Only the participant can raise their own hand.") }
        }
        guard participants[index].handRaised != raised else { return [] }
        participants[index].handRaised = raised
        return [updated(index, by: byModerator ? me.person : nil)]
    }

    // MARK: Moderators

    public mutating func admit(connection: ConnectionID, stream: UInt16) throws(WireError) -> [MeetingAction] {
        _ = try moderator(connection)
        guard let index = lobby.firstIndex(where: { $0.stream == stream }) else {
            throw WireError(.notFound, "Nobody with stream \(stream) waits in the lobby.")
        }
        try checkRoom()
        let member = lobby.remove(at: index)
        var actions = admitted(member)
        // Right after its audio is routed (the first action): from then on it may send.
        actions.insert(.send(.admitted(stream: member.stream, meeting: snapshot(for: member.stream), rejoinToken: member.rejoinToken),
                             to: [member.stream]), at: 1)
        actions.append(lobbyChanged())
        return actions
    }

    public mutating func deny(connection: ConnectionID, stream: UInt16) throws(WireError) -> [MeetingAction] {
        let me = try moderator(connection)
        guard let index = lobby.firstIndex(where: { $0.stream == stream }) else {
            throw WireError(.notFound, "Nobody with stream \(stream) waits in the lobby.")
        }
        let member = lobby.remove(at: index)
        return [
            .send(.removed(reason: "denied", by: me.person), to: [member.stream]),
            .detach(stream: member.stream, connection: member.connection),
            lobbyChanged(),
        ]
    }

    public mutating func remove(connection: ConnectionID, stream: UInt16) throws(WireError) -> [MeetingAction] {
        let me = try moderator(connection)
        guard stream != me.stream else { throw WireError(.validation, "To leave the meeting yourself, send meeting.leave.", field: "streamId") }
        guard let index = participants.firstIndex(where: { $0.stream == stream }) else {
            throw WireError(.notFound, "No participant has stream \(stream).")
        }
        return drop(at: index, reason: .removed, notice: .removed(reason: "removed", by: me.person))
    }

    /// Throws unless the connection is an admitted moderator (for `meeting.end`, `meeting.stats`).
    public func requireModerator(_ connection: ConnectionID) throws(WireError) {
        _ = try moderator(connection)
    }

    /// Every connection of `person` leaves (their membership of the workspace ended); they are
    /// told `meeting.removed` without `by`.
    public mutating func remove(person: PersonID) -> [MeetingAction] {
        var actions: [MeetingAction] = []
        let waiting = lobby.filter { $0.person.id == person }
        if !waiting.isEmpty {
            lobby.removeAll { $0.person.id == person }
            for member in waiting {
                actions += [.send(.removed(reason: "removed", by: nil), to: [member.stream]), .detach(stream: member.stream, connection: member.connection)]
            }
            actions.append(lobbyChanged())
        }
        while let index = participants.firstIndex(where: { $0.person.id == person }) {
            actions += drop(at: index, reason: .removed, notice: .removed(reason: "removed", by: nil))
        }
        return actions
    }

    /// Ends the meeting for everyone in it and in its lobby. Nothing can be joined afterwards.
    public mutating func end(by: MeetingJSON.PersonRef?) -> [MeetingAction] {
        guard !ended else { return [] }
        ended = true
        let everyone = participants + lobby
        var actions: [MeetingAction] = [.send(.ended(by: by), to: everyone.map(\.stream))]
        for member in participants {
            actions += [.relayRemove(stream: member.stream), .attendanceEnded(stream: member.stream)]
        }
        for member in everyone { actions.append(.detach(stream: member.stream, connection: member.connection)) }
        participants = []
        lobby = []
        speaking = []
        actions.append(.roster)
        return actions
    }

    // MARK: Helpers

    mutating func nextStream() throws(WireError) -> UInt16 {
        let inUse = Set((participants + lobby).map(\.stream))
        // Ids count up from 1; only after 65 535 joins of one live meeting are the ids of
        // people who have left handed out again.
        var candidate = lastStream
        for _ in 0..<Int(UInt16.max) {
            candidate = candidate == UInt16.max ? 1 : candidate + 1
            if !inUse.contains(candidate) {
                lastStream = candidate
                return candidate
            }
        }
        throw WireError(.meetingFull, "The meeting has no free stream ids.")
    }

    func checkRoom() throws(WireError) {
        guard participants.count < limits.maxParticipants else {
            throw WireError(.meetingFull, "The meeting already has \(limits.maxParticipants) participants.")
        }
    }

    /// Adds `member` as a participant: route its audio, tell the others, record the stay.
    mutating func admitted(_ member: Member) -> [MeetingAction] {
        let others = participants.map(\.stream)
        participants.append(member)
        var actions: [MeetingAction] = [.relayAdd(stream: member.stream, muted: member.muted)]
        if !started {
            started = true
            actions.append(.markStarted(by: member.person.id))
        }
        actions.append(.send(.participantJoined(member.json), to: others))
        actions += [.attendanceBegan(stream: member.stream, person: member.person.id), .roster]
        return actions
    }

    /// Removes the participant at `index`: `notice` to them first (if any), then their audio
    /// stops, the others learn that they left, and their stay ends.
    mutating func drop(at index: Int, reason: MeetingLeaveReason, notice: MeetingEvent?) -> [MeetingAction] {
        let member = participants.remove(at: index)
        speaking.removeAll { $0 == member.stream }
        var actions: [MeetingAction] = []
        if let notice { actions.append(.send(notice, to: [member.stream])) }
        actions += [
            .relayRemove(stream: member.stream),
            .detach(stream: member.stream, connection: member.connection),
            .send(.participantLeft(stream: member.stream, reason: reason), to: participants.map(\.stream)),
            .attendanceEnded(stream: member.stream),
            .roster,
        ]
        return actions
    }

    func lobbyChanged() -> MeetingAction {
        .send(.lobby(lobby.map(\.lobbyJSON)), to: participants.filter(\.moderator).map(\.stream))
    }

    func updated(_ index: Int, by: MeetingJSON.PersonRef?) -> MeetingAction {
        .send(.participantUpdated(participants[index].json, by: by), to: participants.map(\.stream))
    }

    func participant(_ connection: ConnectionID) throws(WireError) -> Member {
        guard let member = participants.first(where: { $0.connected && $0.connection == connection }) else {
            throw WireError(.notInMeeting, lobby.contains { $0.connection == connection }
                ? "You are waiting in the lobby until a moderator admits you." : "You are not in this meeting.")
        }
        return member
    }

    func moderator(_ connection: ConnectionID) throws(WireError) -> Member {
        let me = try participant(connection)
        guard me.moderator else { throw WireError(.forbidden, "Only the meeting's moderators can do this.") }
        return me
    }

    func targetIndex(_ me: Member, _ target: UInt16?) throws(WireError) -> Int {
        let stream = target ?? me.stream
        guard let index = participants.firstIndex(where: { $0.stream == stream }) else {
            throw WireError(.notFound, "No participant has stream \(stream).")
        }
        return index
    }
}
