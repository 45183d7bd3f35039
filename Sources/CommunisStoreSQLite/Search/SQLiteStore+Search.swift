import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Full-text search on the FTS5 index of migration v6 (`search_index` over `search_documents`).
///
/// Why ranking is bounded: bm25 has to score every match before it can sort, and a word
/// that is in half of a million documents costs about 500 ms to rank on this hardware. So a
/// relevance search first takes the `window` newest matches the reader may read (FTS5 walks
/// its doclist in rowid order and stops after `window` readable ones; rowids follow time),
/// then ranks by bm25 (title weighted 10:1 over body) only the matches within that rowid
/// range. Its cost grows with `window`, not with how common the word is. Once the window
/// is paged through, results continue newest first below it. The trade-off: a perfect
/// title match older than the newest `window` matches of a common word appears after them,
/// in time order — people searching a common word usually want the recent thing, and
/// adding a word narrows the matches so the window reaches further back.
///
/// Cursors: `r.<lo>.<hi>.<offset>` pages through the ranked window [lo, hi];
/// `n.<below>` continues newest first below a rowid.
extension SQLiteStore {
    /// How many of the newest readable matches are ranked by relevance.
    static let searchWindow = 200
    /// Title matches weigh this much more than body matches in bm25.
    static let titleWeight = 10.0
    static let snippetTokens = 14

    public func search(_ query: SearchQuery, reader: SearchReader, limit rawLimit: Int, cursor: String?) async throws -> SearchPage {
        let limit = min(max(rawLimit, 1), 50)
        let position = try SearchPosition(cursor)
        let match = Self.matchExpression(query.terms, prefixLast: query.prefixLast)
        guard !match.isEmpty else { return SearchPage(hits: [], nextCursor: nil) }
        let filter = Self.searchFilter(query, reader: reader)
        return try await pool.read { db in
            var arguments: StatementArguments = [match]
            arguments += filter.arguments
            let page: (rowids: [Int64], next: String?)
            switch position {
            case .newest(let below):
                page = try Self.newest(db, filter: filter.sql, arguments: arguments, below: below, limit: limit)
            case .start where query.order == .newest:
                page = try Self.newest(db, filter: filter.sql, arguments: arguments, below: nil, limit: limit)
            case .start:
                let window = try Int64.fetchAll(db, sql: """
                    SELECT search_index.rowid FROM search_index CROSS JOIN search_documents d ON d.id = search_index.rowid
                    WHERE search_index MATCH ? AND \(filter.sql)
                    ORDER BY search_index.rowid DESC LIMIT \(Self.searchWindow)
                    """, arguments: arguments)
                guard let hi = window.first, let lo = window.last else { return SearchPage(hits: [], nextCursor: nil) }
                let full = window.count == Self.searchWindow
                page = try Self.ranked(db, filter: filter.sql, arguments: arguments, lo: lo, hi: hi, offset: 0, limit: limit, more: full)
            case .ranked(let lo, let hi, let offset, let more):
                page = try Self.ranked(db, filter: filter.sql, arguments: arguments, lo: lo, hi: hi, offset: offset, limit: limit, more: more)
            }
            return SearchPage(hits: try Self.hits(db, rowids: page.rowids, match: match), nextCursor: page.next)
        }
    }

    private static func newest(_ db: Database, filter: String, arguments: StatementArguments, below: Int64?, limit: Int) throws -> ([Int64], String?) {
        var arguments = arguments
        var range = ""
        if let below {
            range = "AND search_index.rowid < ?"
            arguments += [below]
        }
        var rowids = try Int64.fetchAll(db, sql: """
            SELECT search_index.rowid FROM search_index CROSS JOIN search_documents d ON d.id = search_index.rowid
            WHERE search_index MATCH ? AND \(filter) \(range)
            ORDER BY search_index.rowid DESC LIMIT \(limit + 1)
            """, arguments: arguments)
        guard rowids.count > limit else { return (rowids, nil) }
        rowids.removeLast()
        return (rowids, "n.\(rowids[rowids.count - 1])")
    }

    /// One page of the ranked window; `more` says whether older matches lie below it.
    private static func ranked(_ db: Database, filter: String, arguments: StatementArguments, lo: Int64, hi: Int64, offset: Int, limit: Int, more: Bool) throws -> ([Int64], String?) {
        var arguments = arguments
        arguments += [lo, hi]
        var rowids = try Int64.fetchAll(db, sql: """
            SELECT search_index.rowid FROM search_index CROSS JOIN search_documents d ON d.id = search_index.rowid
            WHERE search_index MATCH ? AND \(filter) AND search_index.rowid BETWEEN ? AND ?
            ORDER BY bm25(search_index, \(titleWeight), 1.0), search_index.rowid DESC
            LIMIT \(limit + 1) OFFSET \(offset)
            """, arguments: arguments)
        if rowids.count > limit {
            rowids.removeLast()
            return (rowids, "r.\(lo).\(hi).\(offset + limit).\(more ? 1 : 0)")
        }
        return (rowids, more ? "n.\(lo)" : nil)
    }

