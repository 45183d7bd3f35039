import ArgumentParser
import CommunisModel
import CommunisServer
import CommunisServices
import Foundation

/// `communis directory sync`: one directory sync from the command line (cron, or after a
/// reorganisation), printing one JSON line of counts.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "The organisation's directory (LDAP / Active Directory).", subcommands: [Sync.self])

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one directory sync and print one JSON line: created, updated, disabled, enabled, membershipsAdded, membershipsRemoved, errors.")

        @OptionGroup var storage: StorageOptions
        @Flag(name: .customLong("dry-run"), help: "Show what would change; change nothing.") var dryRun = false
        @Flag(help: "Disable people even when more than directory.max_disable_percent of them would be.") var force = false

        func run() async throws {
            let configuration = try storage.load()
            guard configuration.directory.isEnabled else {
                throw ValidationError("No directory is configured: set directory.url (and directory.user_base) in the configuration.")
            }
            let logger = makeLogger(configuration.logLevel)
            let opened = try await storage.openStore(configuration, logger: logger)
            let store = opened.store
            let adapters: IdentityAdapters
            do { adapters = try await IdentityAdapters.make(configuration, check: false, logger: logger) } catch {
                try await opened.close()
                throw ValidationError("\(error)")
            }
            guard let directory = adapters.directory else { throw ValidationError("No directory is configured.") }
            let sync = DirectorySync(store: store, directory: directory, logger: logger, linkByEmail: configuration.directory.linkByEmail,
                                     maxDisableFraction: Double(configuration.directory.maxDisablePercent) / 100)
            do {
                let outcome = try await sync.runReportingCause(dryRun: dryRun, force: force)
                say(SyncReportJSON(outcome, dryRun: dryRun).line)
                try await opened.close()
            } catch {
                // Still one JSON line, so a script reads the counts (all zero: nothing changed) and why.
                let message = (error as? DirectorySyncFailure)?.message ?? (error as? DomainError)?.detail ?? "\(error)"
                say(SyncReportJSON(failure: message, dryRun: dryRun).line)
                try await opened.close()
                throw ExitCode(1)
            }
        }
    }
}
