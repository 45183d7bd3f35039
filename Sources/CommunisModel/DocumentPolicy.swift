import Foundation

/// Who may do what with a workspace's document library: pure rules over the viewer's role
/// and membership, tested without storage.
///
/// - Read (list, open, versions, previews, links, search): whoever may read the workspace's
///   content (`WorkspacePolicy.canRead`: members; employees too for open workspaces).
/// - Write (upload, new version, folders, rename, move, lock, trash, restore): members of the
///   workspace, guests who are members included.
/// - Approve (fastställ) and break someone else's lock: the workspace's owners and
///   administrators, provided they may read the library (an administrator who cannot see a
///   secret workspace does not manage its documents).
/// - Anyone else: the document does not exist (404), never 403.
public enum DocumentPolicy {
    public static func canRead(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> Bool {
        WorkspacePolicy.canRead(visibility, viewer: viewer, membership: membership)
    }

    public static func canWrite(viewer: Role, membership: MembershipRole?) -> Bool {
        membership != nil
    }

    public static func canApprove(_ visibility: Visibility, viewer: Role, membership: MembershipRole?) -> Bool {
        guard canRead(visibility, viewer: viewer, membership: membership) else { return false }
        return membership == .owner || viewer == .admin
    }

    /// Removing a lock: its holder always; anyone else only as one who may approve.
    public static func canUnlock(_ visibility: Visibility, viewer: Role, membership: MembershipRole?, isHolder: Bool) -> Bool {
        if isHolder { return canWrite(viewer: viewer, membership: membership) }
        return canApprove(visibility, viewer: viewer, membership: membership)
    }

    /// Documents of a workspace with guests are shared with external people (what is shared
    /// outside can become a public record), as the workspace itself says.
    public static func sharedExternally(_ overview: WorkspaceOverview) -> Bool { overview.hasGuests }

    /// Whether a file of `mediaType` named `fileName` is allowed by `allowed`
    /// (`documents.allowed_types`): empty allows everything; an entry is a media type
    /// (`application/pdf`), a family (`image/*`) or an extension (`.docx` or `docx`),
    /// compared case-insensitively.
    public static func isAllowed(mediaType: String, fileName: String, allowed: [String]) -> Bool {
        guard !allowed.isEmpty else { return true }
        let type = mediaType.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let ext = (fileName as NSString).pathExtension.lowercased()
        for raw in allowed {
            let entry = raw.lowercased().trimmingCharacters(in: .whitespaces)
            if entry.contains("/") {
                if entry.hasSuffix("/*") {
                    if type.hasPrefix(String(entry.dropLast())) { return true }
                } else if entry == type {
                    return true
                }
            } else if !ext.isEmpty, entry.trimmingCharacters(in: CharacterSet(charactersIn: ".")) == ext {
                return true
            }
        }
        return false
    }
}
