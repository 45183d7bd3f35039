import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

// The JSON shapes of `/api/v1`, as in docs/openapi.yaml. Domain types stay free of wire
// concerns; these structs are the only place that decides what a client sees.

struct PersonSummaryJSON: Encodable {
    var id: PersonID
    var name: String
    var title: String
    var department: String
    var workplace: String
    var role: Role
    var competences: [String]?

    init(_ person: Person, withCompetences: Bool = false) {
        id = person.id
        name = person.name
        title = person.profile.title
        department = person.profile.department
        workplace = person.profile.workplace
        role = person.role
        competences = withCompetences ? person.profile.competences : nil
    }
}

struct PersonJSON: Encodable {
    var id: PersonID
    var email: String
    var name: String
    var title: String
    var department: String
    var workplace: String
    var phone: String
    var presentation: String
    var competences: [String]
    var role: Role
    var createdAt: Date

    init(_ person: Person) {
        id = person.id
        email = person.email
        name = person.name
        title = person.profile.title
        department = person.profile.department
        workplace = person.profile.workplace
        phone = person.profile.phone
        presentation = person.profile.presentation
        competences = person.profile.competences
        role = person.role
        createdAt = person.createdAt
    }
}

struct AdminUserJSON: Encodable {
    var person: PersonJSON
    var disabled: Bool
    var lockedUntil: Date?
    var lastLoginAt: Date?

    init(_ person: Person) {
        self.person = PersonJSON(person)
        disabled = person.disabled
        lockedUntil = person.lockedUntil.flatMap { $0 > Date() ? $0 : nil }
        lastLoginAt = person.lastLoginAt
    }

    enum CodingKeys: String, CodingKey { case disabled, lockedUntil, lastLoginAt }

    func encode(to encoder: any Encoder) throws {
        try person.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(disabled, forKey: .disabled)
        try container.encode(lockedUntil, forKey: .lockedUntil)
        try container.encode(lastLoginAt, forKey: .lastLoginAt)
    }
}

struct WorkspaceJSON: Encodable {
    var id: WorkspaceID
    var name: String
    var description: String
    var visibility: Visibility
    var memberCount: Int
    var ownerCount: Int
    var guestCount: Int
    var hasGuests: Bool
    var createdAt: Date
    var myRole: MembershipRole?
    var myRequestPending: Bool

    init(_ listing: WorkspaceListing) {
        let overview = listing.overview
        id = overview.workspace.id
        name = overview.workspace.name
        description = overview.workspace.description
        visibility = overview.workspace.visibility
        memberCount = overview.memberCount
        ownerCount = overview.ownerCount
        guestCount = overview.guestCount
        hasGuests = overview.hasGuests
        createdAt = overview.workspace.createdAt
        myRole = listing.myRole
        myRequestPending = listing.myRequestPending
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, visibility, memberCount, ownerCount, guestCount, hasGuests, createdAt, myRole, myRequestPending
    }

    // `myRole` is written as null rather than left out, as the document says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(visibility, forKey: .visibility)
        try c.encode(memberCount, forKey: .memberCount)
        try c.encode(ownerCount, forKey: .ownerCount)
        try c.encode(guestCount, forKey: .guestCount)
        try c.encode(hasGuests, forKey: .hasGuests)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(myRole, forKey: .myRole)
        try c.encode(myRequestPending, forKey: .myRequestPending)
    }
}

struct MemberJSON: Encodable {
    var person: PersonSummaryJSON
    var role: MembershipRole
    var joinedAt: Date
    var isGuest: Bool

    init(_ member: Member) {
        person = PersonSummaryJSON(member.person)
        role = member.role
        joinedAt = member.joinedAt
        isGuest = member.person.role == .guest
    }
}

struct JoinRequestJSON: Encodable {
    var person: PersonSummaryJSON
    var requestedAt: Date

    init(_ request: JoinRequest) {
        person = PersonSummaryJSON(request.person)
        requestedAt = request.requestedAt
    }
}

struct SessionJSON: Encodable {
    var user: PersonJSON
    var csrfToken: String
    var expiresAt: Date
}

struct ApiTokenJSON: Encodable {
    var id: ApiTokenID
    var name: String
    var createdAt: Date
    var lastUsedAt: Date?
    var token: String?

    init(_ record: ApiTokenRecord, token: String? = nil) {
        id = record.id
        name = record.name
        createdAt = record.createdAt
        lastUsedAt = record.lastUsedAt
        self.token = token
    }

    enum CodingKeys: String, CodingKey { case id, name, createdAt, lastUsedAt, token }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastUsedAt, forKey: .lastUsedAt)
        try c.encodeIfPresent(token, forKey: .token)
    }
}

struct PageJSON<Item: Encodable>: Encodable {
    var items: [Item]
    var total: Int
    var limit: Int
    var offset: Int

    init<T>(_ page: Page<T>, _ transform: (T) -> Item) {
        items = page.items.map(transform)
        total = page.total
        limit = page.limit
        offset = page.offset
    }
}

struct ItemsJSON<Item: Encodable>: Encodable {
    var items: [Item]
}
