import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import Logging

/// A recording in progress in a room: its record and the recorder that receives the relay's
/// forwarded frames (off the relay path: the relay only hands each frame over).
struct ActiveRecording: Sendable {
    let recording: Recording
    let recorder: MeetingRecorder
    /// Streams whose participant row has been written.
    var streams: Set<UInt16> = []
}

/// Recording in a meeting room: start (store, create the file, tap the relay, tell everyone),
/// chapter marks, stop (by a moderator, the meeting's end, the last participant leaving, or the
/// recorder itself on a full disk), and who took part. Persist, then publish.
extension MeetingRoom {
    func startRecording(connection: ConnectionID, title requested: String?, kind: Recording.Kind) async throws -> MeetingJSON.RecordingState {
        guard !closed else { throw WireError(.notInMeeting, "You are not in this meeting.") }
        guard let records = recordingSettings.records else {
            try state.requireModerator(connection)  // moderators learn it is unavailable, others forbidden
            throw WireError(.recordingFailed, "Recording is not available on this server.")
        }
        let by = try state.beginRecording(connection: connection)
        let recording: Recording
        do {
            // The service trims the title, falls back to the meeting's and refuses one too long.
            recording = try await shielded { [meeting] in try await records.begin(meeting: meeting, title: requested ?? "", kind: kind, by: by.id) }
        } catch let error as DomainError {
            state.recordingStartFailed()
            guard case .validation = error else { throw WireError(.recordingFailed, "The recording could not be stored; the meeting goes on.") }
            throw WireError(.validation, "A recording's title has at most \(RecordingRules.maxTitleLength) characters.", field: "title")
        } catch {
            state.recordingStartFailed()
            logger.error("recording not stored", metadata: ["error": "\(String(reflecting: error))"])
            throw WireError(.recordingFailed, "The recording could not be stored; the meeting goes on.")
        }
        let recorder: MeetingRecorder
        do {
            recorder = try makeRecorder(for: recording, records: records)
        } catch {
            state.recordingStartFailed()
            logger.error("recording file not created", metadata: ["recording.id": "\(recording.id)", "error": "\(String(reflecting: error))"])
            try? await shielded { try await records.finish(recording.id, state: .failed, reason: .writeFailed, durationMs: 0, sizeBytes: 0, endedAt: Date()) }
            throw WireError(.recordingFailed, "The recording's file could not be created; the meeting goes on.")
        }
        activeRecording = ActiveRecording(recording: recording, recorder: recorder)
        guard !closed, !state.ended, !state.participants.isEmpty else {
            // Everyone left (or the meeting ended) while the recording was being prepared.
            state.recordingStartFailed()
            await stopRecording(reason: state.ended ? .meetingEnded : .everyoneLeft)
            throw WireError(.notInMeeting, "The meeting emptied before the recording started.")
        }
        await relay?.setRecordingTap(recorder)
        for member in state.participants { await addToRecording(member) }
        guard activeRecording?.recording.id == recording.id else {
            // Stopped while it was being prepared (the last participant left meanwhile).
            state.recordingStartFailed()
            throw WireError(.notInMeeting, "The meeting emptied before the recording started.")
        }
        let json = MeetingJSON.RecordingState(id: recording.id, title: recording.title, kind: kind, startedAt: recording.startedAt, startedBy: by)
        _ = await carryOut(state.recordingStarted(json))
        return json
    }

    func stopRecording(connection: ConnectionID) async throws -> (id: RecordingID, durationMs: Int) {
        let current = try state.requireRecording(connection: connection)
        guard let stopped = await stopRecording(reason: .stopped), stopped.id == current.id else {
            throw WireError(.notFound, "The meeting is not being recorded.")
        }
        return (stopped.id, stopped.result.durationMs)
    }

