import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// A recording as one viewer sees it: names, the workspace's name, and what the viewer may do.
public struct RecordingView: Sendable {
    public var recording: Recording
    public var workspaceName: String
    public var startedBy: LiveJSON.PersonRef
    public var canManage: Bool
    /// Only on a single recording (`Recordings.get`); nil in lists.
    public var participants: [RecordingParticipantView]?
}

public struct RecordingParticipantView: Sendable {
    public var participant: RecordingParticipant
    public var person: LiveJSON.PersonRef
}

/// What a manager asks to change; nil leaves a field as it is.
public struct RecordingEdit: Sendable {
    public var title: String?
    public var sharedWithOrganisation: Bool?
    public var chapters: [RecordingChapter]?

    public init(title: String? = nil, sharedWithOrganisation: Bool? = nil, chapters: [RecordingChapter]? = nil) {
        self.title = title
        self.sharedWithOrganisation = sharedWithOrganisation
        self.chapters = chapters
    }
}

/// The audio of a recording that may be played: where its file is.
public struct RecordingAudio: Sendable {
    public var recording: Recording
    /// Absolute path of the mixed Ogg Opus file.
    public var path: String
}

/// Recordings (inspelningar) of meetings and guides: the rows, the files under the
/// recordings folder, and who may see and change them (`RecordingPolicy`). The live control
/// plane stores a recording through `begin`, `addParticipant`, `addChapter` and `finish`
/// (persist, then publish); people list, play, edit and delete through the rest. A recording
/// a viewer may not know of is `notFound`.
public struct Recordings: Sendable {
    let store: any CommunisStore
    /// The recordings folder (`storage.recordings_dir`); stored file names are relative to it.
    public let directory: String
    let clock: Clock

    public init(store: any CommunisStore, directory: String, clock: Clock) {
        self.store = store
        self.directory = directory
        self.clock = clock
    }

    // MARK: The live control plane

    /// Stores a new recording in state .recording (persist before anyone is told).
    /// fileName = "<workspaceId>/<recordingId>.opus". The title is trimmed; empty, it is the
    /// meeting's. Throws `validation` (field `title`) when it is too long.
    public func begin(meeting: Meeting, title: String, kind: Recording.Kind, by: PersonID) async throws -> Recording {
        var validator = Validator()
        var text = validator.text(title, field: "title", max: RecordingRules.maxTitleLength)
        if text.isEmpty { text = String(meeting.title.trimmingCharacters(in: .whitespacesAndNewlines).prefix(RecordingRules.maxTitleLength)) }
        if text.isEmpty { validator.fail("title", "must not be empty") }
        try validator.check()
        let id = RecordingID()
        let recording = Recording(
            id: id, workspaceID: meeting.workspaceID, meetingID: meeting.id, title: text, kind: kind, startedBy: by,
            startedAt: clock.now(), fileName: "\(meeting.workspaceID)/\(id).opus")
        try await store.insertRecording(recording)
        let starter = try await store.person(id: by)
        try await AuditLog(store: store, clock: clock).record(AuditEntry(
            at: recording.startedAt, action: .recordingStarted, actor: starter.map(AuditRef.person),
            target: AuditRef(type: "recording", id: id.description, name: text),
            workspace: AuditRef(type: "workspace", id: meeting.workspaceID.description, name: try await store.workspace(id: meeting.workspaceID)?.name ?? ""),
            via: .hand, details: ["kind": kind.rawValue, "meeting": meeting.id.description]))
        return recording
    }

    public func addParticipant(_ participant: RecordingParticipant) async throws {
        try await store.addRecordingParticipant(participant)
    }

    /// Validates (1...RecordingRules.maxChapterTitleLength chars after trimming, at most maxChapters) and appends.
    public func addChapter(_ recording: RecordingID, _ chapter: RecordingChapter) async throws {
        let checked = try Self.validate([chapter], field: "title")
        _ = try await store.addRecordingChapter(recording, checked[0])
    }

    public func finish(_ recording: RecordingID, state: Recording.State, reason: Recording.StopReason, durationMs: Int, sizeBytes: Int64, endedAt: Date) async throws {
        _ = try await store.finishRecording(recording, state: state, reason: reason, endedAt: endedAt, durationMs: durationMs, sizeBytes: sizeBytes)
    }

    /// Recordings still in state .recording (cut off by a crash), for start-up recovery.
    public func unfinished() async throws -> [Recording] {
        try await store.unfinishedRecordings()
    }

