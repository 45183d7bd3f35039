import CommunisModel
import Foundation

/// Which news items a list holds.
/// Tags and categories someone follows, to narrow a news list to them.
public struct NewsTopics: Sendable, Equatable {
    public var tags: [String]
    public var categories: [String]
    public init(tags: [String], categories: [String]) {
        self.tags = tags
        self.categories = categories
    }
}

public struct NewsFilter: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable {
        /// Published and not expired at `now` (what readers see).
        case published
        case draft, scheduled, expired
        /// Every state.
        case all
    }

    public var scope: Scope
    public var now: Date
    /// Only items carrying this tag (compared case-insensitively).
    public var tag: String?
    /// Case-insensitive words in title, introduction or body (each must occur).
    public var text: String?
    /// Only items reaching this organisation's people: aimed at it or at the whole group.
    public var organisation: OrganisationID?
    /// The audience rule applied in the query; nil lists without it (editors).
    public var reader: NewsReader?
    /// Only items for everyone in the whole group (Atom without a token).
    public var everyoneOnly: Bool
    /// Only items carrying one of these tags or in one of these categories (both compared
    /// case-insensitively): what a person follows. Empty lists match nothing.
    public var topics: NewsTopics?

    public init(scope: Scope = .published, now: Date, tag: String? = nil, text: String? = nil, organisation: OrganisationID? = nil,
                reader: NewsReader?, everyoneOnly: Bool = false, topics: NewsTopics? = nil) {
        self.scope = scope
        self.now = now
        self.tag = tag
        self.text = text
        self.organisation = organisation
        self.reader = reader
        self.everyoneOnly = everyoneOnly
        self.topics = topics
    }
}

public struct NewsReactionCount: Sendable, Equatable {
    public var emoji: String
    public var count: Int
    public var mine: Bool
    public init(emoji: String, count: Int, mine: Bool) {
        self.emoji = emoji
        self.count = count
        self.mine = mine
    }
}

/// What a list shows of each item besides the item: counts and the reader's own state.
public struct NewsExtras: Sendable, Equatable {
    public var commentCount: Int
    /// By emoji (ascending).
    public var reactions: [NewsReactionCount]
    /// The reader's acknowledgement (of any revision) and which revision it was for.
    public var acknowledgedAt: Date?
    public var acknowledgedRevision: Int?

    public init(commentCount: Int = 0, reactions: [NewsReactionCount] = [], acknowledgedAt: Date? = nil, acknowledgedRevision: Int? = nil) {
        self.commentCount = commentCount
        self.reactions = reactions
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedRevision = acknowledgedRevision
    }
}

/// One line of the acknowledgement report: a department's or a workplace's people.
public struct NewsAcknowledgementGroup: Sendable, Equatable {
    public var name: String
    public var total: Int
    public var acknowledged: Int
    public init(name: String, total: Int, acknowledged: Int) {
        self.name = name
        self.total = total
        self.acknowledged = acknowledged
    }
}

/// Who in the audience has acknowledged the current revision, counted in the store.
public struct NewsAcknowledgementReport: Sendable, Equatable {
    public var total: Int
    public var acknowledged: Int
    /// By name (ascending).
    public var byDepartment: [NewsAcknowledgementGroup]
    public var byWorkplace: [NewsAcknowledgementGroup]
    /// Everyone in the audience, by name, with when they acknowledged the current revision.
    public var people: [(person: Person, acknowledgedAt: Date?)]

    public init(total: Int, acknowledged: Int, byDepartment: [NewsAcknowledgementGroup], byWorkplace: [NewsAcknowledgementGroup],
                people: [(person: Person, acknowledgedAt: Date?)]) {
        self.total = total
        self.acknowledged = acknowledged
        self.byDepartment = byDepartment
        self.byWorkplace = byWorkplace
        self.people = people
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.total == rhs.total && lhs.acknowledged == rhs.acknowledged && lhs.byDepartment == rhs.byDepartment
            && lhs.byWorkplace == rhs.byWorkplace && lhs.people.map(\.person.id) == rhs.people.map(\.person.id)
            && lhs.people.map(\.acknowledgedAt) == rhs.people.map(\.acknowledgedAt)
    }
}

