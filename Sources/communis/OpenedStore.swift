import ArgumentParser
import CommunisServer
import CommunisStore
import CommunisStorePostgres
import CommunisStoreSQLite
import Foundation
import Logging

/// The store a command works on, on the engine `storage.url` names, opened and migrated.
/// Every command closes it before it returns (the PostgreSQL pool stops, SQLite checkpoints).
struct OpenedStore: Sendable {
    let store: any CommunisStore & LiveStore
    /// What the store is, for messages (never a password).
    let name: String
    let appliedMigrations: @Sendable () async throws -> [String]
    let close: @Sendable () async throws -> Void

    static func open(_ configuration: Configuration, logger: Logger) async throws -> OpenedStore {
        if configuration.usesSQLite {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            let store = try SQLiteStore.open(path: configuration.databasePath, logger: logger)
            return OpenedStore(store: store, name: "SQLite \(configuration.databasePath)",
                               appliedMigrations: { try store.appliedMigrations() }, close: { try await store.close() })
        }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: configuration.storageURL,
                                            password: configuration.storagePassword.isEmpty ? nil : configuration.storagePassword)
        } catch {
            throw ValidationError("Configuration: \(error)")
        }
        let store = try PostgresStore.open(location, logger: logger, maximumConnections: configuration.storagePoolSize)
        do {
            try await store.connect(timeout: .seconds(15))
            _ = try await store.migrate()
        } catch {
            try? await store.close()
            throw ValidationError("PostgreSQL \(location): \(error)")
        }
        return OpenedStore(store: store, name: "PostgreSQL \(location)",
                           appliedMigrations: { try await store.appliedMigrations() }, close: { try await store.close() })
    }
}
