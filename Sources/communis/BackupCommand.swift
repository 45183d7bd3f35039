import ArgumentParser
import CommunisServer
import CommunisStoreSQLite
import Foundation

/// `communis backup --to DIR`: the database (SQLite's online backup, while the server runs),
/// the documents' files and the recordings, into a new or empty folder.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database, the documents' files and the recordings into a new or empty folder, while the server runs.")

    @OptionGroup var storage: StorageOptions
    @Option(name: .customLong("to"), help: "The folder to write the backup to (new, or empty).") var destination: String

    func run() async throws {
        let configuration = try storage.load()
        let logger = makeLogger(configuration.logLevel)
        let target = URL(fileURLWithPath: destination)
        var database: (@Sendable (URL) async throws -> Void)?
        var store: SQLiteStore?
        if configuration.usesSQLite {
            guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
                throw ValidationError("There is no database at \(configuration.databasePath).")
            }
            let opened = try SQLiteStore.open(path: configuration.databasePath, logger: logger)
            store = opened
            database = { try await opened.backup(to: $0) }
        } else {
            say("""
                PostgreSQL: back the database up with pg_dump, for example
                  pg_dump --format=custom --file=\(target.appendingPathComponent("communis.pgdump").path) '<storage.url>'
                (restore it with pg_restore). This command copies the documents' files and the recordings.
                """)
        }
        let summary: InstallationBackup.Summary
        do {
            summary = try await InstallationBackup.backup(configuration: configuration, to: target, database: database)
        } catch let failure as InstallationBackup.Failure {
            try? await store?.close()
            throw ValidationError(failure.description)
        } catch {
            try? await store?.close()
            throw error
        }
        try await store?.close()
        say("Backup in \(target.path): \(summary).")
    }
}

/// `communis restore --from DIR`: puts a backup into an installation whose folders are empty.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into empty data, documents and recordings folders (with the server stopped).")

    @OptionGroup var storage: StorageOptions
    @Option(name: .customLong("from"), help: "The folder `communis backup` wrote.") var source: String

    func run() async throws {
        let configuration = try storage.load()
        if !configuration.usesSQLite {
            say("PostgreSQL: restore the database with pg_restore; this command restores the documents' files and the recordings.")
        }
        let summary: InstallationBackup.Summary
        do {
            summary = try InstallationBackup.restore(configuration: configuration, from: URL(fileURLWithPath: source),
                                                     withDatabase: configuration.usesSQLite)
        } catch let failure as InstallationBackup.Failure {
            throw ValidationError(failure.description)
        }
        // Opening migrates a backup from an older version and proves the copy is a database.
        let opened = try await storage.openStore(configuration, logger: makeLogger(configuration.logLevel))
        try await opened.close()
        say("Restored from \(source): \(summary). Start the server with the same configuration.")
    }
}
