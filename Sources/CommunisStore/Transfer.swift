/// Copying a whole installation from one engine to another (`communis migrate-data`), table
/// by table, without SQL outside the engines: the source engine reads its tables from one
/// consistent snapshot in engine-neutral values, the target engine writes them.
///
/// The values follow the embedded engine's conventions, which the target converts to its own
/// column types: ids are lowercase UUID text, dates are unix seconds (`real`), booleans are
/// 0/1 (`integer`), JSON is text, event payloads are text or blobs of the exact bytes.
public enum TransferValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One table of the source: its name, its columns in order, and how many rows the snapshot holds.
public struct TransferTable: Sendable, Equatable {
    public let name: String
    public let columns: [String]
    public let rowCount: Int

    public init(name: String, columns: [String], rowCount: Int) {
        self.name = name
        self.columns = columns
        self.rowCount = rowCount
    }
}

/// One consistent view of the source's tables; reads in batches so a large installation never
/// sits in memory whole.
public protocol TransferSnapshot: Sendable {
    /// Every table that holds an installation's data (not the engine's bookkeeping and not
    /// derived indexes such as the search index, which the target rebuilds).
    var tables: [TransferTable] { get }
    /// The rows of `table` in a stable order, `batchSize` at a time, each in `table.columns`' order.
    func rows(of table: TransferTable, batchSize: Int, _ body: ([[TransferValue]]) async throws -> Void) async throws
}

/// An engine whose installation can be copied out.
public protocol TransferSource: Sendable {
    func withTransferSnapshot<T: Sendable>(_ body: (any TransferSnapshot) async throws -> T) async throws -> T
}

/// What a copy did, table by table: rows read from the source and found in the target afterwards.
public struct TransferReport: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public let name: String
        public let source: Int
        public let target: Int

        public init(name: String, source: Int, target: Int) {
            self.name = name
            self.source = source
            self.target = target
        }
    }

    public var tables: [Table]
    /// Rows of the rebuilt search index in the target.
    public var searchDocuments: Int

    public init(tables: [Table], searchDocuments: Int) {
        self.tables = tables
        self.searchDocuments = searchDocuments
    }

    /// Whether every table arrived whole.
    public var verified: Bool { tables.allSatisfy { $0.source == $0.target } }
}

/// Why a copy did not start or was rolled back (nothing was written to the target).
public struct TransferRefused: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