    /// Absolute path of a stored file name (directory + fileName); also where participant files live ("<workspaceId>/<recordingId>/<stream>.opus").
    public func path(of fileName: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
    }

    /// Removes the files of a deleted workspace's recordings (their rows went with the
    /// workspace). A recording still running stops when its meeting ends and finds its record
    /// gone; what it writes after this goes to unlinked files.
    public func removeFiles(ofWorkspace workspace: WorkspaceID) {
        try? FileManager.default.removeItem(atPath: path(of: workspace.description))
    }

    /// The folder of a recording's participant files, relative to the recordings folder.
    public static func participantFolder(of recording: Recording) -> String {
        "\(recording.workspaceID)/\(recording.id)"
    }

    // MARK: People

    /// Recordings the viewer may read, newest first. A workspace the viewer may not read is
    /// `notFound` / `forbidden` like the workspace itself.
    public func list(viewer: Viewer, workspace: WorkspaceID? = nil, kind: Recording.Kind? = nil, state: Recording.State? = nil, page: PageRequest) async throws -> Page<RecordingView> {
        if let workspace {
            guard let found = try await store.workspace(id: workspace) else { throw DomainError.notFound("Workspace") }
            let membership = try await store.membership(workspace: workspace, person: viewer.id)
            if !WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: membership) { throw DomainError.notFound("Workspace") }
        }
        let filter = RecordingFilter(
            reader: viewer.id, readsOpenWorkspaces: WorkspacePolicy.canRead(.open, viewer: viewer.role, membership: nil),
            readsShared: RecordingPolicy.canRead(.closed, viewer: viewer.role, membership: nil, shared: true),
            workspace: workspace, kind: kind, state: state)
        let page = try await store.recordings(filter, page: page)
        var access: [WorkspaceID: Access] = [:]
        for workspace in Set(page.items.map(\.workspaceID)) { access[workspace] = try await self.access(workspace, viewer) }
        let names = try await Names.load(Set(page.items.map(\.startedBy)), from: store)
        return page.map { recording in
            let access = access[recording.workspaceID] ?? Access(visibility: .secret, membership: nil, workspaceName: "")
            return RecordingView(
                recording: recording, workspaceName: access.workspaceName, startedBy: names.ref(recording.startedBy),
                canManage: access.canManage(recording, viewer), participants: nil)
        }
    }

    /// One recording with its participants.
    public func get(viewer: Viewer, id: RecordingID) async throws -> RecordingView {
        let (recording, access) = try await readable(viewer, id)
        let participants = try await store.recordingParticipants(id)
        let names = try await Names.load(Set(participants.map(\.personID) + [recording.startedBy]), from: store)
        return RecordingView(
            recording: recording, workspaceName: access.workspaceName, startedBy: names.ref(recording.startedBy),
            canManage: access.canManage(recording, viewer),
            participants: participants.map { RecordingParticipantView(participant: $0, person: names.ref($0.personID)) })
    }

    /// The file to play. A recording still running or failed has nothing to play: `conflict`.
    public func audio(viewer: Viewer, id: RecordingID) async throws -> RecordingAudio {
        let (recording, _) = try await readable(viewer, id)
        switch recording.state {
        case .complete: return RecordingAudio(recording: recording, path: path(of: recording.fileName))
        case .recording: throw DomainError.conflict("The recording is still running; it can be played when it has stopped.")
        case .failed: throw DomainError.conflict("The recording failed: no audio was kept.")
        }
    }

    /// Rename, share or unshare, replace the chapters (managers).
    public func update(viewer: Viewer, id: RecordingID, edit: RecordingEdit) async throws -> RecordingView {
        let (recording, access) = try await readable(viewer, id)
        guard access.canManage(recording, viewer) else {
            throw DomainError.forbidden("Only the person who started the recording, the workspace's owners and administrators can change it.")
        }
        var validator = Validator()
        var change = RecordingChange()
        if let title = edit.title {
            change.title = validator.text(title, field: "title", required: true, max: RecordingRules.maxTitleLength)
        }
        if let shared = edit.sharedWithOrganisation {
            if shared && !RecordingPolicy.canShare(access.visibility) {
                validator.fail("sharedWithOrganisation", "a secret workspace's recordings stay inside it")
            }
            change.sharedWithOrganisation = shared
        }
        var chapters: [RecordingChapter]?
        if let list = edit.chapters {
            do { chapters = try Self.validate(list, field: "chapters.title") } catch DomainError.validation(let errors) {
                for error in errors { validator.fail(error.field, error.message) }
            }
        }
        try validator.check()
        change.chapters = chapters
        _ = try await store.updateRecording(id, change)
        if let shared = edit.sharedWithOrganisation, shared != recording.sharedWithOrganisation {
            try await AuditLog(store: store, clock: clock).record(
                .recordingShared, by: viewer, target: AuditRef(type: "recording", id: id.description, name: recording.title),
                workspace: AuditRef(type: "workspace", id: recording.workspaceID.description, name: access.workspaceName),
                details: ["shared": String(shared)])
        }
        return try await get(viewer: viewer, id: id)
    }

    /// Deletes the recording and its files (the mixed file and the participants' folder).
    /// A running recording cannot be deleted: `conflict`.
    public func delete(viewer: Viewer, id: RecordingID) async throws {
        let (recording, access) = try await readable(viewer, id)
        guard access.canManage(recording, viewer) else {
            throw DomainError.forbidden("Only the person who started the recording, the workspace's owners and administrators can delete it.")
        }
        guard recording.state != .recording else {
            throw DomainError.conflict("The recording is still running; stop it before deleting it.")
        }
        let participants = try await store.recordingParticipants(id)
        try await store.deleteRecording(id)
        try await AuditLog(store: store, clock: clock).record(
            .recordingDeleted, by: viewer, target: AuditRef(type: "recording", id: id.description, name: recording.title),
            workspace: AuditRef(type: "workspace", id: recording.workspaceID.description, name: access.workspaceName))
        // The row is gone first: a file left behind by a failed removal is only disk space,
        // a row without its file would be a recording that cannot play.
        let files = FileManager.default
        try? files.removeItem(atPath: path(of: recording.fileName))
        for file in participants.compactMap(\.fileName) { try? files.removeItem(atPath: path(of: file)) }
        try? files.removeItem(atPath: path(of: Self.participantFolder(of: recording)))
    }

    // MARK: Rules

    struct Access {
        var visibility: Visibility
        var membership: MembershipRole?
        var workspaceName: String

        func canRead(_ recording: Recording, _ viewer: Viewer) -> Bool {
            RecordingPolicy.canRead(visibility, viewer: viewer.role, membership: membership, shared: recording.sharedWithOrganisation)
        }

        func canManage(_ recording: Recording, _ viewer: Viewer) -> Bool {
            RecordingPolicy.canManage(visibility, viewer: viewer.role, membership: membership, shared: recording.sharedWithOrganisation,
                                      startedBySelf: recording.startedBy == viewer.id)
        }
    }

    func access(_ workspace: WorkspaceID, _ viewer: Viewer) async throws -> Access {
        guard let found = try await store.workspace(id: workspace) else { throw DomainError.notFound("Recording") }
        let membership = try await store.membership(workspace: workspace, person: viewer.id)
        return Access(visibility: found.visibility, membership: membership, workspaceName: found.name)
    }

    /// The recording and the viewer's standing, or `notFound` / `forbidden` as the policy says.
    func readable(_ viewer: Viewer, _ id: RecordingID) async throws -> (Recording, Access) {
        guard let recording = try await store.recording(id: id) else { throw DomainError.notFound("Recording") }
        let access = try await access(recording.workspaceID, viewer)
        guard access.canRead(recording, viewer) else {
            if RecordingPolicy.mayKnowOf(access.visibility, viewer: viewer.role, membership: access.membership) {
                throw DomainError.forbidden("Only members of the workspace can play its recordings.")
            }
            throw DomainError.notFound("Recording")
        }
        return (recording, access)
    }

    /// Trimmed titles of 1...maxChapterTitleLength characters, offsets not negative, at most
    /// maxChapters; returned in time order.
    static func validate(_ chapters: [RecordingChapter], field: String) throws -> [RecordingChapter] {
        var validator = Validator()
        if chapters.count > RecordingRules.maxChapters { validator.fail("chapters", "at most \(RecordingRules.maxChapters) chapters") }
        var result: [RecordingChapter] = []
        for chapter in chapters.prefix(RecordingRules.maxChapters) {
            let title = validator.text(chapter.title, field: field, required: true, max: RecordingRules.maxChapterTitleLength)
            if chapter.offsetMs < 0 { validator.fail(field == "title" ? "offsetMs" : "chapters.offsetMs", "must not be negative") }
            result.append(RecordingChapter(title: title, offsetMs: chapter.offsetMs))
        }
        try validator.check()
        return result.enumerated().sorted { ($0.element.offsetMs, $0.offset) < ($1.element.offsetMs, $1.offset) }.map(\.element)
    }
}
