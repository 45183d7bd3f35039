import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Size limits on how-to articles. Fixed like `ContentLimits` (the discussions' limits are
/// not configurable either); the HTTP body limit is the outer fence.
public enum HowToLimits {
    public static let titleLength = 200
    public static let summaryLength = 1000
    public static let bodyLength = 20_000
    public static let tagCount = 20
    public static let tagLength = 40
    public static let audienceCount = 30
    public static let recordingCount = 20
    public static let chapterCount = 100
}

/// What a person asks to save (create, or edit based on a revision): the fields of a
/// revision, checked and normalised by `HowTos` before they are stored as one.
public typealias HowToDraft = HowToContent

/// A how-to as one viewer sees it: names, the workspace's name, and what the viewer may do.
public struct HowToView: Sendable {
    public var howTo: HowTo
    public var owner: LiveJSON.PersonRef
    public var updatedBy: LiveJSON.PersonRef
    public var workspaceName: String?
    public var reviewDue: Bool
    public var canEdit: Bool
    public var canManage: Bool
}

public struct HowToRevisionView: Sendable {
    public var revision: HowToRevision
    public var author: LiveJSON.PersonRef
}

/// What a list asks for, besides the reader's permission.
public struct HowToQuery: Sendable {
    public var workspace: WorkspaceID?
    /// Only organisation-wide articles.
    public var organisationOnly: Bool
    public var tag: String?
    public var status: HowToStatus?
    public var includeArchived: Bool
    /// Only articles whose audience includes the viewer (or everyone).
    public var forMe: Bool
    /// Only the viewer's own articles that are due for review.
    public var reviewDue: Bool

    public init(workspace: WorkspaceID? = nil, organisationOnly: Bool = false, tag: String? = nil, status: HowToStatus? = nil,
                includeArchived: Bool = false, forMe: Bool = false, reviewDue: Bool = false) {
        self.workspace = workspace
        self.organisationOnly = organisationOnly
        self.tag = tag
        self.status = status
        self.includeArchived = includeArchived
        self.forMe = forMe
        self.reviewDue = reviewDue
    }
}

/// The knowledge bank (kunskapsbank, digitala lathundar): how-to articles with every save kept
/// as a revision, diffs and restore, archiving, and review dates flagged to their owners.
/// `HowToPolicy` decides who may do what; an article a viewer may not know of is `notFound`.
public struct HowTos: Sendable {
    let store: any CommunisStore
    let clock: Clock
    let timeZone: TimeZone

    public init(store: any CommunisStore, clock: Clock = Clock(), timeZone: TimeZone = TimeZone(identifier: "Europe/Stockholm") ?? .gmt) {
        self.store = store
        self.clock = clock
        self.timeZone = timeZone
    }

    /// Today in the organisation's calendar, `YYYY-MM-DD`.
    public func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: clock.now())
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    // MARK: Writing

    /// `workspace` nil: organisation-wide. The creator owns the article.
    public func create(viewer: Viewer, workspace: WorkspaceID?, draft: HowToDraft) async throws -> HowToView {
        let scope = try await scope(of: workspace, viewer: viewer)
        guard HowToPolicy.canCreate(scope.scope, viewer: viewer.role, membership: scope.membership) else {
            throw DomainError.forbidden("Only members of the workspace who are not guests can write its how-tos.")
        }
        let content = try validate(draft)
        let howTo = HowTo(workspaceID: workspace, ownerID: viewer.id, content: content, createdAt: clock.now())
        try await store.createHowTo(howTo)
        await DocumentLinks.record(in: store, .article, id: "\(howTo.id)", workspace: workspace, markdown: content.body, previously: nil, at: howTo.createdAt)
        return try await view(viewer: viewer, id: howTo.id)
    }

    /// Saves a new revision if `basedOn` is still the latest one; otherwise `conflict`.
    public func update(viewer: Viewer, id: HowToID, basedOn: Int, draft: HowToDraft) async throws -> HowToView {
        let (howTo, access) = try await readable(viewer, id)
        guard access.canEdit(howTo, viewer) else { throw DomainError.forbidden("You may read this how-to but not edit it.") }
        let content = try validate(draft)
        _ = try await store.saveHowTo(id, content: content, basedOn: basedOn, by: viewer.id, at: clock.now(), restoredFrom: nil)
        await DocumentLinks.record(in: store, .article, id: "\(id)", workspace: howTo.workspaceID, markdown: content.body, previously: howTo.content.body, at: clock.now())
        return try await view(viewer: viewer, id: id)
    }

    /// A new revision equal to revision `number` (nothing is lost: the later ones stay).
    public func restore(viewer: Viewer, id: HowToID, number: Int, basedOn: Int?) async throws -> HowToView {
        let (howTo, access) = try await readable(viewer, id)
        guard access.canEdit(howTo, viewer) else { throw DomainError.forbidden("You may read this how-to but not edit it.") }
        guard let old = try await store.howToRevision(id, number: number) else { throw DomainError.notFound("Revision") }
        _ = try await store.saveHowTo(id, content: old.content, basedOn: basedOn ?? howTo.revision, by: viewer.id, at: clock.now(), restoredFrom: number)
        await DocumentLinks.record(in: store, .article, id: "\(id)", workspace: howTo.workspaceID, markdown: old.content.body, previously: howTo.content.body, at: clock.now())
        return try await view(viewer: viewer, id: id)
    }

    public func setStatus(viewer: Viewer, id: HowToID, _ status: HowToStatus) async throws -> HowToView {
        let (howTo, access) = try await readable(viewer, id)
        guard access.canManage(howTo, viewer) else {
            throw DomainError.forbidden("Only the owner of the how-to, the workspace's owners and administrators can archive or restore it.")
        }
        _ = try await store.setHowToStatus(id, status)
        return try await view(viewer: viewer, id: id)
    }

    public func delete(viewer: Viewer, id: HowToID) async throws {
        let (howTo, access) = try await readable(viewer, id)
        guard access.canManage(howTo, viewer) else {
            throw DomainError.forbidden("Only the owner of the how-to, the workspace's owners and administrators can delete it.")
        }
        try await store.deleteHowTo(id)
        await DocumentLinks.record(in: store, .article, id: "\(id)", workspace: howTo.workspaceID, markdown: nil, previously: howTo.content.body, at: clock.now())
    }

    // MARK: Reading

    public func view(viewer: Viewer, id: HowToID) async throws -> HowToView {
        let (howTo, access) = try await readable(viewer, id)
        return try await views([howTo], viewer: viewer, access: [howTo.workspaceID: access]).first!
    }

    public func list(viewer: Viewer, query: HowToQuery, page: PageRequest) async throws -> Page<HowToView> {
        var readable = Set<WorkspaceID>()
        var offset = 0
        while true {
            let slice = try await store.workspaces(of: viewer.id, text: nil, page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            readable.formUnion(slice.items.map(\.overview.workspace.id))
            offset += slice.items.count
            if slice.items.isEmpty || offset >= slice.total { break }
        }
        if let workspace = query.workspace, !readable.contains(workspace) {
            _ = try await scope(of: workspace, viewer: viewer, requireRead: true)
        }
        let filter = HowToFilter(
            readableWorkspaces: readable, organisation: viewer.role.isEmployee, workspace: query.workspace,
            organisationOnly: query.organisationOnly, tag: query.tag, status: query.status, includeArchived: query.includeArchived,
            owner: query.reviewDue ? viewer.id : nil, reviewDueOn: query.reviewDue ? today() : nil,
            audience: query.forMe ? (viewer.role, viewer.person.profile.department) : nil)
        let page = try await store.howTos(filter, page: page)
        var access: [WorkspaceID?: Access] = [:]
        for workspace in Set(page.items.map(\.workspaceID)) {
            access[workspace] = try await scope(of: workspace, viewer: viewer)
        }
        let views = try await views(page.items, viewer: viewer, access: access)
        return Page(items: views, total: page.total, limit: page.limit, offset: page.offset)
    }

    /// The viewer's own current articles whose review-by day has come.
    public func reviewDue(viewer: Viewer, page: PageRequest) async throws -> Page<HowToView> {
        try await list(viewer: viewer, query: HowToQuery(reviewDue: true), page: page)
    }

    /// Newest first.
    public func revisions(viewer: Viewer, id: HowToID) async throws -> [HowToRevisionView] {
        _ = try await readable(viewer, id)
        let revisions = try await store.howToRevisions(id)
        let names = try await Names.load(Set(revisions.map(\.authorID)), from: store)
        return revisions.map { HowToRevisionView(revision: $0, author: names.ref($0.authorID)) }
    }

    public func revision(viewer: Viewer, id: HowToID, number: Int) async throws -> HowToRevisionView {
        _ = try await readable(viewer, id)
        guard let revision = try await store.howToRevision(id, number: number) else { throw DomainError.notFound("Revision") }
        return HowToRevisionView(revision: revision, author: try await Names.load([revision.authorID], from: store).ref(revision.authorID))
    }

    /// Field by field, line by line, from revision `from` to revision `to`.
    public func diff(viewer: Viewer, id: HowToID, from: Int, to: Int) async throws -> (from: HowToRevisionView, to: HowToRevisionView, fields: [FieldDiff]) {
        let old = try await revision(viewer: viewer, id: id, number: from)
        let new = try await revision(viewer: viewer, id: id, number: to)
        return (old, new, HowToContent.diff(old.revision.content, new.revision.content))
    }

    // MARK: Rules

    /// The viewer's standing towards one scope (a workspace, or the organisation).
    struct Access {
        var scope: HowToPolicy.Scope
        var membership: MembershipRole?
        var workspaceName: String?

        func canEdit(_ howTo: HowTo, _ viewer: Viewer) -> Bool {
            HowToPolicy.canEdit(scope, viewer: viewer.role, membership: membership, isOwner: howTo.ownerID == viewer.id)
        }

        func canManage(_ howTo: HowTo, _ viewer: Viewer) -> Bool {
            HowToPolicy.canManage(scope, viewer: viewer.role, membership: membership, isOwner: howTo.ownerID == viewer.id)
        }
    }

    /// With `requireRead`, throws `notFound("Workspace")`/`forbidden` like other workspace reads.
    func scope(of workspace: WorkspaceID?, viewer: Viewer, requireRead: Bool = false) async throws -> Access {
        guard let workspace else { return Access(scope: .organisation) }
        guard let found = try await store.workspace(id: workspace) else { throw DomainError.notFound("Workspace") }
        let membership = try await store.membership(workspace: workspace, person: viewer.id)
        let access = Access(scope: .workspace(found.visibility), membership: membership, workspaceName: found.name)
        if !HowToPolicy.mayKnowOf(access.scope, viewer: viewer.role, membership: membership) { throw DomainError.notFound("Workspace") }
        if requireRead && !HowToPolicy.canRead(access.scope, viewer: viewer.role, membership: membership) {
            throw DomainError.forbidden("Only members of the workspace can read its how-tos.")
        }
        return access
    }

    /// The article and the viewer's standing, or `notFound` / `forbidden` as the policy says.
    func readable(_ viewer: Viewer, _ id: HowToID) async throws -> (HowTo, Access) {
        guard let howTo = try await store.howTo(id: id) else { throw DomainError.notFound("How-to") }
        let access: Access
        do {
            access = try await scope(of: howTo.workspaceID, viewer: viewer)
        } catch DomainError.notFound {
            throw DomainError.notFound("How-to")
        }
        guard HowToPolicy.canRead(access.scope, viewer: viewer.role, membership: access.membership) else {
            if HowToPolicy.mayKnowOf(access.scope, viewer: viewer.role, membership: access.membership) {
                throw DomainError.forbidden("Only members of the workspace can read its how-tos.")
            }
            throw DomainError.notFound("How-to")
        }
        return (howTo, access)
    }

    func views(_ howTos: [HowTo], viewer: Viewer, access: [WorkspaceID?: Access]) async throws -> [HowToView] {
        let names = try await Names.load(Set(howTos.map(\.ownerID) + howTos.map(\.updatedBy)), from: store)
        let today = today()
        return howTos.map { howTo in
            let access = access[howTo.workspaceID] ?? Access(scope: .organisation)
            return HowToView(
                howTo: howTo, owner: names.ref(howTo.ownerID), updatedBy: names.ref(howTo.updatedBy), workspaceName: access.workspaceName,
                reviewDue: howTo.isReviewDue(today: today), canEdit: access.canEdit(howTo, viewer), canManage: access.canManage(howTo, viewer))
        }
    }

    func validate(_ draft: HowToDraft) throws -> HowToContent {
        var validator = Validator()
        let title = validator.text(draft.title, field: "title", required: true, max: HowToLimits.titleLength)
        let summary = validator.text(draft.summary, field: "summary", max: HowToLimits.summaryLength)
        let body = Self.body(draft.body, validator: &validator)
        let tags = Self.list(draft.tags, field: "tags", count: HowToLimits.tagCount, length: HowToLimits.tagLength, validator: &validator)
        let departments = Self.list(draft.audience.departments, field: "audience.departments", count: HowToLimits.audienceCount, length: Limits.departmentLength, validator: &validator)
        var roles: [String] = []
        for role in draft.audience.roles {
            guard let known = Role(rawValue: role.trimmingCharacters(in: .whitespaces).lowercased()) else {
                validator.fail("audience.roles", "must be admin, member or guest")
                continue
            }
            if !roles.contains(known.rawValue) { roles.append(known.rawValue) }
        }
        var reviewBy: String?
        if let raw = draft.reviewBy?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if Self.isDay(raw) { reviewBy = raw } else { validator.fail("reviewBy", "must be a date like 2027-03-31") }
        }
        if draft.recordings.count > HowToLimits.recordingCount {
            validator.fail("recordings", "at most \(HowToLimits.recordingCount) recordings")
        }
        var recordings: [RecordingReference] = []
        for recording in draft.recordings.prefix(HowToLimits.recordingCount) {
            let id = validator.text(recording.recordingId, field: "recordings.recordingId", required: true, max: 100)
            let title = validator.text(recording.title, field: "recordings.title", required: true, max: HowToLimits.titleLength)
            if recording.chapters.count > HowToLimits.chapterCount { validator.fail("recordings.chapters", "at most \(HowToLimits.chapterCount) chapters") }
            var chapters: [RecordingChapter] = []
            for chapter in recording.chapters.prefix(HowToLimits.chapterCount) {
                let name = validator.text(chapter.title, field: "recordings.chapters.title", required: true, max: HowToLimits.titleLength)
                if chapter.offsetMs < 0 { validator.fail("recordings.chapters.offsetMs", "must not be negative") }
                chapters.append(RecordingChapter(title: name, offsetMs: chapter.offsetMs))
            }
            recordings.append(RecordingReference(recordingId: id, title: title, chapters: chapters.sorted { $0.offsetMs < $1.offsetMs }))
        }
        try validator.check()
        return HowToContent(
            title: title, summary: summary, body: body, tags: tags, audience: HowToAudience(departments: departments, roles: roles),
            reviewBy: reviewBy, recordings: recordings)
    }

    static func body(_ raw: String, validator: inout Validator) -> String {
        // Markdown keeps its line structure: trim only the ends (as ContentRules.body).
        let body = raw.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\r\n", with: "\n")
        if body.isEmpty { validator.fail("body", "must not be empty") }
        if body.count > HowToLimits.bodyLength { validator.fail("body", "must be at most \(HowToLimits.bodyLength) characters") }
        if body.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            validator.fail("body", "must not contain control characters")
        }
        return body
    }

    /// Trimmed, empty entries and case-insensitive duplicates dropped, count and length checked.
    static func list(_ values: [String], field: String, count: Int, length: Int, validator: inout Validator) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for value in values {
            let trimmed = validator.text(value, field: field, max: length)
            if !trimmed.isEmpty && seen.insert(trimmed.lowercased()).inserted { result.append(trimmed) }
        }
        if result.count > count { validator.fail(field, "at most \(count) entries") }
        return result
    }

    /// A real calendar day written `YYYY-MM-DD`.
    static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}
