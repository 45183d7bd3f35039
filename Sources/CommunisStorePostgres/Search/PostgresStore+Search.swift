import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Full-text search on `search_documents` (the `search` migration): one `@@` on the GIN index
/// finds only what the reader may read — `words & (#scope w<member workspace> | … | #scope open
/// | #scope org | #scope people) & !#scope archived` — so no unreadable row is fetched, ranked,
/// counted or shown; only the query's own author and date filters are checked row by row.
///
/// Ranking is bounded as in the SQLite engine (docs/architecture/search.md): a relevance
/// search takes the `searchWindow` newest readable matches and ranks those (`ts_rank`, title
/// words weighted 10:1 over body words, lengths evened out by 1 + log(length)), newer first
/// among equals; once the window is paged through, results continue newest first below it.
/// What a common word costs is bounded by the window, not by how many documents hold it: the
/// planner walks the primary key backwards and stops after the window when matches are
/// frequent, and reads the index when they are rare (it sees the whole query as constants).
///
/// Everything a page reads — the reader's workspaces, the window, the rows and their text for
/// snippets — is read in one REPEATABLE READ, READ ONLY transaction, so a membership removed
/// meanwhile cannot slip a row through between two statements; the page's rows are fetched
/// with the same `@@` again all the same.
///
/// Cursors, as SQLite's: `r.<lo>.<hi>.<offset>.<more>` pages through the ranked window of ids
/// [lo, hi]; `n.<below>` continues newest first below an id.
extension PostgresStore {
    /// How many of the newest readable matches are ranked by relevance.
    static let searchWindow = 200
    /// `ts_rank` weights {D, C, B, A}: body words D, title words A (10:1).
    static let rankWeights = "'{0.1, 0.1, 0.1, 1.0}'"

    public func search(_ query: SearchQuery, reader: SearchReader, limit rawLimit: Int, cursor: String?) async throws -> SearchPage {
        let limit = min(max(rawLimit, 1), 50)
        let position = try SearchPosition(cursor)
        guard let words = SearchWords(query.terms, prefixLast: query.prefixLast) else { return SearchPage(hits: [], nextCursor: nil) }
        return try await readSnapshot { connection in
            guard let match = try await self.readableMatch(words, query: query, reader: reader, on: connection) else {
                return SearchPage(hits: [], nextCursor: nil)
            }
            let page: (ids: [Int64], next: String?)
            switch position {
            case .newest(let below):
                page = try await self.newest(match, below: below, limit: limit, on: connection)
            case .start where query.order == .newest:
                page = try await self.newest(match, below: nil, limit: limit, on: connection)
            case .start:
                let window = try await self.window(match, range: nil, on: connection)
                guard let hi = window.first?.id, let lo = window.last?.id else { return SearchPage(hits: [], nextCursor: nil) }
                page = Self.rankedPage(window, lo: lo, hi: hi, offset: 0, limit: limit, more: window.count == Self.searchWindow)
            case .ranked(let lo, let hi, let offset, let more):
                let window = try await self.window(match, range: (lo, hi), on: connection)
                page = Self.rankedPage(window, lo: lo, hi: hi, offset: offset, limit: limit, more: more)
            }
            let hits = try await self.hits(page.ids, match: match, snippets: SearchSnippet(words), on: connection)
            return SearchPage(hits: hits, nextCursor: page.next)
        }
    }

    /// A search's `@@` operand and row filters.
    struct SearchMatch {
        /// Bound text of `to_tsquery('communis_search', …)`: the words alone (ranking).
        let words: String
        /// Bound text cast to `tsquery`: the reader's scope words, the workspace, archive and
        /// kind filters (all written here from ids and fixed words).
        let scopes: String
        let query: SearchQuery

        /// `d.document @@ …` and the row filters, over `search_documents d`.
        var condition: SQL {
            var sql: SQL = """
                d.document @@ (to_tsquery('communis_search', \(words)) && \(scopes)::tsquery)
                AND numnode(to_tsquery('communis_search', \(words))) > 0
                """
            if let author = query.author { sql += " AND d.author_id = \(author.uuid) AND d.kind <> 'person'" }
            if let from = query.from { sql += " AND d.created_at >= \(from)" }
            if let to = query.to { sql += " AND d.created_at < \(to)" }
            return sql
        }
    }

    /// The words confined to what `reader` may read (and to the query's workspace, kinds and
    /// archive choice); nil when the reader may read nothing at all.
    func readableMatch(_ words: SearchWords, query: SearchQuery, reader: SearchReader, on connection: PostgresConnection) async throws -> SearchMatch? {
        var scopes = try await connection.query("""
            SELECT workspace_id FROM memberships WHERE person_id = \(reader.person.uuid) ORDER BY workspace_id
            """, logger: logger).all().map { "#scope w" + (try $0.get("workspace_id", as: UUID.self)).uuidString.lowercased() }
        if reader.readsOpenWorkspaces { scopes.append("#scope open") }
        if reader.readsOrganisation { scopes.append("#scope org") }
        if reader.findsPeople { scopes.append("#scope people") }
        guard !scopes.isEmpty else { return nil }
        var filter = "(" + scopes.map(SearchWords.quoted).joined(separator: " | ") + ")"
        if let workspace = query.workspace {
            filter += " & " + SearchWords.quoted("#scope w" + workspace.uuid.uuidString.lowercased())
        }
        if !query.includeArchived { filter += " & !'#scope archived'" }
        if query.kinds == SearchKind.content {
            filter += " & !" + SearchWords.quoted("#kind workspace")
        } else if !query.kinds.isEmpty {
            filter += " & (" + query.kinds.map { SearchWords.quoted("#kind " + $0.rawValue) }.sorted().joined(separator: " | ") + ")"
        }
        return SearchMatch(words: words.tsquery, scopes: filter, query: query)
    }

