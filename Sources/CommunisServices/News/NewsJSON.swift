import CommunisMarkdown
import CommunisModel
import CommunisStore
import Foundation

/// A person as news shows them (the same fields as the people list's summary).
public struct NewsPersonJSON: Codable, Sendable {
    public var id: PersonID
    public var name: String
    public var title: String
    public var department: String
    public var workplace: String
    public var role: Role

    public init(_ person: Person) {
        id = person.id
        name = person.name
        title = person.profile.title
        department = person.profile.department
        workplace = person.profile.workplace
        role = person.role
    }
}

/// `News` (and, without `body` and `html`, `NewsSummary`) of docs/openapi.yaml; also the data
/// of the live `news.published` and `news.updated` events.
public struct NewsJSON: Encodable, Sendable {
    public struct Acknowledgement: Encodable, Sendable {
        var required: Bool
        var deadline: Date?
        enum CodingKeys: String, CodingKey { case required, deadline }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(required, forKey: .required)
            try c.encode(deadline, forKey: .deadline)
        }
    }
    public struct Audience: Encodable, Sendable {
        var organisationIds: [OrganisationID]
        var departments: [String]
        var workplaces: [String]
        var titles: [String]
        var groups: [String]
    }
    public struct Reaction: Encodable, Sendable { var emoji: String; var count: Int; var mine: Bool }

    var id: NewsID
    var title: String
    var introduction: String
    var body: String?
    var html: String?
    var tags: [String]
    var category: String?
    var publishAt: Date
    var endsAt: Date?
    var pinned: Bool
    var important: Bool
    var allowComments: Bool
    var allowReactions: Bool
    var acknowledgement: Acknowledgement
    var audience: Audience
    var draft: Bool
    var author: NewsPersonJSON?
    var publishedAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var revision: Int
    var state: NewsState
    var imageUrl: String?
    var acknowledgedAt: Date?
    var changedSinceMyAcknowledgement: Bool
    var commentCount: Int
    var reactions: [Reaction]
    var canEdit: Bool

    enum CodingKeys: String, CodingKey {
        case id, title, introduction, body, html, tags, category, publishAt, endsAt, pinned, important, allowComments, allowReactions
        case acknowledgement, audience, draft, author, publishedAt, createdAt, updatedAt, revision, state, imageUrl, acknowledgedAt
        case changedSinceMyAcknowledgement, commentCount, reactions, canEdit
    }

    /// `full`: with `body` and `html` (News); without: a NewsSummary.
    public init(_ view: NewsView, full: Bool) {
        let news = view.news, content = news.content
        id = news.id
        title = content.title
        introduction = content.introduction
        body = full ? content.body : nil
        html = full ? Markdown.html(content.body) : nil
        tags = content.tags
        category = content.category
        publishAt = content.publishAt
        endsAt = content.endsAt
        pinned = content.pinned
        important = content.important
        allowComments = content.allowComments
        allowReactions = content.allowReactions
        acknowledgement = Acknowledgement(required: content.acknowledgementRequired, deadline: content.acknowledgementDeadline)
        let audience = content.audience
        self.audience = Audience(organisationIds: audience.organisationIDs, departments: audience.departments, workplaces: audience.workplaces,
                                 titles: audience.titles, groups: audience.groups)
        draft = content.draft
        author = view.author.map(NewsPersonJSON.init)
        publishedAt = view.state == .draft || view.state == .scheduled ? nil : content.publishAt
        createdAt = news.createdAt
        updatedAt = news.updatedAt
        revision = news.revision
        state = view.state
        imageUrl = news.imageType == nil ? nil : "/api/v1/news/\(news.id)/image?v=\(Int(news.updatedAt.timeIntervalSince1970))"
        acknowledgedAt = view.acknowledgedAt
        changedSinceMyAcknowledgement = view.changedSinceAcknowledgement
        commentCount = view.extras.commentCount
        reactions = view.extras.reactions.map { Reaction(emoji: $0.emoji, count: $0.count, mine: $0.mine) }
        canEdit = view.canEdit
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(introduction, forKey: .introduction)
        try c.encodeIfPresent(body, forKey: .body)
        try c.encodeIfPresent(html, forKey: .html)
        try c.encode(tags, forKey: .tags)
        try c.encode(category, forKey: .category)
        try c.encode(publishAt, forKey: .publishAt)
        try c.encode(endsAt, forKey: .endsAt)
        try c.encode(pinned, forKey: .pinned)
        try c.encode(important, forKey: .important)
        try c.encode(allowComments, forKey: .allowComments)
        try c.encode(allowReactions, forKey: .allowReactions)
        try c.encode(acknowledgement, forKey: .acknowledgement)
        try c.encode(audience, forKey: .audience)
        try c.encode(draft, forKey: .draft)
        try c.encode(author, forKey: .author)
        try c.encode(publishedAt, forKey: .publishedAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(revision, forKey: .revision)
        try c.encode(state, forKey: .state)
        try c.encode(imageUrl, forKey: .imageUrl)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(changedSinceMyAcknowledgement, forKey: .changedSinceMyAcknowledgement)
        try c.encode(commentCount, forKey: .commentCount)
        try c.encode(reactions, forKey: .reactions)
        try c.encode(canEdit, forKey: .canEdit)
    }
}
