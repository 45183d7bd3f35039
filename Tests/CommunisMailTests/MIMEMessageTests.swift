import CommunisServices
import Foundation
import Testing
@testable import CommunisMail

@Suite("MIME rendering")
struct MIMEMessageTests {
    /// Sunday 6 December 2026, 21:30 in Stockholm (20:30 UTC).
    static let december = Date(timeIntervalSince1970: 1_796_589_000)

    static func render(_ message: MailMessage, fromName: String = "Communis", messageID: String = "id@communis", date: Date = december) -> String {
        MIMEMessage.render(message, fromAddress: "noreply@kommun.example", fromName: fromName, messageID: messageID, date: date)
    }

    static let sample = MailMessage(to: "asa@kommun.example", toName: "Åsa Öberg", subject: "Välkommen till Communis", text: "Hej Åsa!\nRäksmörgås.", html: "<p>Hej Åsa!</p>")

    /// The header block, unfolded: one entry per field.
    static func headers(_ raw: String) -> [String] {
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
    }

    static func header(_ name: String, in raw: String) -> String? {
        headers(raw).first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    /// Decodes RFC 2047 B-words of UTF-8 separated by folding (enough for what we write).
    static func decodeWords(_ value: String) -> String {
        var bytes: [UInt8] = []
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?utf-8?B?"), word.hasSuffix("?=") else { return value }
            bytes += Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("non-ASCII subject and names become UTF-8 encoded-words that decode to the original")
    func encodedWords() {
        let raw = Self.render(Self.sample, fromName: "Kommunens e-tjänster – Örebro")
        let subject = try! #require(Self.header("Subject", in: raw))
        #expect(subject.hasPrefix("=?utf-8?B?"))
        #expect(Self.decodeWords(subject) == "Välkommen till Communis")
        let to = try! #require(Self.header("To", in: raw))
        #expect(to.hasSuffix(" <asa@kommun.example>"))
        #expect(Self.decodeWords(String(to.dropLast(" <asa@kommun.example>".count))) == "Åsa Öberg")
        let from = try! #require(Self.header("From", in: raw))
        #expect(Self.decodeWords(String(from.dropLast(" <noreply@kommun.example>".count))) == "Kommunens e-tjänster – Örebro")
    }

    @Test("plain ASCII stays readable: atoms as they are, names with specials quoted with escapes, no name gives the bare address")
    func asciiNames() {
        var message = Self.sample
        message.toName = "Anna \"IT\" Berg, support"
        message.subject = "Hello there"
        let raw = Self.render(message, fromName: "Communis")
        #expect(Self.header("From", in: raw) == "Communis <noreply@kommun.example>")
        #expect(Self.header("To", in: raw) == "\"Anna \\\"IT\\\" Berg, support\" <asa@kommun.example>")
        #expect(Self.header("Subject", in: raw) == "Hello there")
        message.toName = ""
        #expect(Self.header("To", in: Self.render(message)) == "asa@kommun.example")
    }

    @Test("long headers are folded: no header line over 78 characters, encoded lines at most 76, unfolding gives the value back")
    func folding() {
        var message = Self.sample
        let longASCII = (1...30).map { "word\($0)" }.joined(separator: " ")
        message.subject = longASCII
        message.toName = String(repeating: "Åsa-Märta ", count: 12).trimmingCharacters(in: .whitespaces)
        let raw = Self.render(message)
        let head = raw.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(head.allSatisfy { $0.count <= 78 })
        #expect(head.filter { $0.contains("=?utf-8?") }.allSatisfy { $0.count <= 76 })
        #expect(head.filter { $0.hasPrefix(" ") }.count > 2)
        #expect(Self.header("Subject", in: raw) == longASCII)
        let to = try! #require(Self.header("To", in: raw))
        #expect(Self.decodeWords(String(to.dropLast(" <asa@kommun.example>".count))) == message.toName)

        message.subject = String(repeating: "Återställning av lösenord för ärende ", count: 6)
        let encoded = try! #require(Self.header("Subject", in: Self.render(message)))
        #expect(Self.decodeWords(encoded) == message.subject)
    }

    @Test("CR and LF in a subject, name, address or Message-ID cannot start a header of their own")
    func headerInjection() {
        var message = Self.sample
        message.subject = "Hej\r\nBcc: spion@example.com"
        message.toName = "Åsa\nX-Evil: 1"
        message.to = "asa@kommun.example\r\nCc: spion@example.com"
        let raw = Self.render(message, fromName: "Communis\r\nReply-To: spion@example.com", messageID: "id@x>\r\nX-Injected: yes")
        let names = Self.headers(raw).map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"])
        #expect(Self.header("Subject", in: raw) == "Hej  Bcc: spion@example.com")
        #expect(Self.header("Message-ID", in: raw) == "<id@xX-Injected:yes>")
    }

    @Test("CRLF everywhere, base64 lines of at most 76 characters, parts in order text then HTML, UTF-8, and the boundary only where it belongs")
    func bodyStructure() throws {
        var message = Self.sample
        message.text = String(repeating: "Åäö ", count: 500) + "\n.\nSista raden"
        message.html = "<p>" + String(repeating: "Räksmörgås ", count: 300) + "</p>"
        let raw = Self.render(message)
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        #expect(raw.hasSuffix("\r\n"))

        let contentType = try #require(Self.header("Content-Type", in: raw))
        let boundary = try #require(contentType.components(separatedBy: "boundary=\"").last?.dropLast())
        let lines = raw.components(separatedBy: "\r\n")
        #expect(lines.filter { $0.contains(boundary) }.count == 4)  // Content-Type, two delimiters, the close
        #expect(lines.filter { $0 == "--\(boundary)" }.count == 2)
        #expect(lines.filter { $0 == "--\(boundary)--" }.count == 1)

        let parts = raw.components(separatedBy: "--\(boundary)").dropFirst().dropLast()
        let decoded = parts.map { part -> (String, String) in
            let sections = part.components(separatedBy: "\r\n\r\n")
            let body = sections[1].components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(body.allSatisfy { $0.count <= 76 })
            #expect(body.dropLast().allSatisfy { $0.count == 76 })
            let data = Data(base64Encoded: body.joined()) ?? Data()
            return (sections[0], String(decoding: data, as: UTF8.self))
        }
        #expect(decoded.count == 2)
        #expect(decoded[0].0.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(decoded[0].0.contains("Content-Transfer-Encoding: base64"))
        #expect(decoded[1].0.contains("Content-Type: text/html; charset=utf-8"))
        // Text is encoded in its canonical form, with CRLF line breaks (RFC 2045 §6.8).
        #expect(decoded[0].1 == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(decoded[1].1 == message.html)
    }

    @Test("Date in RFC 5322 form in Swedish local time, winter and summer; Message-ID, MIME-Version and Auto-Submitted present")
    func dateAndFixedHeaders() {
        let raw = Self.render(Self.sample, messageID: "<abc.123@communis.kommun.example>")
        #expect(Self.header("Date", in: raw) == "Sun, 6 Dec 2026 21:30:00 +0100")
        let july = Date(timeIntervalSince1970: 1_782_907_200)  // 2026-07-01 12:00 UTC
        #expect(Self.header("Date", in: Self.render(Self.sample, date: july)) == "Wed, 1 Jul 2026 14:00:00 +0200")
        #expect(Self.header("Message-ID", in: raw) == "<abc.123@communis.kommun.example>")
        #expect(Self.header("MIME-Version", in: raw) == "1.0")
        #expect(Self.header("Auto-Submitted", in: raw) == "auto-generated")
        #expect(Self.header("Content-Type", in: raw)?.hasPrefix("multipart/alternative; boundary=\"=_communis_") == true)
    }

    @Test("two renderings of the same message use different boundaries")
    func randomBoundary() {
        #expect(Self.header("Content-Type", in: Self.render(Self.sample)) != Self.header("Content-Type", in: Self.render(Self.sample)))
    }
}