    func addChapter(connection: ConnectionID, title: String) async throws -> RecordingChapter {
        let current = try state.requireRecording(connection: connection)
        let title = try state.validateChapter(title)
        guard let active = activeRecording, active.recording.id == current.id, let records = recordingSettings.records else {
            throw WireError(.notFound, "The meeting is not being recorded.")
        }
        let chapter = RecordingChapter(title: title, offsetMs: active.recorder.elapsedMilliseconds)
        do {
            try await shielded { try await records.addChapter(current.id, chapter) }
        } catch let error as DomainError {
            throw WireError(.validation, "\(error)")
        }
        guard state.recording?.id == current.id else { throw WireError(.notFound, "The recording stopped before the chapter was marked.") }
        _ = await carryOut(state.chapterAdded(chapter))
        return chapter
    }

    /// Stops the running recording, if any: everyone is told at once, then the file is
    /// finished and the record completed. Returns what was stopped.
    @discardableResult
    func stopRecording(reason: Recording.StopReason) async -> (id: RecordingID, result: MeetingRecorder.Result)? {
        guard let active = activeRecording else { return nil }
        activeRecording = nil
        await relay?.setRecordingTap(nil)
        for case .send(let event, let streams) in state.recordingStopped(reason: reason) { send(event, to: streams) }
        let result = await active.recorder.stop()
        let finalReason: Recording.StopReason = switch result.reason {
        case .requested: reason
        case .diskFull: .diskFull
        case .writeFailed: .writeFailed
        }
        if let records = recordingSettings.records {
            do {
                try await shielded {
                    try await records.finish(active.recording.id, state: .complete, reason: finalReason, durationMs: result.durationMs,
                                             sizeBytes: result.sizeBytes, endedAt: Date())
                }
            } catch {
                logger.error("recording end not stored", metadata: ["recording.id": "\(active.recording.id)", "error": "\(String(reflecting: error))"])
            }
        }
        logger.info("recording stopped", metadata: [
            "recording.id": "\(active.recording.id)", "reason": "\(finalReason.rawValue)", "duration_ms": "\(result.durationMs)",
            "dropped": "\(result.droppedFrames)", "late": "\(result.lateFrames)",
        ])
        return (active.recording.id, result)
    }

    /// The recorder speaks up: it fell behind (moderators are told), or stopped by itself.
    func recorderEvent(_ event: MeetingRecorder.Event, recording: RecordingID) async {
        guard let active = activeRecording, active.recording.id == recording else { return }
        switch event {
        case .fallingBehind(let dropped):
            for case .send(let event, let streams) in state.recordingBehind(droppedPackets: dropped) { send(event, to: streams) }
        case .stopped(let reason):
            let stopReason: Recording.StopReason = if case .diskFull = reason { .diskFull } else { .writeFailed }
            await stopRecording(reason: stopReason)
        }
    }

    /// A participant admitted while recording: the recorder expects their frames and the
    /// record notes that they took part.
    func addToRecording(_ member: MeetingState.Member) async {
        guard var active = activeRecording, !active.streams.contains(member.stream), let records = recordingSettings.records else { return }
        active.streams.insert(member.stream)
        activeRecording = active
        active.recorder.addParticipant(stream: member.stream)
        let folder = Recordings.participantFolder(of: active.recording)
        let participant = RecordingParticipant(
            recordingID: active.recording.id, personID: member.person.id, streamID: Int(member.stream),
            joinedOffsetMs: active.recorder.elapsedMilliseconds,
            fileName: recordingSettings.keepParticipantStreams ? "\(folder)/\(member.stream).opus" : nil)
        do {
            try await shielded { try await records.addParticipant(participant) }
        } catch {
            logger.error("recording participant not stored", metadata: ["recording.id": "\(active.recording.id)", "error": "\(String(reflecting: error))"])
        }
    }

    private func makeRecorder(for recording: Recording, records: any RecordingRecords) throws -> MeetingRecorder {
        let path = records.path(of: recording.fileName)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var settings = recordingSettings.recorder
        settings.title = recording.title
        if recordingSettings.keepParticipantStreams {
            // The recorder creates the folder.
            settings.participantDirectory = records.path(of: Recordings.participantFolder(of: recording))
        }
        let id = recording.id
        return try MeetingRecorder(path: path, settings: settings) { [weak self] event in
            Task { await self?.recorderEvent(event, recording: id) }
        }
    }
}

/// Runs a store write in a task of its own: a connection's task cancelled at shutdown must
/// not cancel the record of what already happened.
func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await body() }.value
}
