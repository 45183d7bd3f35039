import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// News items, their revisions, acknowledgements and report (`NewsStore`).
extension PostgresStore {
    public func createNews(_ news: News) async throws {
        let content = news.content
        let audience = content.audience
        try await transaction { connection in
            do {
                try await connection.query("""
                    INSERT INTO news (id, author_id, title, introduction, body, search_text, tags, tags_key, category, category_key, publish_at, ends_at,
                                      pinned, important, allow_comments, allow_reactions, ack_required, ack_deadline, audience_organisations,
                                      audience_departments, audience_departments_key, audience_workplaces, audience_workplaces_key,
                                      audience_titles, audience_groups, draft, revision, created_at, updated_at, announced_at, image_type)
                    VALUES (\(news.id.uuid), \(news.authorID.uuid), \(content.title), \(content.introduction), \(content.body),
                            \(NewsRows.searchText(content)), \(content.tags), \(content.tags.map(Key.of)), \(content.category),
                            \(content.category.map(Key.of)), \(content.publishAt),
                            \(content.endsAt), \(content.pinned), \(content.important), \(content.allowComments), \(content.allowReactions),
                            \(content.acknowledgementRequired), \(content.acknowledgementDeadline), \(audience.organisationIDs.map(\.uuid)),
                            \(audience.departments), \(audience.departments.map(Key.of)), \(audience.workplaces), \(audience.workplaces.map(Key.of)),
                            \(audience.titles), \(audience.groups), \(content.draft), \(news.revision), \(news.createdAt), \(news.updatedAt),
                            \(news.announcedAt), \(news.imageType))
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isUniqueViolation {
                throw DomainError.conflict("The news item already exists.")
            }
            try await Self.insertNewsRevision(connection, news.id, revision: news.revision, content: content, by: news.authorID, at: news.createdAt,
                                              material: true, logger: logger)
        }
    }

    static func insertNewsRevision(_ connection: PostgresConnection, _ id: NewsID, revision: Int, content: NewsContent, by: PersonID, at: Date,
                                   material: Bool, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO news_revisions (news_id, edit, revision, title, introduction, body, edited_at, edited_by, material)
            VALUES (\(id.uuid), (SELECT coalesce(max(edit), 0) + 1 FROM news_revisions WHERE news_id = \(id.uuid)), \(revision),
                    \(content.title), \(content.introduction), \(content.body), \(at), \(by.uuid), \(material))
            """, logger: logger).run()
    }

    public func news(id: NewsID) async throws -> News? {
        try await client.query("SELECT \(unescaped: NewsRows.columns) FROM news n WHERE n.id = \(id.uuid)", logger: logger).first().map(NewsRows.news)
    }

    public func updateNews(_ id: NewsID, content: NewsContent, material: Bool, by: PersonID, at: Date) async throws -> News {
        try await transaction { connection in
            // The row lock orders concurrent saves, so revision numbers follow one another.
            guard let row = try await connection.query("SELECT revision FROM news WHERE id = \(id.uuid) FOR UPDATE", logger: logger).first() else {
                throw DomainError.notFound("News")
            }
            let old: Int = try row.get("revision")
            let revision = material ? old + 1 : old
            let update: SQL = """
                UPDATE news n SET \(NewsRows.assignments(content)), revision = \(revision), updated_at = \(at)
                WHERE n.id = \(id.uuid) RETURNING \(raw: NewsRows.columns)
                """
            guard let saved = try await connection.query(update.query, logger: logger).first() else { throw DomainError.notFound("News") }
            try await Self.insertNewsRevision(connection, id, revision: revision, content: content, by: by, at: at, material: material, logger: logger)
            return try NewsRows.news(saved)
        }
    }

    public func deleteNews(_ id: NewsID) async throws {
        guard try await client.query("DELETE FROM news WHERE id = \(id.uuid) RETURNING id", logger: logger).first() != nil else {
            throw DomainError.notFound("News")
        }
    }

    public func newsPage(_ filter: NewsFilter, page: PageRequest) async throws -> Page<News> {
        let conditions = NewsRows.filter(filter)
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM news n WHERE \(conditions)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = """
                SELECT \(raw: NewsRows.columns) FROM news n WHERE \(conditions)
                ORDER BY n.pinned DESC, n.publish_at DESC, n.id LIMIT \(page.limit) OFFSET \(page.offset)
                """
            let items = try await connection.query(select.query, logger: logger).all().map(NewsRows.news)
            return Page(items: items, total: total, request: page)
        }
    }

    public func newsRevisions(_ id: NewsID) async throws -> [NewsRevision] {
        try await client.query("""
            SELECT revision, title, introduction, body, edited_at, edited_by, material FROM news_revisions WHERE news_id = \(id.uuid) ORDER BY edit
            """, logger: logger).all().map { row in
            NewsRevision(newsID: id, revision: try row.get("revision"), title: try row.get("title"), introduction: try row.get("introduction"),
                         body: try row.get("body"), editedAt: try row.get("edited_at"), editedBy: try row.id("edited_by"), material: try row.get("material"))
        }
    }

    public func newsExtras(_ ids: [NewsID], for person: PersonID) async throws -> [NewsID: NewsExtras] {
        guard !ids.isEmpty else { return [:] }
        let uuids = ids.map(\.uuid)
        return try await client.withConnection { connection in
            var extras: [NewsID: NewsExtras] = [:]
            for id in ids { extras[id] = NewsExtras() }
            for row in try await connection.query("""
                SELECT news_id, count(*)::integer AS n FROM news_comments WHERE news_id = ANY(\(uuids)) GROUP BY news_id
                """, logger: logger).all() {
                extras[try row.id("news_id")]?.commentCount = try row.get("n")
            }
            for row in try await connection.query("""
                SELECT news_id, emoji, count(*)::integer AS n, bool_or(person_id = \(person.uuid)) AS mine FROM news_reactions
                WHERE news_id = ANY(\(uuids)) GROUP BY news_id, emoji ORDER BY news_id, emoji
                """, logger: logger).all() {
                extras[try row.id("news_id")]?.reactions.append(NewsReactionCount(emoji: try row.get("emoji"), count: try row.get("n"), mine: try row.get("mine")))
            }
            for row in try await connection.query("""
                SELECT news_id, revision, acknowledged_at FROM news_acknowledgements WHERE person_id = \(person.uuid) AND news_id = ANY(\(uuids))
                """, logger: logger).all() {
                let id: NewsID = try row.id("news_id")
                extras[id]?.acknowledgedAt = try row.get("acknowledged_at")
                extras[id]?.acknowledgedRevision = try row.get("revision")
            }
            return extras
        }
    }

    public func acknowledgeNews(_ id: NewsID, person: PersonID, revision: Int, at: Date) async throws {
        do {
            try await client.query("""
                INSERT INTO news_acknowledgements (news_id, person_id, revision, acknowledged_at) VALUES (\(id.uuid), \(person.uuid), \(revision), \(at))
                ON CONFLICT (news_id, person_id) DO UPDATE SET revision = excluded.revision, acknowledged_at = excluded.acknowledged_at
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("News")
        }
    }

    public func newsAudience(_ id: NewsID, unacknowledgedOnly: Bool) async throws -> [PersonID] {
        let unacknowledged = unacknowledgedOnly ? """
             AND NOT EXISTS (SELECT 1 FROM news_acknowledgements a WHERE a.news_id = n.id AND a.person_id = p.id AND a.revision = n.revision)
            """ : ""
        let sql: SQL = "SELECT p.id FROM news n, people p WHERE n.id = \(id.uuid) AND \(raw: NewsRows.personCondition)\(raw: unacknowledged) ORDER BY p.name, p.id"
        return try await client.query(sql.query, logger: logger).all().map { try $0.id("id") }
    }

    public func acknowledgementReport(_ id: NewsID) async throws -> NewsAcknowledgementReport {
        let prefixed = PeopleRows.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        let audience = """
            SELECT \(prefixed), a.acknowledged_at AS acknowledged_at FROM news n CROSS JOIN people p
            LEFT JOIN news_acknowledgements a ON a.news_id = n.id AND a.person_id = p.id AND a.revision = n.revision
            WHERE n.id = $1 AND \(NewsRows.personCondition)
            """
        return try await client.withConnection { connection in
            func groups(_ column: String) async throws -> [NewsAcknowledgementGroup] {
                let sql: SQL = """
                    SELECT \(raw: column) AS name, count(*)::integer AS total, count(acknowledged_at)::integer AS acknowledged
                    FROM (\(raw: audience.replacingOccurrences(of: "$1", with: "'\(id.uuid.uuidString.lowercased())'::uuid"))) x
                    GROUP BY \(raw: column) ORDER BY \(raw: column) COLLATE "C"
                    """
                return try await connection.query(sql.query, logger: logger).all().map {
                    NewsAcknowledgementGroup(name: try $0.get("name"), total: try $0.get("total"), acknowledged: try $0.get("acknowledged"))
                }
            }
            let list: SQL = """
                \(raw: audience.replacingOccurrences(of: "$1", with: "'\(id.uuid.uuidString.lowercased())'::uuid")) ORDER BY p.name COLLATE "C", p.id
                """
            let rows = try await connection.query(list.query, logger: logger).all()
            let people = try await PeopleRows.people(rows, on: connection, logger: logger)
            let acknowledged = try rows.map { try $0.get("acknowledged_at", as: Date?.self) }
            let byDepartment = try await groups("department"), byWorkplace = try await groups("workplace")
            return NewsAcknowledgementReport(
                total: rows.count, acknowledged: acknowledged.compactMap { $0 }.count, byDepartment: byDepartment, byWorkplace: byWorkplace,
                people: Array(zip(people, acknowledged)).map { (person: $0.0, acknowledgedAt: $0.1) })
        }
    }

    public func claimAnnouncement(_ id: NewsID, at: Date) async throws -> Bool {
        try await client.query("""
            UPDATE news SET announced_at = \(at) WHERE id = \(id.uuid) AND announced_at IS NULL RETURNING id
            """, logger: logger).first() != nil
    }

    public func claimDueNews(now: Date, limit: Int) async throws -> [News] {
        // SKIP LOCKED: two nodes claiming at once take different rows, never the same one twice.
        let sql: SQL = """
            UPDATE news n SET announced_at = \(now) WHERE n.id IN (
                SELECT id FROM news WHERE announced_at IS NULL AND NOT draft AND publish_at <= \(now) AND (ends_at IS NULL OR ends_at > \(now))
                ORDER BY publish_at, id LIMIT \(max(limit, 1)) FOR UPDATE SKIP LOCKED)
              AND n.announced_at IS NULL
            RETURNING \(raw: NewsRows.columns)
            """
        return try await client.query(sql.query, logger: logger).all().map(NewsRows.news).sorted { $0.content.publishAt < $1.content.publishAt }
    }

    public func claimDueReminders(now: Date, within: TimeInterval, limit: Int) async throws -> [News] {
        let sql: SQL = """
            UPDATE news n SET reminded_at = \(now) WHERE n.id IN (
                SELECT id FROM news WHERE ack_required AND reminded_at IS NULL AND announced_at IS NOT NULL AND NOT draft
                  AND ack_deadline IS NOT NULL AND ack_deadline > \(now) AND ack_deadline <= \(now.addingTimeInterval(within))
                ORDER BY ack_deadline, id LIMIT \(max(limit, 1)) FOR UPDATE SKIP LOCKED)
              AND n.reminded_at IS NULL
            RETURNING \(raw: NewsRows.columns)
            """
        return try await client.query(sql.query, logger: logger).all().map(NewsRows.news)
    }
}