    func newest(_ match: SearchMatch, below: Int64?, limit: Int, on connection: PostgresConnection) async throws -> ([Int64], String?) {
        var sql: SQL = "SELECT d.id FROM search_documents d WHERE \(match.condition)"
        if let below { sql += " AND d.id < \(below)" }
        sql += " ORDER BY d.id DESC LIMIT \(limit + 1)"
        var ids = try await connection.query(sql.query, logger: logger).all().map { try $0.get("id", as: Int64.self) }
        guard ids.count > limit else { return (ids, nil) }
        ids.removeLast()
        return (ids, "n.\(ids[ids.count - 1])")
    }

    /// The ranking window, newest first, with each row's rank: the newest `searchWindow`
    /// matches, or every match in [lo, hi] (a window an earlier page found). Ranked after the
    /// LIMIT, so only the window's rows are ranked.
    func window(_ match: SearchMatch, range: (lo: Int64, hi: Int64)?, on connection: PostgresConnection) async throws -> [(id: Int64, rank: Float)] {
        var inner: SQL = "SELECT d.id, d.document FROM search_documents d WHERE \(match.condition)"
        if let range {
            inner += " AND d.id BETWEEN \(range.lo) AND \(range.hi) ORDER BY d.id DESC"
        } else {
            inner += " ORDER BY d.id DESC LIMIT \(Self.searchWindow)"
        }
        let sql: SQL = """
            SELECT w.id, ts_rank(\(raw: Self.rankWeights), w.document, to_tsquery('communis_search', \(match.words)), 1) AS rank
            FROM (\(inner)) w ORDER BY w.id DESC
            """
        return try await connection.query(sql.query, logger: logger).all().map { (try $0.get("id"), try $0.get("rank")) }
    }

    /// One page of a ranked window: best first, newer first among equals; `more` says whether
    /// older matches lie below the window.
    static func rankedPage(_ window: [(id: Int64, rank: Float)], lo: Int64, hi: Int64, offset: Int, limit: Int, more: Bool) -> ([Int64], String?) {
        let ranked = window.sorted { $0.rank != $1.rank ? $0.rank > $1.rank : $0.id > $1.id }
        let ids = Array(ranked.dropFirst(offset).prefix(limit).map(\.id))
        if ranked.count > offset + limit {
            return (ids, "r.\(lo).\(hi).\(offset + limit).\(more ? 1 : 0)")
        }
        return (ids, more ? "n.\(lo)" : nil)
    }

    /// The page's rows in the page's order, with names and snippets; the same `@@` selects
    /// them, so a row is shown only as readable as it was found.
    func hits(_ ids: [Int64], match: SearchMatch, snippets: SearchSnippet, on connection: PostgresConnection) async throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let sql: SQL = """
            SELECT d.id, d.kind, d.ref_id, d.parent_id, d.workspace_id, d.author_id, d.created_at, d.offset_ms, d.archived,
                   d.title AS document_title, d.body,
                   CASE d.kind WHEN 'post' THEN coalesce((SELECT t.title FROM threads t WHERE t.id = d.parent_id), '')
                               WHEN 'document' THEN coalesce((SELECT f.title FROM documents f WHERE f.id = coalesce(d.parent_id, d.ref_id::uuid)), d.title)
                               ELSE d.title END AS title,
                   CASE d.kind WHEN 'document' THEN (CASE WHEN d.parent_id IS NULL THEN (SELECT f.current_version FROM documents f WHERE f.id = d.ref_id::uuid)
                                                          ELSE split_part(d.ref_id, '#', 2)::integer END) END AS document_version,
                   w.name AS workspace_name, p.name AS author_name
            FROM search_documents d
            LEFT JOIN workspaces w ON w.id = d.workspace_id
            LEFT JOIN people p ON p.id = d.author_id
            WHERE d.id = ANY(\(ids)) AND \(match.condition)
            """
        var snippets = snippets
        var byID: [Int64: SearchHit] = [:]
        for row in try await connection.query(sql.query, logger: logger).all() {
            guard let kind = SearchKind(rawValue: try row.get("kind")) else { continue }
            let offset = try row.get("offset_ms", as: Int64?.self)
            let refID: String = try row.get("ref_id")
            let parentID = try row.get("parent_id", as: UUID?.self).map { $0.uuidString.lowercased() }
            // An older version's entry ("<document>#<n>") is a hit on its document.
            let document = kind == .document
            let archived = try row.get("archived", as: Bool.self)
            byID[try row.get("id")] = SearchHit(
                kind: kind, id: document ? parentID ?? refID : refID, parentID: document ? nil : parentID,
                workspaceID: try row.optionalID("workspace_id"), workspaceName: try row.get("workspace_name"),
                authorID: try row.optionalID("author_id"), authorName: try row.get("author_name"),
                title: try row.get("title"),
                snippet: snippets.make(title: try row.get("document_title"), body: try row.get("body")),
                date: try row.get("created_at"), offsetMs: offset.map { Int($0) },
                documentVersion: try row.get("document_version", as: Int32?.self).map { Int($0) },
                archived: document && archived)
        }
        return ids.compactMap { byID[$0] }
    }

    /// Runs `body` in one read-only REPEATABLE READ transaction (one snapshot for every
    /// statement), giving back what `body` throws as it was thrown.
    func readSnapshot<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger).collect()
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}
