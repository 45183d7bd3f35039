import CommunisModel
import CommunisStore
import Foundation
import Logging

/// The news settings from the configuration (`news.*`).
public struct NewsSettings: Sendable, Equatable {
    /// The main organisation's name when it is first made.
    public var mainOrganisationName: String
    public var maxImageBytes: Int
    /// Media types an image may have.
    public var imageTypes: [String]

    public init(mainOrganisationName: String = "Kommunen", maxImageBytes: Int = 5 << 20,
                imageTypes: [String] = ["image/png", "image/jpeg", "image/webp"]) {
        self.mainOrganisationName = mainOrganisationName
        self.maxImageBytes = maxImageBytes
        self.imageTypes = imageTypes
    }
}

/// A news item as one reader sees it: with its author, counts, their own state and rights.
public struct NewsView: Sendable {
    public var news: News
    public var author: Person?
    public var extras: NewsExtras
    public var state: NewsState
    public var canEdit: Bool

    /// The reader's acknowledgement, when it is of the current revision.
    public var acknowledgedAt: Date? { extras.acknowledgedRevision == news.revision ? extras.acknowledgedAt : nil }
    /// They acknowledged an earlier revision: the text changed since.
    public var changedSinceAcknowledgement: Bool {
        extras.acknowledgedRevision.map { $0 < news.revision } ?? false
    }
}

/// What a news list asks for.
public struct NewsQuery: Sendable, Equatable {
    public var scope: NewsFilter.Scope
    public var tag: String?
    public var text: String?
    public var organisation: OrganisationID?
    /// Only items with a tag or category the viewer follows (`GET /me/follows`).
    public var followed: Bool

    public init(scope: NewsFilter.Scope = .published, tag: String? = nil, text: String? = nil, organisation: OrganisationID? = nil,
                followed: Bool = false) {
        self.scope = scope
        self.tag = tag
        self.text = text
        self.organisation = organisation
        self.followed = followed
    }
}

/// News (nyheter): organisations, editors, items aimed at an audience, scheduled publishing,
/// läst och förstått, comments and reactions. Who may do what:
/// - Administrators and the people they made news editors publish, edit and delete, and see
///   every item in every state.
/// - Other employees read the published items whose audience includes them (`NewsAudience`);
///   any other item is "not found" to them. Guests see no news.
/// Publishing is announced once (`claimAnnouncement` / `claimDueNews` in the store): a live
/// `news.published` to each person of the audience with an open connection, and a `.news`
/// notification through the `NotificationSink`.
public struct Newsroom: Sendable {
    let store: any CommunisStore
    let publisher: any LivePublisher
    let notifications: any NotificationSink
    public let settings: NewsSettings
    let clock: Clock
    let logger: Logger

