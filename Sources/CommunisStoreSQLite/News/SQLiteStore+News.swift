import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// News items, their revisions, acknowledgements and report (`NewsStore`).
extension SQLiteStore {
    public func createNews(_ news: News) async throws {
        try await pool.write { db in
            let columns = ["id", "author_id"] + NewsRecords.contentColumns + ["revision", "created_at", "updated_at", "announced_at", "image_type"]
            var arguments: StatementArguments = [news.id.description, news.authorID.description]
            _ = arguments.append(contentsOf: NewsRecords.contentValues(news.content))
            _ = arguments.append(contentsOf: [news.revision, news.createdAt.unixSeconds, news.updatedAt.unixSeconds,
                                              news.announcedAt?.unixSeconds, news.imageType])
            do {
                try db.execute(sql: "INSERT INTO news (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                               arguments: arguments)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The news item already exists.")
            }
            try Self.insertNewsRevision(db, news.id, revision: news.revision, content: news.content, by: news.authorID, at: news.createdAt, material: true)
        }
    }

    static func insertNewsRevision(_ db: Database, _ id: NewsID, revision: Int, content: NewsContent, by: PersonID, at: Date, material: Bool) throws {
        try db.execute(sql: """
            INSERT INTO news_revisions (news_id, edit, revision, title, introduction, body, edited_at, edited_by, material)
            VALUES (?, (SELECT coalesce(max(edit), 0) + 1 FROM news_revisions WHERE news_id = ?), ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id.description, id.description, revision, content.title, content.introduction, content.body, at.unixSeconds,
                             by.description, material])
    }

    static func fetchNews(_ db: Database, _ id: NewsID) throws -> News? {
        try Row.fetchOne(db, sql: "SELECT \(NewsRecords.columns) FROM news n WHERE n.id = ?", arguments: [id.description]).map(NewsRecords.news)
    }

    public func news(id: NewsID) async throws -> News? {
        try await pool.read { db in try Self.fetchNews(db, id) }
    }

    public func updateNews(_ id: NewsID, content: NewsContent, material: Bool, by: PersonID, at: Date) async throws -> News {
        try await pool.write { db in
            guard let old = try Self.fetchNews(db, id) else { throw DomainError.notFound("News") }
            let revision = material ? old.revision + 1 : old.revision
            var arguments = NewsRecords.contentValues(content)
            _ = arguments.append(contentsOf: [revision, at.unixSeconds, id.description])
            try db.execute(sql: """
                UPDATE news SET \(NewsRecords.contentColumns.map { "\($0) = ?" }.joined(separator: ", ")), revision = ?, updated_at = ?
                WHERE id = ?
                """, arguments: arguments)
            try Self.insertNewsRevision(db, id, revision: revision, content: content, by: by, at: at, material: material)
            guard let saved = try Self.fetchNews(db, id) else { throw DomainError.notFound("News") }
            return saved
        }
    }

    public func deleteNews(_ id: NewsID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM news WHERE id = ?", arguments: [id.description])
            guard db.changesCount > 0 else { throw DomainError.notFound("News") }
        }
    }

    public func newsPage(_ filter: NewsFilter, page: PageRequest) async throws -> Page<News> {
        let (conditions, arguments) = NewsRecords.filter(filter)
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM news n WHERE \(conditions)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [page.limit, page.offset])
            let items = try Row.fetchAll(db, sql: """
                SELECT \(NewsRecords.columns) FROM news n WHERE \(conditions)
                ORDER BY n.pinned DESC, n.publish_at DESC, n.id LIMIT ? OFFSET ?
                """, arguments: pageArguments).map(NewsRecords.news)
            return Page(items: items, total: total, request: page)
        }
    }

    public func newsRevisions(_ id: NewsID) async throws -> [NewsRevision] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM news_revisions WHERE news_id = ? ORDER BY edit", arguments: [id.description]).map { row in
                NewsRevision(newsID: id, revision: row["revision"], title: row["title"], introduction: row["introduction"], body: row["body"],
                             editedAt: Date(timeIntervalSince1970: row["edited_at"]), editedBy: PersonID(row["edited_by"] as String) ?? PersonID(),
                             material: row["material"])
            }
        }
    }

    public func newsExtras(_ ids: [NewsID], for person: PersonID) async throws -> [NewsID: NewsExtras] {
        guard !ids.isEmpty else { return [:] }
        let list = jsonArray(ids.map(\.description))
        return try await pool.read { db in
            var extras: [NewsID: NewsExtras] = [:]
            for id in ids { extras[id] = NewsExtras() }
            for row in try Row.fetchAll(db, sql: """
                SELECT news_id, count(*) AS n FROM news_comments WHERE news_id IN (SELECT value FROM json_each(?)) GROUP BY news_id
                """, arguments: [list]) {
                if let id = NewsID(row["news_id"] as String) { extras[id]?.commentCount = row["n"] }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT news_id, emoji, count(*) AS n, max(person_id = ?) AS mine FROM news_reactions
                WHERE news_id IN (SELECT value FROM json_each(?)) GROUP BY news_id, emoji ORDER BY news_id, emoji
                """, arguments: [person.description, list]) {
                if let id = NewsID(row["news_id"] as String) {
                    extras[id]?.reactions.append(NewsReactionCount(emoji: row["emoji"], count: row["n"], mine: row["mine"]))
                }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT news_id, revision, acknowledged_at FROM news_acknowledgements
                WHERE person_id = ? AND news_id IN (SELECT value FROM json_each(?))
                """, arguments: [person.description, list]) {
                if let id = NewsID(row["news_id"] as String) {
                    extras[id]?.acknowledgedAt = Date(timeIntervalSince1970: row["acknowledged_at"])
                    extras[id]?.acknowledgedRevision = row["revision"]
                }
            }
            return extras
        }
    }

    public func acknowledgeNews(_ id: NewsID, person: PersonID, revision: Int, at: Date) async throws {
        try await pool.write { db in
            guard try Self.fetchNews(db, id) != nil else { throw DomainError.notFound("News") }
            try db.execute(sql: """
                INSERT INTO news_acknowledgements (news_id, person_id, revision, acknowledged_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (news_id, person_id) DO UPDATE SET revision = excluded.revision, acknowledged_at = excluded.acknowledged_at
                """, arguments: [id.description, person.description, revision, at.unixSeconds])
        }
    }

    public func newsAudience(_ id: NewsID, unacknowledgedOnly: Bool) async throws -> [PersonID] {
        let unacknowledged = unacknowledgedOnly ? """
             AND NOT EXISTS (SELECT 1 FROM news_acknowledgements a WHERE a.news_id = n.id AND a.person_id = p.id AND a.revision = n.revision)
            """ : ""
        return try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT p.id FROM news n, people p WHERE n.id = ? AND \(NewsRecords.personCondition)\(unacknowledged) ORDER BY p.name, p.id
                """, arguments: [id.description]).compactMap(PersonID.init)
        }
    }

