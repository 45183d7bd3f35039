import CommunisModel
import CommunisStore
import Foundation
import Testing

/// One behaviour every storage engine must show: a name and a body that runs against a fresh,
/// empty, migrated store. Failures are recorded as Swift Testing issues (`#expect`,
/// `#require`) against the test that runs the case.
public struct ContractCase: Sendable, CustomTestStringConvertible {
    public let name: String
    public let run: @Sendable (any CommunisStore) async throws -> Void

    public init(_ name: String, _ run: @escaping @Sendable (any CommunisStore) async throws -> Void) {
        self.name = name
        self.run = run
    }

    public var testDescription: String { name }
}

/// The store contract: every case that every storage engine (SQLite, PostgreSQL, any later
/// one) must pass, written against `any CommunisStore` only.
///
/// An engine's test target needs nothing else than a factory that makes a fresh, empty,
/// migrated store — its own file, database or schema, since the cases run in parallel — and
/// one parameterised test:
///
/// ```swift
/// import CommunisStore
/// import CommunisTesting
/// import Testing
///
/// @Suite("PostgresStore")
/// struct PostgresStoreTests {
///     @Test("passes the store contract", arguments: StoreContract.cases)
///     func contract(_ contractCase: ContractCase) async throws {
///         try await StoreContract.run(contractCase) { try await freshPostgresStore() }
///     }
/// }
/// ```
///
/// `run` closes the store afterwards, also when the case fails; removing what the factory
/// made (a temporary folder, a database) is the engine test's own business. The cases record
/// their failures as Swift Testing issues, so this module imports `Testing`: it is test
/// support, linked only into test targets (`.ci/check-package-deps` refuses it elsewhere).
///
/// A new behaviour of a store protocol gets its case here, in its area's `…Contract` enum
/// (each has `cases` of its own, for an engine still under way), never in one engine's tests;
/// what only one engine can show (its files, its SQL, its query plans, its migrations of old
/// data) stays in that engine's test target.
public enum StoreContract {
    public static let cases: [ContractCase] = PeopleContract.cases + SessionContract.cases
        + WorkspaceContract.cases + MembershipContract.cases + LiveContract.cases + DiscussionContract.cases
        + MeetingContract.cases + HowToContract.cases + SearchContract.cases
        + IdentityContract.cases + GroupRuleContract.cases + DirectorySyncContract.cases + AuditContract.cases + OutboxContract.cases
        + LoginRecordContract.cases + RecordingContract.cases + ReviewReminderContract.cases + DeletionContract.cases + JobContract.cases
        + DocumentContract.cases
        + PushContract.cases
        + NotificationContract.cases
        + NewsContract.cases

    /// Runs `contractCase` on a store made by `makeStore` (a fresh, empty, migrated one), then
    /// closes that store.
    public static func run(_ contractCase: ContractCase, on makeStore: () async throws -> any CommunisStore) async throws {
        let store = try await makeStore()
        do {
            try await contractCase.run(store)
        } catch {
            // The case's failure is the one worth reporting; a store that also fails to close
            // after it adds nothing to act on.
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

/// Fixed instants, whole seconds: the tests never depend on the clock.
public enum Instant {
    public static let t0 = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    public static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
}

/// People and workspaces as the contract cases make them: valid, with fixed times.
public enum Fixture {
    public static func person(
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
    public static func insert(_ store: any CommunisStore, _ person: Person, passwordHash: String? = "$2b$12$hash") async throws -> Person {
        try await store.insertPerson(person, passwordHash: passwordHash)
        return person
    }

    public static func workspace(_ name: String, _ visibility: Visibility = .open, by owner: PersonID) -> Workspace {
        Workspace(name: name, description: "Om \(name)", visibility: visibility, createdBy: owner, createdAt: Instant.t0)
    }

    @discardableResult
    public static func createWorkspace(
        _ store: any CommunisStore, _ name: String, _ visibility: Visibility = .open, owner: PersonID
    ) async throws -> Workspace {
        let workspace = workspace(name, visibility, by: owner)
        try await store.createWorkspace(workspace, owner: owner)
        return workspace
    }
}

/// The `code` of the `DomainError` that `body` throws; records an issue when it throws
/// nothing or something else.
public func domainErrorCode(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> String? {
    let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { try await body() }
    return error?.code
}
