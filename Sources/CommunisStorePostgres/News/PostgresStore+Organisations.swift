import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Organisations, people's organisations, news editors, comments, reactions and images
/// (`NewsStore`).
extension PostgresStore {
    static func organisation(_ row: PostgresRandomAccessRow) throws -> Organisation {
        Organisation(id: try row.id("id"), name: try row.get("name"), isMain: try row.get("is_main"), createdAt: try row.get("created_at"))
    }

    public func organisations() async throws -> [Organisation] {
        try await client.query("SELECT id, name, is_main, created_at FROM organisations ORDER BY is_main DESC, name_key COLLATE \"C\", id",
                               logger: logger).all().map(Self.organisation)
    }

    public func ensureMainOrganisation(name: String, at: Date) async throws -> Organisation {
        let candidate = Organisation(name: name, isMain: true, createdAt: at)
        // The partial unique index keeps a second main one out when two nodes start together.
        try await client.query("""
            INSERT INTO organisations (id, name, name_key, is_main, created_at)
            VALUES (\(candidate.id.uuid), \(name), \(Key.of(name)), true, \(at)) ON CONFLICT DO NOTHING
            """, logger: logger).run()
        guard let row = try await client.query("SELECT id, name, is_main, created_at FROM organisations WHERE is_main", logger: logger).first() else {
            throw DomainError.conflict("There is already an organisation named \(name).")
        }
        return try Self.organisation(row)
    }

    public func createOrganisation(_ organisation: Organisation) async throws {
        do {
            try await client.query("""
                INSERT INTO organisations (id, name, name_key, is_main, created_at)
                VALUES (\(organisation.id.uuid), \(organisation.name), \(Key.of(organisation.name)), \(organisation.isMain), \(organisation.createdAt))
                """, logger: logger).run()
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("There is already an organisation named \(organisation.name).")
        }
    }

    public func renameOrganisation(_ id: OrganisationID, to name: String) async throws {
        do {
            guard try await client.query("""
                UPDATE organisations SET name = \(name), name_key = \(Key.of(name)) WHERE id = \(id.uuid) RETURNING id
                """, logger: logger).first() != nil else { throw DomainError.notFound("Organisation") }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw DomainError.conflict("There is already an organisation named \(name).")
        }
    }

    public func organisation(of person: PersonID) async throws -> OrganisationID? {
        try await client.query("SELECT organisation_id FROM person_organisations WHERE person_id = \(person.uuid)", logger: logger)
            .first().map { try $0.id("organisation_id") }
    }

    public func setOrganisation(_ organisation: OrganisationID?, of person: PersonID) async throws {
        try await transaction { connection in
            guard try await connection.query("SELECT id FROM people WHERE id = \(person.uuid)", logger: logger).first() != nil else {
                throw DomainError.notFound("Person")
            }
            try await connection.query("DELETE FROM person_organisations WHERE person_id = \(person.uuid)", logger: logger).run()
            guard let organisation else { return }
            guard let row = try await connection.query("SELECT is_main FROM organisations WHERE id = \(organisation.uuid)", logger: logger).first() else {
                throw DomainError.notFound("Organisation")
            }
            // The main organisation is kept as no row (as SQLite does).
            if !(try row.get("is_main", as: Bool.self)) {
                try await connection.query("""
                    INSERT INTO person_organisations (person_id, organisation_id) VALUES (\(person.uuid), \(organisation.uuid))
                    """, logger: logger).run()
            }
        }
    }

    public func newsEditors() async throws -> [PersonID] {
        try await client.query("""
            SELECT e.person_id FROM news_editors e JOIN people p ON p.id = e.person_id ORDER BY p.name COLLATE "C", p.id
            """, logger: logger).all().map { try $0.id("person_id") }
    }

    public func isNewsEditor(_ person: PersonID) async throws -> Bool {
        try await client.query("SELECT 1 AS one FROM news_editors WHERE person_id = \(person.uuid)", logger: logger).first() != nil
    }

