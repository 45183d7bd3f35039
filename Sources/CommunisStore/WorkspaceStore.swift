import CommunisModel
import Foundation

/// A pending invitation of a guest into a workspace. The link holds a random token; only its
/// SHA-256 is stored.
public struct GuestInvitationRecord: Sendable, Equatable {
    public var tokenHash: String
    public var workspaceID: WorkspaceID
    public var personID: PersonID
    public var invitedBy: PersonID
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?

    public init(tokenHash: String, workspaceID: WorkspaceID, personID: PersonID, invitedBy: PersonID, createdAt: Date, expiresAt: Date, acceptedAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.workspaceID = workspaceID
        self.personID = personID
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }
}

/// A workspace as one person sees it in a list.
public struct WorkspaceListing: Sendable, Equatable {
    public var overview: WorkspaceOverview
    public var myRole: MembershipRole?
    public var myRequestPending: Bool

    public init(overview: WorkspaceOverview, myRole: MembershipRole?, myRequestPending: Bool) {
        self.overview = overview
        self.myRole = myRole
        self.myRequestPending = myRequestPending
    }
}

/// Workspaces, memberships, join requests and guest invitations. Every method that changes
/// more than one row does it in one transaction; the owner rules that depend on counts
/// (the last owner) are checked inside that transaction, so two owners leaving at once
/// cannot leave a workspace without one.
public protocol WorkspaceStore: Sendable {
    /// Creates the workspace and makes `owner` its owner, in one transaction.
    func createWorkspace(_ workspace: Workspace, owner: PersonID) async throws
    func workspace(id: WorkspaceID) async throws -> Workspace?
    func overview(id: WorkspaceID) async throws -> WorkspaceOverview?
    /// Replaces name, description and visibility. Throws `notFound` if it does not exist.
    func updateWorkspace(_ workspace: Workspace) async throws
    /// Deletes the workspace with its memberships, requests and invitations.
    func deleteWorkspace(id: WorkspaceID) async throws

    func membership(workspace: WorkspaceID, person: PersonID) async throws -> MembershipRole?
    /// One member with their person and join time, or nil if not a member.
    func member(workspace: WorkspaceID, person: PersonID) async throws -> Member?
    /// The workspaces `person` belongs to, ordered by name; `text` filters by name (case-insensitive substring).
    func workspaces(of person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing>
    /// Open and closed workspaces `person` does not belong to, ordered by name, with the
    /// pending-request flag. Never secret ones.
    func discoverableWorkspaces(for person: PersonID, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing>
    /// Owners first, then by name.
    func members(of workspace: WorkspaceID, page: PageRequest) async throws -> Page<Member>
    /// Adds a member and removes a pending join request of that person, in one transaction.
    /// Throws `conflict` if already a member.
    func addMember(_ membership: Membership) async throws
    /// Changes a member's role. Throws `notFound` if not a member, `conflict` if it would
    /// leave the workspace without an owner.
    func setMemberRole(workspace: WorkspaceID, person: PersonID, role: MembershipRole) async throws
    /// Removes a member. Throws `notFound` if not a member, `conflict` if it would leave the
    /// workspace without an owner.
    func removeMember(workspace: WorkspaceID, person: PersonID) async throws
    /// Whether the two people are members of at least one common workspace.
    func shareWorkspace(_ a: PersonID, _ b: PersonID) async throws -> Bool

    /// Throws `conflict` if a request is already pending.
    func insertJoinRequest(workspace: WorkspaceID, person: PersonID, at: Date) async throws
    /// Oldest first.
    func joinRequests(of workspace: WorkspaceID) async throws -> [JoinRequest]
    func hasJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool
    /// Returns whether a request was removed.
    func deleteJoinRequest(workspace: WorkspaceID, person: PersonID) async throws -> Bool

    func insertInvitation(_ invitation: GuestInvitationRecord) async throws
    func invitation(tokenHash: String) async throws -> GuestInvitationRecord?
    /// In one transaction: checks the invitation is unused and unexpired at `at` (else throws
    /// `DomainError.invitationInvalid`), sets the guest's password if `passwordHash` is given,
    /// adds the membership (if not already there) and marks the invitation accepted.
    func acceptInvitation(tokenHash: String, passwordHash: String?, at: Date) async throws -> PersonID
}

/// Everything the server stores, behind one value. An engine implements all of it and passes
/// the contract tests in `CommunisStoreSQLiteTests` (to be shared with later engines).
public protocol CommunisStore: PeopleStore, SessionStore, WorkspaceStore, LiveStore, MeetingStore, HowToStore, SearchStore, RecordingStore, DocumentStore,
    IdentityStore, AuditStore, MailOutboxStore, LoginStore, JobStore,
    PushStore, NotificationStore, NewsStore {
    /// Answers when the database can be read; throws otherwise. Used by `/healthz`.
    func ping() async throws
    /// Closes the database; further calls fail.
    func close() async throws
}
