import CommunisStore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// Copies an installation into this migrated, empty database (`communis migrate-data`): every
    /// table of the source's snapshot, in one transaction, parents before children, each value
    /// converted to its column's type; the search index is rebuilt by the same triggers that
    /// keep it current; id sequences continue after the copied ids. The counts are compared
    /// before the commit: a copy that would arrive incomplete is rolled back whole, so the
    /// target is either an exact copy or as empty as before. Refuses a target that holds data.
    public func receiveTransfer(
        from source: any TransferSource, progress: @escaping @Sendable (_ table: String, _ rows: Int, _ of: Int) -> Void = { _, _, _ in }
    ) async throws -> TransferReport {
        try await source.withTransferSnapshot { snapshot in
            try await transaction(attempts: 1) { connection in
                let plan = try await TransferPlan.make(snapshot.tables, on: connection, logger: logger)
                try await connection.query("SET CONSTRAINTS ALL DEFERRED", logger: logger).run()
                var report: [TransferReport.Table] = []
                for table in plan.order {
                    let types = plan.types[table.name] ?? [:]
                    let perBatch = max(1, min(1_000, 30_000 / max(1, table.columns.count)))
                    var copied = 0
                    try await snapshot.rows(of: table, batchSize: perBatch) { rows in
                        try await Self.insert(rows, into: table, types: types, on: connection, logger: logger)
                        copied += rows.count
                        progress(table.name, copied, table.rowCount)
                    }
                    let count: Int = try await connection.query("SELECT count(*)::bigint AS n FROM \(unescaped: table.name)", logger: logger)
                        .first()?.get("n", as: Int.self) ?? 0
                    report.append(TransferReport.Table(name: table.name, source: table.rowCount, target: count))
                }
                try await Self.continueSequences(plan.order.map(\.name), on: connection, logger: logger)
                try await connection.query("SET CONSTRAINTS ALL IMMEDIATE", logger: logger).run()
                let documents: Int = try await connection.query("SELECT count(*)::bigint AS n FROM search_documents", logger: logger)
                    .first()?.get("n", as: Int.self) ?? 0
                let result = TransferReport(tables: report.sorted { $0.name < $1.name }, searchDocuments: documents)
                if !result.verified {
                    let wrong = result.tables.filter { $0.source != $0.target }.map { "\($0.name) \($0.target) of \($0.source)" }
                    throw TransferRefused("The copy arrived incomplete (\(wrong.joined(separator: ", "))); it was rolled back, the target is unchanged.")
                }
                return result
            }
        }
    }

    /// One multi-row INSERT: each value bound in the embedded engine's form and converted in
    /// SQL to the column's type.
    private static func insert(_ rows: [[TransferValue]], into table: TransferTable, types: [String: String],
                               on connection: PostgresConnection, logger: Logger) async throws {
        var binds = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var expressions: [String] = []
            for (index, value) in row.enumerated() {
                let column = table.columns[index]
                let type = types[column] ?? "text"
                switch value {
                // A NULL is written as the literal (below), without a parameter: a parameter the
                // statement never mentions has no type PostgreSQL could infer, and it refuses
                // the whole statement ("could not determine data type of parameter $n").
                case .null: break
                case .integer(let number): binds.append(number)
                case .real(let number): binds.append(number)
                case .text(let text): type == "bytea" ? binds.append(ByteBuffer(string: text)) : binds.append(text)
                case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
                }
                expressions.append(try TransferPlan.conversion(column: "\(table.name).\(column)", type: type, value: value, bind: "$\(binds.count)"))
            }
            tuples.append("(" + expressions.joined(separator: ", ") + ")")
        }
        let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        // The copied ids go into identity columns too (`GENERATED ALWAYS`: post revisions',
        // reactions', attendance's ids, which order them); their sequences continue afterwards.
        let sql = "INSERT INTO \(table.name) (\(columns)) OVERRIDING SYSTEM VALUE VALUES \(tuples.joined(separator: ", "))"
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).run()
    }

    /// Sequences behind id columns (the audit log's serial; the identities of revisions, reactions,
    /// attendance and the `ordinal`s) continue after the largest copied id.
    private static func continueSequences(_ tables: [String], on connection: PostgresConnection, logger: Logger) async throws {
        let serials = try await connection.query("""
            SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(\(tables)) AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL
            """, logger: logger).all()
        for serial in serials {
            let table: String = try serial.get("table_name"), column: String = try serial.get("column_name"), sequence: String = try serial.get("sequence")
            try await connection.query("""
                SELECT setval(\(sequence)::regclass, coalesce((SELECT max(\(unescaped: "\"\(column)\"")) FROM \(unescaped: table)), 0) + 1, false)
                """, logger: logger).run()
        }
    }
}

/// Which tables a copy writes, in which order, with which column types; built from the
/// target's catalog and checked against the source before anything is written.
struct TransferPlan {
    var order: [TransferTable]
    /// Table → column → the column's type (`udt_name`: uuid, timestamptz, bool, int8, bytea …).
    var types: [String: [String: String]]

