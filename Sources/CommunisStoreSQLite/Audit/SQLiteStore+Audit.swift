import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    public func appendAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await pool.write { db in try Self.appendAudit(entries, db) }
    }

    /// Appends inside the caller's transaction, so a change and its log lines commit together.
    static func appendAudit(_ entries: [AuditEntry], _ db: Database) throws {
        for entry in entries {
            let details = String(decoding: try JSONEncoder.sorted.encode(entry.details), as: UTF8.self)
            let searchText = Key.of([
                entry.actor?.name, entry.target?.name, entry.workspace?.name, entry.address,
            ].compactMap { $0 }.joined(separator: "\u{1F}") + "\u{1F}" + entry.details.values.sorted().joined(separator: "\u{1F}"))
            try db.execute(sql: """
                INSERT INTO audit_log (at, action, actor_id, actor_name, target_type, target_id, target_name,
                                       workspace_id, workspace_name, via, address, details, search_text)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    entry.at.unixSeconds, entry.action.rawValue, entry.actor?.id, entry.actor?.name ?? "",
                    entry.target?.type ?? "", entry.target?.id ?? "", entry.target?.name ?? "",
                    entry.workspace?.id, entry.workspace?.name ?? "", entry.via.rawValue, entry.address, details, searchText,
                ])
        }
    }

    public func auditEntries(_ filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        let (condition, arguments) = Self.auditCondition(filter)
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE \(condition)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM audit_log WHERE \(condition) ORDER BY id DESC LIMIT ? OFFSET ?
                """, arguments: arguments + [page.limit, page.offset])
            return Page(items: try rows.map(Self.auditEntry), total: total, request: page)
        }
    }

    public func auditEntries(_ filter: AuditFilter, afterID: Int64, limit: Int) async throws -> [AuditEntry] {
        let (condition, arguments) = Self.auditCondition(filter)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM audit_log WHERE id > ? AND \(condition) ORDER BY id LIMIT ?
                """, arguments: [afterID] + arguments + [max(1, limit)]).map(Self.auditEntry)
        }
    }

    public func lastAuditEntry(action: AuditAction) async throws -> AuditEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1",
                             arguments: [action.rawValue]).map(Self.auditEntry)
        }
    }

    public func pruneAudit(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM audit_log WHERE at < ?", arguments: [before.unixSeconds])
            return db.changesCount
        }
    }

    private static func auditCondition(_ filter: AuditFilter) -> (String, StatementArguments) {
        var conditions = ["1"]
        var arguments: StatementArguments = []
        if let from = filter.from {
            conditions.append("at >= ?")
            arguments += [from.unixSeconds]
        }
        if let to = filter.to {
            conditions.append("at < ?")
            arguments += [to.unixSeconds]
        }
        if !filter.actions.isEmpty {
            conditions.append("action IN (SELECT value FROM json_each(?))")
            arguments += [jsonArray(filter.actions.map(\.rawValue).sorted())]
        }
        if let actor = filter.actorID {
            conditions.append("actor_id = ?")
            arguments += [actor.lowercased()]
        }
        if let target = filter.targetID {
            conditions.append("(target_id = ? OR workspace_id = ?)")
            arguments += [target.lowercased(), target.lowercased()]
        }
        if let text = Key.query(filter.text) {
            conditions.append("search_text LIKE ? ESCAPE '\\'")
            arguments += [Key.containsPattern(text)]
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    private static func auditEntry(_ row: Row) throws -> AuditEntry {
        let actionText: String = row["action"]
        guard let action = AuditAction(rawValue: actionText) else { throw CorruptRow(table: "audit_log", column: "action", value: actionText) }
        let viaText: String = row["via"]
        let detailsText: String = row["details"]
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw CorruptRow(table: "audit_log", column: "details", value: detailsText)
        }
        let actorID: String? = row["actor_id"]
        let targetID: String = row["target_id"]
        let workspaceID: String? = row["workspace_id"]
        return AuditEntry(
            id: row["id"], at: Date(timeIntervalSince1970: row["at"]), action: action,
            actor: actorID.map { AuditRef(type: "person", id: $0, name: row["actor_name"]) },
            target: targetID.isEmpty ? nil : AuditRef(type: row["target_type"], id: targetID, name: row["target_name"]),
            workspace: workspaceID.map { AuditRef(type: "workspace", id: $0, name: row["workspace_name"]) },
            via: AuditVia(rawValue: viaText) ?? .none, address: row["address"], details: details)
    }
}

extension JSONEncoder {
    /// Sorted keys, so the same details are stored as the same text.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
