import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// What one person may do in one meeting, decided when they join (the hub asks).
public struct MeetingAccess: Sendable {
    public var meeting: Meeting
    /// The creator of the meeting or an owner of its workspace.
    public var moderator: Bool
    /// Guests wait in the lobby until a moderator admits them.
    public var waitsInLobby: Bool
    /// A guest account (a workspace guest or someone who came through an invitation link).
    public var guest: Bool

    public init(meeting: Meeting, moderator: Bool, waitsInLobby: Bool, guest: Bool) {
        self.meeting = meeting
        self.moderator = moderator
        self.waitsInLobby = waitsInLobby
        self.guest = guest
    }
}

/// A new guest link: `token` is shown once and never stored.
public struct MeetingInvitationIssued: Sendable {
    public var invitation: MeetingInvitation
    public var token: String
    /// The link was put in the outbox for the guest.
    public var emailed = false
}

/// What a meeting invitation link shows before the guest comes in.
public struct MeetingInvitationInfo: Sendable {
    public var meetingID: MeetingID
    public var meetingTitle: String
    public var scheduledFor: Date?
    public var workspaceName: String
    public var inviter: LiveJSON.PersonRef
    public var guestName: String
    public var expiresAt: Date
}

/// A meeting as one viewer sees it in a list or on its page: with the names of the people it
/// mentions and whether the viewer moderates it.
public struct MeetingView: Sendable {
    public var meeting: Meeting
    public var moderator: Bool
    public var createdBy: LiveJSON.PersonRef
    public var endedBy: LiveJSON.PersonRef?
    /// Who is in it now, in joining order (live meetings; empty otherwise).
    public var participants: [LiveJSON.PersonRef] = []
    /// The workspace's name, in lists across workspaces (`goingOn`).
    public var workspaceName: String?
}

/// One stay in a meeting, with the person's name, for the moderators' attendance list.
public struct AttendanceEntry: Sendable {
    public var person: LiveJSON.PersonRef
    public var joinedAt: Date
    public var leftAt: Date?
}

/// Web meetings (webbmöten): scheduling and listing, who may join and moderate, ending, guest
/// links and attendance. The live side (rooms, lobby, audio) is the hub's; it asks `access`
/// when someone joins and reports starts, stays and ends back here. What this service stores
/// it then tells the hub through `MeetingLive` (persist, then publish), so no route does.
///
/// Who may see a meeting: members of its workspace (guests who are members included) and a
/// guest invited to that meeting; to anyone else it does not exist.
public struct Meetings: Sendable {
    public static let titleLength = 200
    public static let guestNameLength = Limits.nameLength

