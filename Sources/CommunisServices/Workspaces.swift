import CommunisModel
import CommunisStore
import Foundation

/// A change of a workspace's settings; nil leaves a field as it is.
public struct WorkspaceChange: Sendable {
    public var name: String?
    public var description: String?
    public var visibility: Visibility?

    public init(name: String? = nil, description: String? = nil, visibility: Visibility? = nil) {
        self.name = name
        self.description = description
        self.visibility = visibility
    }
}

/// Workspaces (samarbetsytor) and who is in them. Every call checks the viewer's rights
/// with `WorkspacePolicy` first; a workspace the viewer may not know of is "not found".
public struct Workspaces: Sendable {
    let store: any CommunisStore
    let publisher: any LivePublisher
    /// Owns the recordings folder: a deleted workspace's recording files go through it. Nil
    /// in tools and tests that keep no recordings.
    let recordings: Recordings?
    let clock: Clock

    public init(store: any CommunisStore, publisher: any LivePublisher = NoLivePublisher(), recordings: Recordings? = nil, clock: Clock = Clock()) {
        self.store = store
        self.publisher = publisher
        self.recordings = recordings
        self.clock = clock
    }

    /// The workspace as `viewer` sees it, or `notFound` when they may not know it exists.
    public func workspace(viewer: Viewer, id: WorkspaceID) async throws -> WorkspaceListing {
        guard let overview = try await store.overview(id: id) else { throw DomainError.notFound("Workspace") }
        let role = try await store.membership(workspace: id, person: viewer.id)
        guard WorkspacePolicy.canSee(overview.workspace.visibility, viewer: viewer.role, membership: role) else {
            throw DomainError.notFound("Workspace")
        }
        let pending = role == nil ? try await store.hasJoinRequest(workspace: id, person: viewer.id) : false
        return WorkspaceListing(overview: overview, myRole: role, myRequestPending: pending)
    }

    /// Whether `viewer` may follow the workspace live (subscribe to its events, presence and
    /// typing): members only, guests included in the workspaces they were invited to. An
    /// employee reading an open workspace reads it over HTTP. False for secret and unknown
    /// workspaces alike, so the answer does not tell them apart.
    public func maySubscribe(viewer: Viewer, workspace id: WorkspaceID) async throws -> Bool {
        try await store.membership(workspace: id, person: viewer.id) != nil
    }

    public func mine(viewer: Viewer, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        try await store.workspaces(of: viewer.id, text: text, page: page)
    }

    /// Open and closed workspaces to join; guests discover nothing.
    public func discover(viewer: Viewer, text: String?, page: PageRequest) async throws -> Page<WorkspaceListing> {
        guard viewer.role.isEmployee else { return Page(items: [], total: 0, request: page) }
        return try await store.discoverableWorkspaces(for: viewer.id, text: text, page: page)
    }

    public func create(viewer: Viewer, name: String, description: String, visibility: Visibility) async throws -> WorkspaceListing {
        guard WorkspacePolicy.canCreate(viewer: viewer.role) else {
            throw DomainError.forbidden("Guests cannot create workspaces.")
        }
        var validator = Validator()
        let name = validator.text(name, field: "name", required: true, max: Limits.nameLength)
        let description = validator.text(description, field: "description", max: Limits.descriptionLength)
        try validator.check()
        let workspace = Workspace(name: name, description: description, visibility: visibility, createdBy: viewer.id, createdAt: clock.now())
        try await store.createWorkspace(workspace, owner: viewer.id)
        return try await self.workspace(viewer: viewer, id: workspace.id)
    }

    public func update(viewer: Viewer, id: WorkspaceID, change: WorkspaceChange) async throws -> WorkspaceListing {
        let current = try await requireOwner(viewer, id)
        var workspace = current.overview.workspace
        var validator = Validator()
        if let name = change.name { workspace.name = validator.text(name, field: "name", required: true, max: Limits.nameLength) }
        if let description = change.description {
            workspace.description = validator.text(description, field: "description", max: Limits.descriptionLength)
        }
        if let visibility = change.visibility { workspace.visibility = visibility }
        try validator.check()
        try await store.updateWorkspace(workspace)
        return try await self.workspace(viewer: viewer, id: id)
    }

