import CommunisStore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteStore {
    /// Copies the whole database into a new file at `url` while the server keeps running
    /// (`communis backup`), with SQLite's online backup API: the pages are read on one reader
    /// connection inside one read transaction, so the copy is the database as it was at one
    /// moment (every committed change up to then, none after), and writers are never held up
    /// (WAL: readers and the writer do not block each other).
    ///
    /// The copy is written next to `url` under a temporary name and renamed into place once
    /// complete and synced, so `url` is either absent or a whole database; it opens like any
    /// data file (`SQLiteStore.open`). Refuses to overwrite: throws `BackupRefused` when `url`
    /// exists. Creates the parent folder.
    public func backup(to url: URL) async throws {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: url.path) else {
            throw BackupRefused("\(url.path) already exists; a backup is written only to a new file.")
        }
        let folder = url.deletingLastPathComponent()
        try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        let partial = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.lowercased()).partial")
        do {
            var configuration = Configuration()
            configuration.label = "communis-backup"
            let destination = try DatabaseQueue(path: partial.path, configuration: configuration)
            try await pool.read { source in
                try destination.writeWithoutTransaction { target in
                    try source.backup(to: target)
                }
            }
            try destination.close()
            try Self.sync(partial)
            try fileManager.moveItem(at: partial, to: url)
            try Self.sync(folder)
        } catch {
            // Whatever was written is not a backup; the error says why.
            for leftover in [partial.path, partial.path + "-journal", partial.path + "-wal", partial.path + "-shm"] {
                try? fileManager.removeItem(atPath: leftover)
            }
            throw error
        }
        logger.info("Backed up the database", metadata: ["db.path": "\(path)", "db.backup": "\(url.path)"])
    }

    /// fsync of a file or a folder (a folder: so that a rename in it is durable).
    private static func sync(_ url: URL) throws {
        let descriptor = Glibc.open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw BackupRefused("\(url.path) cannot be opened to sync it (errno \(errno)).") }
        defer { _ = Glibc.close(descriptor) }
        guard Glibc.fsync(descriptor) == 0 else { throw BackupRefused("\(url.path) could not be synced to disk (errno \(errno)).") }
    }
}

/// Why a backup was not made (nothing was left at the destination).
public struct BackupRefused: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
