@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import GRDB
import Testing

/// Migration v10 rebuilds `people` (SQLite cannot relax NOT NULL in place): what a v9
/// database holds must come through it whole, and the search index's triggers on `people`
/// must still fire afterwards.
@Suite("SQLiteStore v10 identity migration")
struct IdentityMigrationTests {
    /// A person as the v9 schema stores them (the columns v10 adds do not exist yet).
    static func insertV9(_ person: Person, passwordHash: String?, failedLogins: Int = 0, lockedUntil: Date? = nil, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO people (id, email, name, role, title, department, department_key, workplace, workplace_key, phone, presentation,
                                search_text, password_hash, failed_logins, locked_until, disabled, created_at, last_login_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                person.id.description, person.email, person.name, person.role.rawValue, person.profile.title, person.profile.department,
                Key.of(person.profile.department), person.profile.workplace, Key.of(person.profile.workplace), person.profile.phone,
                person.profile.presentation, PersonRow.searchText(of: person), passwordHash, failedLogins, lockedUntil?.unixSeconds,
                person.disabled, person.createdAt.unixSeconds, person.lastLoginAt?.unixSeconds,
            ])
        for (ordinal, name) in person.profile.competences.enumerated() {
            try db.execute(sql: "INSERT INTO person_competences (person_id, ordinal, name, name_key) VALUES (?, ?, ?, ?)",
                           arguments: [person.id.description, ordinal, name, Key.of(name)])
        }
    }

    /// The indexes and triggers that hang on `people`, by name.
    static func dependents(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'people' AND type IN ('index', 'trigger') AND sql IS NOT NULL"))
    }

    static func find(_ store: SQLiteStore, _ word: String, as reader: PersonID) async throws -> [String] {
        let page = try await store.search(SearchQuery(terms: [word], prefixLast: false), reader: SearchReader(
            person: reader, readsOpenWorkspaces: true, readsOrganisation: true, findsPeople: true), limit: 50, cursor: nil)
        return page.hits.map(\.id)
    }

    @Test("v10 keeps a v9 database's people, search rows, sessions and memberships, and the search triggers keep firing")
    func keepsWhatV9Held() async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }

        // Given a database at v9: an administrator with a lock, an employee with competences,
        // a disabled employee, a guest without a password; a session, a workspace and a thread.
        let old = try SQLiteStore(path: database.path, logger: TemporaryDatabase.logger)
        try Schema.migrator.migrate(old.pool, upTo: "v9-search-scope")
        #expect(try old.appliedMigrations().last == "v9-search-scope")
        let eva = Person(email: "eva.ek@example.se", name: "Eva Ek", role: .admin, profile: Profile(title: "Rektor", department: "Skola"),
                         createdAt: Instant.at(1), lastLoginAt: Instant.at(50))
        var åsa = Person(email: "asa.oberg@example.se", name: "Åsa Öberg", role: .member,
                         profile: Profile(title: "Skolsköterska", department: "Elevhälsan", workplace: "Ekskolan", phone: "08-1",
                                          presentation: "Hej!", competences: ["Teckenspråk", "Första hjälpen"]),
                         createdAt: Instant.at(2))
        var gunnar = Person(email: "gunnar.gran@example.se", name: "Gunnar Gran", role: .member, disabled: true, createdAt: Instant.at(3))
        let gösta = Person(email: "gosta@example.se", name: "Gösta Gäst", role: .guest, createdAt: Instant.at(4))
        try await old.pool.write { [åsa, gunnar] db in
            try Self.insertV9(eva, passwordHash: "$2b$12$eva", failedLogins: 3, lockedUntil: Instant.at(99_999), db)
            try Self.insertV9(åsa, passwordHash: "$2b$12$asa", db)
            try Self.insertV9(gunnar, passwordHash: "$2b$12$gunnar", db)
            try Self.insertV9(gösta, passwordHash: nil, db)
            try db.execute(sql: "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, expires_at) VALUES ('old-session', ?, 'csrf', ?, ?)",
                           arguments: [eva.id.description, Instant.at(10).unixSeconds, Instant.at(86_400).unixSeconds])
        }
        let space = try await Fixture.createWorkspace(old, "Skolstart", .closed, owner: eva.id)
        try await old.addMember(Membership(workspaceID: space.id, personID: åsa.id, role: .member, joinedAt: Instant.at(5)))
        try await old.addMember(Membership(workspaceID: space.id, personID: gösta.id, role: .member, joinedAt: Instant.at(6)))
        let (thread, _) = try await Live.thread(old, "Terminsplanering", in: space.id, by: eva.id, at: Instant.at(7))
        #expect(try await Self.find(old, "oberg", as: eva.id) == [åsa.id.description])
        #expect(try await Self.find(old, "terminsplanering", as: eva.id).contains(thread.id.description))
        let dependentsBefore = try await old.pool.read { db in try Self.dependents(db) }
        try await old.close()

        // When the current build opens it.
        let store = try database.open()
        #expect(try store.appliedMigrations() == SQLiteStore.knownMigrations)

        // Then everyone reads back as they were; who disabled the account was an administrator.
        gunnar.disabledBy = .admin
        for person in [eva, åsa, gunnar, gösta] {
            #expect(try await store.person(id: person.id) == person, "\(person.name)")
        }
        #expect(try await store.credentials(email: "eva.ek@example.se")?.passwordHash == "$2b$12$eva")
        #expect(try await store.credentials(login: "ASA.OBERG@example.se")?.person.id == åsa.id)
        #expect(try await store.credentials(id: gösta.id)?.passwordHash == nil)
        #expect(try await store.loginBlockedUntil(scope: "account:\(eva.id)", address: "10.0.0.1", now: Instant.at(100)) == nil, "locks are gone")
        #expect(try await store.searchPeople(PeopleQuery(competence: "teckenspråk"), page: PageRequest()).items.map(\.id) == [åsa.id])
        #expect(try await store.countPeople() == 4)

        // The search index still has them, and its triggers still fire on the rebuilt table.
        #expect(try await Self.find(store, "oberg", as: eva.id) == [åsa.id.description])
        #expect(try await Self.find(store, "teckensprak", as: eva.id) == [åsa.id.description])
        #expect(try await Self.find(store, "gran", as: eva.id).isEmpty, "disabled people stay out")
        #expect(try await Self.find(store, "terminsplanering", as: eva.id).contains(thread.id.description), "the thread, found as before")
        åsa.name = "Åsa Lind"
        åsa.profile.competences = ["Simning"]
        try await store.updatePerson(åsa)
        #expect(try await Self.find(store, "lind", as: eva.id) == [åsa.id.description])
        #expect(try await Self.find(store, "oberg", as: eva.id).isEmpty)
        #expect(try await Self.find(store, "simning", as: eva.id) == [åsa.id.description])
        #expect(try await Self.find(store, "teckensprak", as: eva.id).isEmpty)
        gunnar.disabled = false
        gunnar.disabledBy = nil
        try await store.updatePerson(gunnar)
        #expect(try await Self.find(store, "gran", as: eva.id) == [gunnar.id.description])
        let newcomer = try await Fixture.insert(store, Fixture.person("Nora Nykvist", email: ""))
        #expect(try await Self.find(store, "nykvist", as: eva.id) == [newcomer.id.description])
        try await store.insertPerson(Fixture.person("Utan Adress", email: ""), passwordHash: nil)

        // The old session got a public id that works; memberships are hand memberships.
        let sessions = try await store.sessions(of: eva.id)
        #expect(sessions.count == 1)
        let session = try #require(sessions.first)
        #expect(session.tokenHash == "old-session" && session.method == .password && session.address == "" && session.lastSeenAt == nil)
        #expect(try await store.deleteSession(id: session.id, of: eva.id) == "old-session")
        for (subject, _) in try await store.ruleSubjects([eva.id, åsa.id, gösta.id]) {
            #expect(subject.memberships[space.id]?.origin == .manual, "\(subject.personID)")
            #expect(subject.roleSource == .manual)
        }
        #expect(try await store.membership(workspace: space.id, person: eva.id) == .owner)

        // And the schema is whole: the table's indexes and triggers are back, nothing dangles.
        let (dependentsAfter, violations, integrity) = try await store.pool.read { db in
            (try Self.dependents(db), try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
             try String.fetchOne(db, sql: "PRAGMA integrity_check"))
        }
        #expect(dependentsAfter.isSuperset(of: dependentsBefore), "\(dependentsBefore.subtracting(dependentsAfter))")
        #expect(violations == 0)
        #expect(integrity == "ok")
        try await store.close()
    }
}
