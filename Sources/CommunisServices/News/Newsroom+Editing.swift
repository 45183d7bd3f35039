import CommunisModel
import CommunisStore
import Foundation

/// What an editor sends (`NewsInput`), before validation.
public struct NewsInput: Sendable, Equatable {
    public var title: String
    public var introduction: String
    public var body: String
    public var tags: [String]
    public var category: String?
    /// nil: now.
    public var publishAt: Date?
    public var endsAt: Date?
    public var pinned: Bool
    public var important: Bool
    public var allowComments: Bool
    public var allowReactions: Bool
    public var acknowledgementRequired: Bool
    public var acknowledgementDeadline: Date?
    public var audience: NewsAudience
    public var draft: Bool

    public init(title: String, introduction: String = "", body: String = "", tags: [String] = [], category: String? = nil, publishAt: Date? = nil,
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
}

extension Newsroom {
    public func create(viewer: Viewer, input: NewsInput) async throws -> NewsView {
        try await requireEditor(viewer)
        let now = clock.now()
        let content = try await validate(input, now: now, keeping: nil)
        let news = News(authorID: viewer.id, content: content, createdAt: now)
        try await store.createNews(news)
        try await announceIfDue(news.id)
        return try await get(viewer: viewer, id: news.id)
    }

    /// `material`: a new revision; readers acknowledge again and see what changed.
    public func update(viewer: Viewer, id: NewsID, input: NewsInput, material: Bool) async throws -> NewsView {
        try await requireEditor(viewer)
        guard let old = try await store.news(id: id) else { throw DomainError.notFound("News") }
        let content = try await validate(input, now: clock.now(), keeping: old.content.publishAt)
        let saved = try await store.updateNews(id, content: content, material: material, by: viewer.id, at: clock.now())
        if saved.announcedAt != nil, saved.state(at: clock.now()) == .published {
            let audience = await publishLive(saved, type: .newsUpdated)
            // A material revision is news to its readers again (they may have to acknowledge it anew).
            let recipients = audience.filter { $0 != viewer.id }
            if material, !recipients.isEmpty {
                await notifications.notify(NotificationRequest(
                    kind: .news, recipients: recipients, actorID: viewer.id, newsID: id, excerpt: saved.content.title,
                    link: "#/news/\(id)", createdAt: clock.now()))
            }
        } else {
            try await announceIfDue(id)
        }
        return try await get(viewer: viewer, id: id)
    }

    public func delete(viewer: Viewer, id: NewsID) async throws {
        try await requireEditor(viewer)
        try await store.deleteNews(id)
    }

    /// Trims and checks every field (all problems at once, 422); unknown organisations are refused.
    func validate(_ input: NewsInput, now: Date, keeping: Date?) async throws -> NewsContent {
        var validator = Validator()
        let title = validator.text(input.title, field: "title", required: true, max: NewsContent.titleLength)
        let introduction = validator.text(input.introduction, field: "introduction", max: NewsContent.introductionLength)
        if input.body.count > NewsContent.bodyLength {
            validator.fail("body", "must be at most \(NewsContent.bodyLength) characters")
        }
        var tags: [String] = []
        for tag in input.tags {
            let trimmed = tag.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.count > NewsContent.tagLength {
                validator.fail("tags", "each tag must be 1 to \(NewsContent.tagLength) characters")
            } else if !tags.contains(where: { NewsAudience.key($0) == NewsAudience.key(trimmed) }) {
                tags.append(trimmed)
            }
        }
        // Counted as sent (repeats included), as docs/openapi.yaml's maxItems says.
        if input.tags.count > NewsContent.tagCount { validator.fail("tags", "must be at most \(NewsContent.tagCount) tags") }
        var category = input.category.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if category?.isEmpty == true { category = nil }
        if let category, category.count > NewsContent.categoryLength {
            validator.fail("category", "must be at most \(NewsContent.categoryLength) characters")
        }
        // An unchanged publish time of an item already out stays as it was; nil is now.
        let publishAt = input.publishAt ?? keeping ?? now
        if let ends = input.endsAt, ends <= publishAt {
            validator.fail("endsAt", "must be after the publish time")
        }
        if let deadline = input.acknowledgementDeadline, deadline <= publishAt {
            validator.fail("acknowledgement.deadline", "must be after the publish time")
        }
        func values(_ list: [String], _ field: String) -> [String] {
            var out: [String] = []
            for value in list {
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty || trimmed.count > 200 {
                    validator.fail("audience.\(field)", "each value must be 1 to 200 characters")
                } else if !out.contains(trimmed) {
                    out.append(trimmed)
                }
            }
            if list.count > NewsContent.audienceValues {
                validator.fail("audience.\(field)", "must be at most \(NewsContent.audienceValues) values")
            }
            return out
        }
        let known = Set(try await store.organisations().map(\.id))
        var organisations: [OrganisationID] = []
        for id in input.audience.organisationIDs where !organisations.contains(id) {
            if known.contains(id) { organisations.append(id) } else {
                validator.fail("audience.organisationIds", "\(id) is not an organisation")
            }
        }
        let audience = NewsAudience(
            organisationIDs: organisations, departments: values(input.audience.departments, "departments"),
            workplaces: values(input.audience.workplaces, "workplaces"), titles: values(input.audience.titles, "titles"),
            groups: values(input.audience.groups, "groups"))
        try validator.check()
        return NewsContent(
            title: title, introduction: introduction, body: input.body, tags: tags, category: category, publishAt: publishAt, endsAt: input.endsAt,
            pinned: input.pinned, important: input.important, allowComments: input.allowComments, allowReactions: input.allowReactions,
            acknowledgementRequired: input.acknowledgementRequired,
            acknowledgementDeadline: input.acknowledgementRequired ? input.acknowledgementDeadline : nil, audience: audience, draft: input.draft)
    }
}
