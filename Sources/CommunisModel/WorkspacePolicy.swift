import Foundation

/// Who may do what with a workspace: pure rules over the viewer's role and membership,
/// tested without storage. Every read and change in the services asks these first.
public enum WorkspacePolicy {
    /// Whether `viewer` may know the workspace exists. Secret workspaces exist only for their
    /// members; guests know only the workspaces they belong to.
    public static func canSee(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> Bool {
        if membership != nil { return true }
        guard viewer.isEmployee else { return false }
        return visibility != .secret
    }

    /// Whether `viewer` may read the member list and (later) the contents.
    public static func canRead(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> Bool {
        if membership != nil { return true }
        return viewer.isEmployee && visibility == .open
    }

    /// What happens when a non-member asks to join.
    public enum JoinOutcome: Equatable, Sendable {
        case joinNow
        case request
        case refused(DomainError)
    }

    public static func join(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> JoinOutcome {
        if membership != nil { return .refused(.conflict("You are already a member of this workspace.")) }
        guard viewer.isEmployee else { return .refused(.forbidden("Guests join workspaces only by invitation.")) }
        switch visibility {
        case .open: return .joinNow
        case .closed: return .request
        case .secret: return .refused(.notFound("Workspace"))
        }
    }

    public static func canManage(viewer: Role, membership: MembershipRole?) -> Bool {
        membership == .owner
    }

    public static func canDelete(viewer: Role, membership: MembershipRole?) -> Bool {
        membership == .owner || viewer == .admin
    }

    public static func canCreate(viewer: Role) -> Bool { viewer.isEmployee }

    /// Whether a person with `role` may hold `membership` in a workspace. Guests never own one:
    /// an external person must not control who sees a municipal workspace.
    public static func mayHold(_ membership: MembershipRole, role: Role) -> Bool {
        membership == .member || role.isEmployee
    }

    /// Removing or demoting an owner must leave at least one owner.
    public static func leavesAnOwner(currentOwners: Int, removingOwner: Bool) -> Bool {
        !removingOwner || currentOwners > 1
    }
}

/// Who may see whom in the people directory.
public enum DirectoryPolicy {
    /// Guests do not get the directory at all.
    public static func canSearch(viewer: Role) -> Bool { viewer.isEmployee }

    /// Employees see employees; a guest's profile is visible to the people who share a
    /// workspace with them; everyone sees themself.
    public static func canView(target: Role, viewer: Role, isSelf: Bool, sharesWorkspace: Bool) -> Bool {
        if isSelf { return true }
        if !viewer.isEmployee { return sharesWorkspace }
        return target.isEmployee || sharesWorkspace
    }

    /// Whether `viewer` sees a person's contact and job details (e-mail, phone, department,
    /// workplace, presentation, competences): employees do, and everyone about themself. A
    /// guest sees of the people in their workspaces what the workspace shows anyway (name,
    /// title, role): the directory is not theirs to mine (`Person.asSeenByGuest`).
    public static func seesContactDetails(viewer: Role, isSelf: Bool) -> Bool {
        isSelf || viewer.isEmployee
    }
}

extension Person {
    /// This person as a guest sees them (`DirectoryPolicy.seesContactDetails`): id, name,
    /// title, role and account state; no e-mail, phone, department, workplace, presentation
    /// or competences, and nothing about the account's origin.
    public var asSeenByGuest: Person {
        Person(id: id, email: "", name: name, role: role, profile: Profile(title: profile.title), disabled: disabled, createdAt: createdAt)
    }

    /// This person as `viewer` may see them.
    public func seen(by viewer: Role, isSelf: Bool) -> Person {
        DirectoryPolicy.seesContactDetails(viewer: viewer, isSelf: isSelf) ? self : asSeenByGuest
    }
}
