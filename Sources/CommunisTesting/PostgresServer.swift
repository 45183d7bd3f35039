import Foundation
import NIOConcurrencyHelpers

/// A throw-away PostgreSQL cluster (Debian's server, `Tests/Fixtures/postgres/pgcluster.py`),
/// one per test process, started on first use and stopped when the process ends. Tests get a
/// database of their own from it (`createDatabase`), optionally copied from a template.
public final class PostgresServer: Sendable {
    public let port: Int
    /// `postgres://communis@127.0.0.1:<port>/postgres?sslmode=disable`: the maintenance database.
    public let url: String
    public let directory: String

    static let script = FixtureProcess.repository.appendingPathComponent("Tests/Fixtures/postgres/pgcluster.py").path
    private static let started = NIOLockedValueBox<Task<PostgresServer, any Error>?>(nil)
    private let counter = NIOLockedValueBox(0)
    /// Two databases are made at a time (each is a python3 and a psql process; PostgreSQL
    /// copies templates one at a time anyway).
    private static let creating = FixtureLimiter(limit: 2)

    private init(port: Int, url: String, directory: String) {
        self.port = port
        self.url = url
        self.directory = directory
    }

    /// The process's cluster, started once.
    public static func shared() async throws -> PostgresServer {
        let task = started.withLockedValue { task in
            if let task { return task }
            let new = Task { try await start() }
            task = new
            return new
        }
        return try await task.value
    }

    private static func start() async throws -> PostgresServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-pg-\(UUID().uuidString)").path
        let output = try await run(["start", "--dir", folder, "--watch-pid", "\(ProcessInfo.processInfo.processIdentifier)"])
        guard let line = output.split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let port = json["port"] as? Int, let url = json["url"] as? String else {
            throw FixtureProcess.Failure(description: "pgcluster.py start printed no JSON line: \(output)")
        }
        return PostgresServer(port: port, url: url, directory: folder)
    }

    /// A new, empty database (or a copy of `template`); returns its URL.
    public func createDatabase(named name: String? = nil, template: String? = nil) async throws -> String {
        let number = counter.withLockedValue { value in
            value += 1
            return value
        }
        let database = name ?? "t\(number)_\(UUID().uuidString.prefix(8).lowercased())"
        var arguments = ["createdb", "--dir", directory, "--name", database]
        if let template { arguments += ["--template", template] }
        let command = arguments
        let output = try await Self.creating.run { try await Self.run(command) }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL of database `name` on this cluster.
    public func url(of name: String) -> String {
        "postgres://communis@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    private static func run(_ arguments: [String]) async throws -> String {
        try await FixtureProcess.detached {
            let (status, output) = try FixtureProcess.execute("/usr/bin/env", ["python3", script] + arguments)
            guard status == 0 else {
                throw FixtureProcess.Failure(description: """
                    pgcluster.py \(arguments.first ?? "") failed (\(status)): \(output.stderr.isEmpty ? output.stdout : output.stderr) \
                    (Debian's postgresql and python3 are needed)
                    """)
            }
            return output.stdout
        }
    }
}
