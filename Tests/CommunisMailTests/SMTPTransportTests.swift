import CommunisServices
import CommunisTesting
import Foundation
import Logging
import Testing
@testable import CommunisMail

/// Each test starts its own aiosmtpd server (Tests/Fixtures/smtp/smtp_server.py) on a free
/// port in its own folder, with a throw-away certificate, and stops it at the end.
@Suite("SMTP transport against a real SMTP server")
struct SMTPTransportTests {
    static let password = "Hemligt-Lösen-42"

    static func settings(_ server: SMTPServer, security: SMTPSettings.Security = .startTLS, password: String = "secret", caFile: String? = nil) -> SMTPSettings {
        SMTPSettings(
            host: "127.0.0.1", port: server.port, security: security,
            username: "communis", password: password,
            fromAddress: "noreply@kommun.example", fromName: "Communis, Exempla kommun",
            caFile: caFile ?? server.caFile, timeoutSeconds: 10, heloName: "communis.kommun.example")
    }

    static let swedish = MailMessage(
        to: "asa.oberg@kommun.example",
        toName: "Åsa Öberg-Ängström",
        subject: "Återställ ditt lösenord – gäller även för Örjans ärende på Håtuna gård",
        text: "Hej Åsa!\n\nHär är din länk: https://communis.kommun.example/reset#abc\n.\nEn rad med bara en punkt, och räksmörgås.\n",
        html: "<!DOCTYPE html>\n<html lang=\"sv\"><body><p>Hej Åsa! Räksmörgås på Ängsvägen.</p>\n.\n</body></html>\n")

    @Test("a Swedish message sent with STARTTLS and AUTH arrives with subject, To name, text, HTML and Message-ID exactly as given, everything after EHLO encrypted")
    func swedishMessageArrives() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let transport = SMTPTransport(settings: Self.settings(server), logger: logs.logger)

        try await transport.send(Self.swedish, messageID: "3f2c9e1a.reset@communis.kommun.example")

