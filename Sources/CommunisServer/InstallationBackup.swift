import CommunisModel
import Foundation

/// `communis backup` and `communis restore`: a copy of an installation — the database, the
/// documents' files and the recordings — taken while the server runs, and put back into an
/// empty installation.
///
/// Consistency: the database is copied first, by the engine's online backup (SQLite's backup
/// API: one consistent snapshot while writers go on), then the files. A document's file is
/// renamed into place before its row commits and removed only after no row names it (and an
/// hour untouched), so every file the database copy names is still there when the files are
/// copied; the one exception is a document purged from the trash between the two steps,
/// whose row the copy still has: the first housekeeping after a restore purges it again.
/// Temporary files (`documents/tmp`) are not copied; uploads in progress are, and resume.
public enum InstallationBackup {
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        /// Whether the database is in the copy (SQLite); with PostgreSQL it is `pg_dump`'s.
        public var database: Bool
        public var documentFiles = 0
        public var recordingFiles = 0
        public var bytes: Int64 = 0

        public var description: String {
            "\(database ? "database, " : "")\(documentFiles) document files, \(recordingFiles) recording files, \(DomainError.size(bytes))"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    static let databaseName = "communis.sqlite"
    static let manifestName = "communis-backup.json"

    /// Copies the installation into `destination` (created; it must be missing or empty).
    /// `database` writes a consistent copy of the database to the URL it is given (SQLite's
    /// online backup); nil when the database is backed up otherwise (PostgreSQL: `pg_dump`).
    public static func backup(configuration: Configuration, to destination: URL,
                              database: (@Sendable (URL) async throws -> Void)?) async throws -> Summary {
        try requireEmpty(destination, what: "The backup folder")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        var summary = Summary(database: database != nil)
        if let database {
            let file = destination.appendingPathComponent(databaseName)
            try await database(file)
            summary.bytes += size(of: file)
        }
        let documents = try copyTree(from: URL(fileURLWithPath: configuration.documentsDirectory),
                                     to: destination.appendingPathComponent("documents"), skipping: ["tmp"])
        summary.documentFiles = documents.files
        let recordings = try copyTree(from: URL(fileURLWithPath: configuration.recordingsDirectory),
                                      to: destination.appendingPathComponent("recordings"), skipping: [])
        summary.recordingFiles = recordings.files
        summary.bytes += documents.bytes + recordings.bytes
        let manifest: [String: String] = [
            "createdAt": ISO8601DateFormatter().string(from: Date()),
            "database": summary.database ? databaseName : "not included (PostgreSQL: pg_dump)",
            "documentFiles": String(summary.documentFiles), "recordingFiles": String(summary.recordingFiles),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: destination.appendingPathComponent(manifestName), options: .atomic)
        return summary
    }

    /// Puts a backup back into an installation whose folders are empty or missing (it never
    /// overwrites): the SQLite database into `storage.data_dir` (when `withDatabase`), the
    /// documents' files and the recordings into theirs. Run it with the server stopped.
    public static func restore(configuration: Configuration, from source: URL, withDatabase: Bool) throws -> Summary {
        guard FileManager.default.fileExists(atPath: source.appendingPathComponent(manifestName).path) else {
            throw Failure("\(source.path) is not a Communis backup (no \(manifestName)).")
        }
        let databaseCopy = source.appendingPathComponent(databaseName)
        if withDatabase && !FileManager.default.fileExists(atPath: databaseCopy.path) {
            throw Failure("The backup holds no SQLite database (it was taken from PostgreSQL: restore that with pg_restore).")
        }
        let targets = [
            (URL(fileURLWithPath: configuration.dataDirectory), "The data folder (storage.data_dir)"),
            (URL(fileURLWithPath: configuration.documentsDirectory), "The documents folder (storage.documents_dir)"),
            (URL(fileURLWithPath: configuration.recordingsDirectory), "The recordings folder (storage.recordings_dir)"),
        ]
        for (folder, what) in targets where withDatabase || folder.path != targets[0].0.path {
            try requireEmpty(folder, what: what)
        }
        var summary = Summary(database: withDatabase)
        if withDatabase {
            let data = URL(fileURLWithPath: configuration.dataDirectory)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let target = URL(fileURLWithPath: configuration.databasePath)
            try FileManager.default.copyItem(at: databaseCopy, to: target)
            try sync(target)
            summary.bytes += size(of: target)
        }
        let documents = try copyTree(from: source.appendingPathComponent("documents"), to: URL(fileURLWithPath: configuration.documentsDirectory),
                                     skipping: [])
        let recordings = try copyTree(from: source.appendingPathComponent("recordings"), to: URL(fileURLWithPath: configuration.recordingsDirectory),
                                      skipping: [])
        summary.documentFiles = documents.files
        summary.recordingFiles = recordings.files
        summary.bytes += documents.bytes + recordings.bytes
        return summary
    }

    /// A folder that is missing, or holds nothing (hidden files count).
    static func requireEmpty(_ folder: URL, what: String) throws {
        guard let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            if FileManager.default.fileExists(atPath: folder.path) { throw Failure("\(what) \(folder.path) is not a folder.") }
            return
        }
        guard contents.isEmpty else { throw Failure("\(what) \(folder.path) is not empty; nothing was changed.") }
    }

    /// Copies every regular file under `source` (missing: nothing) to the same place under
    /// `target`, each synced; the top-level folders named in `skipping` are left out.
    static func copyTree(from source: URL, to target: URL, skipping: Set<String>) throws -> (files: Int, bytes: Int64) {
        var files = 0
        var bytes: Int64 = 0
        guard FileManager.default.fileExists(atPath: source.path) else { return (0, 0) }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let root = source.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return (0, 0) }
        while let relative = walker.nextObject() as? String {
            if let first = relative.split(separator: "/").first, skipping.contains(String(first)) { continue }
            let from = URL(fileURLWithPath: root).appendingPathComponent(relative)
            let to = target.appendingPathComponent(relative)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: from.path, isDirectory: &isFolder) else { continue }  // removed meanwhile
            if isFolder.boolValue {
                try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
                continue
            }
            do {
                try FileManager.default.copyItem(at: from, to: to)
            } catch where !FileManager.default.fileExists(atPath: from.path) {
                continue  // an upload finished or a file was purged while we walked: not needed
            }
            try sync(to)
            files += 1
            bytes += size(of: to)
        }
        return (files, bytes)
    }

    static func size(of file: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func sync(_ file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