    public func setNewsEditor(_ person: PersonID, _ isEditor: Bool, at: Date) async throws {
        guard try await client.query("SELECT id FROM people WHERE id = \(person.uuid)", logger: logger).first() != nil else {
            throw DomainError.notFound("Person")
        }
        if isEditor {
            try await client.query("""
                INSERT INTO news_editors (person_id, granted_at) VALUES (\(person.uuid), \(at)) ON CONFLICT (person_id) DO NOTHING
                """, logger: logger).run()
        } else {
            try await client.query("DELETE FROM news_editors WHERE person_id = \(person.uuid)", logger: logger).run()
        }
    }

    static func comment(_ row: PostgresRandomAccessRow) throws -> NewsComment {
        NewsComment(id: try row.get("id", as: UUID.self), newsID: try row.id("news_id"), authorID: try row.id("author_id"), body: try row.get("body"),
                    createdAt: try row.get("created_at"))
    }

    public func addNewsComment(_ comment: NewsComment) async throws {
        do {
            try await client.query("""
                INSERT INTO news_comments (id, news_id, author_id, body, created_at)
                VALUES (\(comment.id), \(comment.newsID.uuid), \(comment.authorID.uuid), \(comment.body), \(comment.createdAt))
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("News")
        }
    }

    public func newsComments(_ id: NewsID) async throws -> [NewsComment] {
        try await client.query("""
            SELECT id, news_id, author_id, body, created_at FROM news_comments WHERE news_id = \(id.uuid) ORDER BY created_at, id
            """, logger: logger).all().map(Self.comment)
    }

    public func newsComment(id: UUID) async throws -> NewsComment? {
        try await client.query("SELECT id, news_id, author_id, body, created_at FROM news_comments WHERE id = \(id)", logger: logger)
            .first().map(Self.comment)
    }

    public func deleteNewsComment(id: UUID) async throws {
        try await client.query("DELETE FROM news_comments WHERE id = \(id)", logger: logger).run()
    }

    public func setNewsReaction(_ id: NewsID, person: PersonID, emoji: String, on: Bool, at: Date) async throws {
        if on {
            do {
                try await client.query("""
                    INSERT INTO news_reactions (news_id, person_id, emoji, created_at) VALUES (\(id.uuid), \(person.uuid), \(emoji), \(at))
                    ON CONFLICT (news_id, person_id, emoji) DO NOTHING
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isForeignKeyViolation {
                throw DomainError.notFound("News")
            }
        } else {
            try await client.query("""
                DELETE FROM news_reactions WHERE news_id = \(id.uuid) AND person_id = \(person.uuid) AND emoji = \(emoji)
                """, logger: logger).run()
        }
    }

    public func setNewsImage(_ id: NewsID, data: Data, type: String) async throws {
        try await transaction { connection in
            guard try await connection.query("UPDATE news SET image_type = \(type) WHERE id = \(id.uuid) RETURNING id", logger: logger).first() != nil else {
                throw DomainError.notFound("News")
            }
            try await connection.query("""
                INSERT INTO news_images (news_id, data) VALUES (\(id.uuid), \(ByteBuffer(bytes: data)))
                ON CONFLICT (news_id) DO UPDATE SET data = excluded.data
                """, logger: logger).run()
        }
    }

    public func newsImage(_ id: NewsID) async throws -> (data: Data, type: String)? {
        guard let row = try await client.query("""
            SELECT i.data, n.image_type FROM news_images i JOIN news n ON n.id = i.news_id WHERE i.news_id = \(id.uuid)
            """, logger: logger).first(), let type = try row.get("image_type", as: String?.self) else { return nil }
        var buffer = try row.get("data", as: ByteBuffer.self)
        return (data: Data(buffer.readBytes(length: buffer.readableBytes) ?? []), type: type)
    }
}
