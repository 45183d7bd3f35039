import CommunisModel
import CommunisStore
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The engine for installations that outgrow one machine, and for a cluster of Communis nodes:
/// PostgreSQL through postgres-nio's `PostgresClient` (a connection pool). Implements every
/// store protocol with the guarantees their doc comments state, and passes the same contract
/// suite as the SQLite engine.
///
/// The pool must run while the store is used: `PostgresStore.withStore(…)` runs it for the
/// duration of a closure (structured: the pool stops when the closure returns or throws);
/// `open(…)` starts it and `close()` stops it, for owners whose lifetime is not one scope
/// (a test's store per case, a service group).
/// Ids are `uuid`, times `timestamptz`, event payloads `bytea` (sent out as stored, byte for
/// byte). The only SQL of this engine lives in this target.
public final class PostgresStore: CommunisStore, Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    /// The pool's run loop while the store is open through `open`.
    private let running = Mutex<Task<Void, Never>?>(nil)

    /// A store for `location`; nothing connects until `withStore` runs its pool.
    public init(location: PostgresLocation, logger: Logger, maximumConnections: Int = 20) throws {
        self.location = location
        self.logger = logger
        var configuration: PostgresClient.Configuration
        if location.isUnixSocket {
            configuration = .init(unixSocketPath: "\(location.host)/.s.PGSQL.\(location.port)", username: location.username,
                                  password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.username, password: location.password,
                                  database: location.database, tls: try Self.tls(location))
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    static func tls(_ location: PostgresLocation) throws -> PostgresClient.Configuration.TLS {
        switch location.tls {
        case .disable:
            return .disable
        case .prefer, .require:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            return location.tls == .prefer ? .prefer(tls) : .require(tls)
        case .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            if !location.rootCertificate.isEmpty {
                tls.trustRoots = .file(location.rootCertificate)
            }
            return .require(tls)
        }
    }

    /// Runs the connection pool while `body` uses the store, then stops it.
    @discardableResult
    public static func withStore<Result: Sendable>(
        _ location: PostgresLocation, logger: Logger, maximumConnections: Int = 20,
        _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let store = try PostgresStore(location: location, logger: logger, maximumConnections: maximumConnections)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// A store whose pool runs until `close()`.
    public static func open(_ location: PostgresLocation, logger: Logger, maximumConnections: Int = 20) throws -> PostgresStore {
        let store = try PostgresStore(location: location, logger: logger, maximumConnections: maximumConnections)
        let client = store.client
        store.running.withLock { $0 = Task { await client.run() } }
        return store
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger).run()
    }

    /// Waits until the database answers, at most `timeout` (the pool itself keeps trying to
    /// connect for as long as anyone waits, so a wrong host would otherwise hang a command).
    public func connect(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await self.ping(); return true }
            group.addTask { try await Task.sleep(for: timeout); return false }
            defer { group.cancelAll() }
            guard try await group.next() == true else { throw PostgresStoreError.unreachable("no answer within \(timeout)") }
        }
    }

    /// Stops the pool of a store made by `open` (a store of `withStore` stops with its scope).
    public func close() async throws {
        let task = running.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }
}
