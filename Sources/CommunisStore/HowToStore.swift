import CommunisModel
import Foundation

/// Which how-tos a list holds. `readableWorkspaces` and `organisation` are the reader's
/// permission (decided by the service); the rest narrows within it.
public struct HowToFilter: Sendable, Equatable {
    /// Workspaces whose articles the reader may read.
    public var readableWorkspaces: Set<WorkspaceID>
    /// Whether organisation-wide articles may be listed.
    public var organisation: Bool
    /// Only this workspace's articles (the service checks it is readable).
    public var workspace: WorkspaceID?
    /// Only organisation-wide articles.
    public var organisationOnly: Bool
    /// Only articles carrying this tag (compared case-insensitively).
    public var tag: String?
    /// nil: current only, unless `includeArchived`.
    public var status: HowToStatus?
    public var includeArchived: Bool
    public var owner: PersonID?
    /// Only current articles whose review-by day is on or before this `YYYY-MM-DD` day.
    public var reviewDueOn: String?
    /// Only articles whose audience is everyone, or names this role or department.
    public var audience: (role: Role, department: String)?

    public init(readableWorkspaces: Set<WorkspaceID>, organisation: Bool, workspace: WorkspaceID? = nil, organisationOnly: Bool = false,
                tag: String? = nil, status: HowToStatus? = nil, includeArchived: Bool = false, owner: PersonID? = nil,
                reviewDueOn: String? = nil, audience: (role: Role, department: String)? = nil) {
        self.readableWorkspaces = readableWorkspaces
        self.organisation = organisation
        self.workspace = workspace
        self.organisationOnly = organisationOnly
        self.tag = tag
        self.status = status
        self.includeArchived = includeArchived
        self.owner = owner
        self.reviewDueOn = reviewDueOn
        self.audience = audience
    }

    public static func == (lhs: HowToFilter, rhs: HowToFilter) -> Bool {
        lhs.readableWorkspaces == rhs.readableWorkspaces && lhs.organisation == rhs.organisation && lhs.workspace == rhs.workspace
            && lhs.organisationOnly == rhs.organisationOnly && lhs.tag == rhs.tag && lhs.status == rhs.status
            && lhs.includeArchived == rhs.includeArchived && lhs.owner == rhs.owner && lhs.reviewDueOn == rhs.reviewDueOn
            && lhs.audience?.role == rhs.audience?.role && lhs.audience?.department == rhs.audience?.department
    }
}

/// The knowledge bank: how-to articles and every saved revision of them.
public protocol HowToStore: Sendable {
    /// Inserts the article and its revision 1 (by its owner, at `createdAt`) in one
    /// transaction; `revision` and `updatedAt`/`updatedBy` are taken from the article as given
    /// only when it is 1. Throws `notFound("Workspace")` for an unknown workspace, `conflict`
    /// when the id is taken.
    func createHowTo(_ howTo: HowTo) async throws
    func howTo(id: HowToID) async throws -> HowTo?
    /// Saves `content` as the next revision, in one transaction, if the article's latest
    /// revision is still `basedOn`; otherwise throws `conflict` and changes nothing (two
    /// editors saving on the same revision: the second is refused, never silently lost).
    /// Throws `notFound("How-to")` when unknown. Returns the article as saved.
    func saveHowTo(_ id: HowToID, content: HowToContent, basedOn: Int, by: PersonID, at: Date, restoredFrom: Int?) async throws -> HowTo
    /// Sets the status (no revision: the text did not change). Throws `notFound("How-to")`.
    func setHowToStatus(_ id: HowToID, _ status: HowToStatus) async throws -> HowTo
    /// Deletes the article with all its revisions. Throws `notFound("How-to")`.
    func deleteHowTo(_ id: HowToID) async throws
    /// Newest change first (then by id).
    func howTos(_ filter: HowToFilter, page: PageRequest) async throws -> Page<HowTo>
    /// Every revision of the article, newest first; empty for an unknown article.
    func howToRevisions(_ id: HowToID) async throws -> [HowToRevision]
    func howToRevision(_ id: HowToID, number: Int) async throws -> HowToRevision?
}
