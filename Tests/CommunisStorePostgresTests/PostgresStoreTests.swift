import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Logging
import Testing

/// The PostgreSQL engine on a real throw-away cluster (Debian's server, started by the tests).
@Suite("PostgresStore", .timeLimit(.minutes(3)))
struct PostgresStoreTests {
    static let logger: Logger = {
        var logger = Logger(label: "communis.pg.test")
        logger.logLevel = .warning
        return logger
    }()

    @Test("storage.url is parsed; its errors say what is wrong and never show the password")
    func locations() throws {
        let location = try PostgresLocation(url: "postgres://communis:hemligt@db.katrineholm.se:6432/communis?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(location.host == "db.katrineholm.se" && location.port == 6432 && location.username == "communis")
        #expect(location.password == "hemligt" && location.database == "communis")
        #expect(location.tls == .verifyFull && location.rootCertificate == "/etc/ca.pem")
        #expect(!location.description.contains("hemligt"))
        let fromEnvironment = try PostgresLocation(url: "postgresql://app@localhost/communis", password: "från-miljön")
        #expect(fromEnvironment.password == "från-miljön" && fromEnvironment.port == 5432 && fromEnvironment.tls == .prefer)
        let socket = try PostgresLocation(url: "postgres://app@%2Fvar%2Frun%2Fpostgresql/communis")
        #expect(socket.isUnixSocket && socket.host == "/var/run/postgresql")
        for bad in ["mysql://a@b/c", "postgres://host/db", "postgres://a@host/", "postgres://a@host/db?sslmode=maybe", "postgres://a@host/db?x=1"] {
            #expect(throws: PostgresStoreError.self) { try PostgresLocation(url: bad) }
        }
        #expect(PostgresLocation.isPostgres("postgres://a@b/c") && !PostgresLocation.isPostgres("sqlite:") && !PostgresLocation.isPostgres(""))
    }

    @Test("migrations apply once, in order, also when two nodes migrate at the same moment")
    func migrations() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.createDatabase()
        let location = try PostgresLocation(url: url)
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<2 {
                group.addTask { try await PostgresStore.withStore(location, logger: Self.logger) { try await $0.migrate() } }
            }
            var all: [[String]] = []
            for try await one in group { all.append(one) }
            return all
        }
        #expect(applied.flatMap { $0 }.sorted() == PostgresStore.knownMigrations.sorted(), "each migration applied exactly once")
        try await PostgresStore.withStore(location, logger: Self.logger) { store in
            try await store.ping()
            #expect(try await store.migrate().isEmpty)
            #expect(try await store.appliedMigrations() == PostgresStore.knownMigrations)
        }
    }
}
