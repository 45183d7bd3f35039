import CommunisMedia
import CommunisModel
import CommunisWire
import Foundation
import Logging
import NIOCore

/// What a meeting room writes down about a meeting (the Meetings service implements it).
public protocol MeetingRecords: Sendable {
    /// The meeting is live from now (the first participant, `by`, was admitted).
    func markStarted(_ id: MeetingID, by person: PersonID) async throws
    /// A stay begins; returns its id for `attendanceEnded`.
    func attendanceBegan(meeting: MeetingID, person: PersonID, at: Date) async throws -> Int64
    func attendanceEnded(_ id: Int64, at: Date) async throws
}

/// One live meeting's room. Owns the meeting's `MeetingState`, the sinks of the connections
/// in it (participants and lobby), the meeting's `AudioRelay` (made when the first participant
/// with an audio connection is admitted, on that connection's event loop) and the
/// speaking-announcement timer; carries out
/// what the state returns. Never waits for a peer: sinks and the relay queue without
/// blocking; the only awaits are the relay's loop hop and the attendance writes, made after
/// everyone has been told.
actor MeetingRoom {
    /// What a change did, for the registry.
    struct Outcome: Sendable {
        /// Connections that are no longer in this meeting.
        var detached: [ConnectionID] = []
        var empty = false
        /// Rejoin grace periods to start (`MeetingAction.startGrace`): the registry times them.
        var graces: [(stream: UInt16, generation: Int)] = []
    }

    /// The room was closed (everyone had left) before this call reached it: make a new one.
    struct Closed: Error {}

    nonisolated let meetingID: MeetingID
    nonisolated let workspaceID: WorkspaceID
    private let topic: String
    /// The meeting as stored when the room was made (for the records of its recordings).
    let meeting: Meeting
    var state: MeetingState
    var sinks: [UInt16: any LiveSink] = [:]
    var relay: AudioRelay?
    private let audioLimits: AudioLimits
    private let metrics: AudioMetrics
    private let records: any MeetingRecords
    let recordingSettings: RecordingSettings
    /// The recording running now (MeetingRoom+Recording.swift).
    var activeRecording: ActiveRecording?
    private let announce: @Sendable (RosterAnnouncement) async -> Void
    let logger: Logger
    private var attendance: [UInt16: Int64] = [:]
    /// Stays that ended before the store answered with their id.
    private var endedEarly: Set<UInt16> = []
    private var speakingFlush: Task<Void, Never>?
    private var lastSpeakingChange: ContinuousClock.Instant?
    /// Every `MeetingState.qualityInterval` while the relay runs (MeetingRoom+Quality.swift).
    var qualityTimer: Task<Void, Never>?
    var qualityMeter = RelayQualityMeter()
    private(set) var closed = false

    init(meeting: Meeting, state: MeetingState, audioLimits: AudioLimits, metrics: AudioMetrics, records: any MeetingRecords,
         recordingSettings: RecordingSettings, announce: @escaping @Sendable (RosterAnnouncement) async -> Void, logger: Logger) {
        self.meeting = meeting
        self.recordingSettings = recordingSettings
        self.meetingID = state.info.id
        self.workspaceID = state.info.workspaceID
        self.topic = Topic.meeting(state.info.id.description)
        self.state = state
        self.audioLimits = audioLimits
        self.metrics = metrics
        self.records = records
        self.announce = announce
        self.logger = logger
    }

    // MARK: Commands

    func join(sink: any LiveSink, person: MeetingJSON.PersonRef, moderator: Bool, guest: Bool, waitsInLobby: Bool,
              muted: Bool, rejoin: MeetingState.Rejoin? = nil) async throws -> MeetingState.Joined {
        guard !closed else { throw Closed() }
        let joined = try state.join(connection: sink.connectionID, person: person, moderator: moderator, guest: guest,
                                    waitsInLobby: waitsInLobby, muted: muted, rejoin: rejoin)
        // A half-open old connection of a participant who rejoined: its frames go nowhere now.
        if joined.replaced != nil { sinks[joined.stream]?.audioPeer?.setUplink(nil) }
        sinks[joined.stream] = sink
        _ = await carryOut(joined.actions)
        return joined
    }

    /// Applies a change to the state and carries out its actions.
    func perform(_ change: (inout MeetingState) throws(WireError) -> [MeetingAction]) async throws -> Outcome {
        guard !closed else { throw WireError(.notInMeeting, "You are not in this meeting.") }
        let actions = try change(&state)
        return await carryOut(actions)
    }

    func requireModerator(_ connection: ConnectionID) throws {
        try state.requireModerator(connection)
    }

    /// The meeting ended: everyone is told, audio stops, stays end, the workspace learns it.
    func end(by: MeetingJSON.PersonRef?) async -> Outcome {
        var outcome = await carryOut(state.end(by: by))
        await stopRecording(reason: .meetingEnded)
        speakingFlush?.cancel()
        qualityTimer?.cancel()
        await relay?.close()
        relay = nil
        closed = true
        outcome.empty = true
        return outcome
    }

    /// The relay's figures for everyone in the meeting, with names (moderators only).
    func statistics(for connection: ConnectionID) async throws -> [MeetingJSON.StreamStats] {
        try state.requireModerator(connection)
        let figures = await relay?.statistics() ?? []
        let byStream = Dictionary(figures.map { ($0.streamId, $0) }, uniquingKeysWith: { first, _ in first })
        return state.participants.map {
            MeetingJSON.StreamStats(person: $0.person, byStream[$0.stream] ?? AudioStreamStatistics(streamId: $0.stream),
                                    quality: $0.quality.announced, connection: $0.connected ? .ok : .reconnecting)
        }
    }

    var roster: [MeetingJSON.PersonRef] { state.roster }
    var counts: (participants: Int, lobby: Int) { (state.participants.count, state.lobby.count) }

    /// Closes the room if nobody is in it or its lobby; returns the last stream id handed out
    /// (a later room of the same live meeting continues after it), or nil if someone came.
    func closeIfEmpty() async -> UInt16? {
        guard !closed, state.isEmpty else { return nil }
        closed = true
        await stopRecording(reason: .everyoneLeft)
        speakingFlush?.cancel()
        qualityTimer?.cancel()
        await relay?.close()
        relay = nil
        return state.lastStream
    }

    // MARK: Speaking

    /// `at`: when the relay saw the change; one that arrives after a later one is stale.
    func speakingChanged(_ streams: [UInt16], at: ContinuousClock.Instant) {
        guard !closed, lastSpeakingChange.map({ $0 < at }) ?? true else { return }
        lastSpeakingChange = at
        handle(state.speakingChanged(streams, now: .now))
    }

    private func flushSpeaking() {
        speakingFlush = nil
        guard !closed else { return }
        handle(state.flushSpeaking(now: .now))
    }

    private func handle(_ outcome: MeetingState.SpeakingOutcome) {
        switch outcome {
        case .none:
            break
        case .send(let actions):
            for case .send(let event, let streams) in actions { send(event, to: streams) }
        case .later(let instant):
            speakingFlush = Task { [weak self] in
                try? await Task.sleep(until: instant, clock: .continuous)
                await self?.flushSpeaking()
            }
        }
    }

    // MARK: Carrying out actions

    /// Messages and audio routes first, in order; then the workspace roster and the records.
    func carryOut(_ actions: [MeetingAction]) async -> Outcome {
        var outcome = Outcome()
        var rosterChanged = false
        var writes: [MeetingAction] = []
        for action in actions {
            switch action {
            case .send(let event, let streams):
                send(event, to: streams)
            case .relayAdd(let stream, let muted):
                await addToRelay(stream, muted: muted)
            case .relayMute(let stream, let muted):
                await relay?.setMuted(stream, muted)
            case .relayRemove(let stream):
                sinks[stream]?.audioPeer?.setUplink(nil)
                await relay?.remove(stream: stream)
                activeRecording?.recorder.removeParticipant(stream: stream)
            case .relayDetach(let stream):
                sinks[stream]?.audioPeer?.setUplink(nil)
                await relay?.remove(stream: stream)
            case .startGrace(let stream, let generation):
                outcome.graces.append((stream, generation))
            case .detach(let stream, let connection):
                sinks[stream] = nil
                outcome.detached.append(connection)
            case .roster:
                rosterChanged = true
            case .markStarted, .attendanceBegan, .attendanceEnded:
                writes.append(action)
            }
        }
        outcome.empty = state.isEmpty
        if rosterChanged {
            let frame = ByteBuffer(bytes: Wire.frame(type: .meetingRoster, topic: Topic.workspace(workspaceID.description), value: state.rosterJSON))
            await announce(RosterAnnouncement(workspace: workspaceID, meeting: meetingID, at: .now, frame: frame))
        }
        for write in writes { await record(write) }
        // A recording never outlives the last participant (the lobby alone is not a meeting).
        if activeRecording != nil, state.participants.isEmpty, !state.ended { await stopRecording(reason: .everyoneLeft) }
        return outcome
    }

    private func addToRelay(_ stream: UInt16, muted: Bool) async {
        if activeRecording != nil, let member = state.participants.first(where: { $0.stream == stream }) { await addToRecording(member) }
        guard let peer = sinks[stream]?.audioPeer else { return }
        let isNew = self.relay == nil
        let relay = self.relay ?? makeRelay(loop: peer.audioLoop)
        if isNew, let recorder = activeRecording?.recorder { await relay.setRecordingTap(recorder) }
        await relay.add(stream: stream, listener: peer, muted: muted)
        // Removed while the relay was being told: its `relayRemove` already ran (or will run
        // after this on the relay's loop), so no route is set.
        guard state.participants.contains(where: { $0.stream == stream && $0.connected }), self.relay === relay, sinks[stream] === peer else { return }
        peer.setUplink(AudioUplink(relay: relay, stream: stream))
        startQualityTimer()
    }

    private func makeRelay(loop: any EventLoop) -> AudioRelay {
        let relay = AudioRelay(loop: loop, limits: audioLimits, metrics: metrics) { [weak self] streams in
            // Called on the relay's loop when the set changes (a few times a second at most).
            let at = ContinuousClock.now
            Task { await self?.speakingChanged(streams, at: at) }
        }
        self.relay = relay
        return relay
    }

    /// Sends `event` to the admitted guests.
    func sendToGuests(_ event: MeetingEvent) {
        send(event, to: state.participants.filter(\.guest).map(\.stream))
    }

    /// Encodes once and sends the same bytes to every recipient, one hop per event loop.
    func send(_ event: MeetingEvent, to streams: [UInt16]) {
        guard !streams.isEmpty else { return }
        let frame = ByteBuffer(bytes: Wire.frame(type: event.type, topic: topic, data: event.data))
        var batches: [ObjectIdentifier: (group: any LiveSinkGroup, sinks: [any LiveSink])] = [:]
        for stream in streams {
            guard let sink = sinks[stream] else { continue }
            if let group = sink.group {
                batches[ObjectIdentifier(group), default: (group, [])].sinks.append(sink)
            } else {
                sink.send(frame)
            }
        }
        for batch in batches.values { batch.group.send(frame, to: batch.sinks) }
    }

    private func record(_ write: MeetingAction) async {
        let records = records
        let meeting = meetingID
        // Written in a task of their own (`shielded`): a connection's task cancelled at shutdown
        // must not cancel the record of its leaving (the store closes after every connection).
        do {
            switch write {
            case .markStarted(let person):
                try await shielded { try await records.markStarted(meeting, by: person) }
            case .attendanceBegan(let stream, let person):
                let now = Date()
                let id = try await shielded { try await records.attendanceBegan(meeting: meeting, person: person, at: now) }
                if endedEarly.remove(stream) != nil {
                    try await shielded { try await records.attendanceEnded(id, at: Date()) }
                } else {
                    attendance[stream] = id
                }
            case .attendanceEnded(let stream):
                if let id = attendance.removeValue(forKey: stream) {
                    let now = Date()
                    try await shielded { try await records.attendanceEnded(id, at: now) }
                } else {
                    endedEarly.insert(stream)
                }
            default:
                break
            }
        } catch {
            logger.error("meeting record not written", metadata: ["meeting.id": "\(meetingID)", "error": "\(String(reflecting: error))"])
        }
    }
}
