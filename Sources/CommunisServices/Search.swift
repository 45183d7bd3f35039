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

    /// How many workspaces a search shows above the rest (on its first page).
    public static let workspaceHits = 5

    /// Searches `text`; throws `validation` when nothing searchable is in it. A workspace
    /// filter on a workspace the viewer may not read finds nothing (it is not an error: the
    /// answer must not tell whether a secret workspace exists).
    ///
    /// Workspaces whose name or description match come first, on the first page, above the
    /// posts that mention them (unless the search is narrowed to one workspace, an author or
    /// dates, which workspaces have none of). Below them, one hit per thing: a thread's
    /// opening post is not listed again under the thread found by its title, and the opening
    /// the server wrote in a meeting's chat is not listed at all. Snippets are plain text.
    public func search(viewer: Viewer, text: String, kinds: Set<SearchKind> = [], workspace: WorkspaceID? = nil, author: PersonID? = nil, from: Date? = nil, to: Date? = nil, includeArchived: Bool = false, order: SearchOrder = .relevance, limit: Int = 20, cursor: String? = nil) async throws -> SearchPage {
        let parsed = SearchText(text)
        guard !parsed.isEmpty else {
            throw DomainError.validation([FieldError(field: "q", message: "must contain a word to search for")])
        }
        let reader = Self.reader(viewer)
        func query(_ kinds: Set<SearchKind>) -> SearchQuery {
            SearchQuery(terms: parsed.terms, prefixLast: parsed.prefixLast, kinds: kinds, workspace: workspace, author: author,
                        from: from, to: to, includeArchived: includeArchived, order: order)
        }
        let content = kinds.isEmpty ? SearchKind.content : kinds.subtracting([.workspace])
        let findsWorkspaces = (kinds.isEmpty || kinds.contains(.workspace)) && workspace == nil && author == nil && from == nil && to == nil
        guard !content.isEmpty else {
            // Workspaces alone: paged like any other kind.
            guard findsWorkspaces else { return SearchPage(hits: [], nextCursor: nil) }
            return try await store.search(query([.workspace]), reader: reader, limit: limit, cursor: cursor)
        }
        var spaces: [SearchHit] = []
        if findsWorkspaces, cursor == nil {
            spaces = try await store.search(query([.workspace]), reader: reader, limit: Self.workspaceHits, cursor: nil).hits
        }
        var page = try await store.search(query(content), reader: reader, limit: limit, cursor: cursor)
        page.hits = spaces + (try await distinct(page.hits)).map(Self.plain)
        return page
    }

    /// Leaves out a post that is the opening of a thread also on the page, the openings the
    /// server wrote in meetings' chats, and a document's second hit on the page (an archived
    /// version's text when the current one is there, or a second archived version).
    func distinct(_ hits: [SearchHit]) async throws -> [SearchHit] {
        let hits = Self.oneHitPerDocument(hits)
        let threads = Dictionary(hits.filter { $0.kind == .thread }.map { ($0.id, $0.date) }, uniquingKeysWith: { first, _ in first })
        let posts = hits.filter { $0.kind == .post }
        let chats = try await store.meetings(chatThreads: Set(posts.compactMap { $0.parentID.flatMap(ThreadID.init) }))
        return hits.filter { hit in
            guard hit.kind == .post, let parent = hit.parentID else { return true }
            if let opened = threads[parent], abs(opened.timeIntervalSince(hit.date)) < 1 { return false }
            if let thread = ThreadID(parent), let meeting = chats[thread], hit.authorID == meeting.createdBy,
               abs(meeting.createdAt.timeIntervalSince(hit.date)) < 5 { return false }
            return true
        }
    }

    /// Keeps each document's best hit on the page: the current version's, else the newest
    /// archived version's, in the place of the first of its hits.
    static func oneHitPerDocument(_ hits: [SearchHit]) -> [SearchHit] {
        var best: [String: SearchHit] = [:]
        for hit in hits where hit.kind == .document {
            guard let kept = best[hit.id] else { best[hit.id] = hit; continue }
            let better = (kept.archived && !hit.archived)
                || (kept.archived == hit.archived && (hit.documentVersion ?? 0) > (kept.documentVersion ?? 0))
            if better { best[hit.id] = hit }
        }
        var placed: Set<String> = []
        return hits.compactMap { hit in
            guard hit.kind == .document else { return hit }
            guard placed.insert(hit.id).inserted else { return nil }
            return best[hit.id]
        }
    }

    /// Snippets of Markdown text read as words.
    static func plain(_ hit: SearchHit) -> SearchHit {
        guard [.post, .blog, .article, .workspace].contains(hit.kind) else { return hit }
        var plain = hit
        plain.snippet = SnippetMarkup.plain(hit.snippet)
        return plain
    }
}
