import Foundation

/// Who may do what with a how-to article: pure rules over the viewer's role, their
/// membership in the article's workspace and whether they own it.
///
/// - Read: a workspace's articles — its members (guests included, in their workspaces);
///   organisation-wide ones — every employee, never guests.
/// - Edit: a workspace's articles — its members who are not guests; organisation-wide ones —
///   their owner and administrators.
/// - Archive, restore and delete: the owner, the workspace's owners, administrators.
public enum HowToPolicy {
    /// Where an article lives, as the rules need to know it.
    public enum Scope: Sendable, Equatable {
        case organisation
        case workspace(Visibility)
    }

    public static func canRead(_ scope: Scope, viewer: Role, membership: MembershipRole?) -> Bool {
        switch scope {
        case .organisation: viewer.isEmployee
        case .workspace: membership != nil
        }
    }

    /// Whether a reader who may not read may still learn that the article exists (and get
    /// `forbidden` rather than `notFound`). Articles of secret workspaces, and everything a
    /// guest may not read, do not exist for them.
    public static func mayKnowOf(_ scope: Scope, viewer: Role, membership: MembershipRole?) -> Bool {
        switch scope {
        case .organisation: viewer.isEmployee
        case .workspace(let visibility): WorkspacePolicy.canSee(visibility, viewer: viewer, membership: membership)
        }
    }

    /// Creating needs the same standing as editing (nobody owns a new article yet, so the
    /// organisation-wide case is any employee: they become its owner).
    public static func canCreate(_ scope: Scope, viewer: Role, membership: MembershipRole?) -> Bool {
        switch scope {
        case .organisation: viewer.isEmployee
        case .workspace: membership != nil && viewer.isEmployee
        }
    }

    public static func canEdit(_ scope: Scope, viewer: Role, membership: MembershipRole?, isOwner: Bool) -> Bool {
        switch scope {
        case .organisation: viewer.isEmployee && (isOwner || viewer == .admin)
        case .workspace: membership != nil && viewer.isEmployee
        }
    }

    /// Archive, make current again, delete. Only for someone who may read the article: an
    /// administrator who is not a member of its workspace does not see it, so cannot manage it.
    public static func canManage(_ scope: Scope, viewer: Role, membership: MembershipRole?, isOwner: Bool) -> Bool {
        guard canRead(scope, viewer: viewer, membership: membership) else { return false }
        return isOwner || membership == .owner || viewer == .admin
    }
}
