import Foundation
import NIOCore
import NIOPosix

// MARK: - PostgreSQL

/// The bench's own throw-away PostgreSQL: Debian's initdb and postgres from the newest
/// /usr/lib/postgresql/<version>/bin, data and unix socket in a temporary folder, a free port
/// on 127.0.0.1, trust authentication for the superuser `communis`. Every server setting is at
/// its default but the listen address, port and socket folder (fsync and synchronous_commit
/// on: the commits are measured as an installation would make them). When the bench runs as
/// root the programs run as the `postgres` user through setpriv (PostgreSQL refuses root),
/// with the parent-death signal, so the server dies with the bench even after a crash.
final class ThrowawayPostgres: @unchecked Sendable {
    let folder: String
    let logPath: String
    let bin: String
    let version: String
    private(set) var port = 0
    private var server: ChildProcess?
    private let runAsPostgres: Bool

    init(logPath: String) throws {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }.sorted()
        guard let newest = versions.last(where: {
            FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/postgres") && FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb")
        }) else {
            throw BenchError("no PostgreSQL server under \(root) (apt-get install postgresql)")
        }
        bin = "\(root)/\(newest)/bin"
        version = String(newest)
        self.logPath = logPath
        folder = ClusterBench.temporaryFolder("communis-bench-pg-")
        runAsPostgres = geteuid() == 0
        if runAsPostgres {
            guard let entry = getpwnam("postgres") else {
                throw BenchError("running as root, but there is no postgres user to run PostgreSQL as (it refuses root)")
            }
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                throw BenchError("running as root needs /usr/bin/setpriv (util-linux) to run PostgreSQL as the postgres user")
            }
            guard chown(folder, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
                throw BenchError("could not give \(folder) to the postgres user")
            }
        }
    }

    /// `program` of PostgreSQL's bin folder, as the postgres user when we are root.
    private func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
        guard runAsPostgres else { return (bin + "/" + program, arguments) }
        return ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--pdeathsig", "KILL", "--", bin + "/" + program] + arguments)
    }

    private var logFolder: String { (logPath as NSString).deletingLastPathComponent }

    /// initdb, then the server; returns once it accepts connections.
    func start() async throws {
        let data = folder + "/data"
        let (initdb, initArguments) = command("initdb", ["-D", data, "-U", "communis", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        let setup = try ChildProcess(name: "initdb", executable: initdb, arguments: initArguments, environment: BenchEnvironment.base,
                                     directory: folder, logPath: logFolder + "/initdb.log")
        defer { Children.remove(setup) }
        try await ChildProcess.waitForExit(setup, timeout: 120)
        guard setup.process.terminationStatus == 0 else { throw BenchError("initdb failed:\n\(setup.tail())") }

        port = try Ports.free()
        let (postgres, arguments) = command("postgres", ["-D", data, "-p", String(port), "-k", folder, "-c", "listen_addresses=127.0.0.1"])
        let server = try ChildProcess(name: "postgres", executable: postgres, arguments: arguments, environment: BenchEnvironment.base,
                                      directory: folder, logPath: logPath)
        self.server = server
        let deadline = Date().addingTimeInterval(60)
        while true {
            guard server.isRunning else { throw BenchError("PostgreSQL exited during start-up:\n\(server.tail())") }
            if let log = try? String(contentsOfFile: logPath, encoding: .utf8), log.contains("database system is ready to accept connections") { break }
            guard Date() < deadline else { throw BenchError("PostgreSQL did not accept connections within 60 s:\n\(server.tail())") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A new database `name` (Debian's createdb, a client program); returns its URL.
    func createDatabase(_ name: String, logPath: String) async throws -> String {
        let child = try ChildProcess(name: "createdb", executable: bin + "/createdb",
                                     arguments: ["-h", "127.0.0.1", "-p", String(port), "-U", "communis", name],
                                     environment: BenchEnvironment.base, directory: logFolder, logPath: logPath)
        defer { Children.remove(child) }
        try await ChildProcess.waitForExit(child, timeout: 60)
        guard child.process.terminationStatus == 0 else { throw BenchError("createdb \(name) failed:\n\(child.tail())") }
        return "postgres://communis@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Fast shutdown (SIGINT: sessions ended, a clean checkpoint), SIGKILL after 15 s.
    func stop() {
        guard let server else { return }
        self.server = nil
        if server.isRunning {
            kill(server.pid, SIGINT)
            let deadline = Date().addingTimeInterval(15)
            while server.isRunning && Date() < deadline { usleep(20_000) }
        }
        server.stop(grace: 1)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func tail(_ lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

extension ChildProcess {
    /// Waits (without blocking a thread of the pool) until `child` exits; kills it after `timeout`.
    static func waitForExit(_ child: ChildProcess, timeout: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while child.isRunning {
            guard Date() < deadline else {
                child.killNow()
                throw BenchError("\(child.name) did not finish within \(Int(timeout)) s:\n\(child.tail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.process.waitUntilExit()
    }
}
