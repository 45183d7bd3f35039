import CommunisTesting
import CommunisServices
import Foundation
import Logging
import NIOPosix
import Testing
@testable import CommunisMail
#if canImport(Glibc)
import Glibc
#endif

/// Servers that are not there or never answer: the send must fail as temporary, and in time.
@Suite("SMTP transport when the server is missing or silent")
struct SMTPConnectionTests {
    static func settings(port: Int, timeout: Int) -> SMTPSettings {
        SMTPSettings(host: "127.0.0.1", port: port, username: "communis", password: "secret",
                     fromAddress: "noreply@kommun.example", timeoutSeconds: timeout)
    }

    static let message = MailMessage(to: "a@kommun.example", subject: "Hej", text: "Hej", html: "<p>Hej</p>")

    @Test("nothing listening on the port: a temporary error naming the connection, at once")
    func nothingListening() async throws {
        let socket = try ListeningSocket()
        let port = socket.port
        socket.close()  // the port is now free and nothing listens on it
        let threads = NIOThreadPool(numberOfThreads: 1)  // as in `silentServer`
        threads.start()
        let transport = SMTPTransport(settings: Self.settings(port: port, timeout: 5), logger: LogCapture().logger, threadPool: threads)
        let start = ContinuousClock.now

        let error = await SMTPTransportTests.failure { try await transport.send(Self.message, messageID: "a@b") }
        try await threads.shutdownGracefully()

        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("cannot connect"))
        #expect(why.contains("127.0.0.1:\(port)"))
        // No waiting out the connect timeout's default minutes (the bound is loose for a busy machine).
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("a server that accepts the connection and never greets: a temporary timeout error within the configured second")
    func silentServer() async throws {
        // The kernel completes the TCP handshake for a listening socket nobody accepts from,
        // so libcurl is connected and waits for a greeting that never comes.
        let socket = try ListeningSocket()
        defer { socket.close() }
        // A pool of its own, as the server gives the transport (IdentityAdapters): on the
        // process-wide `NIOThreadPool.singleton` (two threads on a 2-core machine) the send
        // queued behind other suites' blocking work (bcrypt, libldap with its own timeouts)
        // and a 1 s timeout was measured as 12.8 s under CI load. The wait was the queue,
        // not libcurl.
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let transport = SMTPTransport(settings: Self.settings(port: socket.port, timeout: 1), logger: LogCapture().logger, threadPool: threads)
        let start = ContinuousClock.now

        let error = await SMTPTransportTests.failure { try await transport.send(Self.message, messageID: "a@b") }
        try await threads.shutdownGracefully()

        let elapsed = ContinuousClock.now - start
        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("timeout"))
        #expect(elapsed >= .milliseconds(900))
        // The configured second ends the wait, not libcurl's default (no total timeout, five
        // minutes to connect): the bound proves that, with room for a loaded 2-core machine.
        // How fast it is belongs in a benchmark, not here.
        #expect(elapsed < .seconds(30))
    }

    @Test("settings that cannot work are a temporary error saying what to fix, without a connection")
    func unusableSettings() async throws {
        var settings = Self.settings(port: 587, timeout: 5)
        settings.host = ""
        let error = await SMTPTransportTests.failure {
            try await SMTPTransport(settings: settings, logger: LogCapture().logger).send(Self.message, messageID: "a@b")
        }
        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("no SMTP host"))
    }
}

/// A TCP socket listening on a free loopback port that never accepts.
final class ListeningSocket: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ok else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
