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
    var email: String?
    var name: String
    var title: String
    var department: String
    var workplace: String
    var phone: String
    var presentation: String
    var competences: [String]
    var role: Role
    var createdAt: Date
    /// Account fields, for the person themself and administrators only.
    var account: Account?
    /// Session answers of a meeting link's guest only (`SessionJSON`).
    var meetingId: MeetingID?
    /// The person's organisation (the main one when they have none); set where it was read.
    var organisationId: OrganisationID?

    struct Account: Encodable {
        var login: String?
        var managedBy: ManagedBy?
        var managedFields: [String]
    }

    init(_ person: Person, account: Bool = false, meetingId: MeetingID? = nil) {
        self.meetingId = meetingId
        id = person.id
        email = person.email.isEmpty ? nil : person.email
        name = person.name
        title = person.profile.title
        department = person.profile.department
        workplace = person.profile.workplace
        phone = person.profile.phone
        presentation = person.profile.presentation
        competences = person.profile.competences
        role = person.role
        createdAt = person.createdAt
        self.account = account ? Account(login: person.login, managedBy: person.managedBy, managedFields: person.managedFields) : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, title, department, workplace, phone, presentation, competences, role, createdAt, login, managedBy, managedFields
        case meetingId, organisationId
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)
        try c.encode(title, forKey: .title)
        try c.encode(department, forKey: .department)
        try c.encode(workplace, forKey: .workplace)
        try c.encode(phone, forKey: .phone)
        try c.encode(presentation, forKey: .presentation)
        try c.encode(competences, forKey: .competences)
        try c.encode(role, forKey: .role)
        try c.encode(createdAt, forKey: .createdAt)
        if let account {
            try c.encode(account.login, forKey: .login)
            try c.encode(account.managedBy, forKey: .managedBy)
            try c.encode(account.managedFields, forKey: .managedFields)
        }
        try c.encodeIfPresent(meetingId, forKey: .meetingId)
        try c.encodeIfPresent(organisationId, forKey: .organisationId)
    }
}

struct AdminUserJSON: Encodable {
    struct GroupJSON: Encodable { var key: String; var name: String; var source: ExternalGroup.Source }

    var person: PersonJSON
    var disabled: Bool
    var disabledBy: DisabledBy?
    var lockedUntil: Date?
    var lastLoginAt: Date?
    var roleSource: RoleSource
    var groupsUnreadable: Bool
    var groups: [GroupJSON]?

    /// `delayedUntil`: until when logins to the account are being delayed from some address.
    init(_ person: Person, delayedUntil: Date? = nil, groups: [ExternalGroup]? = nil) {
        self.person = PersonJSON(person, account: true)
        disabled = person.disabled
        disabledBy = person.disabledBy
        lockedUntil = delayedUntil
        lastLoginAt = person.lastLoginAt
        roleSource = person.roleSource
        groupsUnreadable = person.groupsUnreadable
        self.groups = groups?.map { GroupJSON(key: $0.key, name: $0.name, source: $0.source) }
    }

    enum CodingKeys: String, CodingKey { case disabled, disabledBy, lockedUntil, lastLoginAt, roleSource, groupsUnreadable, groups }

    func encode(to encoder: any Encoder) throws {
        try person.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(disabled, forKey: .disabled)
        try container.encode(disabledBy, forKey: .disabledBy)
        try container.encode(lockedUntil, forKey: .lockedUntil)
        try container.encode(lastLoginAt, forKey: .lastLoginAt)
        try container.encode(roleSource, forKey: .roleSource)
        try container.encode(groupsUnreadable, forKey: .groupsUnreadable)
        if let groups { try container.encode(groups, forKey: .groups) }
    }
}

/// A login session as its owner and administrators see it (never its token).
struct SessionSummaryJSON: Encodable {
    var id: SessionID
    var method: LoginMethod
    var address: String
    var userAgent: String
    var createdAt: Date
    var lastSeenAt: Date?
    var expiresAt: Date
    var current: Bool

    init(_ record: SessionRecord, current: SessionID?) {
        id = record.id
        method = record.method
        address = record.address
        userAgent = record.userAgent
        createdAt = record.createdAt
        lastSeenAt = record.lastSeenAt
        expiresAt = record.expiresAt
        self.current = record.id == current
    }

    enum CodingKeys: String, CodingKey { case id, method, address, userAgent, createdAt, lastSeenAt, expiresAt, current }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(method, forKey: .method)
        try c.encode(address, forKey: .address)
        try c.encode(userAgent, forKey: .userAgent)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastSeenAt, forKey: .lastSeenAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(current, forKey: .current)
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
    /// News (issue 14): whether the person may publish, and their organisation.
    var canPublishNews: Bool?
    var organisationId: OrganisationID?

    /// `user.meetingId` names the meeting a guest from a meeting's invitation link came in
    /// for: their whole Communis is that meeting.
    init(user: PersonJSON, csrfToken: String, expiresAt: Date, meetingId: MeetingID? = nil) {
        self.user = user
        self.user.meetingId = meetingId
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
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