/// Organisations, people's organisations, news editors, and news with their revisions,
/// acknowledgements, comments, reactions and image.
///
/// Guarantees:
/// - There is at most one main organisation; `ensureMainOrganisation` makes it once.
/// - The audience rule (`NewsAudience.includes`) is applied inside the list query, so pages
///   and totals count only what the reader may see. A person without an organisation is in
///   the main one. The audience (`newsAudience`, the report) is enabled employees only.
/// - A material save makes the next revision; acknowledgements are of one revision, so those
///   of earlier revisions no longer count. Every save keeps its text (`newsRevisions`).
/// - `claimAnnouncement` and `claimDueNews` hand each item out once, to one caller, whatever
///   the number of nodes; `claimDueReminders` likewise for the automatic reminder.
/// - Deleting an item deletes its revisions, acknowledgements, comments, reactions and image.
public protocol NewsStore: Sendable {
    func organisations() async throws -> [Organisation]
    /// The main organisation; made with `name` if there is none.
    func ensureMainOrganisation(name: String, at: Date) async throws -> Organisation
    /// Throws `conflict` when the name (case-insensitively) is taken.
    func createOrganisation(_ organisation: Organisation) async throws
    /// Renames the main organisation (the demo, the configuration).
    func renameOrganisation(_ id: OrganisationID, to name: String) async throws
    /// The person's organisation; nil: the main one.
    func organisation(of person: PersonID) async throws -> OrganisationID?
    /// nil puts the person in the main organisation. Throws `notFound("Person")` or
    /// `notFound("Organisation")`.
    func setOrganisation(_ organisation: OrganisationID?, of person: PersonID) async throws

    func newsEditors() async throws -> [PersonID]
    func isNewsEditor(_ person: PersonID) async throws -> Bool
    /// Throws `notFound("Person")` for an unknown person.
    func setNewsEditor(_ person: PersonID, _ isEditor: Bool, at: Date) async throws

    /// Stores the item and its first revision. Throws `conflict` when the id is taken.
    func createNews(_ news: News) async throws
    func news(id: NewsID) async throws -> News?
    /// Saves `content`; `material` makes the next revision. Throws `notFound("News")`.
    func updateNews(_ id: NewsID, content: NewsContent, material: Bool, by: PersonID, at: Date) async throws -> News
    /// Throws `notFound("News")`.
    func deleteNews(_ id: NewsID) async throws
    /// Pinned first, then newest `publishAt` (then id).
    func newsPage(_ filter: NewsFilter, page: PageRequest) async throws -> Page<News>
    /// Every save, oldest first.
    func newsRevisions(_ id: NewsID) async throws -> [NewsRevision]
    /// Counts and the person's own state for each of `ids`.
    func newsExtras(_ ids: [NewsID], for person: PersonID) async throws -> [NewsID: NewsExtras]

    /// Records the person's acknowledgement of `revision` (replacing an earlier one).
    func acknowledgeNews(_ id: NewsID, person: PersonID, revision: Int, at: Date) async throws
    /// The enabled employees in the item's audience; only those who have not acknowledged its
    /// current revision when `unacknowledgedOnly`.
    func newsAudience(_ id: NewsID, unacknowledgedOnly: Bool) async throws -> [PersonID]
    func acknowledgementReport(_ id: NewsID) async throws -> NewsAcknowledgementReport

    /// Marks the item announced if nobody has; true for the one caller that did.
    func claimAnnouncement(_ id: NewsID, at: Date) async throws -> Bool
    /// Marks announced, and returns, the items due (published, not draft, not expired, not yet
    /// announced) at `now`, at most `limit`.
    func claimDueNews(now: Date, limit: Int) async throws -> [News]
    /// Marks, and returns, announced items requiring acknowledgement whose deadline is within
    /// `within` of `now` (and not passed) and whose automatic reminder has not gone out.
    func claimDueReminders(now: Date, within: TimeInterval, limit: Int) async throws -> [News]

    func addNewsComment(_ comment: NewsComment) async throws
    /// Oldest first.
    func newsComments(_ id: NewsID) async throws -> [NewsComment]
    func newsComment(id: UUID) async throws -> NewsComment?
    func deleteNewsComment(id: UUID) async throws
    func setNewsReaction(_ id: NewsID, person: PersonID, emoji: String, on: Bool, at: Date) async throws

    /// Throws `notFound("News")`.
    func setNewsImage(_ id: NewsID, data: Data, type: String) async throws
    func newsImage(_ id: NewsID) async throws -> (data: Data, type: String)?
}
