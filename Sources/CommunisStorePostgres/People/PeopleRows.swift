import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading and writing `people` rows.
enum PeopleRows {
    /// The columns of `people` as a person needs them (no password hash).
    static let columns = """
        id, email, login, name, role, role_source, managed_by, title, department, workplace, phone, presentation,
        disabled, disabled_by, groups_unreadable, created_at, last_login_at
        """

    static func person(_ row: PostgresRandomAccessRow, competences: [String]) throws -> Person {
        let disabled: Bool = try row.get("disabled")
        let disabledBy: String? = try row.get("disabled_by")
        let managedBy: String? = try row.get("managed_by")
        return Person(
            id: try row.id("id"), email: try row.get("email", as: String?.self) ?? "", name: try row.get("name"),
            role: try row.enum("role"),
            profile: Profile(title: try row.get("title"), department: try row.get("department"), workplace: try row.get("workplace"),
                             phone: try row.get("phone"), presentation: try row.get("presentation"), competences: competences),
            disabled: disabled, createdAt: try row.get("created_at"), lastLoginAt: try row.get("last_login_at"),
            login: try row.get("login"), managedBy: managedBy.flatMap(ManagedBy.init(rawValue:)), roleSource: try row.enum("role_source"),
            disabledBy: disabled ? (disabledBy.flatMap(DisabledBy.init(rawValue:)) ?? .admin) : nil,
            groupsUnreadable: try row.get("groups_unreadable"))
    }

    /// The people of `rows` with their competences (one more query), in the rows' order.
    static func people(_ rows: [PostgresRandomAccessRow], on connection: PostgresConnection, logger: Logger) async throws -> [Person] {
        let ids = try rows.map { try $0.get("id", as: UUID.self) }
        let competences = try await Self.competences(of: ids, on: connection, logger: logger)
        return try rows.map { row in try person(row, competences: competences[try row.get("id", as: UUID.self)] ?? []) }
    }

    static func competences(of ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws -> [UUID: [String]] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: [String]] = [:]
        for row in try await connection.query("""
            SELECT person_id, name FROM person_competences WHERE person_id = ANY(\(ids)) ORDER BY person_id, ordinal
            """, logger: logger).all() {
            result[try row.get("person_id"), default: []].append(try row.get("name"))
        }
        return result
    }

    static func insertCompetences(_ competences: [String], of id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        for (ordinal, name) in competences.enumerated() {
            try await connection.query("""
                INSERT INTO person_competences (person_id, ordinal, name, name_key) VALUES (\(id), \(ordinal), \(name), \(Key.of(name)))
                """, logger: logger).run()
        }
    }

    /// What a free-text search looks in (as the SQLite engine): name, e-mail, login, title,
    /// department, workplace and competences, lower-cased in Swift.
    static func searchText(of person: Person) -> String {
        let fields = [person.name, person.email, person.login ?? "", person.profile.title, person.profile.department, person.profile.workplace]
            + person.profile.competences
        return Key.of(fields.joined(separator: "\u{1F}"))
    }

    static func conflict(_ error: PSQLError) -> DomainError {
        switch error.constraint {
        case "people_email_key": .conflict("The e-mail address is already in use.")
        case "people_login_key": .conflict("The login name is already in use.")
        default: .conflict("The person already exists.")
        }
    }
}
