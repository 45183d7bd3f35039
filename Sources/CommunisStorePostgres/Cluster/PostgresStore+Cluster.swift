import CommunisModel
import CommunisStore
import Foundation
import NIOCore
import PostgresNIO

/// The meeting point of a cluster's nodes: heartbeats, the log's heads, doorbells and notes
/// (LISTEN/NOTIFY), meeting leases and periodic jobs.
extension PostgresStore: ClusterStore {
    /// The channel of doorbells, rung by `apply` inside each committed batch's transaction
    /// (PostgreSQL delivers a NOTIFY only when its transaction commits, and in commit order).
    static let logChannel = "communis_log"
    static let noteChannel = "communis_note"

    public func heartbeat(_ node: ClusterNode, window: TimeInterval) async throws -> [ClusterNode] {
        try await client.query("""
            INSERT INTO cluster_nodes (id, address, started_at, seen_at, link_key_hash)
            VALUES (\(node.id), \(node.address), \(node.startedAt), \(node.seenAt), \(node.linkKeyHash))
            ON CONFLICT (id) DO UPDATE SET address = excluded.address, started_at = excluded.started_at, seen_at = excluded.seen_at,
                link_key_hash = excluded.link_key_hash
            """, logger: logger).run()
        try await client.query("DELETE FROM cluster_nodes WHERE seen_at < \(node.seenAt.addingTimeInterval(-86_400))", logger: logger).run()
        // Presence of nodes silent for a minute: they crashed (their heartbeat would have come).
        try await client.query("""
            DELETE FROM cluster_presence p WHERE NOT EXISTS (
                SELECT 1 FROM cluster_nodes n WHERE n.id = p.node_id AND n.seen_at >= \(node.seenAt.addingTimeInterval(-60)))
            """, logger: logger).run()
        return try await client.query("""
            SELECT id, address, started_at, seen_at, link_key_hash FROM cluster_nodes WHERE seen_at >= \(node.seenAt.addingTimeInterval(-window)) ORDER BY id
            """, logger: logger).all().map(Self.node)
    }

    public func logHeads(_ workspaces: [WorkspaceID]) async throws -> [WorkspaceID: Int64] {
        guard !workspaces.isEmpty else { return [:] }
        var heads: [WorkspaceID: Int64] = [:]
        for row in try await client.query("""
            SELECT w.id, coalesce(s.last_seq, 0) AS last_seq FROM workspaces w LEFT JOIN workspace_sequences s ON s.workspace_id = w.id
            WHERE w.id = ANY(\(workspaces.map(\.uuid)))
            """, logger: logger).all() {
            heads[try row.id("id")] = try row.get("last_seq", as: Int64.self)
        }
        return heads
    }

    public func clusterSignals() -> AsyncStream<ClusterSignal> {
        let client = client, logger = logger
        return AsyncStream(bufferingPolicy: .bufferingNewest(10_000)) { continuation in
            let task = Task {
                var pause = Duration.milliseconds(200)
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            let doorbells = try await connection.listen(Self.logChannel)
                            let notes = try await connection.listen(Self.noteChannel)
                            continuation.yield(.listening)
                            pause = .milliseconds(200)
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await doorbell in doorbells {
                                        if let signal = Self.doorbell(doorbell.payload) { continuation.yield(signal) }
                                    }
                                }
                                group.addTask {
                                    for try await note in notes { continuation.yield(.note(note.payload)) }
                                }
                                defer { group.cancelAll() }
                                try await group.next()
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("listening for other nodes failed; listening again", metadata: ["error": "\(String(reflecting: error))"])
                    }
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(5))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func sendNote(_ note: String) async throws {
        guard note.utf8.count <= 7_000 else { throw PostgresStoreError.tooLarge("a note between nodes of \(note.utf8.count) bytes (at most 7000)") }
        try await client.query("SELECT pg_notify(\(Self.noteChannel), \(note))", logger: logger).run()
    }

    // MARK: Presence

    public func setPresence(node: String, workspace: WorkspaceID, people: [ClusterPresence]) async throws {
        try await transaction { connection in
            try await connection.query("DELETE FROM cluster_presence WHERE workspace_id = \(workspace.uuid) AND node_id = \(node)", logger: logger).run()
            guard !people.isEmpty else { return }
            try await connection.query("""
                INSERT INTO cluster_presence (node_id, workspace_id, person_id, name, status)
                SELECT \(node), \(workspace.uuid), p, n, s FROM unnest(\(people.map(\.person.uuid)), \(people.map(\.name)), \(people.map(\.status))) AS u(p, n, s)
                ON CONFLICT DO NOTHING
                """, logger: logger).run()
        }
    }

    public func presence(in workspaces: [WorkspaceID], excluding node: String, window: TimeInterval, at now: Date) async throws -> [WorkspaceID: [ClusterPresence]] {
        guard !workspaces.isEmpty else { return [:] }
        var found: [WorkspaceID: [ClusterPresence]] = [:]
        for row in try await client.query("""
            SELECT p.workspace_id, p.node_id, p.person_id, p.name, p.status FROM cluster_presence p JOIN cluster_nodes n ON n.id = p.node_id
            WHERE p.workspace_id = ANY(\(workspaces.map(\.uuid))) AND p.node_id <> \(node) AND n.seen_at >= \(now.addingTimeInterval(-window))
            ORDER BY p.workspace_id, p.person_id, p.node_id
            """, logger: logger).all() {
            let workspace: WorkspaceID = try row.id("workspace_id")
            found[workspace, default: []].append(ClusterPresence(
                node: try row.get("node_id"), person: try row.id("person_id"), name: try row.get("name"), status: try row.get("status")))
        }
        return found
    }

