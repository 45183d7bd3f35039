import CommunisLDAP
import CommunisServices
import CommunisTesting
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Runs `body` with a fresh slapd of its own (own folder, own ports) and stops it afterwards.
func withSlapd<T>(flavor: Slapd.Flavor = .openLDAP, bulk: Int = 0, _ body: (Slapd) async throws -> T) async throws -> T {
    let slapd = try await Slapd.start(flavor: flavor, bulk: bulk)
    let result: T
    do { result = try await body(slapd) } catch {
        await slapd.stop()
        throw error
    }
    await slapd.stop()
    return result
}

extension Slapd {
    /// Settings that reach this server as its service account, over plain ldap://. The
    /// timeout is generous: these tests are about answers, and a slapd just restarted on a
    /// machine running every suite at once can take seconds to answer (the timeout itself is
    /// tested in LDAPFailureTests).
    func settings(_ change: (inout LDAPDirectorySettings) -> Void = { _ in }) -> LDAPDirectorySettings {
        var settings = LDAPDirectorySettings(
            url: url, kind: flavor == .openLDAP ? .openLDAP : .activeDirectory, bindDN: serviceDN,
            bindPassword: servicePassword, userBase: peopleBase, groupBase: groupsBase, timeoutSeconds: 15)
        change(&settings)
        return settings
    }

    func directory(logs: LogCapture = LogCapture(), _ change: (inout LDAPDirectorySettings) -> Void = { _ in }) throws -> LDAPDirectory {
        try LDAPDirectory(settings: settings(change), logger: logs.logger)
    }

    /// The entryUUID slapd gave an entry, read as the admin with ldapsearch.
    func entryUUID(of dn: String) async throws -> String {
        let (status, output) = try await ExternalTool.run(
            "/usr/bin/env", ["ldapsearch", "-LLL", "-x", "-H", url, "-D", adminDN, "-w", adminPassword, "-b", dn, "-s", "base", "entryUUID"])
        guard status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("entryUUID: ") }) else {
            throw Failure(description: "ldapsearch for the entryUUID of \(dn) failed: \(output)")
        }
        return String(line.dropFirst("entryUUID: ".count))
    }
}

/// A TCP port on 127.0.0.1 that completes connections (the kernel's backlog does) and never
/// answers: a directory that hangs.
final class SilentPort: Sendable {
    let port: Int
    private let socketDescriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw Slapd.Failure(description: "no silent port: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socketDescriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketDescriptor) }
}

/// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
func closedPort() throws -> Int {
    let silent = try SilentPort()
    return silent.port
}

/// A CA that signed nothing of slapd's: connections that trust only it must refuse the server.
func unrelatedCA() async throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-other-ca-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let pem = folder.appendingPathComponent("other-ca.pem").path
    let (status, output) = try await ExternalTool.run("/usr/bin/env", [
        "openssl", "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", folder.appendingPathComponent("other-ca.key").path, "-out", pem, "-days", "2",
        "-subj", "/CN=Some other CA", "-addext", "basicConstraints=critical,CA:TRUE",
    ])
    guard status == 0 else { throw Slapd.Failure(description: "openssl could not make a CA: \(output)") }
    return pem
}

/// The time `body` took, in seconds.
func seconds(_ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
