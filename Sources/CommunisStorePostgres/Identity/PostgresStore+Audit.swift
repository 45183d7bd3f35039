import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func appendAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await transaction { try await Self.appendAudit(entries, on: $0, logger: logger) }
    }

    /// Appends inside the caller's transaction, so a change and its log lines commit together.
    static func appendAudit(_ entries: [AuditEntry], on connection: PostgresConnection, logger: Logger) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for entry in entries {
            let details = String(decoding: try encoder.encode(entry.details), as: UTF8.self)
            let searchText = Key.of([entry.actor?.name, entry.target?.name, entry.workspace?.name, entry.address].compactMap { $0 }
                .joined(separator: "\u{1F}") + "\u{1F}" + entry.details.values.sorted().joined(separator: "\u{1F}"))
            try await connection.query("""
                INSERT INTO audit_log (at, action, actor_id, actor_name, target_type, target_id, target_name, workspace_id, workspace_name,
                                       via, address, details, search_text)
                VALUES (\(entry.at), \(entry.action.rawValue), \(entry.actor?.id), \(entry.actor?.name ?? ""), \(entry.target?.type ?? ""),
                        \(entry.target?.id ?? ""), \(entry.target?.name ?? ""), \(entry.workspace?.id), \(entry.workspace?.name ?? ""),
                        \(entry.via.rawValue), \(entry.address), \(details), \(searchText))
                """, logger: logger).run()
        }
    }

    public func auditEntries(_ filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        let condition = Self.auditCondition(filter)
        return try await client.withConnection { connection in
            let count: SQL = "SELECT count(*) AS n FROM audit_log WHERE \(condition)"
            let total: Int = try await connection.query(count.query, logger: logger).first()?.get("n") ?? 0
            let select: SQL = "SELECT * FROM audit_log WHERE \(condition) ORDER BY id DESC LIMIT \(page.limit) OFFSET \(page.offset)"
            return Page(items: try await connection.query(select.query, logger: logger).all().map(Self.auditEntry), total: total, request: page)
        }
    }

    public func auditEntries(_ filter: AuditFilter, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        let select: SQL = "SELECT * FROM audit_log WHERE id > \(afterID) AND \(Self.auditCondition(filter)) ORDER BY id LIMIT \(max(1, limit))"
        return try await client.query(select.query, logger: logger).all().map(Self.auditEntry)
    }

    public func lastAuditEntry(action: AuditAction) async throws -> AuditEntry? {
        try await client.query("SELECT * FROM audit_log WHERE action = \(action.rawValue) ORDER BY id DESC LIMIT 1", logger: logger)
            .first().map(Self.auditEntry)
    }

    public func pruneAudit(before: Date) async throws -> Int {
        try await client.query("DELETE FROM audit_log WHERE at < \(before) RETURNING 1", logger: logger).all().count
    }

    private static func auditCondition(_ filter: AuditFilter) -> SQL {
        var condition: SQL = "true"
        if let from = filter.from { condition += " AND at >= \(from)" }
        if let to = filter.to { condition += " AND at < \(to)" }
        if !filter.actions.isEmpty { condition += " AND action = ANY(\(filter.actions.map(\.rawValue).sorted()))" }
        if let actor = filter.actorID { condition += " AND actor_id = \(actor.lowercased())" }
        if let target = filter.targetID { condition += " AND (target_id = \(target.lowercased()) OR workspace_id = \(target.lowercased()))" }
        if let text = Key.query(filter.text) { condition += " AND search_text LIKE \(Key.containsPattern(text)) ESCAPE '\\'" }
        return condition
    }

    private static func auditEntry(_ row: PostgresRandomAccessRow) throws -> AuditEntry {
        let detailsText: String = try row.get("details")
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw PostgresStoreError.corrupt("audit_log.details: \(detailsText)")
        }
        let actorID: String? = try row.get("actor_id")
        let targetID: String = try row.get("target_id")
        let workspaceID: String? = try row.get("workspace_id")
        let via: String = try row.get("via")
        return AuditEntry(
            id: try row.get("id"), at: try row.get("at"), action: try row.enum("action"),
            actor: try actorID.map { AuditRef(type: "person", id: $0, name: try row.get("actor_name")) },
            target: targetID.isEmpty ? nil : AuditRef(type: try row.get("target_type"), id: targetID, name: try row.get("target_name")),
            workspace: try workspaceID.map { AuditRef(type: "workspace", id: $0, name: try row.get("workspace_name")) },
            via: AuditVia(rawValue: via) ?? .none, address: try row.get("address"), details: details)
    }
}
