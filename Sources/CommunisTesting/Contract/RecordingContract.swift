import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `RecordingStore`: recordings, their chapters and participants.
public enum RecordingContract {
    public static let cases: [ContractCase] = [
        ContractCase("a recording is stored and read back as it was", roundTrip),
        ContractCase("a recording needs an existing workspace and meeting; an id is used once", insertRefused),
        ContractCase("chapters are kept in time order, at most RecordingRules.maxChapters", chapters),
        ContractCase("finishing sets state, reason, end, length and size once; the first end stays", finishOnce),
        ContractCase("unfinished lists only recordings still recording, oldest first", unfinished),
        ContractCase("participants are stored per stream, replaced on the same stream, in joining order", participants),
        ContractCase("the list: members, open workspaces for employees, shared ones except a secret workspace's; newest first, paged", list),
        ContractCase("update changes title, sharing and chapters; delete removes the row and its participants", updateAndDelete),
        ContractCase("deleting the workspace deletes its recordings", cascade),
    ]

    struct World {
        let eva: Person
        let olle: Person
        let guest: Person
        let space: Workspace
        let meeting: Meeting
    }

    static func world(_ store: any CommunisStore, _ visibility: Visibility = .closed) async throws -> World {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        let space = try await Fixture.createWorkspace(store, "IT-avdelningen", visibility, owner: eva.id)
        let meeting = Meeting(workspaceID: space.id, title: "Veckomöte", createdBy: eva.id, createdAt: Instant.t0, threadID: ThreadID())
        try await store.createMeeting(meeting)
        return World(eva: eva, olle: olle, guest: guest, space: space, meeting: meeting)
    }

    static func recording(_ w: World, _ title: String = "Veckomöte IT", in space: WorkspaceID? = nil, meeting: MeetingID? = nil, at seconds: TimeInterval = 0,
                          kind: Recording.Kind = .meeting, state: Recording.State = .recording, shared: Bool = false) -> Recording {
        let id = RecordingID()
        let workspace = space ?? w.space.id
        return Recording(
            id: id, workspaceID: workspace, meetingID: meeting ?? w.meeting.id, title: title, kind: kind, startedBy: w.eva.id,
            startedAt: Instant.at(seconds), state: state, fileName: "\(workspace)/\(id).opus", sharedWithOrganisation: shared)
    }

    static func roundTrip(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        var complete = recording(w, "Genomgång av Procapita", kind: .guide, state: .complete, shared: true)
        complete.endedAt = Instant.at(600)
        complete.durationMs = 600_000
        complete.sizeBytes = 1_234_567
        complete.stopReason = .meetingEnded
        complete.chapters = [RecordingChapter(title: "Logga in", offsetMs: 1000), RecordingChapter(title: "Välj enhet", offsetMs: 42_160)]
        try await store.insertRecording(complete)
        #expect(try await store.recording(id: complete.id) == complete)
        let running = recording(w)
        try await store.insertRecording(running)
        #expect(try await store.recording(id: running.id) == running)
        #expect(try await store.recording(id: RecordingID()) == nil)
    }

    static func insertRefused(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        #expect(await domainErrorCode { try await store.insertRecording(recording(w, in: WorkspaceID())) } == "not-found")
        #expect(await domainErrorCode { try await store.insertRecording(recording(w, meeting: MeetingID())) } == "not-found")
        let first = recording(w, "Ett")
        try await store.insertRecording(first)
        var again = first
        again.title = "Två"
        #expect(await domainErrorCode { try await store.insertRecording(again) } == "conflict")
        #expect(try await store.recording(id: first.id)?.title == "Ett")
    }

