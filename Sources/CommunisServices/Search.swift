import CommunisModel
import CommunisStore
import Foundation

/// One search over discussions, blog posts and people (C3). Decides from the policies what
/// the viewer may read and lets the store apply it inside the query, so nothing unreadable
/// is returned or counted.
public struct Search: Sendable {
    let store: any CommunisStore

    public init(store: any CommunisStore) { self.store = store }

    /// What `viewer` may find, from the same policies that guard reading each thing:
    /// open workspaces and personal blogs for employees (`WorkspacePolicy.canRead`,
    /// personal blogs are employees only), people if `DirectoryPolicy.canSearch`.
    public static func reader(_ viewer: Viewer) -> SearchReader {
        SearchReader(
            person: viewer.id,
            readsOpenWorkspaces: WorkspacePolicy.canRead(.open, viewer: viewer.role, membership: nil),
            readsOrganisation: viewer.role.isEmployee,
            findsPeople: DirectoryPolicy.canSearch(viewer: viewer.role))
    }

    /// Searches `text`; throws `validation` when nothing searchable is in it. A workspace
    /// filter on a workspace the viewer may not read finds nothing (it is not an error: the
    /// answer must not tell whether a secret workspace exists).
    public func search(viewer: Viewer, text: String, kinds: Set<SearchKind> = [], workspace: WorkspaceID? = nil, author: PersonID? = nil, from: Date? = nil, to: Date? = nil, includeArchived: Bool = false, order: SearchOrder = .relevance, limit: Int = 20, cursor: String? = nil) async throws -> SearchPage {
        let parsed = SearchText(text)
        guard !parsed.isEmpty else {
            throw DomainError.validation([FieldError(field: "q", message: "must contain a word to search for")])
        }
        let query = SearchQuery(
            terms: parsed.terms, prefixLast: parsed.prefixLast, kinds: kinds, workspace: workspace, author: author,
            from: from, to: to, includeArchived: includeArchived, order: order)
        return try await store.search(query, reader: Self.reader(viewer), limit: limit, cursor: cursor)
    }
}
