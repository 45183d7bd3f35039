import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Reading the event log, the home feed, and pruning old events. Every read sees committed
/// events only, and (see `apply`) never a seq whose lower seqs are not committed too.
extension PostgresStore {
    public func events(workspace: WorkspaceID, after: Int64, limit: Int) async throws -> [WorkspaceEvent] {
        guard limit > 0 else { return [] }
        return try await client.query("""
            SELECT \(unescaped: LiveRows.eventColumns) FROM events
            WHERE workspace_id = \(workspace.uuid) AND seq > \(after) ORDER BY seq LIMIT \(limit)
            """, logger: logger).all().map(LiveRows.event)
    }

    public func latestSeq(workspace: WorkspaceID) async throws -> Int64 {
        try await client.query("SELECT last_seq FROM workspace_sequences WHERE workspace_id = \(workspace.uuid)", logger: logger)
            .first()?.get("last_seq", as: Int64.self) ?? 0
    }

    public func oldestSeq(workspace: WorkspaceID) async throws -> Int64? {
        try await client.query("SELECT min(seq) AS seq FROM events WHERE workspace_id = \(workspace.uuid)", logger: logger)
            .first()?.get("seq", as: Int64?.self)
    }

    /// Removes, per workspace, the longest run of oldest events that were all created before
    /// `before`, sparing the newest `keep`. Only a prefix of the log is ever removed, so what
    /// stays is gapless from `oldestSeq` to `latestSeq` and a resuming client either gets
    /// everything it missed or learns that it must reload. One statement: the cut-offs are
    /// computed from committed events, and a writer appending meanwhile only adds above them.
    public func pruneEvents(before: Date, keep: Int) async throws -> Int {
        let keep = Int64(max(keep, 0))
        return try await client.query("""
            WITH cutoffs AS (
                SELECT s.workspace_id, LEAST(
                    s.last_seq - \(keep),
                    COALESCE((SELECT min(n.seq) FROM events n
                              WHERE n.workspace_id = s.workspace_id AND n.created_at >= \(before)) - 1, s.last_seq)
                ) AS cutoff
                FROM workspace_sequences s
                WHERE EXISTS (SELECT 1 FROM events o WHERE o.workspace_id = s.workspace_id AND o.created_at < \(before))
            ), removed AS (
                DELETE FROM events e USING cutoffs c
                WHERE e.workspace_id = c.workspace_id AND e.seq <= c.cutoff
                RETURNING 1
            )
            SELECT count(*) AS n FROM removed
            """, logger: logger).first()?.get("n", as: Int.self) ?? 0
    }

    /// The home feed in one statement whose cost depends on the person's workspaces only,
    /// never on how busy the rest of the organisation is: for each member workspace the
    /// newest `limit` matching events (a backward walk of `events_feed` that stops there, a
    /// LATERAL join), then the newest `limit` of those. The overall newest `limit` are always
    /// among them.
    public func feed(for person: PersonID, kinds: Set<String>, before: FeedCursor?, limit: Int) async throws -> [WorkspaceEvent] {
        guard limit > 0, !kinds.isEmpty else { return [] }
        var older: SQL = ""
        if let before {
            older = " AND (x.created_at, x.workspace_id, x.seq) < (\(before.createdAt), \(before.workspaceID.uuid), \(before.seq))"
        }
        // Member workspaces (less those unfollowed), plus what followed people wrote in a
        // workspace the person may read (a member's, or an open one for an employee).
        let sql: SQL = """
            SELECT e.workspace_id, e.seq, e.kind, e.payload, e.actor_id, e.created_at FROM (
                SELECT e.workspace_id, e.seq, e.kind, e.payload, e.actor_id, e.created_at
                FROM (
                    SELECT m.workspace_id FROM memberships m
                    WHERE m.person_id = \(person.uuid)
                      AND NOT EXISTS (SELECT 1 FROM follows u WHERE u.person_id = m.person_id AND u.kind = 'workspace'
                                      AND u.target = m.workspace_id::text AND NOT u.following)
                    UNION
                    SELECT w.id FROM follows o JOIN workspaces w ON w.id::text = o.target AND w.visibility = 'open'
                    WHERE o.person_id = \(person.uuid) AND o.kind = 'workspace' AND o.following
                      AND EXISTS (SELECT 1 FROM people p WHERE p.id = o.person_id AND p.role <> 'guest')
                ) m
                CROSS JOIN LATERAL (
                    SELECT x.workspace_id, x.seq, x.kind, x.payload, x.actor_id, x.created_at FROM events x
                    WHERE x.workspace_id = m.workspace_id AND x.kind = ANY(\(kinds.sorted()))\(older)
                    ORDER BY x.created_at DESC, x.seq DESC
                    LIMIT \(limit)
                ) e
                UNION
                SELECT e.workspace_id, e.seq, e.kind, e.payload, e.actor_id, e.created_at
                FROM follows f
                CROSS JOIN LATERAL (
                    SELECT x.workspace_id, x.seq, x.kind, x.payload, x.actor_id, x.created_at FROM events x
                    WHERE x.actor_id = (CASE WHEN f.kind = 'person' THEN f.target::uuid END)
                      AND x.kind = ANY(\(kinds.sorted()))\(older)
                      AND (EXISTS (SELECT 1 FROM memberships r WHERE r.workspace_id = x.workspace_id AND r.person_id = f.person_id)
                           OR (EXISTS (SELECT 1 FROM workspaces w WHERE w.id = x.workspace_id AND w.visibility = 'open')
                               AND EXISTS (SELECT 1 FROM people p WHERE p.id = f.person_id AND p.role <> 'guest' AND NOT p.disabled)))
                    ORDER BY x.created_at DESC, x.seq DESC
                    LIMIT \(limit)
                ) e
                WHERE f.person_id = \(person.uuid) AND f.kind = 'person' AND f.following
            ) e
            ORDER BY e.created_at DESC, e.workspace_id DESC, e.seq DESC
            LIMIT \(limit)
            """
        return try await client.query(sql.query, logger: logger).all().map(LiveRows.event)
    }
}
