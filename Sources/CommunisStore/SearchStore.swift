import CommunisModel
import Foundation

/// What a search result is: a chapter is one chapter mark of a recording (its id is
/// "<recording>#<index>", its parent the recording); a workspace is found by its name and
/// description (by its members, and by every employee unless it is secret).
public enum SearchKind: String, Sendable, Codable, CaseIterable {
    case thread, post, blog, person, article, recording, chapter, workspace, document
    /// A news item (issue 14): not in the full-text index, whose scope words cannot say an
    /// item's audience; `Newsroom.search` finds them through the audience rule of the news
    /// list, and the search route puts them on the first page. The engines find none.
    case news

    /// Everything but workspaces: what a search shows below the workspaces it found.
    public static let content: Set<SearchKind> = Set(allCases).subtracting([.workspace])
}

/// How results are ordered.
public enum SearchOrder: String, Sendable, Codable {
    /// Best first among the newest matches (see `SearchStore.search`).
    case relevance
    /// Newest first, over all matches.
    case newest
}

/// What the searching person may read, decided by the policies in the services
/// (`WorkspacePolicy.canRead`, `DirectoryPolicy.canSearch`) and applied inside the query.
public struct SearchReader: Sendable, Equatable {
    public var person: PersonID
    /// Open workspaces are readable without membership (employees); their knowledge-bank
    /// articles stay for members only (`HowToPolicy.canRead`).
    public var readsOpenWorkspaces: Bool
    /// Content that belongs to no workspace (personal blogs, org-wide articles), and
    /// recordings shared with the organisation (except a secret workspace's:
    /// `RecordingPolicy.canRead`).
    public var readsOrganisation: Bool
    /// People (the directory).
    public var findsPeople: Bool

    public init(person: PersonID, readsOpenWorkspaces: Bool, readsOrganisation: Bool, findsPeople: Bool) {
        self.person = person
        self.readsOpenWorkspaces = readsOpenWorkspaces
        self.readsOrganisation = readsOrganisation
        self.findsPeople = findsPeople
    }
}

/// A search, already cleaned: `terms` are plain words (letters and digits only), never FTS5
/// syntax; the store quotes each of them.
public struct SearchQuery: Sendable, Equatable {
    public var terms: [String]
    /// Whether the last term also matches longer words (the word being typed).
    public var prefixLast: Bool
    /// Empty: every kind.
    public var kinds: Set<SearchKind>
    public var workspace: WorkspaceID?
    public var author: PersonID?
    public var from: Date?
    public var to: Date?
    public var includeArchived: Bool
    public var order: SearchOrder

    public init(terms: [String], prefixLast: Bool = true, kinds: Set<SearchKind> = [], workspace: WorkspaceID? = nil, author: PersonID? = nil, from: Date? = nil, to: Date? = nil, includeArchived: Bool = false, order: SearchOrder = .relevance) {
        self.terms = terms
        self.prefixLast = prefixLast
        self.kinds = kinds
        self.workspace = workspace
        self.author = author
        self.from = from
        self.to = to
        self.includeArchived = includeArchived
        self.order = order
    }
}

/// One result. `snippet` marks matched words with U+E000 (start) and U+E001 (end); those
/// characters never occur in stored text.
public struct SearchHit: Sendable, Equatable {
    public var kind: SearchKind
    public var id: String
    /// The thread of a post.
    public var parentID: String?
    public var workspaceID: WorkspaceID?
    public var workspaceName: String?
    public var authorID: PersonID?
    public var authorName: String?
    public var title: String
    public var snippet: String
    public var date: Date
    /// Where a chapter starts in its recording (nil for other kinds).
    public var offsetMs: Int?
    /// A document result: the version whose text matched (the current one for a title match).
    public var documentVersion: Int?
    /// A document result found in a version that is no longer the current one (found only
    /// with `includeArchived`).
    public var archived: Bool

    /// The recording a recording or chapter result links to.
    public var recordingID: String? {
        switch kind {
        case .recording: id
        case .chapter: parentID
        default: nil
        }
    }

    public init(kind: SearchKind, id: String, parentID: String?, workspaceID: WorkspaceID?, workspaceName: String?, authorID: PersonID?, authorName: String?, title: String, snippet: String, date: Date, offsetMs: Int? = nil, documentVersion: Int? = nil, archived: Bool = false) {
        self.offsetMs = offsetMs
        self.documentVersion = documentVersion
        self.archived = archived
        self.kind = kind
        self.id = id
        self.parentID = parentID
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
        self.authorID = authorID
        self.authorName = authorName
        self.title = title
        self.snippet = snippet
        self.date = date
    }
}

/// One page of results and, if there are more, the opaque cursor of the next page. There is
/// deliberately no total: a count would tell how much matched that the reader cannot see.
public struct SearchPage: Sendable, Equatable {
    public var hits: [SearchHit]
    public var nextCursor: String?

    public init(hits: [SearchHit], nextCursor: String?) {
        self.hits = hits
        self.nextCursor = nextCursor
    }
}

/// Full-text search over discussions, blog posts, people (and later articles and
/// recordings).
///
/// Guarantees:
/// - Only what `reader` may read is returned, filtered inside the query: documents of
///   workspaces the reader is a member of, of open workspaces if `readsOpenWorkspaces`,
///   workspace-less content if `readsOrganisation`, people if `findsPeople`; articles of a
///   workspace only for its members; recordings and chapters only while complete, and
///   shared ones of a non-secret workspace also with `readsOrganisation`. Drafts, deleted posts, disabled or guest accounts are
///   never found; archived articles only with `includeArchived`.
/// - Matching folds case and å/ä/ö (and other diacritics); every term must match; the last
///   term matches as a prefix when `prefixLast`.
/// - `.relevance` ranks title matches above body matches, but only among a bounded set of the
///   newest matches, so that a very common word costs the same as a rare one; after that set,
///   results continue newest first. `.newest` is newest first throughout.
/// - The index follows every create, edit and delete as part of the same transaction.
/// - `limit` is clamped to 1...50; a cursor from an earlier page continues it (an unknown or
///   malformed cursor throws `DomainError.validation`).
public protocol SearchStore: Sendable {
    func search(_ query: SearchQuery, reader: SearchReader, limit: Int, cursor: String?) async throws -> SearchPage
}

/// Where a page of results starts, parsed from the client's cursor (both engines write the
/// same cursors): `r.<lo>.<hi>.<offset>.<more>` pages through a ranked window of index
/// positions, `n.<below>` continues newest first below a position.
public enum SearchPosition: Equatable, Sendable {
    case start
    case ranked(lo: Int64, hi: Int64, offset: Int, more: Bool)
    case newest(below: Int64)

    /// Throws `DomainError.validation` for a cursor no earlier page gave.
    public init(_ cursor: String?) throws {
        guard let cursor else { self = .start; return }
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 5, parts[0] == "r", let lo = Int64(parts[1]), let hi = Int64(parts[2]), let offset = Int(parts[3]),
           lo <= hi, offset >= 0, offset <= 10_000, parts[4] == "0" || parts[4] == "1" {
            self = .ranked(lo: lo, hi: hi, offset: offset, more: parts[4] == "1")
        } else if parts.count == 2, parts[0] == "n", let below = Int64(parts[1]) {
            self = .newest(below: below)
        } else {
            throw DomainError.validation([FieldError(field: "cursor", message: "is not a cursor from an earlier page")])
        }
    }
}