    static func chapters(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let r = recording(w)
        try await store.insertRecording(r)
        _ = try await store.addRecordingChapter(r.id, RecordingChapter(title: "B", offsetMs: 2000))
        _ = try await store.addRecordingChapter(r.id, RecordingChapter(title: "A", offsetMs: 1000))
        let saved = try await store.addRecordingChapter(r.id, RecordingChapter(title: "B2", offsetMs: 2000))
        #expect(saved.chapters.map(\.title) == ["A", "B", "B2"])
        #expect(try await store.recording(id: r.id)?.chapters == saved.chapters)
        for index in 3..<RecordingRules.maxChapters {
            _ = try await store.addRecordingChapter(r.id, RecordingChapter(title: "K\(index)", offsetMs: 10_000 + index))
        }
        #expect(await domainErrorCode { _ = try await store.addRecordingChapter(r.id, RecordingChapter(title: "En för mycket", offsetMs: 1)) } == "validation-failed")
        #expect(try await store.recording(id: r.id)?.chapters.count == RecordingRules.maxChapters)
        #expect(await domainErrorCode { _ = try await store.addRecordingChapter(RecordingID(), RecordingChapter(title: "X", offsetMs: 1)) } == "not-found")
    }

    static func finishOnce(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let r = recording(w)
        try await store.insertRecording(r)
        let done = try await store.finishRecording(r.id, state: .complete, reason: .stopped, endedAt: Instant.at(90), durationMs: 90_000, sizeBytes: 4096)
        #expect(done.state == .complete && done.stopReason == .stopped && done.endedAt == Instant.at(90) && done.durationMs == 90_000 && done.sizeBytes == 4096)
        let again = try await store.finishRecording(r.id, state: .failed, reason: .writeFailed, endedAt: Instant.at(99), durationMs: 1, sizeBytes: 1)
        #expect(again == done)
        #expect(try await store.recording(id: r.id) == done)
        #expect(await domainErrorCode { _ = try await store.finishRecording(RecordingID(), state: .complete, reason: nil, endedAt: Instant.t0, durationMs: 0, sizeBytes: 0) } == "not-found")
    }

    static func unfinished(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let later = recording(w, "Senare", at: 20)
        let earlier = recording(w, "Tidigare", at: 10)
        let done = recording(w, "Klar", at: 5, state: .complete)
        for r in [later, earlier, done] { try await store.insertRecording(r) }
        #expect(try await store.unfinishedRecordings().map(\.id) == [earlier.id, later.id])
        _ = try await store.finishRecording(earlier.id, state: .complete, reason: .interrupted, endedAt: Instant.at(30), durationMs: 0, sizeBytes: 0)
        #expect(try await store.unfinishedRecordings().map(\.id) == [later.id])
    }

    static func participants(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let r = recording(w)
        try await store.insertRecording(r)
        let olle = RecordingParticipant(recordingID: r.id, personID: w.olle.id, streamID: 7, joinedOffsetMs: 5000)
        let eva = RecordingParticipant(recordingID: r.id, personID: w.eva.id, streamID: 3, joinedOffsetMs: 0, fileName: "\(w.space.id)/\(r.id)/3.opus")
        try await store.addRecordingParticipant(olle)
        try await store.addRecordingParticipant(eva)
        #expect(try await store.recordingParticipants(r.id) == [eva, olle])
        var rejoined = olle
        rejoined.fileName = "\(w.space.id)/\(r.id)/7.opus"
        try await store.addRecordingParticipant(rejoined)
        #expect(try await store.recordingParticipants(r.id) == [eva, rejoined])
        #expect(await domainErrorCode { try await store.addRecordingParticipant(RecordingParticipant(recordingID: RecordingID(), personID: w.eva.id, streamID: 1, joinedOffsetMs: 0)) } == "not-found")
        #expect(try await store.recordingParticipants(RecordingID()).isEmpty)
    }

