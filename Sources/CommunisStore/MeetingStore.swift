import CommunisModel
import Foundation

/// Web meetings: the meetings of a workspace, guest invitation links into one meeting, and who
/// took part when. Live state (who is in a meeting right now, the lobby) is the hub's and is
/// never stored; what is stored is what must outlive a restart.
public protocol MeetingStore: Sendable {
    /// Inserts a meeting. Throws `notFound("Workspace")` when its workspace does not exist,
    /// `conflict` when the id is taken.
    func createMeeting(_ meeting: Meeting) async throws
    func meeting(id: MeetingID) async throws -> Meeting?
    /// The meetings of a workspace: live ones first, then scheduled ones, then (only with
    /// `includeEnded`) ended ones; within each group the newest (by creation) first, then by id.
    func meetings(workspace: WorkspaceID, includeEnded: Bool) async throws -> [Meeting]
    /// The meetings that have started and not ended in the workspaces `person` is a member of,
    /// the most recently started first (then by id).
    func liveMeetings(of person: PersonID) async throws -> [Meeting]
    /// The meetings whose chat is one of `threads` (a thread is the chat of at most one meeting).
    func meetings(chatThreads threads: Set<ThreadID>) async throws -> [ThreadID: Meeting]
    /// Sets `startedAt` to `at` when the meeting has neither started nor ended; returns whether
    /// it changed (false for a meeting already started, ended, or unknown).
    func markMeetingStarted(_ id: MeetingID, at: Date) async throws -> Bool
    /// Sets `endedAt`/`endedBy` once: returns true when this call ended the meeting, false when
    /// it had already ended (the first end stays). Throws `notFound("Meeting")` when unknown.
    func markMeetingEnded(_ id: MeetingID, at: Date, by: PersonID?) async throws -> Bool

    /// Inserts an invitation (with `guestID` nil). Throws `notFound("Meeting")` when the
    /// meeting does not exist, `conflict` when the token hash or id is taken.
    func insertMeetingInvitation(_ invitation: MeetingInvitation) async throws
    func meetingInvitation(tokenHash: String) async throws -> MeetingInvitation?
    /// The invitation of `meeting` bound to the guest account `guest`, if any.
    /// The invitation a link guest's account was made by (nil for any other person).
    func meetingInvitation(guest: PersonID) async throws -> MeetingInvitation?
    func meetingInvitation(meeting: MeetingID, guest: PersonID) async throws -> MeetingInvitation?
    /// Binds the invitation to its guest account, in one transaction: when the invitation is
    /// already bound, returns that person and inserts nothing (two devices opening the same
    /// link at once get the same account); otherwise inserts `newGuest` (without a password)
    /// and binds it. Throws `notFound("Invitation")` when the invitation does not exist,
    /// `conflict` when `newGuest`'s e-mail is taken.
    func bindMeetingGuest(invitation: MeetingInvitationID, newGuest: Person) async throws -> Person

    /// Opens a stay of `attendance.personID` in the meeting (`leftAt` is ignored) and returns its
    /// id. Throws `notFound("Meeting")` or `notFound("Person")` when either does not exist.
    func openAttendance(_ attendance: MeetingAttendance) async throws -> Int64
    /// Closes a stay at `at`. Closing a closed or unknown stay does nothing (the first close stays).
    func closeAttendance(_ id: Int64, at: Date) async throws
    /// Closes every stay still open, at `at`, and returns how many. Called once at start-up:
    /// live meetings are held in memory, so after a crash nobody is in a meeting any more and
    /// the stays that the crash left open end at the restart.
    func closeOpenAttendance(at: Date) async throws -> Int
    /// The same for one meeting (in a cluster: a meeting whose relaying node died).
    func closeOpenAttendance(of meeting: MeetingID, at: Date) async throws -> Int
    /// The meetings that have a stay still open.
    func meetingsWithOpenAttendance() async throws -> Set<MeetingID>
    /// Every stay in the meeting, oldest join first (then in the order they were opened).
    func attendance(meeting: MeetingID) async throws -> [MeetingAttendance]
}