    public func clearPresence(node: String) async throws {
        try await client.query("DELETE FROM cluster_presence WHERE node_id = \(node)", logger: logger).run()
    }

    /// `workspace:seq`, as `apply` rings it.
    static func doorbell(_ payload: String) -> ClusterSignal? {
        let parts = payload.split(separator: ":")
        guard parts.count == 2, let workspace = WorkspaceID(String(parts[0])), let seq = Int64(parts[1]) else { return nil }
        return .logAdvanced(workspace, seq: seq)
    }

    /// Rings the doorbell of `workspace` at `seq`; delivered when the caller's transaction commits.
    static func ringDoorbell(_ workspace: WorkspaceID, seq: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(logChannel), \("\(workspace):\(seq)"))", logger: logger).run()
    }

    // MARK: Meeting leases

    public func claimMeeting(_ meeting: MeetingID, node: String, until: Date, at now: Date) async throws -> String {
        let row = try await client.query("""
            INSERT INTO cluster_meeting_leases (meeting_id, node_id, expires_at) VALUES (\(meeting.uuid), \(node), \(until))
            ON CONFLICT (meeting_id) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
              WHERE cluster_meeting_leases.node_id = excluded.node_id OR cluster_meeting_leases.expires_at < \(now)
            RETURNING node_id
            """, logger: logger).first()
        if let row { return try row.get("node_id") }
        guard let holder = try await client.query("SELECT node_id FROM cluster_meeting_leases WHERE meeting_id = \(meeting.uuid)", logger: logger).first()
        else { return try await claimMeeting(meeting, node: node, until: until, at: now) }
        return try holder.get("node_id")
    }

    public func renewMeetings(_ meetings: [MeetingID], node: String, until: Date) async throws -> Set<MeetingID> {
        guard !meetings.isEmpty else { return [] }
        var held = Set<MeetingID>()
        for row in try await client.query("""
            UPDATE cluster_meeting_leases SET expires_at = \(until) WHERE node_id = \(node) AND meeting_id = ANY(\(meetings.map(\.uuid))) RETURNING meeting_id
            """, logger: logger).all() {
            held.insert(try row.id("meeting_id"))
        }
        return held
    }

    public func releaseMeeting(_ meeting: MeetingID, node: String) async throws {
        try await client.query("DELETE FROM cluster_meeting_leases WHERE meeting_id = \(meeting.uuid) AND node_id = \(node)", logger: logger).run()
    }

    public func meetingHolder(_ meeting: MeetingID, at now: Date) async throws -> ClusterNode? {
        try await client.query("""
            SELECT n.id, n.address, n.started_at, n.seen_at, n.link_key_hash FROM cluster_meeting_leases l JOIN cluster_nodes n ON n.id = l.node_id
            WHERE l.meeting_id = \(meeting.uuid) AND l.expires_at >= \(now)
            """, logger: logger).first().map(Self.node)
    }

    // MARK: Periodic jobs

    /// A session-level advisory lock on one pooled connection keeps other nodes out while the
    /// job runs; the claim row decides whether this period's run already happened.
    public func runJob(_ name: String, every interval: TimeInterval, node: String, at now: Date,
                       _ body: @Sendable () async throws -> Void) async throws -> Bool {
        let key = "communis.job." + name
        return try await client.withConnection { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0)) AS locked", logger: logger)
                .first()?.get("locked", as: Bool.self) ?? false
            guard locked else { return false }
            do {
                let claimed = try await connection.query("""
                    INSERT INTO periodic_jobs (name, node_id, last_run_at) VALUES (\(name), \(node), \(now))
                    ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, last_run_at = excluded.last_run_at
                      WHERE periodic_jobs.last_run_at <= \(now.addingTimeInterval(-interval))
                    RETURNING name
                    """, logger: logger).first() != nil
                if claimed { try await body() }
                try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger).run()
                return claimed
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger).run()
                throw error
            }
        }
    }

    public func setMeetingRoster(_ meeting: MeetingID, node: String, roster: Data) async throws {
        try await client.query("""
            UPDATE cluster_meeting_leases SET roster = \(ByteBuffer(bytes: roster)) WHERE meeting_id = \(meeting.uuid) AND node_id = \(node)
            """, logger: logger).run()
    }

    public func meetingRoster(_ meeting: MeetingID, at now: Date) async throws -> Data? {
        guard let row = try await client.query("""
            SELECT roster FROM cluster_meeting_leases WHERE meeting_id = \(meeting.uuid) AND expires_at >= \(now)
            """, logger: logger).first() else { return nil }
        let bytes = try row.get("roster", as: ByteBuffer.self)
        return bytes.readableBytes == 0 ? nil : Data(bytes.readableBytesView)
    }

    public func clusterNode(_ id: String) async throws -> ClusterNode? {
        try await client.query("SELECT id, address, started_at, seen_at, link_key_hash FROM cluster_nodes WHERE id = \(id)", logger: logger)
            .first().map(Self.node)
    }

    static func node(_ row: PostgresRandomAccessRow) throws -> ClusterNode {
        ClusterNode(id: try row.get("id"), address: try row.get("address"), startedAt: try row.get("started_at"), seenAt: try row.get("seen_at"),
                    linkKeyHash: try row.get("link_key_hash"))
    }
}
