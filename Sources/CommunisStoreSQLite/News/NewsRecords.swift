import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Reading and writing `news` rows, and the audience rule as SQL over them.
enum NewsRecords {
    /// Every column of `news` a `News` needs (the image's bytes are in `news_images`).
    static let columns = """
        n.id, n.author_id, n.title, n.introduction, n.body, n.tags, n.category, n.publish_at, n.ends_at, n.pinned, n.important,
        n.allow_comments, n.allow_reactions, n.ack_required, n.ack_deadline, n.audience_organisations, n.audience_departments,
        n.audience_workplaces, n.audience_titles, n.audience_groups, n.draft, n.revision, n.created_at, n.updated_at, n.announced_at,
        n.image_type
        """

    static func json(_ values: [String]) -> String { HowToColumns.json(values) }

    static func list(_ row: Row, _ column: String) throws -> [String] {
        try HowToColumns.decode([String].self, row[column] as String, table: "news", column: column)
    }

    static func date(_ value: Double?) -> Date? { value.map { Date(timeIntervalSince1970: $0) } }

    static func news(_ row: Row) throws -> News {
        guard let id = NewsID(row["id"] as String), let author = PersonID(row["author_id"] as String) else {
            throw CorruptRow(table: "news", column: "id", value: row["id"] as String)
        }
        let audience = NewsAudience(
            organisationIDs: try list(row, "audience_organisations").compactMap(OrganisationID.init),
            departments: try list(row, "audience_departments"), workplaces: try list(row, "audience_workplaces"),
            titles: try list(row, "audience_titles"), groups: try list(row, "audience_groups"))
        let content = NewsContent(
            title: row["title"], introduction: row["introduction"], body: row["body"], tags: try list(row, "tags"), category: row["category"],
            publishAt: Date(timeIntervalSince1970: row["publish_at"]), endsAt: date(row["ends_at"]), pinned: row["pinned"],
            important: row["important"], allowComments: row["allow_comments"], allowReactions: row["allow_reactions"],
            acknowledgementRequired: row["ack_required"], acknowledgementDeadline: date(row["ack_deadline"]), audience: audience,
            draft: row["draft"])
        return News(id: id, authorID: author, content: content, revision: row["revision"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    updatedAt: Date(timeIntervalSince1970: row["updated_at"]), announcedAt: date(row["announced_at"]), imageType: row["image_type"])
    }

    static func searchText(_ content: NewsContent) -> String {
        Key.of([content.title, content.introduction, content.body].joined(separator: "\n"))
    }

    /// The content columns in the order of `contentAssignments`.
    static func contentValues(_ content: NewsContent) -> StatementArguments {
        let audience = content.audience
        return [
            content.title, content.introduction, content.body, searchText(content), json(content.tags), json(content.tags.map(Key.of)),
            content.category, content.category.map(Key.of), content.publishAt.unixSeconds, content.endsAt?.unixSeconds, content.pinned, content.important,
            content.allowComments, content.allowReactions, content.acknowledgementRequired, content.acknowledgementDeadline?.unixSeconds,
            json(audience.organisationIDs.map(\.description)), json(audience.departments), json(audience.departments.map(Key.of)),
            json(audience.workplaces), json(audience.workplaces.map(Key.of)), json(audience.titles), json(audience.groups), content.draft,
        ]
    }

    static let contentColumns = [
        "title", "introduction", "body", "search_text", "tags", "tags_key", "category", "category_key", "publish_at", "ends_at", "pinned", "important",
        "allow_comments", "allow_reactions", "ack_required", "ack_deadline", "audience_organisations", "audience_departments",
        "audience_departments_key", "audience_workplaces", "audience_workplaces_key", "audience_titles", "audience_groups", "draft",
    ]

    static let noCriteria = """
        (n.audience_departments = '[]' AND n.audience_workplaces = '[]' AND n.audience_titles = '[]' AND n.audience_groups = '[]')
        """

    /// The audience rule for one reader, over `n` (news).
    static func readerCondition(_ reader: NewsReader) -> (String, StatementArguments) {
        let sql = """
            ((n.audience_organisations = '[]' OR EXISTS (SELECT 1 FROM json_each(n.audience_organisations) WHERE value = ?))
             AND (\(noCriteria)
                  OR EXISTS (SELECT 1 FROM json_each(n.audience_departments_key) WHERE value = ?)
                  OR EXISTS (SELECT 1 FROM json_each(n.audience_workplaces_key) WHERE value = ?)
                  OR EXISTS (SELECT 1 FROM json_each(n.audience_titles) WHERE value = ?)
                  OR EXISTS (SELECT 1 FROM json_each(n.audience_groups) WHERE value IN (SELECT value FROM json_each(?)))))
            """
        return (sql, [reader.organisationID.description, Key.of(reader.department), Key.of(reader.workplace), reader.title,
                      jsonArray(reader.groups.sorted())])
    }

    /// The audience rule for every person `p` (enabled employees), over `n` (news): the same
    /// rule as `readerCondition`, with the person's values read from their rows.
    static let personCondition = """
        p.disabled = 0 AND p.role <> 'guest'
        AND (n.audience_organisations = '[]' OR EXISTS (SELECT 1 FROM json_each(n.audience_organisations) WHERE value =
             coalesce((SELECT organisation_id FROM person_organisations po WHERE po.person_id = p.id),
                      (SELECT id FROM organisations WHERE is_main = 1))))
        AND (\(noCriteria)
             OR (p.department_key <> '' AND EXISTS (SELECT 1 FROM json_each(n.audience_departments_key) WHERE value = p.department_key))
             OR (p.workplace_key <> '' AND EXISTS (SELECT 1 FROM json_each(n.audience_workplaces_key) WHERE value = p.workplace_key))
             OR (p.title <> '' AND EXISTS (SELECT 1 FROM json_each(n.audience_titles) WHERE value = p.title))
             OR EXISTS (SELECT 1 FROM json_each(n.audience_groups) j JOIN person_groups g ON g.group_key = j.value AND g.person_id = p.id))
        """

    /// The list filter as SQL over `n`.
    static func filter(_ filter: NewsFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        let now = filter.now.unixSeconds
        switch filter.scope {
        case .published:
            conditions.append("n.draft = 0 AND n.publish_at <= ? AND (n.ends_at IS NULL OR n.ends_at > ?)")
            _ = arguments.append(contentsOf: [now, now])
        case .draft:
            conditions.append("n.draft = 1")
        case .scheduled:
            conditions.append("n.draft = 0 AND n.publish_at > ?")
            _ = arguments.append(contentsOf: [now])
        case .expired:
            conditions.append("n.draft = 0 AND n.publish_at <= ? AND n.ends_at IS NOT NULL AND n.ends_at <= ?")
            _ = arguments.append(contentsOf: [now, now])
        case .all:
            break
        }
        if let reader = filter.reader, !reader.seesEverything {
            let (sql, values) = readerCondition(reader)
            conditions.append(sql)
            _ = arguments.append(contentsOf: values)
        }
        if filter.everyoneOnly { conditions.append("n.audience_organisations = '[]' AND \(noCriteria)") }
        if let organisation = filter.organisation {
            conditions.append("(n.audience_organisations = '[]' OR EXISTS (SELECT 1 FROM json_each(n.audience_organisations) WHERE value = ?))")
            _ = arguments.append(contentsOf: [organisation.description])
        }
        if let tag = Key.query(filter.tag) {
            conditions.append("EXISTS (SELECT 1 FROM json_each(n.tags_key) WHERE value = ?)")
            _ = arguments.append(contentsOf: [tag])
        }
        if let topics = filter.topics {
            let tags = topics.tags.compactMap(Key.query)
            let categories = topics.categories.compactMap(Key.query)
            var either = ["0"]
            if !tags.isEmpty {
                either.append("EXISTS (SELECT 1 FROM json_each(n.tags_key) WHERE value IN (\(Array(repeating: "?", count: tags.count).joined(separator: ", "))))")
                _ = arguments.append(contentsOf: StatementArguments(tags))
            }
            if !categories.isEmpty {
                either.append("n.category_key IN (\(Array(repeating: "?", count: categories.count).joined(separator: ", ")))")
                _ = arguments.append(contentsOf: StatementArguments(categories))
            }
            conditions.append("(" + either.joined(separator: " OR ") + ")")
        }
        if let text = Key.query(filter.text) {
            for word in text.split(whereSeparator: \.isWhitespace) {
                conditions.append("n.search_text LIKE ? ESCAPE '\\'")
                _ = arguments.append(contentsOf: [Key.containsPattern(String(word))])
            }
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
    }
}