    /// Deletes the workspace with everything in it: its rows (one transaction in the store),
    /// then its recordings' files, then everyone's live subscription to it.
    public func delete(viewer: Viewer, id: WorkspaceID) async throws {
        guard let workspace = try await store.workspace(id: id) else { throw DomainError.notFound("Workspace") }
        let role = try await store.membership(workspace: id, person: viewer.id)
        guard WorkspacePolicy.canDelete(viewer: viewer.role, membership: role) else {
            if !WorkspacePolicy.canSee(workspace.visibility, viewer: viewer.role, membership: role) {
                throw DomainError.notFound("Workspace")
            }
            throw DomainError.forbidden("Only the workspace's owners or an administrator can delete it.")
        }
        try await store.deleteWorkspace(id: id)
        try await audit.record(.workspaceDeleted, by: viewer, target: AuditRef(type: "workspace", id: id.description, name: workspace.name),
                               details: ["visibility": workspace.visibility.rawValue])
        // Its recordings' rows went with it; their files go now.
        recordings?.removeFiles(ofWorkspace: id)
        await publisher.workspaceDeleted(id)
    }

    // MARK: Members

    public func members(viewer: Viewer, id: WorkspaceID, page: PageRequest) async throws -> Page<Member> {
        let listing = try await workspace(viewer: viewer, id: id)
        guard WorkspacePolicy.canRead(listing.overview.workspace.visibility, viewer: viewer.role, membership: listing.myRole) else {
            throw DomainError.forbidden("Only members see who is in this workspace.")
        }
        let page = try await store.members(of: id, page: page)
        guard !viewer.role.isEmployee else { return page }
        // A guest sees who the members are, not their contact or job details.
        var seen = page
        seen.items = page.items.map { member in
            var member = member
            member.person = member.person.seen(by: viewer.role, isSelf: member.person.id == viewer.id)
            return member
        }
        return seen
    }

    /// An owner adds (invites) an existing employee or guest; they are a member at once.
    public func addMember(viewer: Viewer, id: WorkspaceID, person personID: PersonID, role: MembershipRole = .member) async throws -> Member {
        _ = try await requireOwner(viewer, id)
        guard let person = try await store.person(id: personID), !person.disabled else { throw DomainError.notFound("Person") }
        guard WorkspacePolicy.mayHold(role, role: person.role) else {
            throw DomainError.validation([FieldError(field: "role", message: "guests cannot be owners of a workspace")])
        }
        let membership = Membership(workspaceID: id, personID: personID, role: role, joinedAt: clock.now())
        try await store.addMember(membership)
        try await auditMembership(.membershipAdded, viewer: viewer, workspace: id, person: person, details: ["role": role.rawValue])
        return Member(person: person, role: role, joinedAt: membership.joinedAt)
    }

    public func setRole(viewer: Viewer, id: WorkspaceID, person personID: PersonID, role: MembershipRole) async throws -> Member {
        _ = try await requireOwner(viewer, id)
        guard let person = try await store.person(id: personID) else { throw DomainError.notFound("Member") }
        guard WorkspacePolicy.mayHold(role, role: person.role) else {
            throw DomainError.validation([FieldError(field: "role", message: "guests cannot be owners of a workspace")])
        }
        let before = try await store.membership(workspace: id, person: personID)
        try await store.setMemberRole(workspace: id, person: personID, role: role)
        if before != role {
            try await auditMembership(.membershipRoleChanged, viewer: viewer, workspace: id, person: person,
                                      details: ["from": before?.rawValue ?? "", "to": role.rawValue])
        }
        return try await member(id, personID)
    }

