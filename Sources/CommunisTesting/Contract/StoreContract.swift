import CommunisModel
import CommunisStore
import Foundation
import Testing

/// One behaviour every storage engine must show, run on a fresh, empty, migrated store.
///
/// The contract is written against `any CommunisStore` only, so a later engine (PostgreSQL)
/// reuses it with one parameterised test:
/// `@Test(arguments: StoreContract.cases) func contract(_ c: ContractCase) async throws`.
struct ContractCase: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable (any CommunisStore) async throws -> Void

    init(_ name: String, _ run: @escaping @Sendable (any CommunisStore) async throws -> Void) {
        self.name = name
        self.run = run
    }

    var testDescription: String { name }
}

enum StoreContract {
    static let cases: [ContractCase] = PeopleContract.cases + SessionContract.cases
        + WorkspaceContract.cases + MembershipContract.cases + LiveContract.cases + DiscussionContract.cases
        + MeetingContract.cases + HowToContract.cases + SearchContract.cases
        + IdentityContract.cases + GroupRuleContract.cases + DirectorySyncContract.cases + AuditContract.cases + OutboxContract.cases
        + LoginRecordContract.cases
}

/// Fixed instants, whole seconds: the tests never depend on the clock.
enum Instant {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
}

enum Fixture {
    static func person(
        _ name: String, email: String? = nil, role: Role = .member, title: String = "",
        department: String = "", workplace: String = "", competences: [String] = [], disabled: Bool = false
    ) -> Person {
        // The default address says nothing about the name, so a text search on the name
        // cannot pass by matching the address instead.
        let id = PersonID()
        return Person(
            id: id, email: email ?? "p-\(id.description.prefix(12))@example.se", name: name, role: role,
            profile: Profile(
                title: title, department: department, workplace: workplace, phone: "08-123 45 67",
                presentation: "Hej!", competences: competences
            ),
            disabled: disabled, createdAt: Instant.t0
        )
    }

    @discardableResult
    static func insert(_ store: any CommunisStore, _ person: Person, passwordHash: String? = "$2b$12$hash") async throws -> Person {
        try await store.insertPerson(person, passwordHash: passwordHash)
        return person
    }

    static func workspace(_ name: String, _ visibility: Visibility = .open, by owner: PersonID) -> Workspace {
        Workspace(name: name, description: "Om \(name)", visibility: visibility, createdBy: owner, createdAt: Instant.t0)
    }

    @discardableResult
    static func createWorkspace(
        _ store: any CommunisStore, _ name: String, _ visibility: Visibility = .open, owner: PersonID
    ) async throws -> Workspace {
        let workspace = workspace(name, visibility, by: owner)
        try await store.createWorkspace(workspace, owner: owner)
        return workspace
    }
}

/// The `code` of the `DomainError` that `body` throws; records an issue when it throws
/// nothing or something else.
func domainErrorCode(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> String? {
    let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { try await body() }
    return error?.code
}
