import CommunisModel
import Foundation

/// A person with what login needs. Never leaves the server.
public struct Credentials: Sendable, Equatable {
    public var person: Person
    /// bcrypt hash; nil for an invited guest who has not set a password yet.
    public var passwordHash: String?
    public var failedLogins: Int

    public init(person: Person, passwordHash: String?, failedLogins: Int) {
        self.person = person
        self.passwordHash = passwordHash
        self.failedLogins = failedLogins
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
    /// Inserts a person. Throws `DomainError.conflict` when the e-mail is taken.
    func insertPerson(_ person: Person, passwordHash: String?) async throws
    func person(id: PersonID) async throws -> Person?
    /// `email` is normalised by the caller (`Email.normalize`).
    func credentials(email: String) async throws -> Credentials?
    func credentials(id: PersonID) async throws -> Credentials?
    /// Replaces name, e-mail, role, profile and disabled flag. Throws `DomainError.conflict`
    /// when the new e-mail is taken, `DomainError.notFound` when the person does not exist.
    func updatePerson(_ person: Person) async throws
    func setPasswordHash(_ hash: String, for id: PersonID) async throws
    /// Atomically counts one failed login; when the count reaches `lockThreshold` the account
    /// is locked until `at + lockDuration` and the count starts again. Returns the lock's end
    /// if this failure locked the account.
    func recordFailedLogin(id: PersonID, at: Date, lockThreshold: Int, lockDuration: TimeInterval) async throws -> Date?
    /// Clears the failure count and records the login time.
    func recordSuccessfulLogin(id: PersonID, at: Date) async throws
    /// Clears a lock and the failure count.
    func unlock(id: PersonID) async throws
    /// Ordered by name (then id), stable across pages.
    func searchPeople(_ query: PeopleQuery, page: PageRequest) async throws -> Page<Person>
    func directoryFacets() async throws -> DirectoryFacets
    func countPeople() async throws -> Int
}