    /// Tables of the target that the copy does not write: bookkeeping, the derived search index
    /// and the state of the cluster's running nodes.
    static func isDerived(_ table: String) -> Bool {
        table == "communis_migrations" || table.hasPrefix("search_") || table.hasPrefix("cluster_")
    }

    static func make(_ tables: [TransferTable], on connection: PostgresConnection, logger: Logger) async throws -> TransferPlan {
        var types: [String: [String: String]] = [:]
        var required: [String: Set<String>] = [:]
        for row in try await connection.query("""
            SELECT table_name, column_name, udt_name, is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' AS required
            FROM information_schema.columns c
            WHERE table_schema = current_schema() AND EXISTS (
                SELECT 1 FROM information_schema.tables t WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')
            """, logger: logger).all() {
            let table: String = try row.get("table_name"), column: String = try row.get("column_name")
            types[table, default: [:]][column] = try row.get("udt_name")
            if try row.get("required", as: Bool.self) { required[table, default: []].insert(column) }
        }
        var problems: [String] = []
        for table in tables {
            guard let columns = types[table.name] else { problems.append("table \(table.name) is missing"); continue }
            for column in table.columns where columns[column] == nil { problems.append("column \(table.name).\(column) is missing") }
            for column in required[table.name] ?? [] where !table.columns.contains(column) { problems.append("\(table.name).\(column) has no value in the source") }
        }
        let copied = Set(tables.map(\.name))
        for table in types.keys.sorted() where !isDerived(table) && !copied.contains(table) {
            problems.append("the source has no table \(table)")
        }
        guard problems.isEmpty else {
            throw TransferRefused("The source and this database's schema differ (\(problems.joined(separator: "; "))). Run `communis migrate` with this build on the source first.")
        }
        var occupied: [String] = []
        for table in types.keys.sorted() where !isDerived(table) {
            if try await connection.query("SELECT 1 AS one FROM \(unescaped: table) LIMIT 1", logger: logger).first() != nil { occupied.append(table) }
        }
        guard occupied.isEmpty else {
            throw TransferRefused("The target database already holds data (\(occupied.joined(separator: ", "))); migrate-data copies only into an empty one.")
        }
        return TransferPlan(order: try await parentsFirst(tables, on: connection, logger: logger), types: types)
    }

    /// Orders the tables so a table comes after the tables its foreign keys point to (a
    /// self-reference or a cycle is left to the deferred constraint check at the end).
    static func parentsFirst(_ tables: [TransferTable], on connection: PostgresConnection, logger: Logger) async throws -> [TransferTable] {
        var parents: [String: Set<String>] = [:]
        for row in try await connection.query("""
            SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE c.contype = 'f' AND n.nspname = current_schema()
            """, logger: logger).all() {
            let child: String = try row.get("child"), parent: String = try row.get("parent")
            if child != parent { parents[child, default: []].insert(parent) }
        }
        var ordered: [TransferTable] = []
        var remaining = tables.sorted { $0.name < $1.name }
        while !remaining.isEmpty {
            let waiting = Set(remaining.map(\.name))
            var ready = remaining.filter { (parents[$0.name] ?? []).isDisjoint(with: waiting) }
            if ready.isEmpty { ready = [remaining[0]] }  // a cycle: the deferred check at the end judges it
            ordered += ready
            let done = Set(ready.map(\.name))
            remaining.removeAll { done.contains($0.name) }
        }
        return ordered
    }

    /// The SQL that turns a value in the embedded engine's form into the column's type.
    static func conversion(column: String, type: String, value: TransferValue, bind: String) throws -> String {
        if value == .null { return "NULL" }
        switch (type, value) {
        case ("uuid", .text): return "\(bind)::uuid"
        case ("timestamptz", .real), ("timestamptz", .integer): return "to_timestamp(\(bind)::float8)"
        case ("timestamp", .real), ("timestamp", .integer): return "(to_timestamp(\(bind)::float8) AT TIME ZONE 'UTC')"
        case ("bool", .integer): return "(\(bind)::int8 <> 0)"
        case ("int2", .integer), ("int4", .integer), ("int8", .integer): return "\(bind)::\(type)"
        case ("float4", .real), ("float8", .real), ("float4", .integer), ("float8", .integer), ("numeric", .integer), ("numeric", .real):
            return "\(bind)::\(type)"
        case ("text", .text), ("varchar", .text), ("citext", .text): return bind
        case ("jsonb", .text), ("json", .text): return "\(bind)::\(type)"
        case ("bytea", .text), ("bytea", .blob): return bind
        case ("_text", .text): return "ARRAY(SELECT jsonb_array_elements_text(\(bind)::jsonb))"
        case ("_uuid", .text): return "ARRAY(SELECT jsonb_array_elements_text(\(bind)::jsonb)::uuid)"
        default:
            throw TransferRefused("\(column): a \(type) column cannot take the value \(value) from the source.")
        }
    }
}