    public init(store: any CommunisStore, publisher: any LivePublisher, notifications: any NotificationSink = NoNotifications(),
                settings: NewsSettings = NewsSettings(), clock: Clock = Clock(), logger: Logger = Logger(label: "communis.news")) {
        self.store = store
        self.publisher = publisher
        self.notifications = notifications
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    // MARK: Organisations and editors

    public func mainOrganisation() async throws -> Organisation {
        if let main = try await store.organisations().first(where: \.isMain) { return main }
        return try await store.ensureMainOrganisation(name: settings.mainOrganisationName, at: clock.now())
    }

    public func organisations(viewer: Viewer) async throws -> [Organisation] {
        try requireEmployee(viewer)
        _ = try await mainOrganisation()
        return try await store.organisations()
    }

    public func createOrganisation(viewer: Viewer, name: String) async throws -> Organisation {
        try requireAdmin(viewer)
        var validator = Validator()
        let name = validator.text(name, field: "name", required: true, max: Organisation.nameLength)
        try validator.check()
        _ = try await mainOrganisation()
        let organisation = Organisation(name: name, createdAt: clock.now())
        try await store.createOrganisation(organisation)
        return organisation
    }

    public func setOrganisation(viewer: Viewer, person: PersonID, organisation: OrganisationID?) async throws {
        try requireAdmin(viewer)
        do {
            try await store.setOrganisation(organisation, of: person)
        } catch DomainError.notFound("Organisation") {
            throw DomainError.validation([FieldError(field: "organisationId", message: "is not an organisation")])
        }
    }

    /// The person's organisation, the main one when they have none.
    public func organisationID(of person: PersonID) async throws -> OrganisationID {
        if let own = try await store.organisation(of: person) { return own }
        return try await mainOrganisation().id
    }

    /// Administrators always; employees an administrator made editors.
    public func canPublish(_ viewer: Viewer) async throws -> Bool {
        guard viewer.role.isEmployee, !viewer.person.disabled else { return false }
        if viewer.role == .admin { return true }
        return try await store.isNewsEditor(viewer.id)
    }

    public func editors(viewer: Viewer) async throws -> [Person] {
        try requireAdmin(viewer)
        var people: [Person] = []
        for id in try await store.newsEditors() {
            if let person = try await store.person(id: id) { people.append(person) }
        }
        return people
    }

    public func setEditor(viewer: Viewer, person: PersonID, _ isEditor: Bool) async throws {
        try requireAdmin(viewer)
        if isEditor {
            guard let target = try await store.person(id: person) else { throw DomainError.notFound("Person") }
            guard target.role.isEmployee else {
                throw DomainError.validation([FieldError(field: "personId", message: "a guest cannot be a news editor")])
            }
        }
        try await store.setNewsEditor(person, isEditor, at: clock.now())
    }

    // MARK: Reading

    /// What the audience rule needs of the viewer; nil for guests (they see no news).
    public func reader(_ viewer: Viewer) async throws -> NewsReader? {
        guard viewer.role.isEmployee, !viewer.person.disabled else { return nil }
        let groups = try await store.groups(of: viewer.id).map(\.key)
        let profile = viewer.person.profile
        return NewsReader(personID: viewer.id, organisationID: try await organisationID(of: viewer.id), department: profile.department,
                          workplace: profile.workplace, title: profile.title, groups: Set(groups),
                          seesEverything: try await canPublish(viewer))
    }

    public func list(viewer: Viewer, query: NewsQuery, page: PageRequest) async throws -> Page<NewsView> {
        guard let reader = try await reader(viewer) else { return Page(items: [], total: 0, request: page) }
        if query.scope != .published && !reader.seesEverything {
            throw DomainError.forbidden("Only news editors see drafts, scheduled and expired news.")
        }
        var topics: NewsTopics?
        if query.followed {
            let follows = try await store.follows(of: viewer.id).filter(\.following)
            topics = NewsTopics(tags: follows.filter { $0.kind == .tag }.map(\.target),
                                categories: follows.filter { $0.kind == .category }.map(\.target))
        }
        let filter = NewsFilter(scope: query.scope, now: clock.now(), tag: query.tag, text: query.text, organisation: query.organisation, reader: reader,
                                topics: topics)
        let found = try await store.newsPage(filter, page: page)
        let views = try await views(found.items, for: viewer, canEdit: reader.seesEverything)
        return Page(items: views, total: found.total, limit: found.limit, offset: found.offset)
    }

    /// The item, if the viewer may read it; otherwise "not found".
    public func get(viewer: Viewer, id: NewsID) async throws -> NewsView {
        let (news, reader) = try await readable(viewer, id)
        return try await views([news], for: viewer, canEdit: reader.seesEverything)[0]
    }

    /// Editors see every item; readers published items of their audience.
    func readable(_ viewer: Viewer, _ id: NewsID) async throws -> (News, NewsReader) {
        guard let reader = try await reader(viewer), let news = try await store.news(id: id) else { throw DomainError.notFound("News") }
        if reader.seesEverything { return (news, reader) }
        guard news.state(at: clock.now()) == .published, news.content.audience.includes(reader) else { throw DomainError.notFound("News") }
        return (news, reader)
    }

    func views(_ items: [News], for viewer: Viewer, canEdit: Bool) async throws -> [NewsView] {
        let extras = try await store.newsExtras(items.map(\.id), for: viewer.id)
        var authors: [PersonID: Person] = [:]
        for id in Set(items.map(\.authorID)) { authors[id] = try await store.person(id: id) }
        let now = clock.now()
        return items.map {
            NewsView(news: $0, author: authors[$0.authorID], extras: extras[$0.id] ?? NewsExtras(), state: $0.state(at: now), canEdit: canEdit)
        }
    }

    public func revisions(viewer: Viewer, id: NewsID) async throws -> [NewsRevision] {
        _ = try await readable(viewer, id)
        return try await store.newsRevisions(id)
    }

    func requireEmployee(_ viewer: Viewer) throws {
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests have no access to news.") }
    }

    func requireAdmin(_ viewer: Viewer) throws {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators can do this.") }
    }

    func requireEditor(_ viewer: Viewer) async throws {
        guard try await canPublish(viewer) else { throw DomainError.forbidden("Only news editors and administrators can do this.") }
    }
}
