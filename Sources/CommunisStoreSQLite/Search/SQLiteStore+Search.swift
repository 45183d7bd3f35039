import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Full-text search on the FTS5 index of migrations v6 and v9 (`search_index` over
/// `search_documents`).
///
/// Permissions are words of the index (v9's `scope` column), so one FTS5 expression finds
/// only what the reader may read: `{title body} : (<words>) AND scope : (w<member
/// workspace> OR … OR open OR org OR people) NOT scope : archived`. FTS5 intersects the
/// posting lists and never hands an unreadable match to SQL; a page of a common word costs
/// about what it costs without permissions. Only the query's own filters (kind, author,
/// dates) are checked row by row, on `search_documents`.
///
/// Why ranking is bounded: bm25 has to score every match before it can sort, and a word
/// that is in half of a million documents costs about 500 ms to rank on this hardware. So a
/// relevance search takes the `window` newest readable matches (FTS5 walks its doclist in
/// rowid order and stops after `window`; rowids follow time) with their matched words marked,
/// in one pass, and ranks those by BM25 (`Relevance`: title weighted 10:1 over body). Its
/// cost grows with `window`, not with how common the word is. Once the window is paged
/// through, results continue newest first below it. The trade-off: a perfect title match
/// older than the newest `window` matches of a common word appears after them, in time
/// order — people searching a common word usually want the recent thing, and adding a word
/// narrows the matches so the window reaches further back.
///
/// Cursors: `r.<lo>.<hi>.<offset>.<more>` pages through the ranked window [lo, hi];
/// `n.<below>` continues newest first below a rowid.
extension SQLiteStore {
    /// How many of the newest readable matches are ranked by relevance.
    static let searchWindow = 200
    /// Title matches weigh this much more than body matches in BM25.
    static let titleWeight = 10.0
    static let snippetTokens = 14

    public func search(_ query: SearchQuery, reader: SearchReader, limit rawLimit: Int, cursor: String?) async throws -> SearchPage {
        let limit = min(max(rawLimit, 1), 50)
        let position = try SearchPosition(cursor)
        let words = Self.matchExpression(query.terms, prefixLast: query.prefixLast)
        guard !words.isEmpty else { return SearchPage(hits: [], nextCursor: nil) }
        let filter = Self.searchFilter(query)
        return try await pool.read { db in
            guard let match = try Self.readableMatch(db, words: words, query: query, reader: reader) else {
                return SearchPage(hits: [], nextCursor: nil)
            }
            let matches = Matches(match: match, filter: filter)
            let page: (rowids: [Int64], next: String?)
            switch position {
            case .newest(let below):
                page = try matches.newest(db, below: below, limit: limit)
            case .start where query.order == .newest:
                page = try matches.newest(db, below: nil, limit: limit)
            case .start:
                let window = try matches.window(db, range: nil)
                guard let hi = window.first?.rowid, let lo = window.last?.rowid else { return SearchPage(hits: [], nextCursor: nil) }
                let scored = try Relevance(db, query: query, lo: lo, hi: hi).scores(window)
                page = Self.rankedPage(scored, lo: lo, hi: hi, offset: 0, limit: limit, more: window.count == Self.searchWindow)
            case .ranked(let lo, let hi, let offset, let more):
                let window = try matches.window(db, range: (lo, hi))
                let scored = try Relevance(db, query: query, lo: lo, hi: hi).scores(window)
                page = Self.rankedPage(scored, lo: lo, hi: hi, offset: offset, limit: limit, more: more)
            }
            return SearchPage(hits: try Self.hits(db, rowids: page.rowids, match: Self.inText(words)), nextCursor: page.next)
        }
    }

    /// The FTS5 expression of `words` confined to what `reader` may read (and to the query's
    /// workspace and archive filters); nil when the reader may read nothing at all.
    static func readableMatch(_ db: Database, words: String, query: SearchQuery, reader: SearchReader) throws -> String? {
        // The same expression as v9's scope, so the two cannot drift apart.
        var scopes = try String.fetchAll(db, sql: "SELECT 'w' || replace(workspace_id, '-', '') FROM memberships WHERE person_id = ?",
                                         arguments: [reader.person.description])
        if reader.readsOpenWorkspaces { scopes.append("open") }
        if reader.readsOrganisation { scopes.append("org") }
        if reader.findsPeople { scopes.append("people") }
        guard !scopes.isEmpty else { return nil }
        var match = inText(words) + " AND scope : (\(scopes.map(quoted).joined(separator: " OR ")))"
        if let workspace = query.workspace {
            let scope = try String.fetchOne(db, sql: "SELECT 'w' || replace(?, '-', '')", arguments: [workspace.description]) ?? ""
            match += " AND scope : \(quoted(scope))"
        }
        if !query.includeArchived { match += " NOT scope : archived" }
        // Workspaces' own documents carry the scope word `space` (v13).
        if query.kinds == [.workspace] {
            match += " AND scope : space"
        } else if !query.kinds.isEmpty, !query.kinds.contains(.workspace) {
            match += " NOT scope : space"
        }
        return match
    }

    /// `words` confined to the text columns, so a typed word never matches a scope word.
    static func inText(_ words: String) -> String { "{title body} : (\(words))" }

    /// The readable matches of one search, newest first, with the query's row filters.
    struct Matches {
        let match: String
        let filter: (sql: String, arguments: StatementArguments)?

        func select(_ columns: String, _ range: String, _ rangeArguments: StatementArguments, limit: Int?) -> (String, StatementArguments) {
            var arguments: StatementArguments = [match]
            var join = ""
            var conditions = "search_index MATCH ?"
            if let filter {
                join = "CROSS JOIN search_documents d ON d.id = search_index.rowid"
                conditions += " AND " + filter.sql
                arguments += filter.arguments
            }
            arguments += rangeArguments
            return ("""
                SELECT \(columns) FROM search_index \(join)
                WHERE \(conditions) \(range)
                ORDER BY search_index.rowid DESC \(limit.map { "LIMIT \($0)" } ?? "")
                """, arguments)
        }

        func newest(_ db: Database, below: Int64?, limit: Int) throws -> ([Int64], String?) {
            let (sql, arguments) = select("search_index.rowid", below == nil ? "" : "AND search_index.rowid < ?", below.map { [$0] } ?? [], limit: limit + 1)
            var rowids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
            guard rowids.count > limit else { return (rowids, nil) }
            rowids.removeLast()
            return (rowids, "n.\(rowids[rowids.count - 1])")
        }

        /// The ranking window, newest first: the newest `searchWindow` matches, or every match
        /// in [lo, hi] (a window found by an earlier page), with title and body for `Relevance`
        /// (read by rowid: FTS5's highlight() would cost ~65 µs a row).
        func window(_ db: Database, range: (lo: Int64, hi: Int64)?) throws -> [(rowid: Int64, title: String, body: String)] {
            let (sql, arguments) = range.map { select("search_index.rowid", "AND search_index.rowid BETWEEN ? AND ?", [$0.lo, $0.hi], limit: nil) }
                ?? select("search_index.rowid", "", [], limit: searchWindow)
            let rowids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
            guard !rowids.isEmpty else { return [] }
            var texts: [Int64: (String, String)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, title, body FROM search_documents WHERE id IN (\(rowids.map { _ in "?" }.joined(separator: ", ")))",
                                           arguments: StatementArguments(rowids))
            while let row = try rows.next() { texts[row[0]] = (row[1], row[2]) }
            return rowids.map { (rowid: $0, title: texts[$0]?.0 ?? "", body: texts[$0]?.1 ?? "") }
        }
    }

    /// One page of a ranked window: best (lowest BM25) first, newer first among equals; `more`
    /// says whether older matches lie below the window.
    static func rankedPage(_ window: [(rowid: Int64, score: Double)], lo: Int64, hi: Int64, offset: Int, limit: Int, more: Bool) -> ([Int64], String?) {
        let ranked = window.sorted { $0.score != $1.score ? $0.score < $1.score : $0.rowid > $1.rowid }
        let rowids = ranked.dropFirst(offset).prefix(limit).map(\.rowid)
        if ranked.count > offset + limit {
            return (Array(rowids), "r.\(lo).\(hi).\(offset + limit).\(more ? 1 : 0)")
        }
        return (Array(rowids), more ? "n.\(lo)" : nil)
    }

    /// The details and snippets of a page's rows, in the page's order, in one statement. The
    /// expression is the searched words alone (`{title body} : (…)`): the rows are already
    /// known to be readable, the scope words would cost a lookup each again, and `snippet()`
    /// would show them (they match in the scope column). FTS5 reads only the rowid range the
    /// page spans (the `+` keeps the IN list from being handed to FTS5 as one lookup per row).
    static func hits(_ db: Database, rowids: [Int64], match: String) throws -> [SearchHit] {
        guard let lo = rowids.min(), let hi = rowids.max() else { return [] }
        var arguments: StatementArguments = [match, lo, hi]
        arguments += StatementArguments(rowids)
        let rows = try Row.fetchAll(db, sql: """
            SELECT search_index.rowid AS rowid, d.kind, d.ref_id, d.parent_id, d.workspace_id, d.author_id, d.created_at, d.archived,
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
        let documents = try documentDetails(db, rows.compactMap { row in
            row["kind"] == SearchKind.document.rawValue ? (row["parent_id"] as String?) ?? (row["ref_id"] as String) : nil
        })
        var byRowid: [Int64: SearchHit] = [:]
        for row in rows {
            guard let kind = SearchKind(rawValue: row["kind"]) else { continue }
            let workspace: String? = row["workspace_id"]
            let author: String? = row["author_id"]
            let created: Double = row["created_at"]
            let refID: String = row["ref_id"]
            let parentID: String? = row["parent_id"]
            // An older version's entry ("<document>#<n>") is a hit on its document.
            let document = kind == .document
            let archived = document && (row["archived"] as Int? ?? 0) != 0
            let hitID = document ? parentID ?? refID : refID
            let details = document ? documents[hitID] : nil
            byRowid[row["rowid"]] = SearchHit(
                kind: kind, id: hitID, parentID: document ? nil : parentID,
                workspaceID: workspace.flatMap { WorkspaceID($0) }, workspaceName: row["workspace_name"],
                authorID: author.flatMap { PersonID($0) }, authorName: row["author_name"],
                title: details?.title ?? row["title"], snippet: row["snippet"] ?? "",
                date: Date(timeIntervalSince1970: created), offsetMs: row["offset_ms"],
                documentVersion: archived ? refID.split(separator: "#").last.flatMap { Int($0) } : details?.version,
                archived: archived)
        }
        return rowids.compactMap { byRowid[$0] }
    }

    /// The current title and version number of the documents a page found (an older
    /// version's entry has no title of its own), asked only when the page holds documents.
    static func documentDetails(_ db: Database, _ ids: [String]) throws -> [String: (title: String, version: Int)] {
        guard !ids.isEmpty else { return [:] }
        var details: [String: (title: String, version: Int)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, title, current_version FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                    arguments: [jsonArray(Array(Set(ids)))]) {
            details[row["id"]] = (row["title"], row["current_version"])
        }
        return details
    }

    /// The FTS5 expression: each term quoted (so nothing typed is ever FTS5 syntax), all
    /// required, the last one as a prefix when asked.
    static func matchExpression(_ terms: [String], prefixLast: Bool) -> String {
        let words = terms.filter { !$0.isEmpty }.map(quoted)
        guard !words.isEmpty else { return "" }
        return words.joined(separator: " ") + (prefixLast ? "*" : "")
    }

    static func quoted(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The query's own filters as SQL over `d` (search_documents), nil without any;
    /// permissions, the workspace and archived articles are in the FTS5 expression.
    static func searchFilter(_ query: SearchQuery) -> (sql: String, arguments: StatementArguments)? {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        // Only workspaces, or all but workspaces: the FTS5 expression says so already.
        if !query.kinds.isEmpty, query.kinds != [.workspace], query.kinds != SearchKind.content {
            conditions.append("d.kind IN (" + query.kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")")
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
        guard !conditions.isEmpty else { return nil }
        return (conditions.joined(separator: " AND "), arguments)
    }
}
