import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Organisations, people's organisations, news editors, and what readers add to news:
/// comments, reactions (`NewsStore`); and a news item's image.
extension SQLiteStore {
    static func organisation(_ row: Row) throws -> Organisation {
        guard let id = OrganisationID(row["id"] as String) else { throw CorruptRow(table: "organisations", column: "id", value: row["id"] as String) }
        return Organisation(id: id, name: row["name"], isMain: row["is_main"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    public func organisations() async throws -> [Organisation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM organisations ORDER BY is_main DESC, name_key, id").map(Self.organisation)
        }
    }

    public func ensureMainOrganisation(name: String, at: Date) async throws -> Organisation {
        try await pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM organisations WHERE is_main = 1") { return try Self.organisation(row) }
            let main = Organisation(name: name, isMain: true, createdAt: at)
            try db.execute(sql: "INSERT INTO organisations (id, name, name_key, is_main, created_at) VALUES (?, ?, ?, 1, ?)",
                           arguments: [main.id.description, main.name, Key.of(main.name), at.unixSeconds])
            return main
        }
    }

    public func createOrganisation(_ organisation: Organisation) async throws {
        try await pool.write { db in
            do {
                try db.execute(sql: "INSERT INTO organisations (id, name, name_key, is_main, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [organisation.id.description, organisation.name, Key.of(organisation.name), organisation.isMain,
                                           organisation.createdAt.unixSeconds])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("There is already an organisation named \(organisation.name).")
            }
        }
    }

    public func renameOrganisation(_ id: OrganisationID, to name: String) async throws {
        try await pool.write { db in
            do {
                try db.execute(sql: "UPDATE organisations SET name = ?, name_key = ? WHERE id = ?", arguments: [name, Key.of(name), id.description])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("There is already an organisation named \(name).")
            }
            guard db.changesCount > 0 else { throw DomainError.notFound("Organisation") }
        }
    }

    public func organisation(of person: PersonID) async throws -> OrganisationID? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT organisation_id FROM person_organisations WHERE person_id = ?", arguments: [person.description])
                .flatMap(OrganisationID.init)
        }
    }

    public func setOrganisation(_ organisation: OrganisationID?, of person: PersonID) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?)", arguments: [person.description]) == true else {
                throw DomainError.notFound("Person")
            }
            try db.execute(sql: "DELETE FROM person_organisations WHERE person_id = ?", arguments: [person.description])
            guard let organisation else { return }
            guard let isMain = try Bool.fetchOne(db, sql: "SELECT is_main FROM organisations WHERE id = ?", arguments: [organisation.description]) else {
                throw DomainError.notFound("Organisation")
            }
            // The main organisation is kept as no row, so a person stays in it if it is renamed.
            if !isMain {
                try db.execute(sql: "INSERT INTO person_organisations (person_id, organisation_id) VALUES (?, ?)",
                               arguments: [person.description, organisation.description])
            }
        }
    }

    public func newsEditors() async throws -> [PersonID] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT e.person_id FROM news_editors e JOIN people p ON p.id = e.person_id ORDER BY p.name, p.id")
                .compactMap(PersonID.init)
        }
    }

    public func isNewsEditor(_ person: PersonID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM news_editors WHERE person_id = ?)", arguments: [person.description]) ?? false
        }
    }

    public func setNewsEditor(_ person: PersonID, _ isEditor: Bool, at: Date) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?)", arguments: [person.description]) == true else {
                throw DomainError.notFound("Person")
            }
            if isEditor {
                try db.execute(sql: "INSERT INTO news_editors (person_id, granted_at) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING",
                               arguments: [person.description, at.unixSeconds])
            } else {
                try db.execute(sql: "DELETE FROM news_editors WHERE person_id = ?", arguments: [person.description])
            }
        }
    }

    static func comment(_ row: Row) throws -> NewsComment {
        guard let id = UUID(uuidString: row["id"]), let news = NewsID(row["news_id"] as String), let author = PersonID(row["author_id"] as String) else {
            throw CorruptRow(table: "news_comments", column: "id", value: row["id"] as String)
        }
        return NewsComment(id: id, newsID: news, authorID: author, body: row["body"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    public func addNewsComment(_ comment: NewsComment) async throws {
        try await pool.write { db in
            guard try Self.fetchNews(db, comment.newsID) != nil else { throw DomainError.notFound("News") }
            try db.execute(sql: "INSERT INTO news_comments (id, news_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [comment.id.uuidString.lowercased(), comment.newsID.description, comment.authorID.description, comment.body,
                                       comment.createdAt.unixSeconds])
        }
    }

    public func newsComments(_ id: NewsID) async throws -> [NewsComment] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM news_comments WHERE news_id = ? ORDER BY created_at, id", arguments: [id.description])
                .map(Self.comment)
        }
    }

    public func newsComment(id: UUID) async throws -> NewsComment? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM news_comments WHERE id = ?", arguments: [id.uuidString.lowercased()]).map(Self.comment)
        }
    }

    public func deleteNewsComment(id: UUID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM news_comments WHERE id = ?", arguments: [id.uuidString.lowercased()])
        }
    }

    public func setNewsReaction(_ id: NewsID, person: PersonID, emoji: String, on: Bool, at: Date) async throws {
        try await pool.write { db in
            guard try Self.fetchNews(db, id) != nil else { throw DomainError.notFound("News") }
            if on {
                try db.execute(sql: """
                    INSERT INTO news_reactions (news_id, person_id, emoji, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (news_id, person_id, emoji) DO NOTHING
                    """, arguments: [id.description, person.description, emoji, at.unixSeconds])
            } else {
                try db.execute(sql: "DELETE FROM news_reactions WHERE news_id = ? AND person_id = ? AND emoji = ?",
                               arguments: [id.description, person.description, emoji])
            }
        }
    }

    public func setNewsImage(_ id: NewsID, data: Data, type: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE news SET image_type = ? WHERE id = ?", arguments: [type, id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("News") }
            try db.execute(sql: "INSERT INTO news_images (news_id, data) VALUES (?, ?) ON CONFLICT (news_id) DO UPDATE SET data = excluded.data",
                           arguments: [id.description, data])
        }
    }

    public func newsImage(_ id: NewsID) async throws -> (data: Data, type: String)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT i.data, n.image_type FROM news_images i JOIN news n ON n.id = i.news_id WHERE i.news_id = ?
                """, arguments: [id.description]), let type: String = row["image_type"] else { return nil }
            return (data: row["data"], type: type)
        }
    }
}
