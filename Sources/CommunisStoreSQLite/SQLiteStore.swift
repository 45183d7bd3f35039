import CommunisModel
import CommunisStore
import Foundation
import GRDB
import Logging
import Synchronization

/// The embedded storage engine: one SQLite file in WAL mode, reached through one GRDB
/// `DatabasePool` (one writer, several readers). Owns that pool; every access is awaited,
/// every change that touches more than one row is one write transaction.
///
/// The only place in Communis that contains SQL.
public final class SQLiteStore: CommunisStore {
    /// How long a statement waits for a lock held by another process (for example the
    /// `communis migrate` command while a server runs) before failing with SQLITE_BUSY.
    public static let busyTimeout: TimeInterval = 5

    let pool: DatabasePool
    /// Commits live writes in groups (see `apply`).
    let writeBatcher: WriteBatcher
    let logger: Logger
    /// Where the file lives, for log metadata.
    public let path: String
    /// The periodic jobs running now (`runJob`).
    let runningJobs = Mutex<Set<String>>([])

    /// Opens (creating if needed, with its parent directories) the database at `path`.
    /// Does not migrate: call `migrate()` or use `open(path:logger:)`.
    public init(path: String, logger: Logger) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var configuration = Configuration()
        configuration.label = "communis"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            // Every connection (writer and readers) needs the collation used in ORDER BY.
            db.add(collation: .communisName)
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.writeBatcher = WriteBatcher(pool: pool)
        self.logger = logger
        self.path = path
        logger.debug("Opened the database", metadata: ["db.path": "\(path)"])
    }

    /// Opens the database at `path` and applies the migrations it lacks.
    public static func open(path: String, logger: Logger) throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, logger: logger)
        try store.migrate()
        return store
    }

    /// Applies the migrations the file lacks, in order, each in its own transaction.
    /// Running it again on an up-to-date file does nothing.
    public func migrate() throws {
        let before = try appliedMigrations()
        try Schema.migrator.migrate(pool)
        let after = try appliedMigrations()
        let new = after.filter { !before.contains($0) }
        if !new.isEmpty {
            logger.info("Migrated the database", metadata: [
                "db.path": "\(path)", "db.migrations": "\(new.joined(separator: ","))",
            ])
        }
    }

    /// The identifiers of the migrations applied to the file, in the order they were defined
    /// (for example `["v1-people", "v1-sessions", ...]`).
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// Every migration this build knows, in order.
    public static var knownMigrations: [String] { Schema.migrator.migrations }

    /// The last applied migration, or nil for an empty file.
    public var schemaVersion: String? {
        get throws { try appliedMigrations().last }
    }

    /// Whether the file lacks migrations this build knows.
    public func needsMigration() throws -> Bool {
        try appliedMigrations().count < Schema.migrator.migrations.count
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// The value of a read-only pragma on a reader connection, for tests and diagnostics.
    func pragma(_ name: String) async throws -> String? {
        precondition(name.allSatisfy { $0.isLetter || $0 == "_" }, "not a pragma name: \(name)")
        return try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    public func close() async throws {
        try pool.close()
        logger.debug("Closed the database", metadata: ["db.path": "\(path)"])
    }
}

extension DatabaseCollation {
    /// Names sort the Swedish way (a–z, then å, ä, ö), ignoring case, so "Åsa" comes after
    /// "Zelda" and "anna" next to "Anna". Used only in ORDER BY, never in an index: an index
    /// would silently break if the ICU rules behind it changed.
    static let communisName = DatabaseCollation("communis_name") { lhs, rhs in
        lhs.compare(rhs, options: [.caseInsensitive], range: nil, locale: swedish)
    }
}

private let swedish = Locale(identifier: "sv_SE")

/// Keys stored next to the text people typed, so that SQL compares bytes only.
enum Key {
    /// Lower case (Unicode-aware: "ÅSA" → "åsa") in composed form, so a decomposed "å"
    /// typed on one device matches a composed one stored from another.
    static func of(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// A query value: trimmed; nil when nothing is left (an empty filter filters nothing).
    static func query(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return of(trimmed)
    }

    /// A LIKE pattern matching `needle` anywhere, with `\` as the escape character.
    static func containsPattern(_ needle: String) -> String {
        var escaped = ""
        for character in needle {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}

extension Date {
    /// Dates are stored as unix seconds (REAL), so SQL can order and compare them.
    var unixSeconds: Double { timeIntervalSince1970 }
}

extension DatabaseError {
    var isUniqueViolation: Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
    }

    var isForeignKeyViolation: Bool { extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY }
}
