import ArgumentParser
import CommunisServer
import CommunisStore
import CommunisStorePostgres
import CommunisStoreSQLite
import Foundation

/// `communis migrate-data --from ./data --to postgres://…`: copies an installation on the
/// embedded engine into an empty PostgreSQL database, verifies the counts and prints them.
/// Recording files stay where they are (`storage.recordings_dir`); only their rows move.
struct MigrateDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-data",
        abstract: "Copy an installation from its SQLite data folder into an empty PostgreSQL database, then verify the counts.",
        discussion: """
            Stop the server first. The copy is one transaction: it arrives whole, or the target stays empty. \
            The password comes from the URL, storage.password or COMMUNIS_STORAGE_PASSWORD.
            """)

    @Option(help: "Config file (YAML) for storage.password and the log level. Default: config/communis.yaml when present.") var config: String?
    @Option(help: "The SQLite data folder to copy (it holds communis.sqlite).") var from: String
    @Option(help: "The PostgreSQL database to copy into, postgres://user@host:5432/db?sslmode=…") var to: String

    func run() async throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(file: config, environment: ProcessInfo.processInfo.environment, overrides: [:])
        } catch let error as ConfigurationError {
            throw ValidationError("Configuration: \(error.description)")
        }
        let logger = makeLogger(configuration.logLevel)
        let path = (from as NSString).appendingPathComponent("communis.sqlite")
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("No SQLite database at \(path).") }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: to, password: configuration.storagePassword.isEmpty ? nil : configuration.storagePassword)
        } catch {
            throw ValidationError("--to: \(error)")
        }
        let source = try SQLiteStore.open(path: path, logger: logger)
        let report: TransferReport
        do {
            report = try await PostgresStore.withStore(location, logger: logger, maximumConnections: 2) { target in
                try await target.connect(timeout: .seconds(15))
                try await target.migrate()
                say("Kopierar / Copying \(path) → \(location) …")
                let lastPrinted = LastPrinted()
                return try await target.receiveTransfer(from: source) { table, rows, total in
                    if lastPrinted.shouldPrint(table, rows: rows, total: total) { say("  \(table): \(rows) / \(total)") }
                }
            }
        } catch {
            try? await source.close()
            if let refused = error as? TransferRefused { throw ValidationError(refused.description) }
            if let failure = error as? PostgresStoreError { throw ValidationError("PostgreSQL \(location): \(failure)") }
            throw error
        }
        try await source.close()
        say("")
        func row(_ name: String, _ source: String, _ target: String) -> String {
            name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(1, 11 - source.count)) + source
                + String(repeating: " ", count: max(1, 11 - target.count)) + target
        }
        say(row("table", "source", "target"))
        for table in report.tables { say(row(table.name, String(table.source), String(table.target))) }
        say("search documents rebuilt: \(report.searchDocuments)")
        say(report.verified ? "Klart: alla rader kom fram. / Done: every row arrived." : "Counts differ.")
        if !report.verified { throw ExitCode(1) }
    }
}

/// Progress lines at most every 10 000 rows and at each table's end.
private final class LastPrinted: @unchecked Sendable {
    private var table = ""
    private var rows = 0
    private let lock = NSLock()

    func shouldPrint(_ table: String, rows: Int, total: Int) -> Bool {
        lock.withLock {
            if table != self.table { self.table = table; self.rows = 0 }
            guard rows == total || rows - self.rows >= 10_000 else { return false }
            self.rows = rows
            return true
        }
    }
}
