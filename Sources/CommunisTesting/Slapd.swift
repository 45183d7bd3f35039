import Foundation
import NIOConcurrencyHelpers

/// A real OpenLDAP server for tests: Tests/Fixtures/ldap/slapd.py started in a folder of its
/// own under the temporary directory, on free ports, with the Katrineholm fixture people and
/// groups loaded (see that script's header for the data, the limits and the certificates).
/// Call `stop()` at the end; a test process that dies leaves no slapd behind (the script
/// watches this process).
public final class Slapd: Sendable {
    /// Which fixture and schema: OpenLDAP (inetOrgPerson, groupOfNames, memberof, ppolicy) or
    /// an Active Directory look-alike (objectGUID, sAMAccountName, userAccountControl, group).
    public enum Flavor: String, Sendable {
        case openLDAP = "openldap"
        case activeDirectory = "ad"
    }

    /// Why slapd could not be started or changed, with the script's own message.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let flavor: Flavor
    /// ldap://127.0.0.1:port (StartTLS works on it).
    public let url: String
    /// ldaps://127.0.0.1:port
    public let ldapsURL: String
    /// The PEM CA that signed this server's certificate (a new CA for every server).
    public let caFile: String
    public let baseDN: String
    public let serviceDN: String
    public let servicePassword: String
    public let adminDN: String
    public let adminPassword: String
    /// The server's folder (configuration, data, certificates, slapd.log).
    public let directory: String
    /// slapd's log (`-d stats`): every connection, bind and search.
    public let logFile: String
    private let stopped = NIOLockedValueBox(false)

    public var peopleBase: String { "ou=people,\(baseDN)" }
    public var groupsBase: String { "ou=groups,\(baseDN)" }

    /// Every fixture person's password.
    public static let password = "Katrineholm2026"

    /// The script, found from this file's place in the repository.
    public static let script: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/ldap/slapd.py").path

    private init(flavor: Flavor, json: [String: Any]) throws {
        func field(_ name: String) throws -> String {
            guard let value = json[name] as? String else { throw Failure(description: "slapd.py printed no \(name)") }
            return value
        }
        self.flavor = flavor
        url = try field("url")
        ldapsURL = try field("ldapsUrl")
        caFile = try field("caFile")
        baseDN = try field("baseDN")
        serviceDN = try field("serviceDN")
        servicePassword = try field("servicePassword")
        adminDN = try field("adminDN")
        adminPassword = try field("adminPassword")
        directory = try field("dir")
        logFile = try field("logFile")
    }

    /// Starts a server with the fixture data and `bulk` extra people (bulk00001…).
    /// Three start at a time in one test process (each is python3, openssl, slapd and ldapadd).
    public static func start(flavor: Flavor = .openLDAP, bulk: Int = 0) async throws -> Slapd {
        try await starting.run { try await startNow(flavor: flavor, bulk: bulk) }
    }

    private static let starting = FixtureLimiter(limit: 3)

    private static func startNow(flavor: Flavor, bulk: Int) async throws -> Slapd {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-slapd-\(UUID().uuidString)").path
        var arguments = ["start", "--dir", folder, "--flavor", flavor.rawValue, "--watch-pid", "\(ProcessInfo.processInfo.processIdentifier)"]
        if bulk > 0 { arguments += ["--bulk", "\(bulk)"] }
        let output = try await runScript(arguments)
        guard let line = output.split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw Failure(description: "slapd.py start printed no JSON line: \(output)") }
        return try Slapd(flavor: flavor, json: json)
    }

    /// Stops slapd and starts it again on the same ports with the same data.
    public func restart() async throws {
        _ = try await Self.runScript(["restart", "--dir", directory])
    }

    /// Stops slapd and removes its folder, waiting on a thread of its own (slapd.py is a
    /// python3 start, seconds on a loaded machine: never on one of Swift's cooperative
    /// threads, which every other test shares). Safe to call twice.
    public func stop() async {
        _ = try? await Self.runDetached { self.stopNow() }
    }

    /// `stop()` on the calling thread, for `deinit` and synchronous callers.
    public func stopNow() {
        guard stopped.withLockedValue({ was in defer { was = true }; return !was }) else { return }
        _ = try? Self.runScriptNow(["stop", "--dir", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stopNow() }

    /// Applies LDIF change records (changetype: modify, modrdn, add, delete) as the admin.
    public func modify(ldif: String) async throws {
        try await Self.runDetached {
            let (status, output) = try Self.execute("/usr/bin/env", ["ldapmodify", "-x", "-H", self.url, "-D", self.adminDN, "-w", self.adminPassword],
                                                    input: ldif)
            guard status == 0 else { throw Failure(description: "ldapmodify failed (\(status)): \(output.stderr)\(output.stdout)") }
        }
    }

    /// What slapd has logged so far.
    public func log() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    // MARK: - Running programs

    private static func runScript(_ arguments: [String]) async throws -> String {
        try await runDetached { try runScriptNow(arguments) }
    }

    private static func runScriptNow(_ arguments: [String]) throws -> String {
        let (status, output) = try execute("/usr/bin/env", ["python3", script] + arguments, input: nil)
        guard status == 0 else {
            throw Failure(description: "slapd.py \(arguments.first ?? "") failed (\(status)): \(output.stderr.isEmpty ? output.stdout : output.stderr)")
        }
        return output.stdout
    }

    private static func runDetached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await FixtureProcess.detached(body)
    }

    private static func execute(_ executable: String, _ arguments: [String], input: String?) throws -> (Int32, (stdout: String, stderr: String)) {
        do { return try FixtureProcess.execute(executable, arguments, input: input) } catch let failure as FixtureProcess.Failure {
            throw Failure(description: "\(failure.description) (python3, slapd, ldap-utils and openssl are needed)")
        }
    }
}