    let store: any CommunisStore & LiveStore
    let discussions: Discussions
    let invitationLifetime: TimeInterval
    /// Mails guest links when e-mail is configured.
    let outbox: Outbox?
    /// The live meeting rooms (the hub), told of what was stored; `NoMeetingLive` in tools.
    let live: any MeetingLive
    let clock: Clock
    /// Tells the workspace's members that a meeting started (`meeting-started`).
    let notifications: (any NotificationSink)?

    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, invitationLifetime: TimeInterval = 168 * 3600,
                outbox: Outbox? = nil, live: any MeetingLive = NoMeetingLive(), clock: Clock = Clock(), notifications: NotificationRouter? = nil) {
        self.store = store
        self.discussions = Discussions(store: store, publisher: publisher, clock: clock, notifications: notifications)
        self.notifications = notifications
        self.invitationLifetime = invitationLifetime
        self.outbox = outbox
        self.live = live
        self.clock = clock
    }

    // MARK: Creating and reading

    /// Members (not guests) of the workspace create meetings. The meeting's chat thread is
    /// created first through `Discussions` (so it is announced like any thread), then the
    /// meeting; once stored, the workspace's subscribers are shown it (`MeetingLive.created`).
    public func create(viewer: Viewer, workspace: WorkspaceID, title rawTitle: String, scheduledFor: Date?) async throws -> Meeting {
        let membership = try await store.membership(workspace: workspace, person: viewer.id)
        guard membership != nil else {
            guard let found = try await store.workspace(id: workspace),
                  WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: nil) else {
                throw DomainError.notFound("Workspace")
            }
            throw DomainError.forbidden("Only members of the workspace can create meetings.")
        }
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests cannot create meetings.") }
        var validator = Validator()
        let title = validator.text(rawTitle, field: "title", required: true, max: Self.titleLength)
        try validator.check()
        let meeting = Meeting(
            workspaceID: workspace, title: title, scheduledFor: scheduledFor, createdBy: viewer.id, createdAt: clock.now(), threadID: ThreadID())
        _ = try await discussions.createChat(viewer: viewer, meeting: meeting)
        try await store.createMeeting(meeting)
        await live.created(meeting)
        return meeting
    }

    /// Members of the workspace (guests who are members included); live and scheduled first.
    public func list(viewer: Viewer, workspace: WorkspaceID, includeEnded: Bool) async throws -> [Meeting] {
        try await requireMember(viewer, workspace)
        return try await store.meetings(workspace: workspace, includeEnded: includeEnded)
    }

    public func meeting(viewer: Viewer, id: MeetingID) async throws -> Meeting {
        try await access(viewer: viewer, meeting: id, hidden: true).meeting
    }

    /// Whether the viewer may join, moderate, or must wait in the lobby. Non-members without an
    /// invitation: `forbidden`; an unknown meeting: `notFound`.
    public func access(viewer: Viewer, meeting id: MeetingID) async throws -> MeetingAccess {
        try await access(viewer: viewer, meeting: id, hidden: false)
    }

    /// `hidden`: answer `notFound` rather than `forbidden`, so reads do not reveal a meeting.
    func access(viewer: Viewer, meeting id: MeetingID, hidden: Bool) async throws -> MeetingAccess {
        guard let meeting = try await store.meeting(id: id) else { throw DomainError.notFound("Meeting") }
        let guest = !viewer.role.isEmployee
        if let role = try await store.membership(workspace: meeting.workspaceID, person: viewer.id) {
            let moderator = meeting.createdBy == viewer.id || role == .owner
            return MeetingAccess(meeting: meeting, moderator: moderator, waitsInLobby: guest, guest: guest)
        }
        if guest, try await store.meetingInvitation(meeting: id, guest: viewer.id) != nil {
            return MeetingAccess(meeting: meeting, moderator: false, waitsInLobby: true, guest: true)
        }
        if hidden { throw DomainError.notFound("Meeting") }
        throw DomainError.forbidden("Only members of the workspace and invited guests can join this meeting.")
    }

    // MARK: Live life cycle (the hub)

    /// The first participant (`person`) joined: the meeting is live from now (once; later
    /// calls do nothing). Then every other member of the workspace is told (`meeting-started`,
    /// with "Gå med" in the notification centre), guests who are members included.
    public func markStarted(_ id: MeetingID, by person: PersonID) async throws {
        guard try await store.markMeetingStarted(id, at: clock.now()), let notifications,
              let meeting = try await store.meeting(id: id) else { return }
        var members: [PersonID] = []
        var offset = 0
        while true {
            let page = try await store.members(of: meeting.workspaceID, page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            members += page.items.map(\.person.id)
            offset += page.items.count
            if page.items.isEmpty || offset >= page.total { break }
        }
        await notifications.notify(NotificationRequest(
            kind: .meetingStarted, recipients: members.filter { $0 != person }, actorID: person, workspaceID: meeting.workspaceID,
            meetingID: meeting.id, excerpt: meeting.title, link: "#/meetings/\(meeting.id)", createdAt: clock.now()))
    }

    /// A moderator ends the meeting for everyone. Ending an ended meeting changes nothing and
    /// returns it as it is. The stored end comes first, then the hub is told (`MeetingLive.ended`):
    /// everyone in the meeting and its lobby hears it and the audio stops. Telling the hub again
    /// for a meeting that had already ended is harmless: its room is gone.
    public func end(viewer: Viewer, meeting id: MeetingID) async throws -> Meeting {
        let access = try await access(viewer: viewer, meeting: id, hidden: true)
        guard access.moderator else { throw DomainError.forbidden("Only the meeting's moderators can end it.") }
        let ended = try await end(meeting: id, by: viewer.id)
        await live.ended(id, by: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
        return ended
    }

    /// Ends the meeting without checking who asks (the hub has already checked that `by` is a
    /// moderator, and tells its room itself). Idempotent: the first end stays.
    @discardableResult
    public func end(meeting id: MeetingID, by: PersonID) async throws -> Meeting {
        _ = try await store.markMeetingEnded(id, at: clock.now(), by: by)
        guard let meeting = try await store.meeting(id: id) else { throw DomainError.notFound("Meeting") }
        return meeting
    }

    /// Someone was admitted into the meeting; returns the stay's id for `attendanceEnded`.
    public func attendanceBegan(meeting: MeetingID, person: PersonID, at: Date) async throws -> Int64 {
        try await store.openAttendance(MeetingAttendance(meetingID: meeting, personID: person, joinedAt: at))
    }

    /// They left (or were removed, or the meeting ended). Closing twice keeps the first time.
    public func attendanceEnded(_ id: Int64, at: Date) async throws {
        try await store.closeAttendance(id, at: at)
    }

    /// Who took part and when, oldest first (moderators only).
    public func attendance(viewer: Viewer, meeting id: MeetingID) async throws -> [AttendanceEntry] {
        let access = try await access(viewer: viewer, meeting: id, hidden: true)
        guard access.moderator else { throw DomainError.forbidden("Only the meeting's moderators can see who took part.") }
        let stays = try await store.attendance(meeting: id)
        let names = try await Names.load(Set(stays.map(\.personID)), from: store)
        return stays.map { AttendanceEntry(person: names.ref($0.personID), joinedAt: $0.joinedAt, leftAt: $0.leftAt) }
    }

    /// `list` with names and the viewer's moderator flag.
    public func views(viewer: Viewer, workspace: WorkspaceID, includeEnded: Bool) async throws -> [MeetingView] {
        let meetings = try await list(viewer: viewer, workspace: workspace, includeEnded: includeEnded)
        let owner = try await store.membership(workspace: workspace, person: viewer.id) == .owner
        let names = try await Names.load(Set(meetings.map(\.createdBy) + meetings.compactMap(\.endedBy)), from: store)
        var views: [MeetingView] = []
        for meeting in meetings {
            views.append(MeetingView(
                meeting: meeting, moderator: owner || meeting.createdBy == viewer.id, createdBy: names.ref(meeting.createdBy),
                endedBy: meeting.endedBy.map(names.ref), participants: await participants(meeting)))
        }
        return views
    }

    /// `meeting` with names and the viewer's moderator flag.
    public func view(viewer: Viewer, id: MeetingID) async throws -> MeetingView {
        try await view(of: try await access(viewer: viewer, meeting: id, hidden: true))
    }

    /// `participants`: who is in it, when the caller has just asked the hub.
    func view(of access: MeetingAccess, participants known: [LiveJSON.PersonRef]? = nil) async throws -> MeetingView {
        let meeting = access.meeting
        let names = try await Names.load(Set([meeting.createdBy] + (meeting.endedBy.map { [$0] } ?? [])), from: store)
        var participants = known
        if participants == nil { participants = await self.participants(meeting) }
        return MeetingView(meeting: meeting, moderator: access.moderator, createdBy: names.ref(meeting.createdBy), endedBy: meeting.endedBy.map(names.ref),
                           participants: participants ?? [])
    }

    /// Who is in a live meeting now, from the hub; nobody is in any other.
    private func participants(_ meeting: Meeting) async -> [LiveJSON.PersonRef] {
        meeting.state == .live ? await live.roster(of: meeting.id) : []
    }

    private func requireMember(_ viewer: Viewer, _ workspace: WorkspaceID) async throws {
        if try await store.membership(workspace: workspace, person: viewer.id) != nil { return }
        guard let found = try await store.workspace(id: workspace),
              WorkspacePolicy.canSee(found.visibility, viewer: viewer.role, membership: nil) else {
            throw DomainError.notFound("Workspace")
        }
        throw DomainError.forbidden("Only members of the workspace can see its meetings.")
    }

    static func swedishDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "sv_SE")
        formatter.timeZone = TimeZone(identifier: "Europe/Stockholm")
        formatter.dateFormat = "d MMMM yyyy 'kl.' HH:mm"
        return formatter.string(from: date)
    }
}
