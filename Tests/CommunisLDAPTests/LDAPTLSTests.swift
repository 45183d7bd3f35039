import CommunisServices
import CommunisTesting
import Foundation
import Testing

@testable import CommunisLDAP

/// StartTLS and ldaps:// with a CA file; a certificate the CA did not sign stops start-up with
/// a message that says so.
@Suite(.timeLimit(.minutes(1))) struct LDAPTLSTests {
    @Test func startTLSWithTheServersCAWorks() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory {
                $0.startTLS = true
                $0.caFile = slapd.caFile
            }
            try await directory.check()
            #expect(try await directory.authenticate(login: "annlin", password: Slapd.password)?.name == "Anna Lindqvist")
            // The StartTLS extended operation was used (its OID in slapd's log).
            #expect(slapd.log().contains("1.3.6.1.4.1.1466.20037"))
        }
    }

    @Test func startTLSWithAnotherCAFailsNamingTheCertificate() async throws {
        try await withSlapd { slapd in
            let other = try await unrelatedCA()
            defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: other).deletingLastPathComponent().path) }
            let directory = try slapd.directory {
                $0.startTLS = true
                $0.caFile = other
            }
            let message = try await misconfiguration { try await directory.check() }
            #expect(message.contains("certificate is not trusted by \(other)"), "\(message)")
            // A login is not "wrong password": the server cannot be trusted at all.
            let login = try await misconfiguration { _ = try await directory.authenticate(login: "annlin", password: Slapd.password) }
            #expect(login.contains("certificate"))
            // No password was sent: the person's bind never happened.
            #expect(!slapd.log().contains("BIND dn=\"uid=annlin"))
        }
    }

    @Test func ldapsWithTheServersCAWorks() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory {
                $0.url = slapd.ldapsURL
                $0.caFile = slapd.caFile
            }
            try await directory.check()
            #expect(try await directory.authenticate(login: "asaobe", password: Slapd.password)?.name == "Åsa Öberg")
        }
    }

    @Test func ldapsWithAnotherCAFailsNamingTheCertificate() async throws {
        try await withSlapd { slapd in
            let other = try await unrelatedCA()
            defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: other).deletingLastPathComponent().path) }
            let directory = try slapd.directory {
                $0.url = slapd.ldapsURL
                $0.caFile = other
            }
            let message = try await misconfiguration { try await directory.check() }
            #expect(message.contains("certificate is not trusted by \(other)"), "\(message)")
        }
    }

    @Test func withoutVerificationNoCAIsNeededAndAWarningIsLogged() async throws {
        try await withSlapd { slapd in
            let logs = LogCapture()
            let directory = try slapd.directory(logs: logs) {
                $0.url = slapd.ldapsURL
                $0.verifyCertificates = false
            }
            #expect(logs.text.contains("NOT checked"))
            try await directory.check()
            #expect(try await directory.authenticate(login: "annlin", password: Slapd.password) != nil)
        }
    }
}

/// The message of the `DirectoryError.misconfigured` that `body` throws (a failed expectation otherwise).
func misconfiguration(_ body: () async throws -> Void) async throws -> String {
    do {
        try await body()
        Issue.record("expected DirectoryError.misconfigured, nothing was thrown")
    } catch let DirectoryError.misconfigured(message) {
        return message
    } catch {
        Issue.record("expected DirectoryError.misconfigured, got \(error)")
    }
    return ""
}
