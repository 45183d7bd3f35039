import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading `news` rows, and the audience rule as SQL over them (the same rule as SQLite's
/// `NewsRecords`).
enum NewsRows {
    static let columns = """
        n.id, n.author_id, n.title, n.introduction, n.body, n.tags, n.category, n.publish_at, n.ends_at, n.pinned, n.important,
        n.allow_comments, n.allow_reactions, n.ack_required, n.ack_deadline, n.audience_organisations, n.audience_departments,
        n.audience_workplaces, n.audience_titles, n.audience_groups, n.draft, n.revision, n.created_at, n.updated_at, n.announced_at,
        n.image_type
        """

    static func news(_ row: PostgresRandomAccessRow) throws -> News {
        let audience = NewsAudience(
            organisationIDs: try row.get("audience_organisations", as: [UUID].self).map(OrganisationID.init),
            departments: try row.get("audience_departments"), workplaces: try row.get("audience_workplaces"),
            titles: try row.get("audience_titles"), groups: try row.get("audience_groups"))
        let content = NewsContent(
            title: try row.get("title"), introduction: try row.get("introduction"), body: try row.get("body"), tags: try row.get("tags"),
            category: try row.get("category"), publishAt: try row.get("publish_at"), endsAt: try row.get("ends_at"), pinned: try row.get("pinned"),
            important: try row.get("important"), allowComments: try row.get("allow_comments"), allowReactions: try row.get("allow_reactions"),
            acknowledgementRequired: try row.get("ack_required"), acknowledgementDeadline: try row.get("ack_deadline"), audience: audience,
            draft: try row.get("draft"))
        return News(id: try row.id("id"), authorID: try row.id("author_id"), content: content, revision: try row.get("revision"),
                    createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"), announcedAt: try row.get("announced_at"),
                    imageType: try row.get("image_type"))
    }

    static func searchText(_ content: NewsContent) -> String {
        Key.of([content.title, content.introduction, content.body].joined(separator: "\n"))
    }

    /// `col = value, …` of the content, for UPDATE.
    static func assignments(_ content: NewsContent) -> SQL {
        let audience = content.audience
        return """
            title = \(content.title), introduction = \(content.introduction), body = \(content.body), search_text = \(searchText(content)),
            tags = \(content.tags), tags_key = \(content.tags.map(Key.of)), category = \(content.category),
            category_key = \(content.category.map(Key.of)), publish_at = \(content.publishAt),
            ends_at = \(content.endsAt), pinned = \(content.pinned), important = \(content.important), allow_comments = \(content.allowComments),
            allow_reactions = \(content.allowReactions), ack_required = \(content.acknowledgementRequired),
            ack_deadline = \(content.acknowledgementDeadline), audience_organisations = \(audience.organisationIDs.map(\.uuid)),
            audience_departments = \(audience.departments), audience_departments_key = \(audience.departments.map(Key.of)),
            audience_workplaces = \(audience.workplaces), audience_workplaces_key = \(audience.workplaces.map(Key.of)),
            audience_titles = \(audience.titles), audience_groups = \(audience.groups), draft = \(content.draft)
            """
    }

    static let noCriteria = """
        (cardinality(n.audience_departments) = 0 AND cardinality(n.audience_workplaces) = 0
         AND cardinality(n.audience_titles) = 0 AND cardinality(n.audience_groups) = 0)
        """

    static func readerCondition(_ reader: NewsReader) -> SQL {
        """
        ((cardinality(n.audience_organisations) = 0 OR \(reader.organisationID.uuid) = ANY(n.audience_organisations))
         AND (\(raw: noCriteria)
              OR \(Key.of(reader.department)) = ANY(n.audience_departments_key)
              OR \(Key.of(reader.workplace)) = ANY(n.audience_workplaces_key)
              OR \(reader.title) = ANY(n.audience_titles)
              OR n.audience_groups && \(reader.groups.sorted())))
        """
    }

    /// The rule for every person `p` (enabled employees) over `n`.
    static let personCondition = """
        NOT p.disabled AND p.role <> 'guest'
        AND (cardinality(n.audience_organisations) = 0 OR coalesce(
                 (SELECT organisation_id FROM person_organisations po WHERE po.person_id = p.id),
                 (SELECT id FROM organisations WHERE is_main)) = ANY(n.audience_organisations))
        AND (\(noCriteria)
             OR (p.department_key <> '' AND p.department_key = ANY(n.audience_departments_key))
             OR (p.workplace_key <> '' AND p.workplace_key = ANY(n.audience_workplaces_key))
             OR (p.title <> '' AND p.title = ANY(n.audience_titles))
             OR EXISTS (SELECT 1 FROM person_groups g WHERE g.person_id = p.id AND g.group_key = ANY(n.audience_groups)))
        """

    static func filter(_ filter: NewsFilter) -> SQL {
        var sql: SQL = "TRUE"
        let now = filter.now
        switch filter.scope {
        case .published: sql += " AND NOT n.draft AND n.publish_at <= \(now) AND (n.ends_at IS NULL OR n.ends_at > \(now))"
        case .draft: sql += " AND n.draft"
        case .scheduled: sql += " AND NOT n.draft AND n.publish_at > \(now)"
        case .expired: sql += " AND NOT n.draft AND n.publish_at <= \(now) AND n.ends_at IS NOT NULL AND n.ends_at <= \(now)"
        case .all: break
        }
        if let reader = filter.reader, !reader.seesEverything { sql += " AND \(readerCondition(reader))" }
        if filter.everyoneOnly { sql += " AND cardinality(n.audience_organisations) = 0 AND \(raw: noCriteria)" }
        if let organisation = filter.organisation {
            sql += " AND (cardinality(n.audience_organisations) = 0 OR \(organisation.uuid) = ANY(n.audience_organisations))"
        }
        if let tag = Key.query(filter.tag) { sql += " AND \(tag) = ANY(n.tags_key)" }
        if let topics = filter.topics {
            let tags = topics.tags.compactMap(Key.query)
            let categories = topics.categories.compactMap(Key.query)
            sql += " AND (n.tags_key && \(tags)::text[] OR n.category_key = ANY(\(categories)::text[]))"
        }
        if let text = Key.query(filter.text) {
            for word in text.split(whereSeparator: \.isWhitespace) {
                sql += " AND n.search_text LIKE \(Key.containsPattern(String(word)))"
            }
        }
        return sql
    }
}
