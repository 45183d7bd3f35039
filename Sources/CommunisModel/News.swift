import Foundation

/// Who a news item is for. A person is in the audience when (`organisationIDs` is empty — the
/// whole group, koncernnivå — or holds their organisation) and (departments, workplaces,
/// titles and groups are all empty, or they match at least one listed value). Departments and
/// workplaces match case-insensitively (`NewsAudience.key`), titles and group keys exactly.
public struct NewsAudience: Sendable, Equatable, Codable {
    public var organisationIDs: [OrganisationID]
    public var departments: [String]
    public var workplaces: [String]
    public var titles: [String]
    /// Directory group keys (`person_groups.group_key`).
    public var groups: [String]

    public init(organisationIDs: [OrganisationID] = [], departments: [String] = [], workplaces: [String] = [], titles: [String] = [],
                groups: [String] = []) {
        self.organisationIDs = organisationIDs
        self.departments = departments
        self.workplaces = workplaces
        self.titles = titles
        self.groups = groups
    }

    /// No narrowing beyond organisations.
    public var hasNoCriteria: Bool { departments.isEmpty && workplaces.isEmpty && titles.isEmpty && groups.isEmpty }

    /// Public: everyone in the whole group (what an Atom feed shows without a token).
    public var isEveryone: Bool { organisationIDs.isEmpty && hasNoCriteria }

    /// The folded form departments and workplaces are compared in (the stores keep the same).
    public static func key(_ text: String) -> String { text.precomposedStringWithCanonicalMapping.lowercased() }

    /// The audience rule for one reader (the stores apply the same rule in their queries).
    public func includes(_ reader: NewsReader) -> Bool {
        if reader.seesEverything { return true }
        guard organisationIDs.isEmpty || organisationIDs.contains(reader.organisationID) else { return false }
        if hasNoCriteria { return true }
        return departments.map(Self.key).contains(Self.key(reader.department))
            || workplaces.map(Self.key).contains(Self.key(reader.workplace))
            || titles.contains(reader.title)
            || !reader.groups.isDisjoint(with: groups)
    }
}

/// What the audience rule needs of a reader, decided by the service.
public struct NewsReader: Sendable, Equatable {
    public var personID: PersonID
    /// Their organisation, the main one when they have none.
    public var organisationID: OrganisationID
    public var department: String
    public var workplace: String
    public var title: String
    public var groups: Set<String>
    /// Editors and administrators see every item.
    public var seesEverything: Bool

    public init(personID: PersonID, organisationID: OrganisationID, department: String, workplace: String, title: String,
                groups: Set<String>, seesEverything: Bool) {
        self.personID = personID
        self.organisationID = organisationID
        self.department = department
        self.workplace = workplace
        self.title = title
        self.groups = groups
        self.seesEverything = seesEverything
    }
}

/// The editable part of a news item.
public struct NewsContent: Sendable, Equatable {
    public var title: String
    public var introduction: String
    /// Markdown, the safe subset.
    public var body: String
    public var tags: [String]
    public var category: String?
    /// When it becomes visible.
    public var publishAt: Date
    /// When it stops being listed.
    public var endsAt: Date?
    public var pinned: Bool
    public var important: Bool
    public var allowComments: Bool
    public var allowReactions: Bool
    /// Läst och förstått.
    public var acknowledgementRequired: Bool
    public var acknowledgementDeadline: Date?
    public var audience: NewsAudience
    /// Kept from readers until an editor publishes it.
    public var draft: Bool

    public init(title: String, introduction: String = "", body: String = "", tags: [String] = [], category: String? = nil, publishAt: Date,
                endsAt: Date? = nil, pinned: Bool = false, important: Bool = false, allowComments: Bool = true, allowReactions: Bool = true,
                acknowledgementRequired: Bool = false, acknowledgementDeadline: Date? = nil, audience: NewsAudience = NewsAudience(),
                draft: Bool = false) {
        self.title = title
        self.introduction = introduction
        self.body = body
        self.tags = tags
        self.category = category
        self.publishAt = publishAt
        self.endsAt = endsAt
        self.pinned = pinned
        self.important = important
        self.allowComments = allowComments
        self.allowReactions = allowReactions
        self.acknowledgementRequired = acknowledgementRequired
        self.acknowledgementDeadline = acknowledgementDeadline
        self.audience = audience
        self.draft = draft
    }

    public static let titleLength = 200
    public static let introductionLength = 1000
    public static let bodyLength = 50_000
    public static let tagCount = 10
    public static let tagLength = 40
    public static let categoryLength = 80
    public static let audienceValues = 50
    public static let commentLength = 4000
}

/// Where a news item stands for its readers.
public enum NewsState: String, Sendable, Codable, CaseIterable {
    case draft, scheduled, published, expired
}

/// A news item (nyhet).
public struct News: Sendable, Equatable, Identifiable {
    public var id: NewsID
    public var authorID: PersonID
    public var content: NewsContent
    /// Counts material revisions, from 1; acknowledgements are for one revision.
    public var revision: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// When its publication was announced (live event, notifications); nil until then. Set
    /// exactly once, by whoever claims it in the store.
    public var announcedAt: Date?
    /// The media type of its image, nil without one.
    public var imageType: String?

    public init(id: NewsID = NewsID(), authorID: PersonID, content: NewsContent, revision: Int = 1, createdAt: Date, updatedAt: Date? = nil,
                announcedAt: Date? = nil, imageType: String? = nil) {
        self.id = id
        self.authorID = authorID
        self.content = content
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.announcedAt = announcedAt
        self.imageType = imageType
    }

    public func state(at now: Date) -> NewsState {
        if content.draft { return .draft }
        if content.publishAt > now { return .scheduled }
        if let ends = content.endsAt, ends <= now { return .expired }
        return .published
    }
}

/// One saved edit of a news item: its text as saved, and whether it was material (a new
/// revision that asks readers to acknowledge again).
public struct NewsRevision: Sendable, Equatable {
    public var newsID: NewsID
    /// The revision number after this edit.
    public var revision: Int
    public var title: String
    public var introduction: String
    public var body: String
    public var editedAt: Date
    public var editedBy: PersonID
    public var material: Bool

    public init(newsID: NewsID, revision: Int, title: String, introduction: String, body: String, editedAt: Date, editedBy: PersonID,
                material: Bool) {
        self.newsID = newsID
        self.revision = revision
        self.title = title
        self.introduction = introduction
        self.body = body
        self.editedAt = editedAt
        self.editedBy = editedBy
        self.material = material
    }
}

/// A comment on a news item.
public struct NewsComment: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var newsID: NewsID
    public var authorID: PersonID
    public var body: String
    public var createdAt: Date

    public init(id: UUID = UUID(), newsID: NewsID, authorID: PersonID, body: String, createdAt: Date) {
        self.id = id
        self.newsID = newsID
        self.authorID = authorID
        self.body = body
        self.createdAt = createdAt
    }
}
