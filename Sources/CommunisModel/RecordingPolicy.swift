import Foundation

/// Who may do what with a recording: pure rules over the viewer's role, their membership in
/// the recording's workspace, whether it is shared with the organisation, and whether the
/// viewer started it.
///
/// - Read (list, play, download): whoever may read the workspace's content
///   (`WorkspacePolicy.canRead`: its members, guests included, and employees in an open
///   workspace); when shared with the organisation also every employee, never guests — except
///   in a secret workspace, whose recordings never reach outsiders (its existence must not
///   leak through a title or its name).
/// - Manage (rename, share, edit chapters, delete): among those who may read, the person who
///   started it, the workspace's owners and administrators.
public enum RecordingPolicy {
    public static func canRead(_ visibility: Visibility, viewer: Role, membership: MembershipRole?, shared: Bool) -> Bool {
        if WorkspacePolicy.canRead(visibility, viewer: viewer, membership: membership) { return true }
        return shared && viewer.isEmployee && visibility != .secret
    }

    /// Whether a viewer who may not read may still learn that the recording exists (and get
    /// `forbidden` rather than `notFound`): as for the workspace itself.
    public static func mayKnowOf(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> Bool {
        WorkspacePolicy.canSee(visibility, viewer: viewer, membership: membership)
    }

    public static func canManage(_ visibility: Visibility, viewer: Role, membership: MembershipRole?, shared: Bool, startedBySelf: Bool) -> Bool {
        guard canRead(visibility, viewer: viewer, membership: membership, shared: shared) else { return false }
        return startedBySelf || membership == .owner || viewer == .admin
    }

    /// Sharing with the organisation is refused in a secret workspace: it would show the
    /// recording (and the workspace's name) to outsiders.
    public static func canShare(_ visibility: Visibility) -> Bool { visibility != .secret }
}
