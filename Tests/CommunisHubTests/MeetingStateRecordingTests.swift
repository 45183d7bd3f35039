@testable import CommunisHub
import CommunisModel
import CommunisWire
import Foundation
import Testing

/// The meeting's rules about recording, without sockets, files or clocks.
@Suite("Meeting state: recording")
struct MeetingStateRecordingTests {
    let base = MeetingStateTests()

    func recordingState(_ state: MeetingState) -> MeetingJSON.RecordingState {
        MeetingJSON.RecordingState(id: RecordingID(), title: "Veckomöte IT", kind: .meeting, startedAt: Date(timeIntervalSince1970: 1_800_000_000),
                                   startedBy: base.erik)
    }

    @Test("Only a moderator starts; one recording (or start) at a time; everyone in the meeting and the lobby is told, and the snapshot and lobby ack carry it")
    func start() throws {
        var state = try base.twoIn()
        let waiting = try state.join(connection: 3, person: base.lena, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(waiting.recording == nil)
        base.expectError(.forbidden) { _ = try state.beginRecording(connection: 2) }
        base.expectError(.notInMeeting) { _ = try state.beginRecording(connection: 3) }
        #expect(try state.beginRecording(connection: 1) == base.erik)
        base.expectError(.conflict) { _ = try state.beginRecording(connection: 1) }
        let recording = recordingState(state)
        let actions = state.recordingStarted(recording)
        #expect(actions == [.send(.recording(recording, reason: nil), to: [1, 2, 3])])
        #expect(state.snapshot(for: 2).recording == recording)
        base.expectError(.conflict) { _ = try state.beginRecording(connection: 1) }
        let knocking = try state.join(connection: 4, person: base.anna, moderator: false, guest: true, waitsInLobby: true, muted: false)
        #expect(knocking.recording == recording, "a guest is told before being admitted")
    }

    @Test("A failed start leaves nothing recording and allows another try")
    func failedStart() throws {
        var state = try base.twoIn()
        _ = try state.beginRecording(connection: 1)
        state.recordingStartFailed()
        #expect(state.recording == nil)
        #expect(try state.beginRecording(connection: 1) == base.erik)
    }

    @Test("Chapters: moderators only, while recording, titles trimmed and bounded, shown to participants; stopping tells everyone why")
    func chaptersAndStop() throws {
        var state = try base.twoIn()
        base.expectError(.notFound) { _ = try state.requireRecording(connection: 1) }
        _ = try state.beginRecording(connection: 1)
        let recording = recordingState(state)
        _ = state.recordingStarted(recording)
        base.expectError(.forbidden) { _ = try state.requireRecording(connection: 2) }
        #expect(try state.requireRecording(connection: 1) == recording)
        #expect(try state.validateChapter("  Steg 2: Logga in i Procapita ") == "Steg 2: Logga in i Procapita")
        base.expectError(.validation) { _ = try state.validateChapter("   ") }
        base.expectError(.validation) { _ = try state.validateChapter(String(repeating: "a", count: 201)) }
        let chapter = RecordingChapter(title: "Steg 2", offsetMs: 4200)
        #expect(state.chapterAdded(chapter) == [.send(.recordingChapter(recording: recording.id, chapter: chapter), to: [1, 2])])
        #expect(state.snapshot(for: 1).recording?.chapters == [chapter])
        #expect(state.recordingBehind(droppedPackets: 12) == [.send(.recordingBehind(recording: recording.id, droppedPackets: 12), to: [1])])
        #expect(state.recordingStopped(reason: .diskFull) == [.send(.recording(nil, reason: .diskFull), to: [1, 2])])
        #expect(state.recording == nil && state.snapshot(for: 1).recording == nil)
        #expect(state.recordingStopped(reason: .stopped) == [])
    }

    @Test("The events' JSON: recording null with the reason when stopped; the snapshot always has the key")
    func json() throws {
        var state = try base.twoIn()
        let stopped = try JSONSerialization.jsonObject(with: MeetingEvent.recording(nil, reason: .everyoneLeft).data) as? [String: Any]
        #expect(stopped?["recording"] is NSNull && stopped?["reason"] as? String == "everyone-left")
        let snapshot = try JSONSerialization.jsonObject(with: Wire.json(state.snapshot(for: 1))) as? [String: Any]
        #expect(snapshot?.keys.contains("recording") == true && snapshot?["recording"] is NSNull)
        _ = try state.beginRecording(connection: 1)
        _ = state.recordingStarted(recordingState(state))
        let on = try JSONSerialization.jsonObject(with: Wire.json(state.snapshot(for: 1))) as? [String: Any]
        let recording = on?["recording"] as? [String: Any]
        #expect(recording?["kind"] as? String == "meeting" && (recording?["startedBy"] as? [String: Any])?["name"] as? String == "Erik Johansson")
        #expect(recording?["startedAt"] as? String == "2027-01-15T08:00:00Z")
    }
}