        let mail = try #require(try await server.waitForMessages(count: 1).first)
        #expect(mail.subject == Self.swedish.subject)
        #expect(mail.toName == "Åsa Öberg-Ängström")
        #expect(mail.to == "Åsa Öberg-Ängström <asa.oberg@kommun.example>")
        #expect(mail.from == "\"Communis, Exempla kommun\" <noreply@kommun.example>")
        #expect(mail.text == Self.swedish.text)
        #expect(mail.html == Self.swedish.html)
        #expect(mail.messageId == "3f2c9e1a.reset@communis.kommun.example")
        #expect(mail.mailFrom == "noreply@kommun.example")
        #expect(mail.rcptTos == ["asa.oberg@kommun.example"])
        #expect(mail.defects.isEmpty)
        let events = server.events()
        #expect(events.map(\.event) == ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA"])
        #expect(events.first?.tls == false)
        #expect(events.dropFirst().allSatisfy { $0.tls })
        #expect(!logs.text.contains("secret"))
    }

    @Test("STARTTLS is required: a server that does not offer it gets a temporary error and nothing, no password and no mail, in plain text")
    func startTLSRequired() async throws {
        let server = try await SMTPServer.start(tls: false)
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server, caFile: ""), logger: LogCapture().logger)

        let error = await Self.failure { try await transport.send(Self.swedish, messageID: "a@b") }

        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("STARTTLS"))
        #expect(try server.messages().isEmpty)
        #expect(server.events().map(\.event) == ["EHLO"])
    }

    @Test("a wrong password is a temporary error that names authentication, and the password appears in no error and no log line")
    func wrongPassword() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let transport = SMTPTransport(settings: Self.settings(server, password: Self.password), logger: logs.logger)

        let error = await Self.failure { try await transport.send(Self.swedish, messageID: "a@b") }

        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("authentication"))
        #expect(why.contains("535"))
        #expect(!why.contains(Self.password))
        #expect(!logs.text.contains(Self.password))
        #expect(!logs.text.isEmpty)
        #expect(!"\(transport.settings)".contains(Self.password))
        #expect(try server.messages().isEmpty)
    }

    @Test("a certificate not signed by a trusted CA (no CA file given) is a temporary error naming the certificate; no AUTH is sent")
    func untrustedCertificate() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server, caFile: ""), logger: LogCapture().logger)

        let error = await Self.failure { try await transport.send(Self.swedish, messageID: "a@b") }

        guard case .temporary(let why) = error else { Issue.record("expected a temporary error, got \(String(describing: error))"); return }
        #expect(why.contains("certificate"))
        #expect(!server.events().contains { $0.event == "AUTH" })
        #expect(try server.messages().isEmpty)
    }

    @Test("a 451 reply to the data is temporary and says 451; the retry with the same Message-ID is delivered once")
    func temporaryRefusalThenRetry() async throws {
        let server = try await SMTPServer.start(failFirst: 1)
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server), logger: LogCapture().logger)

        let first = await Self.failure { try await transport.send(Self.swedish, messageID: "retry@communis") }
        guard case .temporary(let why) = first else { Issue.record("expected a temporary error, got \(String(describing: first))"); return }
        #expect(why.contains("451"))
        #expect(why.contains("Try again later"))

        try await transport.send(Self.swedish, messageID: "retry@communis")
        let received = try await server.waitForMessages(count: 1)
        #expect(received.count == 1)
        #expect(received.first?.messageId == "retry@communis")
    }

    @Test("a recipient the server refuses with 550 is a permanent error naming the recipient and the reply")
    func rejectedRecipient() async throws {
        let server = try await SMTPServer.start(rejectRecipient: "finns.inte@kommun.example")
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server), logger: LogCapture().logger)
        var message = Self.swedish
        message.to = "finns.inte@kommun.example"

        let error = await Self.failure { try await transport.send(message, messageID: "a@b") }

        guard case .permanent(let why) = error else { Issue.record("expected a permanent error, got \(String(describing: error))"); return }
        #expect(why.contains("550"))
        #expect(why.contains("finns.inte@kommun.example"))
        #expect(try server.messages().isEmpty)
    }

    @Test("implicit TLS (smtps) delivers too")
    func implicitTLS() async throws {
        let server = try await SMTPServer.start(implicitTLS: true)
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server, security: .tls), logger: LogCapture().logger)

        try await transport.send(Self.swedish, messageID: "smtps@communis")

        let mail = try #require(try await server.waitForMessages(count: 1).first)
        #expect(mail.subject == Self.swedish.subject)
        #expect(server.events().allSatisfy { $0.tls })
    }

    @Test("lab settings: without TLS (security none) and with certificate checks off, mail is delivered")
    func labSettings() async throws {
        let plain = try await SMTPServer.start(tls: false, auth: nil)
        defer { plain.stop() }
        var settings = Self.settings(plain, security: .none, password: "", caFile: "")
        try await SMTPTransport(settings: settings, logger: LogCapture().logger).send(Self.swedish, messageID: "plain@communis")
        #expect(try await plain.waitForMessages(count: 1).first?.subject == Self.swedish.subject)

        let tls = try await SMTPServer.start()
        defer { tls.stop() }
        settings = Self.settings(tls, caFile: "")
        settings.verifyCertificates = false
        try await SMTPTransport(settings: settings, logger: LogCapture().logger).send(Self.swedish, messageID: "unchecked@communis")
        #expect(try await tls.waitForMessages(count: 1).first?.messageId == "unchecked@communis")
    }

    @Test("sends running at the same time each get their own connection and all arrive")
    func concurrentSends() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server), logger: LogCapture().logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...6 {
                var message = Self.swedish
                message.subject = "Meddelande \(index)"
                group.addTask { try await transport.send(message, messageID: "m\(index)@communis") }
            }
            try await group.waitForAll()
        }

        let received = try await server.waitForMessages(count: 6)
        #expect(Set(received.compactMap(\.subject)) == Set((1...6).map { "Meddelande \($0)" }))
    }

    @Test("an address with a line break is refused as permanent before anything is sent")
    func injectedRecipient() async throws {
        let server = try await SMTPServer.start()
        defer { server.stop() }
        let transport = SMTPTransport(settings: Self.settings(server), logger: LogCapture().logger)
        var message = Self.swedish
        message.to = "a@kommun.example>\r\nRCPT TO:<b@kommun.example"

        let error = await Self.failure { try await transport.send(message, messageID: "a@b") }

        guard case .permanent = error else { Issue.record("expected a permanent error, got \(String(describing: error))"); return }
        #expect(server.events().isEmpty)
    }

    /// The closure's MailError, or nil if it succeeded (another error is recorded as an issue).
    static func failure(_ body: () async throws -> Void) async -> MailError? {
        do {
            try await body()
            return nil
        } catch let error as MailError {
            return error
        } catch {
            Issue.record("expected a MailError, got \(error)")
            return nil
        }
    }
}
