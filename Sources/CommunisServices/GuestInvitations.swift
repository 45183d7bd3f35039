import CommunisModel
import CommunisStore
import Foundation

/// The answer to inviting a guest: `token` is set when the guest must follow a link to set
/// a password (a new guest); an existing guest is simply added.
public struct GuestInvitationResult: Sendable {
    public var person: Person
    public var workspaceID: WorkspaceID
    public var token: String?
    public var expiresAt: Date?
    /// The link was put in the outbox for the guest.
    public var emailed: Bool = false
}

/// What an invitation link shows before the guest has an account to log in with.
public struct InvitationInfo: Sendable {
    public var workspaceName: String
    public var email: String
    public var name: String
    public var expiresAt: Date
    /// False when the guest already has a password (they confirm with it).
    public var needsPassword: Bool
}

/// Guests (extranet, C9): people from outside invited into one workspace by its owner. There
/// is no open door: a guest account exists only through an owner's invitation, its link is a
/// random secret, valid once and for a limited time.
public struct GuestInvitations: Sendable {
    let store: any CommunisStore
    let hasher: any PasswordHasher
    let workspaces: Workspaces
    let administration: Administration
    let lifetime: TimeInterval
    let outbox: Outbox?
    let clock: Clock

    public init(store: any CommunisStore, hasher: any PasswordHasher, lifetime: TimeInterval, outbox: Outbox? = nil, clock: Clock = Clock()) {
        self.store = store
        self.hasher = hasher
        self.workspaces = Workspaces(store: store, clock: clock)
        self.administration = Administration(store: store, hasher: hasher, clock: clock)
        self.lifetime = lifetime
        self.outbox = outbox
        self.clock = clock
    }

    /// Invites a guest; when e-mail is configured, the link is mailed to them too (in
    /// `language`), starting with `baseURL`.
    public func invite(viewer: Viewer, workspace id: WorkspaceID, email rawEmail: String, name: String,
                       language: MailTemplates.Language = .sv, baseURL: String = "") async throws -> GuestInvitationResult {
        var result = try await issue(viewer: viewer, workspace: id, email: rawEmail, name: name)
        if let token = result.token, let expiresAt = result.expiresAt, let outbox, !baseURL.isEmpty {
            let workspace = try await store.workspace(id: id)
            try await outbox.enqueue(MailTemplates.guestInvitation(
                to: result.person.email, name: result.person.name, inviterName: viewer.person.name, workspaceName: workspace?.name ?? "",
                link: "\(baseURL)/#/invitation/\(token)", expiresAt: expiresAt, language: language), kind: "guest-invitation")
            result.emailed = true
        }
        return result
    }

    private func issue(viewer: Viewer, workspace id: WorkspaceID, email rawEmail: String, name: String) async throws -> GuestInvitationResult {
        try await workspaces.requireOwner(viewer, id)
        var validator = Validator()
        let email = validator.email(rawEmail)
        try validator.check()
        let guest: Person
        if let existing = try await store.credentials(email: email) {
            guard existing.person.role == .guest else {
                throw DomainError.conflict("\(email) belongs to an employee: add them as a member instead.")
            }
            if try await store.membership(workspace: id, person: existing.person.id) != nil {
                throw DomainError.conflict("\(existing.person.name) is already a member of this workspace.")
            }
            if existing.passwordHash != nil {
                _ = try await workspaces.addMember(viewer: viewer, id: id, person: existing.person.id)
                return GuestInvitationResult(person: existing.person, workspaceID: id, token: nil, expiresAt: nil)
            }
            guest = existing.person
        } else {
            guest = try await administration.createAccount(NewAccount(email: email, name: name, password: nil, role: .guest))
        }
        let token = Secrets.newToken()
        let now = clock.now()
        let invitation = GuestInvitationRecord(
            tokenHash: Secrets.hash(token), workspaceID: id, personID: guest.id, invitedBy: viewer.id,
            createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        try await store.insertInvitation(invitation)
        return GuestInvitationResult(person: guest, workspaceID: id, token: token, expiresAt: invitation.expiresAt)
    }

    public func info(token: String) async throws -> InvitationInfo {
        let (invitation, credentials, workspace) = try await valid(token)
        return InvitationInfo(
            workspaceName: workspace.name, email: credentials.person.email, name: credentials.person.name,
            expiresAt: invitation.expiresAt, needsPassword: credentials.passwordHash == nil)
    }

    /// Accepts an invitation: a new guest chooses a password; a guest who already has one
    /// confirms with it (the link alone never resets a password). Returns the guest.
    public func accept(token: String, password: String) async throws -> Person {
        let (_, credentials, _) = try await valid(token)
        var newHash: String?
        if let existing = credentials.passwordHash {
            guard await hasher.verify(password, hash: existing) else { throw DomainError.invalidCredentials }
        } else {
            var validator = Validator()
            validator.password(password)
            try validator.check()
            newHash = await hasher.hash(password)
        }
        let (invitation, _, workspace) = try await valid(token)
        let personID = try await store.acceptInvitation(tokenHash: Secrets.hash(token), passwordHash: newHash, at: clock.now())
        guard let person = try await store.person(id: personID) else { throw DomainError.invitationInvalid }
        let inviter = try await store.person(id: invitation.invitedBy)
        try await AuditLog(store: store, clock: clock).record(AuditEntry(
            at: clock.now(), action: .membershipAdded, actor: inviter.map(AuditRef.person), target: .person(person),
            workspace: AuditRef(type: "workspace", id: workspace.id.description, name: workspace.name), via: .hand,
            details: ["role": "member", "invitation": "accepted"]))
        return person
    }

    private func valid(_ token: String) async throws -> (GuestInvitationRecord, Credentials, Workspace) {
        guard let invitation = try await store.invitation(tokenHash: Secrets.hash(token)),
              invitation.acceptedAt == nil, invitation.expiresAt > clock.now(),
              let credentials = try await store.credentials(id: invitation.personID), !credentials.person.disabled,
              let workspace = try await store.workspace(id: invitation.workspaceID) else {
            throw DomainError.invitationInvalid
        }
        return (invitation, credentials, workspace)
    }
}
