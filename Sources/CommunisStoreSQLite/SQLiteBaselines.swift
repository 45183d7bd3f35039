import Foundation
import GRDB

/// SQLite without Communis around it: the baselines `communis bench` measures the server
/// against in the same run, kept here so that no SQL lives outside the storage targets.
/// The write baseline uses a file of its own; the search baseline only reads.
public enum SQLiteBaselines {
    /// What `durableInserts` managed.
    public struct Inserts: Sendable {
        public var commits: Int
        public var seconds: Double
        /// `journal_mode` and `synchronous` as the file ran with them.
        public var pragmas: String
    }

    /// Single-row inserts into a table of its own, each its own transaction, on a WAL file
    /// opened as the server opens its database (a GRDB DatabasePool with default settings),
    /// for `seconds` after a warm-up of 100.
    public static func durableInserts(file: String, seconds: Double) throws -> Inserts {
        let pool = try DatabasePool(path: file)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at REAL NOT NULL)")
        }
        let pragmas = try pool.read { db in
            "journal_mode=\(try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"), synchronous=\(try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)"
        }
        func insert(_ i: Int) throws {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO raw (body, created_at) VALUES (?, ?)", arguments: ["bench k=\(i)", Date().timeIntervalSince1970])
            }
        }
        for i in 0..<100 { try insert(i) }
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        var count = 0
        while clock.now < end {
            try insert(count)
            count += 1
        }
        let elapsed = (clock.now - start).components
        return Inserts(commits: count, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, pragmas: pragmas)
    }

    /// Raw FTS5 queries on a Communis database's search index, read-only and without
    /// permissions: what the search endpoint is compared with.
    public final class FullText {
        let queue: DatabaseQueue

        public init(path: String) throws {
            var configuration = Configuration()
            configuration.readonly = true
            queue = try DatabaseQueue(path: path, configuration: configuration)
        }

        /// Nanoseconds of each of `repeats` runs (after 5 unmeasured) of `match`, newest
        /// first, 21 rows with snippets: the endpoint's query without its permission filter.
        public func newest(match: String, repeats: Int) throws -> [Int64] {
            let sql = "SELECT rowid, snippet(search_index, -1, '[', ']', '…', 14) FROM search_index WHERE search_index MATCH ? ORDER BY rowid DESC LIMIT 21"
            return try queue.read { db in
                for _ in 0..<5 { _ = try Row.fetchAll(db, sql: sql, arguments: [match]) }
                var nanos: [Int64] = []
                for _ in 0..<repeats {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try Row.fetchAll(db, sql: sql, arguments: [match])
                    nanos.append(Int64(DispatchTime.now().uptimeNanoseconds - start))
                }
                return nanos
            }
        }

        /// Milliseconds of one full bm25 ranking of `word` (what bounded ranking avoids).
        public func fullRank(word: String) throws -> Double {
            try queue.read { db in
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try Row.fetchAll(db, sql: "SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY bm25(search_index, 10.0, 1.0) LIMIT 20", arguments: ["\"\(word)\""])
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            }
        }
    }
}
