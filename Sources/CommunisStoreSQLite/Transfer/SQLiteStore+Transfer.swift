import CommunisStore
import Foundation
import GRDB

extension SQLiteStore: TransferSource {
    /// Reads from one snapshot of the file (writes by a server still running are not seen, so
    /// the copy is consistent; stop the server first so nothing is written after it).
    public func withTransferSnapshot<T: Sendable>(_ body: (any TransferSnapshot) async throws -> T) async throws -> T {
        let snapshot = try pool.makeSnapshot()
        let tables = try await snapshot.read { db in try SQLiteTransferSnapshot.tables(db) }
        return try await body(SQLiteTransferSnapshot(snapshot: snapshot, tables: tables))
    }
}

struct SQLiteTransferSnapshot: TransferSnapshot {
    let snapshot: DatabaseSnapshot
    let tables: [TransferTable]

    /// The engine's bookkeeping and the search index (derived from the other tables, rebuilt
    /// by the target) are not part of an installation's data.
    static func isData(_ name: String) -> Bool {
        !name.hasPrefix("sqlite_") && !name.hasPrefix("grdb_") && !name.hasPrefix("search_")
    }

    static func tables(_ db: Database) throws -> [TransferTable] {
        let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").filter(isData)
        return try names.map { name in
            let columns = try db.columns(in: name).map(\.name)
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(name.quotedDatabaseIdentifier)") ?? 0
            return TransferTable(name: name, columns: columns, rowCount: count)
        }
    }

    /// Pages through the table by its primary key (the rowid, or the key's columns of a
    /// WITHOUT ROWID table), so each batch is an index seek, not a scan from the start.
    func rows(of table: TransferTable, batchSize: Int, _ body: ([[TransferValue]]) async throws -> Void) async throws {
        let keyColumns = try await snapshot.read { db in
            let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table.name]) ?? ""
            return definition.uppercased().contains("WITHOUT ROWID") ? try db.primaryKey(table.name).columns : ["rowid"]
        }
        let selected = (table.columns + keyColumns).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let order = keyColumns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        var after: [DatabaseValue]? = nil
        while true {
            let batch: [Row] = try await snapshot.read { db in
                var sql = "SELECT \(selected) FROM \(table.name.quotedDatabaseIdentifier)"
                var arguments = StatementArguments()
                if let after {
                    sql += " WHERE (\(order)) > (\(Array(repeating: "?", count: after.count).joined(separator: ", ")))"
                    arguments = StatementArguments(after)
                }
                sql += " ORDER BY \(order) LIMIT \(batchSize)"
                return try Row.fetchAll(db, sql: sql, arguments: arguments)
            }
            guard !batch.isEmpty else { return }
            try await body(batch.map { row in (0..<table.columns.count).map { Self.value(row[$0] as DatabaseValue) } })
            let last = batch[batch.count - 1]
            after = (table.columns.count..<(table.columns.count + keyColumns.count)).map { last[$0] as DatabaseValue }
            if batch.count < batchSize { return }
        }
    }

    static func value(_ value: DatabaseValue) -> TransferValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob([UInt8](data))
        }
    }
}
