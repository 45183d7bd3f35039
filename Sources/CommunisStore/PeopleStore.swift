import CommunisModel
import Foundation

/// A person with what login needs. Never leaves the server.
public struct Credentials: Sendable, Equatable {
    public var person: Person
    /// bcrypt hash; nil for an invited guest who has not set a password yet, and for people
    /// whose password lives in the directory or with an identity provider.
    public var passwordHash: String?

    public init(person: Person, passwordHash: String?) {
        self.person = person
        self.passwordHash = passwordHash
    }
}

/// A directory search. All given criteria must hold.
public struct PeopleQuery: Sendable, Equatable {
    /// Case-insensitive substring over name, e-mail, title, department, workplace and
    /// competences (Unicode-aware: "ÅSA" finds "Åsa").
    public var text: String?
    /// Exact department (case-insensitive).
    public var department: String?
    /// Exact workplace (case-insensitive).
    public var workplace: String?
    /// Exact competence (case-insensitive).
    public var competence: String?
    /// Which roles to list; the directory passes admin and member, the admin page all.
    public var roles: Set<Role>
    public var includeDisabled: Bool

    public init(
        text: String? = nil, department: String? = nil, workplace: String? = nil, competence: String? = nil,
        roles: Set<Role> = [.admin, .member], includeDisabled: Bool = false
    ) {
        self.text = text
        self.department = department
        self.workplace = workplace
        self.competence = competence
        self.roles = roles
        self.includeDisabled = includeDisabled
    }
}

public struct FacetCount: Sendable, Equatable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// Departments, workplaces and competences in use among active employees, for filters.
public struct DirectoryFacets: Sendable, Equatable {
    public var departments: [FacetCount]
    public var workplaces: [FacetCount]
    public var competences: [FacetCount]
    public init(departments: [FacetCount], workplaces: [FacetCount], competences: [FacetCount]) {
        self.departments = departments
        self.workplaces = workplaces
        self.competences = competences
    }
}

/// People and their credentials.
public protocol PeopleStore: Sendable {
    /// Inserts a person. Throws `DomainError.conflict` when the e-mail (or login) is taken.
    /// An empty e-mail is stored as none (several people may have none).
    func insertPerson(_ person: Person, passwordHash: String?) async throws
    func person(id: PersonID) async throws -> Person?
    /// `email` is normalised by the caller (`Email.normalize`).
    func credentials(email: String) async throws -> Credentials?
    /// By e-mail address or directory login name (both compared in lower case); the e-mail
    /// wins when both match different people.
    func credentials(login: String) async throws -> Credentials?
    func credentials(id: PersonID) async throws -> Credentials?
    /// Replaces name, e-mail, role, role source, profile, disabled flag and who disabled it.
    /// Throws `DomainError.conflict` when the new e-mail is taken, `DomainError.notFound`
    /// when the person does not exist.
    func updatePerson(_ person: Person) async throws
    /// A nil hash removes the password (password logins then fail).
    func setPasswordHash(_ hash: String?, for id: PersonID) async throws
    /// Records the login time.
    func recordSuccessfulLogin(id: PersonID, at: Date) async throws
    /// Ordered by name (then id), stable across pages.
    func searchPeople(_ query: PeopleQuery, page: PageRequest) async throws -> Page<Person>
    func directoryFacets() async throws -> DirectoryFacets
    func countPeople() async throws -> Int
    /// Erases a person and what was theirs: competences, sessions, API tokens, memberships,
    /// join requests, invitations, reactions, personal notifications, feed token and their
    /// own blog. What they wrote for others (posts, replies) stays, and workspaces they
    /// created stay without a creator. Throws `DomainError.notFound` for an unknown person.
    /// No service calls it yet: an erasure feature must first decide what becomes of
    /// workspaces where the person is the last owner.
    func deletePerson(id: PersonID) async throws
}
