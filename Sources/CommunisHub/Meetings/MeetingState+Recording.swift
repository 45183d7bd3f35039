import CommunisModel
import CommunisWire

/// Recording, as the meeting's state sees it: who may start and stop it, that one runs at a
/// time, and who is told what. Starting takes two steps because the room must store the
/// recording and create its file in between (`beginRecording`, then `recordingStarted` or
/// `recordingStartFailed`); a second start while one is under way is refused.
extension MeetingState {
    /// A moderator asks to start recording. Returns the moderator's person for the record.
    public mutating func beginRecording(connection: ConnectionID) throws(WireError) -> MeetingJSON.PersonRef {
        let me = try moderator(connection)
        guard recording == nil, !recordingStarting else {
            throw WireError(.conflict, "The meeting is already being recorded.")
        }
        recordingStarting = true
        return me.person
    }

    /// The start failed (nothing is recording).
    public mutating func recordingStartFailed() {
        recordingStarting = false
    }

    /// The recording runs: everyone in the meeting and in its lobby is told.
    public mutating func recordingStarted(_ state: MeetingJSON.RecordingState) -> [MeetingAction] {
        recordingStarting = false
        recording = state
        return [.send(.recording(state, reason: nil), to: (participants + lobby).map(\.stream))]
    }

    /// Throws unless the connection is an admitted moderator and a recording runs.
    public func requireRecording(connection: ConnectionID) throws(WireError) -> MeetingJSON.RecordingState {
        _ = try moderator(connection)
        guard let recording else { throw WireError(.notFound, "The meeting is not being recorded.") }
        return recording
    }

    /// A chapter title as typed: trimmed, 1…200 characters, at most 200 chapters.
    public func validateChapter(_ title: String) throws(WireError) -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= RecordingRules.maxChapterTitleLength else {
            throw WireError(.validation, "A chapter needs a title of 1–\(RecordingRules.maxChapterTitleLength) characters.", field: "title")
        }
        guard (recording?.chapters.count ?? 0) < RecordingRules.maxChapters else {
            throw WireError(.validation, "A recording has at most \(RecordingRules.maxChapters) chapters.")
        }
        return trimmed
    }

    /// A chapter mark was stored: participants see it.
    public mutating func chapterAdded(_ chapter: RecordingChapter) -> [MeetingAction] {
        guard let id = recording?.id else { return [] }
        recording?.chapters.append(chapter)
        return [.send(.recordingChapter(recording: id, chapter: chapter), to: participants.map(\.stream))]
    }

    /// The recording stopped: everyone still here (and the lobby) is told why.
    public mutating func recordingStopped(reason: Recording.StopReason) -> [MeetingAction] {
        guard recording != nil else { return [] }
        recording = nil
        let everyone = (participants + lobby).map(\.stream)
        return everyone.isEmpty ? [] : [.send(.recording(nil, reason: reason), to: everyone)]
    }

    /// The recorder left audio out: the moderators learn it.
    public func recordingBehind(droppedPackets: Int) -> [MeetingAction] {
        guard let id = recording?.id else { return [] }
        return [.send(.recordingBehind(recording: id, droppedPackets: droppedPackets), to: participants.filter(\.moderator).map(\.stream))]
    }
}
