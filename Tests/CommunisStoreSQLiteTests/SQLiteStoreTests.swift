@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import Logging
import Testing

/// A fresh directory per test, holding a real SQLite file (in a subdirectory that does not
/// exist yet, so opening must create it), removed afterwards.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("data/communis.sqlite").path }

    init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("communis-store-tests-\(UUID().uuidString)", isDirectory: true)
    }

    static let logger = Logger(label: "communis.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    func open() throws -> SQLiteStore { try SQLiteStore.open(path: path, logger: Self.logger) }

    /// Runs `body` on a freshly opened store; closes it and removes the directory afterwards.
    static func with<T>(_ body: (SQLiteStore, TemporaryDatabase) async throws -> T) async throws -> T {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }
        let store = try database.open()
        do {
            let result = try await body(store, database)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test("passes the store contract", arguments: StoreContract.cases)
    func contract(_ contractCase: ContractCase) async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }
        try await StoreContract.run(contractCase) { try database.open() }
    }

    @Test("creates the file and its parent directories, with every migration applied")
    func opensAndMigrates() async throws {
        try await TemporaryDatabase.with { store, database in
            #expect(FileManager.default.fileExists(atPath: database.path))
            #expect(try store.appliedMigrations() == SQLiteStore.knownMigrations)
            #expect(SQLiteStore.knownMigrations.first == "v1-people")
            #expect(try store.schemaVersion == SQLiteStore.knownMigrations.last)
            #expect(try store.needsMigration() == false)
            try await store.ping()
            // The connection settings the rest of the engine relies on.
            #expect(try await store.pragma("journal_mode") == "wal")
            #expect(try await store.pragma("foreign_keys") == "1")
        }
    }

    @Test("migrating twice, or reopening a migrated file, changes nothing")
    func migrateTwice() async throws {
        try await TemporaryDatabase.with { store, database in
            let person = try await Fixture.insert(store, Fixture.person("Maja"))
            try store.migrate()
            try store.migrate()
            let again = try database.open()
            #expect(try again.appliedMigrations() == SQLiteStore.knownMigrations)
            #expect(try await again.person(id: person.id) == person)
            try await again.close()
        }
    }

    @Test("a file opened without migrating reports what it lacks")
    func unmigrated() async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }
        let store = try SQLiteStore(path: database.path, logger: TemporaryDatabase.logger)
        #expect(try store.appliedMigrations() == [])
        #expect(try store.schemaVersion == nil)
        #expect(try store.needsMigration())
        try store.migrate()
        #expect(try store.needsMigration() == false)
        try await store.close()
    }

    @Test("data survives closing and reopening the file")
    func survivesReopen() async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }

        let first = try database.open()
        let eva = try await Fixture.insert(first, Fixture.person("Eva Ek", department: "Kultur", competences: ["Arkiv"]))
        let workspace = try await Fixture.createWorkspace(first, "Arkivet", .closed, owner: eva.id)
        let session = SessionContract.session("s", of: eva.id)
        try await first.insertSession(session)
        try await first.close()
        await #expect(throws: (any Error).self) { try await first.ping() }

        let second = try database.open()
        #expect(try await second.person(id: eva.id) == eva)
        #expect(try await second.workspace(id: workspace.id) == workspace)
        #expect(try await second.membership(workspace: workspace.id, person: eva.id) == .owner)
        #expect(try await second.session(tokenHash: "s") == session)
        #expect(try await second.searchPeople(PeopleQuery(competence: "arkiv"), page: PageRequest()).total == 1)
        try await second.close()
    }
}