    static func list(_ store: any CommunisStore) async throws {
        let w = try await world(store, .closed)
        let secret = try await Fixture.createWorkspace(store, "Rekrytering", .secret, owner: w.eva.id)
        let open = try await Fixture.createWorkspace(store, "Fikagruppen", .open, owner: w.eva.id)
        func meeting(in space: Workspace) async throws -> MeetingID {
            let m = Meeting(workspaceID: space.id, title: "Möte", createdBy: w.eva.id, createdAt: Instant.t0, threadID: ThreadID())
            try await store.createMeeting(m)
            return m.id
        }
        let closedPrivate = recording(w, "Stängd", at: 1, state: .complete)
        let closedShared = recording(w, "Stängd delad", at: 2, kind: .guide, state: .complete, shared: true)
        let secretShared = recording(w, "Hemlig delad", in: secret.id, meeting: try await meeting(in: secret), at: 3, state: .complete, shared: true)
        let openOne = recording(w, "Öppen", in: open.id, meeting: try await meeting(in: open), at: 4)
        for r in [closedPrivate, closedShared, secretShared, openOne] { try await store.insertRecording(r) }
        func titles(_ person: Person, employee: Bool, _ configure: (inout RecordingFilter) -> Void = { _ in }, page: PageRequest = PageRequest()) async throws -> [String] {
            var filter = RecordingFilter(reader: person.id, readsOpenWorkspaces: employee, readsShared: employee)
            configure(&filter)
            return try await store.recordings(filter, page: page).items.map(\.title)
        }
        #expect(try await titles(w.eva, employee: true) == ["Öppen", "Hemlig delad", "Stängd delad", "Stängd"])
        #expect(try await titles(w.olle, employee: true) == ["Öppen", "Stängd delad"])
        #expect(try await titles(w.guest, employee: false).isEmpty)
        try await store.addMember(Membership(workspaceID: w.space.id, personID: w.guest.id, role: .member, joinedAt: Instant.t0))
        #expect(try await titles(w.guest, employee: false) == ["Stängd delad", "Stängd"])
        #expect(try await titles(w.eva, employee: true, { $0.workspace = w.space.id }) == ["Stängd delad", "Stängd"])
        #expect(try await titles(w.eva, employee: true, { $0.kind = .guide }) == ["Stängd delad"])
        #expect(try await titles(w.eva, employee: true, { $0.state = .recording }) == ["Öppen"])
        let page = try await store.recordings(RecordingFilter(reader: w.eva.id, readsOpenWorkspaces: true, readsShared: true), page: PageRequest(limit: 2, offset: 1))
        #expect(page.items.map(\.title) == ["Hemlig delad", "Stängd delad"] && page.total == 4)
    }

    static func updateAndDelete(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let r = recording(w, state: .complete)
        try await store.insertRecording(r)
        try await store.addRecordingParticipant(RecordingParticipant(recordingID: r.id, personID: w.eva.id, streamID: 1, joinedOffsetMs: 0))
        let changed = try await store.updateRecording(r.id, RecordingChange(
            title: "Nytt namn", sharedWithOrganisation: true,
            chapters: [RecordingChapter(title: "Sist", offsetMs: 9000), RecordingChapter(title: "Först", offsetMs: 0)]))
        #expect(changed.title == "Nytt namn" && changed.sharedWithOrganisation && changed.chapters.map(\.title) == ["Först", "Sist"])
        let titleOnly = try await store.updateRecording(r.id, RecordingChange(title: "Bara titeln"))
        #expect(titleOnly.sharedWithOrganisation && titleOnly.chapters.count == 2)
        #expect(try await store.recording(id: r.id) == titleOnly)
        #expect(await domainErrorCode { _ = try await store.updateRecording(RecordingID(), RecordingChange(title: "X")) } == "not-found")
        try await store.deleteRecording(r.id)
        #expect(try await store.recording(id: r.id) == nil)
        #expect(try await store.recordingParticipants(r.id).isEmpty)
        #expect(await domainErrorCode { try await store.deleteRecording(r.id) } == "not-found")
    }

    static func cascade(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let r = recording(w, state: .complete)
        try await store.insertRecording(r)
        try await store.addRecordingParticipant(RecordingParticipant(recordingID: r.id, personID: w.eva.id, streamID: 1, joinedOffsetMs: 0))
        try await store.deleteWorkspace(id: w.space.id)
        #expect(try await store.recording(id: r.id) == nil)
        #expect(try await store.recordingParticipants(r.id).isEmpty)
    }
}
