import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func insertPerson(_ person: Person, passwordHash: String?) async throws {
        try await transaction { connection in
            let email = Email.normalize(person.email)
            do {
                try await connection.query("""
                    INSERT INTO people (id, email, login, name, role, role_source, managed_by, title, department, department_key,
                                        workplace, workplace_key, phone, presentation, search_text, password_hash, disabled,
                                        disabled_by, groups_unreadable, created_at, last_login_at)
                    VALUES (\(person.id.uuid), \(email.isEmpty ? nil : email), \(person.login.map(Key.of)), \(person.name),
                            \(person.role.rawValue), \(person.roleSource.rawValue), \(person.managedBy?.rawValue), \(person.profile.title),
                            \(person.profile.department), \(Key.of(person.profile.department)), \(person.profile.workplace),
                            \(Key.of(person.profile.workplace)), \(person.profile.phone), \(person.profile.presentation),
                            \(PeopleRows.searchText(of: person)), \(passwordHash), \(person.disabled),
                            \(person.disabled ? (person.disabledBy ?? .admin).rawValue : nil), \(person.groupsUnreadable),
                            \(person.createdAt), \(person.lastLoginAt))
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isUniqueViolation {
                throw PeopleRows.conflict(error)
            }
            try await PeopleRows.insertCompetences(person.profile.competences, of: person.id.uuid, on: connection, logger: logger)
        }
    }

    public func person(id: PersonID) async throws -> Person? {
        try await client.withConnection { connection in
            let rows = try await connection.query("SELECT \(unescaped: PeopleRows.columns) FROM people WHERE id = \(id.uuid)", logger: logger).all()
            return try await PeopleRows.people(rows, on: connection, logger: logger).first
        }
    }

    public func credentials(email: String) async throws -> Credentials? {
        try await credentials(where: "email = \(email)")
    }

    public func credentials(login: String) async throws -> Credentials? {
        let key = Key.of(login.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !key.isEmpty else { return nil }
        return try await credentials(where: "(email = \(key) OR login = \(key)) ORDER BY (email = \(key)) IS TRUE DESC LIMIT 1")
    }

    public func credentials(id: PersonID) async throws -> Credentials? {
        try await credentials(where: "id = \(id.uuid)")
    }

    private func credentials(where condition: SQL) async throws -> Credentials? {
        try await client.withConnection { connection in
            let query: SQL = "SELECT \(raw: PeopleRows.columns), password_hash FROM people WHERE \(condition)"
            guard let row = try await connection.query(query.query, logger: logger).first() else { return nil }
            let person = try await PeopleRows.people([row], on: connection, logger: logger)[0]
            return Credentials(person: person, passwordHash: try row.get("password_hash"))
        }
    }

    public func updatePerson(_ person: Person) async throws {
        try await transaction { connection in
            let email = Email.normalize(person.email)
            let rows: [PostgresRandomAccessRow]
            do {
                // Only what the protocol says is replaced: credentials and login times belong to
                // the login methods.
                rows = try await connection.query("""
                    UPDATE people SET
                        email = \(email.isEmpty ? nil : email), name = \(person.name), role = \(person.role.rawValue),
                        role_source = \(person.roleSource.rawValue), title = \(person.profile.title),
                        department = \(person.profile.department), department_key = \(Key.of(person.profile.department)),
                        workplace = \(person.profile.workplace), workplace_key = \(Key.of(person.profile.workplace)),
                        phone = \(person.profile.phone), presentation = \(person.profile.presentation),
                        search_text = \(PeopleRows.searchText(of: person)), disabled = \(person.disabled),
                        disabled_by = \(person.disabled ? (person.disabledBy ?? .admin).rawValue : nil)
                    WHERE id = \(person.id.uuid) RETURNING id
                    """, logger: logger).all()
            } catch let error as PSQLError where error.isUniqueViolation {
                throw PeopleRows.conflict(error)
            }
            guard !rows.isEmpty else { throw DomainError.notFound("Person") }
            try await connection.query("DELETE FROM person_competences WHERE person_id = \(person.id.uuid)", logger: logger).run()
            try await PeopleRows.insertCompetences(person.profile.competences, of: person.id.uuid, on: connection, logger: logger)
        }
    }

    public func setPasswordHash(_ hash: String?, for id: PersonID) async throws {
        let rows = try await client.query("UPDATE people SET password_hash = \(hash) WHERE id = \(id.uuid) RETURNING id", logger: logger).all()
        guard !rows.isEmpty else { throw DomainError.notFound("Person") }
    }

    public func recordSuccessfulLogin(id: PersonID, at: Date) async throws {
        let rows = try await client.query("UPDATE people SET last_login_at = \(at) WHERE id = \(id.uuid) RETURNING id", logger: logger).all()
        guard !rows.isEmpty else { throw DomainError.notFound("Person") }
    }

    public func searchPeople(_ query: PeopleQuery, page: PageRequest) async throws -> Page<Person> {
        guard !query.roles.isEmpty else { return Page(items: [], total: 0, request: page) }
        var filter: SQL = "role = ANY(\(query.roles.map(\.rawValue).sorted()))"
        if !query.includeDisabled { filter += " AND NOT disabled" }
        if let text = Key.query(query.text) { filter += " AND search_text LIKE \(Key.containsPattern(text)) ESCAPE '\\'" }
        if let department = Key.query(query.department) { filter += " AND department_key = \(department)" }
        if let workplace = Key.query(query.workplace) { filter += " AND workplace_key = \(workplace)" }
        if let competence = Key.query(query.competence) {
            filter += " AND EXISTS (SELECT 1 FROM person_competences c WHERE c.person_id = people.id AND c.name_key = \(competence))"
        }
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM people WHERE \(filter)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = """
                SELECT \(raw: PeopleRows.columns) FROM people WHERE \(filter)
                ORDER BY name COLLATE communis_name, id LIMIT \(page.limit) OFFSET \(page.offset)
                """
            let rows = try await connection.query(select.query, logger: logger).all()
            return Page(items: try await PeopleRows.people(rows, on: connection, logger: logger), total: total, request: page)
        }
    }

    public func directoryFacets() async throws -> DirectoryFacets {
        // Active employees only: guests are not in the directory. Within a group the spelling
        // shown is the smallest one, so the list does not change between calls.
        try await client.withConnection { connection in
            func facets(_ grouped: String) async throws -> [FacetCount] {
                try await connection.query("""
                    SELECT facet, n FROM (\(unescaped: grouped)) f ORDER BY n DESC, facet COLLATE communis_name, facet COLLATE "C"
                    """, logger: logger).all().map { FacetCount(name: try $0.get("facet"), count: try $0.get("n", as: Int.self)) }
            }
            let active = "NOT p.disabled AND p.role <> 'guest'"
            return DirectoryFacets(
                departments: try await facets("""
                    SELECT min(p.department COLLATE "C") AS facet, count(*) AS n FROM people p
                    WHERE \(active) AND p.department_key <> '' GROUP BY p.department_key
                    """),
                workplaces: try await facets("""
                    SELECT min(p.workplace COLLATE "C") AS facet, count(*) AS n FROM people p
                    WHERE \(active) AND p.workplace_key <> '' GROUP BY p.workplace_key
                    """),
                competences: try await facets("""
                    SELECT min(c.name COLLATE "C") AS facet, count(DISTINCT c.person_id) AS n
                    FROM person_competences c JOIN people p ON p.id = c.person_id
                    WHERE \(active) AND c.name_key <> '' GROUP BY c.name_key
                    """))
        }
    }

    public func countPeople() async throws -> Int {
        try await client.query("SELECT count(*) AS n FROM people", logger: logger).first()?.get("n") ?? 0
    }

    /// The foreign keys take what was the person's with them (see `PeopleStore`).
    public func deletePerson(id: PersonID) async throws {
        let deleted = try await transaction { connection in
            try await connection.query("DELETE FROM people WHERE id = \(id.uuid) RETURNING id", logger: logger).all().count
        }
        guard deleted > 0 else { throw DomainError.notFound("Person") }
    }
}
