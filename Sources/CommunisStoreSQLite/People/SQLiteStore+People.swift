import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func insertPerson(_ person: Person, passwordHash: String?) async throws {
        try await pool.write { db in
            let row = PersonRow(person, passwordHash: passwordHash)
            do {
                try row.insert(db)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw Self.personConflict(error)
            }
            try CompetenceRow.insertAll(person.profile.competences, of: row.id, db)
        }
    }

    public func person(id: PersonID) async throws -> Person? {
        try await pool.read { db in
            guard let row = try PersonRow.fetchOne(db, key: id.description) else { return nil }
            return try PersonRow.people([row], db).first
        }
    }

    public func credentials(email: String) async throws -> Credentials? {
        try await pool.read { db in
            try PersonRow.fetchOne(db, sql: "SELECT * FROM people WHERE email = ?", arguments: [email])?.credentials(db)
        }
    }

    public func credentials(login: String) async throws -> Credentials? {
        let key = Key.of(login.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !key.isEmpty else { return nil }
        return try await pool.read { db in
            try PersonRow.fetchOne(db, sql: """
                SELECT * FROM people WHERE email = ?1 OR login = ?1
                ORDER BY (email = ?1) DESC LIMIT 1
                """, arguments: [key])?.credentials(db)
        }
    }

    public func credentials(id: PersonID) async throws -> Credentials? {
        try await pool.read { db in
            try PersonRow.fetchOne(db, key: id.description)?.credentials(db)
        }
    }

    public func updatePerson(_ person: Person) async throws {
        try await pool.write { db in
            let row = PersonRow(person, passwordHash: nil)
            do {
                // Only what the protocol says is replaced: credentials, lock and login
                // times belong to the login methods.
                try db.execute(sql: """
                    UPDATE people SET
                        email = ?, name = ?, role = ?, role_source = ?, title = ?, department = ?, department_key = ?,
                        workplace = ?, workplace_key = ?, phone = ?, presentation = ?, search_text = ?,
                        disabled = ?, disabled_by = ?
                    WHERE id = ?
                    """, arguments: [
                        row.email.isEmpty ? nil : row.email, row.name, row.role, row.roleSource, row.title, row.department, Key.of(row.department),
                        row.workplace, Key.of(row.workplace), row.phone, row.presentation, row.searchText,
                        row.disabled, row.disabledBy, row.id,
                    ])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw Self.personConflict(error)
            }
            guard db.changesCount > 0 else { throw DomainError.notFound("Person") }
            try db.execute(sql: "DELETE FROM person_competences WHERE person_id = ?", arguments: [row.id])
            try CompetenceRow.insertAll(person.profile.competences, of: row.id, db)
        }
    }

    public func setPasswordHash(_ hash: String?, for id: PersonID) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE people SET password_hash = ? WHERE id = ?", arguments: [hash, id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Person") }
        }
    }

    public func recordSuccessfulLogin(id: PersonID, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE people SET last_login_at = ? WHERE id = ?", arguments: [at.unixSeconds, id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Person") }
        }
    }

    public func searchPeople(_ query: PeopleQuery, page: PageRequest) async throws -> Page<Person> {
        guard !query.roles.isEmpty else { return Page(items: [], total: 0, request: page) }
        var conditions = ["role IN (SELECT value FROM json_each(?))"]
        var arguments: StatementArguments = [jsonArray(query.roles.map(\.rawValue).sorted())]
        if !query.includeDisabled {
            conditions.append("disabled = 0")
        }
        if let text = Key.query(query.text) {
            conditions.append("search_text LIKE ? ESCAPE '\\'")
            arguments += [Key.containsPattern(text)]
        }
        if let department = Key.query(query.department) {
            conditions.append("department_key = ?")
            arguments += [department]
        }
        if let workplace = Key.query(query.workplace) {
            conditions.append("workplace_key = ?")
            arguments += [workplace]
        }
        if let competence = Key.query(query.competence) {
            conditions.append("EXISTS (SELECT 1 FROM person_competences c WHERE c.person_id = people.id AND c.name_key = ?)")
            arguments += [competence]
        }
        let filter = conditions.joined(separator: " AND ")
        let whereArguments = arguments
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM people WHERE \(filter)", arguments: whereArguments) ?? 0
            let rows = try PersonRow.fetchAll(db, sql: """
                SELECT * FROM people WHERE \(filter)
                ORDER BY name COLLATE communis_name, id
                LIMIT ? OFFSET ?
                """, arguments: whereArguments + [page.limit, page.offset])
            return Page(items: try PersonRow.people(rows, db), total: total, request: page)
        }
    }

    public func directoryFacets() async throws -> DirectoryFacets {
        // Active employees only: guests are not in the directory. Within a group the
        // spelling shown is the smallest one, so the list does not change between calls.
        try await pool.read { db in
            func facets(_ grouped: String) throws -> [FacetCount] {
                try Row.fetchAll(db, sql: """
                    SELECT facet, n FROM (\(grouped))
                    ORDER BY n DESC, facet COLLATE communis_name, facet
                    """).map { FacetCount(name: $0["facet"], count: $0["n"]) }
            }
            let active = "p.disabled = 0 AND p.role <> 'guest'"
            return DirectoryFacets(
                departments: try facets("""
                    SELECT MIN(p.department) AS facet, COUNT(*) AS n FROM people p
                    WHERE \(active) AND p.department_key <> '' GROUP BY p.department_key
                    """),
                workplaces: try facets("""
                    SELECT MIN(p.workplace) AS facet, COUNT(*) AS n FROM people p
                    WHERE \(active) AND p.workplace_key <> '' GROUP BY p.workplace_key
                    """),
                competences: try facets("""
                    SELECT MIN(c.name) AS facet, COUNT(DISTINCT c.person_id) AS n
                    FROM person_competences c JOIN people p ON p.id = c.person_id
                    WHERE \(active) AND c.name_key <> '' GROUP BY c.name_key
                    """)
            )
        }
    }

    public func countPeople() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM people") ?? 0 }
    }

    /// The foreign keys take what was the person's with them (see `PeopleStore`).
    public func deletePerson(id: PersonID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM people WHERE id = ?", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("Person") }
        }
    }

    static func personConflict(_ error: DatabaseError) -> DomainError {
        if error.message?.contains("people.email") == true {
            return .conflict("The e-mail address is already in use.")
        }
        if error.message?.contains("people.login") == true {
            return .conflict("The login name is already in use.")
        }
        return .conflict("The person already exists.")
    }
}
