import CommunisModel
import CommunisStore
import Foundation

/// What readers do with an item: acknowledge it, comment, react; its image; the report and
/// the Atom feed.
extension Newsroom {
    /// Läst och förstått for the current revision.
    public func acknowledge(viewer: Viewer, id: NewsID) async throws -> (acknowledgedAt: Date, revision: Int) {
        let (news, _) = try await readable(viewer, id)
        guard news.content.acknowledgementRequired else {
            throw DomainError.conflict("The news item does not ask for an acknowledgement.")
        }
        let now = clock.now()
        try await store.acknowledgeNews(id, person: viewer.id, revision: news.revision, at: now)
        return (now, news.revision)
    }

    public func acknowledgementReport(viewer: Viewer, id: NewsID) async throws -> (News, NewsAcknowledgementReport) {
        try await requireEditor(viewer)
        guard let news = try await store.news(id: id) else { throw DomainError.notFound("News") }
        return (news, try await store.acknowledgementReport(id))
    }

    public func comments(viewer: Viewer, id: NewsID) async throws -> [(comment: NewsComment, author: Person?, canDelete: Bool)] {
        let (news, reader) = try await readable(viewer, id)
        guard news.content.allowComments || reader.seesEverything else { return [] }
        var people: [PersonID: Person] = [:]
        let comments = try await store.newsComments(id)
        for author in Set(comments.map(\.authorID)) { people[author] = try await store.person(id: author) }
        return comments.map { ($0, people[$0.authorID], $0.authorID == viewer.id || reader.seesEverything) }
    }

    public func addComment(viewer: Viewer, id: NewsID, body: String) async throws -> NewsComment {
        let (news, _) = try await readable(viewer, id)
        guard news.content.allowComments else { throw DomainError.forbidden("Comments are turned off for this news item.") }
        var validator = Validator()
        let text = validator.text(body, field: "body", required: true, max: NewsContent.commentLength)
        try validator.check()
        let comment = NewsComment(newsID: id, authorID: viewer.id, body: text, createdAt: clock.now())
        try await store.addNewsComment(comment)
        return comment
    }

    /// The comment's author and editors may delete it.
    public func deleteComment(viewer: Viewer, id: NewsID, comment: UUID) async throws {
        let (_, reader) = try await readable(viewer, id)
        guard let found = try await store.newsComment(id: comment), found.newsID == id else { throw DomainError.notFound("Comment") }
        guard found.authorID == viewer.id || reader.seesEverything else {
            throw DomainError.forbidden("Only the comment's author and news editors can delete it.")
        }
        try await store.deleteNewsComment(id: comment)
    }

    public func react(viewer: Viewer, id: NewsID, emoji: String, on: Bool) async throws {
        let (news, _) = try await readable(viewer, id)
        guard news.content.allowReactions else { throw DomainError.forbidden("Reactions are turned off for this news item.") }
        let trimmed = emoji.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 8, trimmed.unicodeScalars.count <= 16 else {
            throw DomainError.validation([FieldError(field: "emoji", message: "must be one emoji")])
        }
        try await store.setNewsReaction(id, person: viewer.id, emoji: trimmed, on: on, at: clock.now())
    }

    /// Stores the item's image after checking its size and type (from its bytes, not the
    /// client's word).
    public func setImage(viewer: Viewer, id: NewsID, data: Data) async throws -> NewsView {
        try await requireEditor(viewer)
        guard data.count <= settings.maxImageBytes else { throw DomainError.fileTooLarge(maxBytes: Int64(settings.maxImageBytes)) }
        guard let type = Self.imageType(data), settings.imageTypes.contains(type) else {
            throw DomainError.typeNotAllowed(allowed: settings.imageTypes)
        }
        try await store.setNewsImage(id, data: data, type: type)
        return try await get(viewer: viewer, id: id)
    }

    public func image(viewer: Viewer, id: NewsID) async throws -> (data: Data, type: String) {
        _ = try await readable(viewer, id)
        guard let image = try await store.newsImage(id) else { throw DomainError.notFound("Image") }
        return image
    }

    /// The media type the bytes start like: PNG, JPEG or WebP; nil for anything else.
    static func imageType(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count == 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x45, 0x42, 0x50] { return "image/webp" }
        return nil
    }

    /// The Atom feed's items: without a token, items for everyone in the whole group; with a
    /// valid feed token, what its person may read. nil: the token opens nothing.
    public func feed(token: String?, organisation: OrganisationID?, tag: String?, limit: Int = 50) async throws -> [NewsView]? {
        var reader: NewsReader?
        var viewer: Viewer?
        if let token {
            guard let id = try await store.person(feedTokenHash: Secrets.hash(token)), let person = try await store.person(id: id),
                  person.role.isEmployee, !person.disabled else { return nil }
            viewer = Viewer(person: person)
            reader = try await self.reader(Viewer(person: person))
            // A feed reader is for reading: editors' feeds hold what readers see, not drafts.
            reader?.seesEverything = false
        }
        let filter = NewsFilter(scope: .published, now: clock.now(), tag: tag, organisation: organisation,
                                reader: reader, everyoneOnly: reader == nil)
        let found = try await store.newsPage(filter, page: PageRequest(limit: limit))
        return try await views(found.items, for: viewer ?? Viewer(person: Person(email: "", name: "", role: .guest)), canEdit: false)
    }

    /// Search kind `news`: published items the viewer may read whose text holds every word.
    public func search(viewer: Viewer, text: String, limit: Int) async throws -> [NewsView] {
        guard let reader = try await reader(viewer) else { return [] }
        let filter = NewsFilter(scope: .published, now: clock.now(), text: text, reader: reader)
        let found = try await store.newsPage(filter, page: PageRequest(limit: limit))
        return try await views(found.items, for: viewer, canEdit: reader.seesEverything)
    }
}