    /// The details and snippets of a page's rows, in the page's order, in one statement: FTS5
    /// reads only the rowid range the page spans (the `+` keeps the IN list from being handed
    /// to FTS5 as one lookup per row).
    private static func hits(_ db: Database, rowids: [Int64], match: String) throws -> [SearchHit] {
        guard let lo = rowids.min(), let hi = rowids.max() else { return [] }
        var arguments: StatementArguments = [match, lo, hi]
        arguments += StatementArguments(rowids)
        let rows = try Row.fetchAll(db, sql: """
            SELECT search_index.rowid AS rowid, d.kind, d.ref_id, d.parent_id, d.workspace_id, d.author_id, d.created_at,
                   CASE d.kind WHEN 'post' THEN coalesce((SELECT title FROM threads WHERE id = d.parent_id), '') ELSE d.title END AS title,
                   CASE d.kind WHEN 'chapter' THEN (SELECT json_extract(r.chapters, '$[' || substr(d.ref_id, instr(d.ref_id, '#') + 1) || '].offsetMs')
                                                    FROM recordings r WHERE r.id = d.parent_id) END AS offset_ms,
                   snippet(search_index, -1, char(57344), char(57345), '…', \(snippetTokens)) AS snippet,
                   w.name AS workspace_name, p.name AS author_name
            FROM search_index CROSS JOIN search_documents d ON d.id = search_index.rowid
            LEFT JOIN workspaces w ON w.id = d.workspace_id
            LEFT JOIN people p ON p.id = d.author_id
            WHERE search_index MATCH ? AND search_index.rowid BETWEEN ? AND ?
              AND +search_index.rowid IN (\(rowids.map { _ in "?" }.joined(separator: ", ")))
            """, arguments: arguments)
        var byRowid: [Int64: SearchHit] = [:]
        for row in rows {
            guard let kind = SearchKind(rawValue: row["kind"]) else { continue }
            let workspace: String? = row["workspace_id"]
            let author: String? = row["author_id"]
            let created: Double = row["created_at"]
            byRowid[row["rowid"]] = SearchHit(
                kind: kind, id: row["ref_id"], parentID: row["parent_id"],
                workspaceID: workspace.flatMap { WorkspaceID($0) }, workspaceName: row["workspace_name"],
                authorID: author.flatMap { PersonID($0) }, authorName: row["author_name"],
                title: row["title"], snippet: row["snippet"] ?? "", date: Date(timeIntervalSince1970: created), offsetMs: row["offset_ms"])
        }
        return rowids.compactMap { byRowid[$0] }
    }

    /// The FTS5 expression: each term quoted (so nothing typed is ever FTS5 syntax), all
    /// required, the last one as a prefix when asked.
    static func matchExpression(_ terms: [String], prefixLast: Bool) -> String {
        let quoted = terms.filter { !$0.isEmpty }.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        guard !quoted.isEmpty else { return "" }
        return quoted.joined(separator: " ") + (prefixLast ? "*" : "")
    }

    /// The reader's permissions and the query's filters as SQL over `d` (search_documents).
    static func searchFilter(_ query: SearchQuery, reader: SearchReader) -> (sql: String, arguments: StatementArguments) {
        var readable = ["d.workspace_id IN (SELECT workspace_id FROM memberships WHERE person_id = ?)"]
        var arguments: StatementArguments = [reader.person.description]
        if reader.readsOpenWorkspaces {
            // Articles of a workspace are for its members only (HowToPolicy), open or not.
            readable.append("(d.kind <> 'article' AND d.workspace_id IN (SELECT id FROM workspaces WHERE visibility = 'open'))")
        }
        if reader.findsPeople { readable.append("(d.workspace_id IS NULL AND d.kind = 'person')") }
        if reader.readsOrganisation {
            readable.append("(d.workspace_id IS NULL AND d.kind <> 'person')")
            // A recording shared with the organisation (RecordingPolicy): every employee reads
            // it, except a secret workspace's. A chapter's recording is its parent.
            readable.append("""
                (d.kind IN ('recording', 'chapter') AND EXISTS (SELECT 1 FROM recordings r JOIN workspaces w ON w.id = r.workspace_id
                    WHERE r.id = coalesce(d.parent_id, d.ref_id) AND r.shared_with_organisation = 1 AND w.visibility <> 'secret'))
                """)
        }
        var conditions = ["(" + readable.joined(separator: " OR ") + ")"]
        if !query.kinds.isEmpty {
            conditions.append("d.kind IN (" + query.kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")")
        }
        if let workspace = query.workspace {
            conditions.append("d.workspace_id = ?")
            arguments += [workspace.description]
        }
        if let author = query.author {
            conditions.append("d.author_id = ? AND d.kind <> 'person'")
            arguments += [author.description]
        }
        if let from = query.from {
            conditions.append("d.created_at >= ?")
            arguments += [from.unixSeconds]
        }
        if let to = query.to {
            conditions.append("d.created_at < ?")
            arguments += [to.unixSeconds]
        }
        if !query.includeArchived { conditions.append("d.archived = 0") }
        return (conditions.joined(separator: " AND "), arguments)
    }
}

/// Where a page of results starts, parsed from the client's cursor.
enum SearchPosition {
    case start
    case ranked(lo: Int64, hi: Int64, offset: Int, more: Bool)
    case newest(below: Int64)

    init(_ cursor: String?) throws {
        guard let cursor else { self = .start; return }
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 5, parts[0] == "r", let lo = Int64(parts[1]), let hi = Int64(parts[2]), let offset = Int(parts[3]),
           lo <= hi, offset >= 0, offset <= 10_000, parts[4] == "0" || parts[4] == "1" {
            self = .ranked(lo: lo, hi: hi, offset: offset, more: parts[4] == "1")
        } else if parts.count == 2, parts[0] == "n", let below = Int64(parts[1]) {
            self = .newest(below: below)
        } else {
            throw DomainError.validation([FieldError(field: "cursor", message: "is not a cursor from an earlier page")])
        }
    }
}
