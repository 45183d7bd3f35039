import CommunisServices
import Foundation

/// Turns a `MailMessage` into the exact text handed to the SMTP server (RFC 5322, MIME
/// RFC 2045–2047): CRLF line ends, non-ASCII header values as UTF-8 encoded-words, folded
/// headers, and a multipart/alternative body whose text and HTML parts are base64 in lines of
/// 76 characters. Base64 bodies cannot contain a line starting with a dot or a line longer
/// than SMTP allows, whatever the texts hold.
public enum MIMEMessage {
    /// Renders `message`. `messageID` is the Message-ID without angle brackets
    /// (`"6f1c…@communis.example.se"`; brackets, spaces and control characters are removed);
    /// `date` goes into the Date header in Swedish local time with a numeric zone.
    public static func render(_ message: MailMessage, fromAddress: String, fromName: String, messageID: String, date: Date) -> String {
        render(message, fromAddress: fromAddress, fromName: fromName, messageID: messageID, date: date, boundary: newBoundary())
    }

    static func render(_ message: MailMessage, fromAddress: String, fromName: String, messageID: String, date: Date, boundary: String) -> String {
        var lines: [String] = []
        lines.append(MIMEHeader.address(name: "From", displayName: fromName, address: fromAddress))
        lines.append(MIMEHeader.address(name: "To", displayName: message.toName, address: message.to))
        lines.append(MIMEHeader.unstructured(name: "Subject", value: message.subject))
        lines.append("Date: \(MIMEHeader.date(date))")
        lines.append("Message-ID: <\(MIMEHeader.messageID(messageID))>")
        // RFC 3834: out-of-office robots must not answer system mail.
        lines.append("Auto-Submitted: auto-generated")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("--\(boundary)")
        lines.append(contentsOf: part(type: "text/plain", body: message.text))
        lines.append("--\(boundary)")
        lines.append(contentsOf: part(type: "text/html", body: message.html))
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// "=_" cannot occur in base64 text (no "_" in its alphabet, "=" only as trailing padding),
    /// so the boundary can never appear inside a part.
    static func newBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
        return "=_communis_\(random.joined())"  // 128 random bits
    }

    private static func part(type: String, body: String) -> [String] {
        [
            "Content-Type: \(type); charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ] + base64Lines(canonicalLineEnds(body))
    }

    /// RFC 2045 §6.8: text is base64-encoded in its canonical form, with CRLF line breaks.
    static func canonicalLineEnds(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Base64 of the UTF-8 bytes in lines of at most 76 characters (RFC 2045 §6.8).
    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
