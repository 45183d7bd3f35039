import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Reading the event log, the home feed, and pruning old events.
extension SQLiteStore {
    public func events(workspace: WorkspaceID, after: Int64, limit: Int) async throws -> [WorkspaceEvent] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try EventRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [workspace.description, after, limit]).map(\.event)
        }
    }

    public func latestSeq(workspace: WorkspaceID) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_seq FROM workspace_sequences WHERE workspace_id = ?"),
                arguments: [workspace.description]
            ) ?? 0
        }
    }

    public func oldestSeq(workspace: WorkspaceID) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(seq) FROM events WHERE workspace_id = ?"),
                arguments: [workspace.description]
            )
        }
    }

    /// Removes, per workspace, the longest run of oldest events that were all created before
    /// `before`, sparing the newest `keep`. Only a prefix of the log is ever removed, so what
    /// stays is gapless from `oldestSeq` to `latestSeq` and a resuming client either gets
    /// everything it missed or learns that it must reload.
    public func pruneEvents(before: Date, keep: Int) async throws -> Int {
        let keep = max(keep, 0)
        return try await pool.write { db in
            let cutoffs = try Row.fetchAll(db, sql: """
                SELECT s.workspace_id, MIN(
                    s.last_seq - :keep,
                    COALESCE((SELECT MIN(n.seq) FROM events n
                              WHERE n.workspace_id = s.workspace_id AND n.created_at >= :before) - 1, s.last_seq)
                ) AS cutoff
                FROM workspace_sequences s
                WHERE EXISTS (SELECT 1 FROM events o WHERE o.workspace_id = s.workspace_id AND o.created_at < :before)
                """, arguments: ["keep": keep, "before": before.unixSeconds])
            let delete = try db.cachedStatement(sql: "DELETE FROM events WHERE workspace_id = ? AND seq <= ?")
            var removed = 0
            for row in cutoffs {
                let workspace: String = row["workspace_id"]
                let cutoff: Int64 = row["cutoff"]
                guard cutoff > 0 else { continue }
                try delete.execute(arguments: [workspace, cutoff])
                removed += db.changesCount
            }
            return removed
        }
    }

    public func feed(for person: PersonID, kinds: Set<String>, before: FeedCursor?, limit: Int) async throws -> [WorkspaceEvent] {
        guard limit > 0, !kinds.isEmpty else { return [] }
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "person": person.description, "kinds": jsonArray(kinds.sorted()), "limit": limit,
        ]
        if let before {
            arguments["at"] = before.createdAt.unixSeconds
            arguments["workspace"] = before.workspaceID.description
            arguments["seq"] = before.seq
        }
        let sql = before == nil ? Self.feedSQL : Self.feedAfterCursorSQL
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            try EventRow.fetchAll(db.cachedStatement(sql: sql), arguments: statementArguments).map(\.event)
        }
    }

    /// The home feed, in one statement whose cost depends on the person's workspaces only,
    /// never on how busy the rest of the organisation is. SQLite has no LATERAL join, so
    /// the per-workspace "newest `limit`" is done in two index reads per member workspace:
    /// `floors` finds the created_at of its `limit`-th newest matching event (a backward walk
    /// of `events_feed` that stops there), then only the events at or above that floor are
    /// read. At most (member workspaces × limit) rows are sorted, and the overall newest
    /// `limit` are always among them. (Walking one global time index instead and probing
    /// `memberships` per row was 20–50 times slower on 300,000 events in 1,000 workspaces,
    /// and reads the whole log for someone whose workspaces are quiet.) A member workspace the
    /// person unfollowed is left out, an open one they follow without being a member is
    /// in; events by people they follow (`events_actor`) come in
    /// from every workspace they may read (a member's, or an open one for an employee).
    static let feedSQL = feed(cursor: false)
    static let feedAfterCursorSQL = feed(cursor: true)

    private static func feed(cursor: Bool) -> String {
        func older(_ alias: String) -> String {
            cursor ? "AND (\(alias).created_at, \(alias).workspace_id, \(alias).seq) < (:at, :workspace, :seq)" : ""
        }
        return """
            WITH floors AS (
                SELECT followed.workspace_id, COALESCE((
                    SELECT b.created_at FROM events b
                    WHERE b.workspace_id = followed.workspace_id
                      AND b.kind IN (SELECT value FROM json_each(:kinds)) \(older("b"))
                    ORDER BY b.created_at DESC, b.seq DESC
                    LIMIT 1 OFFSET :limit - 1
                ), -1e308) AS floor
                FROM (
                    SELECT m.workspace_id FROM memberships m WHERE m.person_id = :person
                      AND NOT EXISTS (SELECT 1 FROM follows u WHERE u.person_id = :person AND u.kind = 'workspace'
                                      AND u.target = m.workspace_id AND u.following = 0)
                    UNION
                    SELECT w.id FROM follows o JOIN workspaces w ON w.id = o.target AND w.visibility = 'open'
                    WHERE o.person_id = :person AND o.kind = 'workspace' AND o.following = 1
                      AND EXISTS (SELECT 1 FROM people p WHERE p.id = :person AND p.role <> 'guest')
                ) followed
            ),
            member_events AS (
                SELECT e.* FROM floors f
                JOIN events e ON e.workspace_id = f.workspace_id AND e.created_at >= f.floor
                WHERE e.kind IN (SELECT value FROM json_each(:kinds)) \(older("e"))
                ORDER BY e.created_at DESC, e.workspace_id DESC, e.seq DESC
                LIMIT :limit
            ),
            followed_events AS (
                SELECT e.* FROM follows f
                JOIN events e ON e.actor_id = f.target
                WHERE f.person_id = :person AND f.kind = 'person' AND f.following = 1
                  AND e.kind IN (SELECT value FROM json_each(:kinds)) \(older("e"))
                  AND (EXISTS (SELECT 1 FROM memberships r WHERE r.workspace_id = e.workspace_id AND r.person_id = :person)
                       OR (EXISTS (SELECT 1 FROM workspaces w WHERE w.id = e.workspace_id AND w.visibility = 'open')
                           AND EXISTS (SELECT 1 FROM people p WHERE p.id = :person AND p.role <> 'guest' AND p.disabled = 0)))
                ORDER BY e.created_at DESC, e.workspace_id DESC, e.seq DESC
                LIMIT :limit
            )
            SELECT * FROM (SELECT * FROM member_events UNION SELECT * FROM followed_events)
            ORDER BY created_at DESC, workspace_id DESC, seq DESC
            LIMIT :limit
            """
    }
}
