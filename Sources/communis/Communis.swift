import ArgumentParser
import CommunisModel
import CommunisServer
import CommunisServices
import Foundation
import Hummingbird
import Logging

@main
struct Communis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "communis",
        abstract: "Communis: samarbete och webbmöten för kommunens medarbetare.",
        subcommands: [Serve.self, Migrate.self, MigrateDataCommand.self, BackupCommand.self, RestoreCommand.self, UserCommand.self, DirectoryCommand.self, Bench.self],
        defaultSubcommand: Serve.self)
}

/// Options every command shares: where the configuration and the data are.
struct StorageOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML). Default: config/communis.yaml when present.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the SQLite database. Default: ./data")
    var dataDir: String?

    @Option(name: .customLong("storage-url"), help: "The database: empty or sqlite: for SQLite in --data-dir, postgres://user@host:5432/db for PostgreSQL.")
    var storageURL: String?

    var overrides: [String: String] {
        var values: [String: String] = [:]
        if let dataDir { values["storage.data_dir"] = dataDir }
        if let storageURL { values["storage.url"] = storageURL }
        return values
    }

    func load(_ more: [String: String] = [:]) throws -> Configuration {
        do {
            return try Configuration.load(file: config, environment: ProcessInfo.processInfo.environment, overrides: overrides.merging(more) { $1 })
        } catch let error as ConfigurationError {
            throw ValidationError("Configuration: \(error.description)")
        }
    }

    /// Opens (creating if needed) and migrates the database `storage.url` names.
    func openStore(_ configuration: Configuration, logger: Logger) async throws -> OpenedStore {
        try await OpenedStore.open(configuration, logger: logger)
    }
}

/// Writes a line to standard output at once (print is buffered when output is a file or pipe,
/// and people and scripts wait for the login instructions).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func makeLogger(_ level: String) -> Logger {
    var logger = Logger(label: "communis")
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

/// Logs each `COMMUNIS_…` environment variable that is no configuration key: probably a
/// misspelt key, or a variable a deployment script uses for itself; it does not stop start-up.
func warnAboutUnknownEnvironment(_ logger: Logger) {
    let unknown = Configuration.unknownEnvironmentVariables(ProcessInfo.processInfo.environment)
    guard !unknown.isEmpty else { return }
    logger.warning("environment variables named like configuration keys but not keys; ignored", metadata: [
        "variables": .array(unknown.map { .string($0) }),
    ])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the server.")

    @OptionGroup var storage: StorageOptions
    @Option(help: "Address to listen on. Default: 127.0.0.1") var host: String?
    @Option(help: "Port to listen on. Default: 8080") var port: Int?
    @Option(name: .customLong("recordings-dir"), help: "Folder of recordings. Default: ./recordings") var recordingsDir: String?
    @Option(name: .customLong("documents-dir"), help: "Folder of the document libraries' files. Default: ./documents") var documentsDir: String?
    @Flag(help: "Fill an empty database with a demo organisation and print how to log in.") var demo = false

    func run() async throws {
        var flags: [String: String] = [:]
        if let host { flags["server.host"] = host }
        if let port { flags["server.port"] = String(port) }
        if let recordingsDir { flags["storage.recordings_dir"] = recordingsDir }
        if let documentsDir { flags["storage.documents_dir"] = documentsDir }
        let configuration = try storage.load(flags)
        let logger = makeLogger(configuration.logLevel)
        warnAboutUnknownEnvironment(logger)
        try FileManager.default.createDirectory(atPath: configuration.recordingsDirectory, withIntermediateDirectories: true)
        let opened = try await storage.openStore(configuration, logger: logger)
        let store = opened.store
        if demo {
            // The demo documents' text and previews: their jobs are written to disk here and
            // done by the server's processor once it runs.
            let processing = DocumentProcessor(store: store, documentsDirectory: URL(fileURLWithPath: configuration.documentsDirectory), logger: logger)
            let seeded = try await DemoOrganisation.seedIfEmpty(
                store: store, hasher: BcryptPasswordHasher(cost: UInt8(configuration.bcryptCost)), recordingsDirectory: configuration.recordingsDirectory,
                documentsDirectory: configuration.documentsDirectory, processing: processing)
            say(seeded ? "Demodata skapad. / Demo data created." : "Databasen har redan innehåll; ingen demodata lades till. / The database already has data; no demo data added.")
            let address = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(configuration.port)/"
            say("""

            Öppna \(address) och logga in som / Open \(address) and log in as:
              administratör / administrator: \(DemoOrganisation.adminEmail)
              medarbetare / employee:        erik.johansson@katrineholm.se, sara.nilsson@katrineholm.se
              gäst / guest:                  lena.berg@konsultbolaget.se
              lösenord / password:           \(DemoOrganisation.password)

            """)
        }
        do {
            // The browser client, bundled now unless an unchanged bundle is kept from an earlier start.
            let web = WebBundle.prepare(webRoot: configuration.webRoot, buildDirectory: configuration.webBuildPath,
                                        enabled: configuration.webBundle, logger: logger)
            let app = try await buildApplication(configuration: configuration, store: store, logger: logger, web: web)
            try await app.runService()
        } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema, then exit.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try storage.load()
        let opened = try await storage.openStore(configuration, logger: makeLogger(configuration.logLevel))
        print("Database \(opened.name) is up to date. Applied migrations:")
        for name in try await opened.appliedMigrations() { print("  \(name)") }
        try await opened.close()
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account (for example the first administrator). The password comes from --password or standard input.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "E-mail address (the login name).") var email: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Password (at least 10 characters). Read from standard input when left out.") var password: String?
        @Flag(help: "Make the account an administrator.") var admin = false
        @Flag(help: "Make the account an external guest.") var guest = false
        @Option(help: "Title (befattning).") var title: String?
        @Option(help: "Department (förvaltning).") var department: String?
        @Option(help: "Workplace (arbetsplats).") var workplace: String?

        func validate() throws {
            if admin && guest { throw ValidationError("An account is either --admin or --guest, not both.") }
        }

        func run() async throws {
            let configuration = try storage.load()
            let opened = try await storage.openStore(configuration, logger: makeLogger(configuration.logLevel))
            let store = opened.store
            var secret = password
            if secret == nil {
                if isatty(STDIN_FILENO) != 0 { FileHandle.standardError.write(Data("Lösenord / Password: ".utf8)) }
                secret = readLine(strippingNewline: true)
            }
            guard let secret, !secret.isEmpty else {
                try await opened.close()
                throw ValidationError("No password given (use --password or standard input).")
            }
            let role: Role = admin ? .admin : guest ? .guest : .member
            let administration = Administration(store: store, hasher: BcryptPasswordHasher(cost: UInt8(configuration.bcryptCost)))
            do {
                let person = try await administration.createAccount(NewAccount(
                    email: email, name: name, password: secret, role: role,
                    profile: Profile(title: title ?? "", department: department ?? "", workplace: workplace ?? "")))
                print("Created \(person.role.rawValue) \(person.name) <\(person.email)> (\(person.id))")
            } catch let error as DomainError {
                try await opened.close()
                throw ValidationError(error.detail)
            }
            try await opened.close()
        }
    }
}