    /// Owners remove anyone; every member may remove themself (leave).
    public func removeMember(viewer: Viewer, id: WorkspaceID, person personID: PersonID) async throws {
        if personID != viewer.id { _ = try await requireOwner(viewer, id) } else { _ = try await workspace(viewer: viewer, id: id) }
        let role = try await store.membership(workspace: id, person: personID)
        try await store.removeMember(workspace: id, person: personID)
        if let person = try await store.person(id: personID) {
            try await auditMembership(.membershipRemoved, viewer: viewer, workspace: id, person: person,
                                      details: ["role": role?.rawValue ?? "", "left": String(personID == viewer.id)])
        }
        // Their live subscription ends now, not at their next reconnect.
        await publisher.membershipEnded(workspace: id, person: personID)
    }

    public enum JoinResult: String, Sendable { case member, pending }

    public func join(viewer: Viewer, id: WorkspaceID) async throws -> JoinResult {
        let listing = try await workspace(viewer: viewer, id: id)
        switch WorkspacePolicy.join(listing.overview.workspace.visibility, viewer: viewer.role, membership: listing.myRole) {
        case .joinNow:
            try await store.addMember(Membership(workspaceID: id, personID: viewer.id, role: .member, joinedAt: clock.now()))
            try await auditMembership(.membershipAdded, viewer: viewer, workspace: id, person: viewer.person, details: ["role": "member", "joined": "true"])
            return .member
        case .request:
            try await store.insertJoinRequest(workspace: id, person: viewer.id, at: clock.now())
            return .pending
        case .refused(let error):
            throw error
        }
    }

    public func joinRequests(viewer: Viewer, id: WorkspaceID) async throws -> [JoinRequest] {
        _ = try await requireOwner(viewer, id)
        return try await store.joinRequests(of: id)
    }

    public func approve(viewer: Viewer, id: WorkspaceID, person personID: PersonID) async throws -> Member {
        _ = try await requireOwner(viewer, id)
        guard try await store.hasJoinRequest(workspace: id, person: personID) else { throw DomainError.notFound("Join request") }
        let membership = Membership(workspaceID: id, personID: personID, role: .member, joinedAt: clock.now())
        try await store.addMember(membership)
        let approved = try await member(id, personID)
        try await auditMembership(.membershipAdded, viewer: viewer, workspace: id, person: approved.person, details: ["role": "member", "approved": "true"])
        return approved
    }

    /// An owner declines a request, or the requester withdraws it.
    public func decline(viewer: Viewer, id: WorkspaceID, person personID: PersonID) async throws {
        if personID != viewer.id { _ = try await requireOwner(viewer, id) } else { _ = try await workspace(viewer: viewer, id: id) }
        guard try await store.deleteJoinRequest(workspace: id, person: personID) else { throw DomainError.notFound("Join request") }
    }

    // MARK: Helpers

    var audit: AuditLog { AuditLog(store: store, clock: clock) }

    func auditMembership(_ action: AuditAction, viewer: Viewer, workspace id: WorkspaceID, person: Person, details: [String: String]) async throws {
        let name = try await store.workspace(id: id)?.name ?? ""
        try await audit.record(action, by: viewer, target: .person(person), workspace: AuditRef(type: "workspace", id: id.description, name: name),
                               details: details)
    }

    @discardableResult
    func requireOwner(_ viewer: Viewer, _ id: WorkspaceID) async throws -> WorkspaceListing {
        let listing = try await workspace(viewer: viewer, id: id)
        guard WorkspacePolicy.canManage(viewer: viewer.role, membership: listing.myRole) else {
            throw DomainError.forbidden("Only the workspace's owners can do this.")
        }
        return listing
    }

    func member(_ id: WorkspaceID, _ personID: PersonID) async throws -> Member {
        guard let member = try await store.member(workspace: id, person: personID) else { throw DomainError.notFound("Member") }
        return member
    }
}