    public func acknowledgementReport(_ id: NewsID) async throws -> NewsAcknowledgementReport {
        try await pool.read { db in
            let audience = """
                SELECT p.*, a.acknowledged_at AS acknowledged_at FROM news n CROSS JOIN people p
                LEFT JOIN news_acknowledgements a ON a.news_id = n.id AND a.person_id = p.id AND a.revision = n.revision
                WHERE n.id = ? AND \(NewsRecords.personCondition)
                """
            func groups(_ column: String) throws -> [NewsAcknowledgementGroup] {
                try Row.fetchAll(db, sql: """
                    SELECT \(column) AS name, count(*) AS total, count(acknowledged_at) AS acknowledged FROM (\(audience))
                    GROUP BY \(column) ORDER BY \(column)
                    """, arguments: [id.description]).map { NewsAcknowledgementGroup(name: $0["name"], total: $0["total"], acknowledged: $0["acknowledged"]) }
            }
            let rows = try Row.fetchAll(db, sql: "\(audience) ORDER BY p.name, p.id", arguments: [id.description])
            let people = try PersonRow.people(try rows.map { try PersonRow(row: $0) }, db)
            let acknowledged = rows.map { NewsRecords.date($0["acknowledged_at"]) }
            let byDepartment = try groups("department"), byWorkplace = try groups("workplace")
            return NewsAcknowledgementReport(
                total: rows.count, acknowledged: acknowledged.compactMap { $0 }.count, byDepartment: byDepartment, byWorkplace: byWorkplace,
                people: Array(zip(people, acknowledged)).map { (person: $0.0, acknowledgedAt: $0.1) })
        }
    }

    public func claimAnnouncement(_ id: NewsID, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE news SET announced_at = ? WHERE id = ? AND announced_at IS NULL", arguments: [at.unixSeconds, id.description])
            return db.changesCount > 0
        }
    }

    public func claimDueNews(now: Date, limit: Int) async throws -> [News] {
        try await pool.write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM news WHERE announced_at IS NULL AND draft = 0 AND publish_at <= ? AND (ends_at IS NULL OR ends_at > ?)
                ORDER BY publish_at, id LIMIT ?
                """, arguments: [now.unixSeconds, now.unixSeconds, max(limit, 1)])
            try db.execute(sql: "UPDATE news SET announced_at = ? WHERE id IN (SELECT value FROM json_each(?))", arguments: [now.unixSeconds, jsonArray(ids)])
            return try ids.compactMap { try NewsID($0).flatMap { try Self.fetchNews(db, $0) } }
        }
    }

    public func claimDueReminders(now: Date, within: TimeInterval, limit: Int) async throws -> [News] {
        try await pool.write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM news WHERE ack_required = 1 AND reminded_at IS NULL AND announced_at IS NOT NULL AND draft = 0
                  AND ack_deadline IS NOT NULL AND ack_deadline > ? AND ack_deadline <= ?
                ORDER BY ack_deadline, id LIMIT ?
                """, arguments: [now.unixSeconds, now.unixSeconds + within, max(limit, 1)])
            try db.execute(sql: "UPDATE news SET reminded_at = ? WHERE id IN (SELECT value FROM json_each(?))", arguments: [now.unixSeconds, jsonArray(ids)])
            return try ids.compactMap { try NewsID($0).flatMap { try Self.fetchNews(db, $0) } }
        }
    }
}
