import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// A row of `people`.
struct PersonRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "people"

    var id: String
    var email: String
    var name: String
    var role: String
    var title: String
    var department: String
    var workplace: String
    var phone: String
    var presentation: String
    var searchText: String
    var passwordHash: String?
    var disabled: Bool
    var createdAt: Double
    var lastLoginAt: Double?
    var login: String?
    var roleSource: String
    var managedBy: String?
    var disabledBy: String?
    var groupsUnreadable: Bool

    init(_ person: Person, passwordHash: String?) {
        id = person.id.description
        email = Email.normalize(person.email)
        name = person.name
        role = person.role.rawValue
        title = person.profile.title
        department = person.profile.department
        workplace = person.profile.workplace
        phone = person.profile.phone
        presentation = person.profile.presentation
        searchText = Self.searchText(of: person)
        self.passwordHash = passwordHash
        disabled = person.disabled
        createdAt = person.createdAt.unixSeconds
        lastLoginAt = person.lastLoginAt?.unixSeconds
        login = person.login.map { Key.of($0) }
        roleSource = person.roleSource.rawValue
        managedBy = person.managedBy?.rawValue
        disabledBy = person.disabled ? (person.disabledBy ?? .admin).rawValue : nil
        groupsUnreadable = person.groupsUnreadable
    }

    init(row: Row) throws {
        id = row["id"]
        email = row["email"] ?? ""
        name = row["name"]
        role = row["role"]
        title = row["title"]
        department = row["department"]
        workplace = row["workplace"]
        phone = row["phone"]
        presentation = row["presentation"]
        searchText = row["search_text"]
        passwordHash = row["password_hash"]
        disabled = row["disabled"]
        createdAt = row["created_at"]
        lastLoginAt = row["last_login_at"]
        login = row["login"]
        roleSource = row["role_source"]
        managedBy = row["managed_by"]
        disabledBy = row["disabled_by"]
        groupsUnreadable = row["groups_unreadable"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["email"] = email.isEmpty ? nil : email
        container["name"] = name
        container["role"] = role
        container["title"] = title
        container["department"] = department
        container["department_key"] = Key.of(department)
        container["workplace"] = workplace
        container["workplace_key"] = Key.of(workplace)
        container["phone"] = phone
        container["presentation"] = presentation
        container["search_text"] = searchText
        container["password_hash"] = passwordHash
        container["disabled"] = disabled
        container["created_at"] = createdAt
        container["last_login_at"] = lastLoginAt
        container["login"] = login
        container["role_source"] = roleSource
        container["managed_by"] = managedBy
        container["disabled_by"] = disabledBy
        container["groups_unreadable"] = groupsUnreadable
    }

    /// What a free-text search looks in: name, e-mail, title, department, workplace and
    /// competences, lowercased in Swift (so "ÅSA" finds "Åsa", which SQLite's ASCII-only
    /// `lower()` and LIKE would not). The unit separator keeps a match inside one field.
    static func searchText(of person: Person) -> String {
        let fields = [person.name, person.email, person.login ?? "", person.profile.title, person.profile.department, person.profile.workplace]
            + person.profile.competences
        return Key.of(fields.joined(separator: "\u{1F}"))
    }

    func person(competences: [String]) throws -> Person {
        guard let personID = PersonID(id) else { throw CorruptRow(table: "people", column: "id", value: id) }
        guard let role = Role(rawValue: role) else { throw CorruptRow(table: "people", column: "role", value: role) }
        guard let source = RoleSource(rawValue: roleSource) else { throw CorruptRow(table: "people", column: "role_source", value: roleSource) }
        return Person(
            id: personID, email: email, name: name, role: role,
            profile: Profile(
                title: title, department: department, workplace: workplace, phone: phone,
                presentation: presentation, competences: competences
            ),
            disabled: disabled,
            createdAt: Date(timeIntervalSince1970: createdAt),
            lastLoginAt: lastLoginAt.map(Date.init(timeIntervalSince1970:)),
            login: login,
            managedBy: managedBy.flatMap(ManagedBy.init(rawValue:)),
            roleSource: source,
            disabledBy: disabled ? (disabledBy.flatMap(DisabledBy.init(rawValue:)) ?? .admin) : nil,
            groupsUnreadable: groupsUnreadable
        )
    }
}

/// A row of `person_competences`: one competence of a person, in the order they gave.
struct CompetenceRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "person_competences"

    var personID: String
    var ordinal: Int
    var name: String

    init(personID: String, ordinal: Int, name: String) {
        self.personID = personID
        self.ordinal = ordinal
        self.name = name
    }

    init(row: Row) throws {
        personID = row["person_id"]
        ordinal = row["ordinal"]
        name = row["name"]
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["person_id"] = personID
        container["ordinal"] = ordinal
        container["name"] = name
        container["name_key"] = Key.of(name)
    }

    static func insertAll(_ competences: [String], of personID: String, _ db: Database) throws {
        for (ordinal, name) in competences.enumerated() {
            try CompetenceRow(personID: personID, ordinal: ordinal, name: name).insert(db)
        }
    }

    /// The competences of `personIDs`, in their order, with one query.
    static func byPerson(_ personIDs: [String], _ db: Database) throws -> [String: [String]] {
        guard !personIDs.isEmpty else { return [:] }
        let rows = try CompetenceRow.fetchAll(db, sql: """
            SELECT person_id, ordinal, name FROM person_competences
            WHERE person_id IN (SELECT value FROM json_each(?))
            ORDER BY person_id, ordinal
            """, arguments: [jsonArray(personIDs)])
        return Dictionary(grouping: rows, by: \.personID).mapValues { $0.map(\.name) }
    }
}

/// A value in the database that the domain cannot represent: a bug or a hand-edited file.
struct CorruptRow: Error, CustomStringConvertible {
    var table: String
    var column: String
    var value: String
    var description: String { "Unexpected value in \(table).\(column): \(value)" }
}

/// Passes a list of strings as one argument (`json_each(?)`), so a query's text does not
/// depend on the list's length.
func jsonArray(_ values: [String]) -> String {
    let data = (try? JSONEncoder().encode(values)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
}

extension PersonRow {
    /// People of `rows` with their competences, keeping the rows' order.
    static func people(_ rows: [PersonRow], _ db: Database) throws -> [Person] {
        let competences = try CompetenceRow.byPerson(rows.map(\.id), db)
        return try rows.map { try $0.person(competences: competences[$0.id] ?? []) }
    }

    func credentials(_ db: Database) throws -> Credentials {
        let competences = try CompetenceRow.byPerson([id], db)[id] ?? []
        return Credentials(person: try person(competences: competences), passwordHash: passwordHash)
    }
}
