import Foundation

/// One e-mail, rendered: the outbox stores exactly this and the transport sends it.
public struct MailMessage: Sendable, Equatable {
    /// The recipient's address (one recipient per message).
    public var to: String
    /// The recipient's name for the To header; may be empty.
    public var toName: String
    public var subject: String
    /// The text/plain part (UTF-8).
    public var text: String
    /// The text/html part (UTF-8); every value inserted into it was HTML-escaped.
    public var html: String

    public init(to: String, toName: String = "", subject: String, text: String, html: String) {
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Why a message was not sent. `temporary` (connection refused, timeout, 4xx reply) is
/// retried with back-off; `permanent` (5xx reply such as an unknown recipient) is not.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    case temporary(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let why): "temporary mail failure: \(why)"
        case .permanent(let why): "permanent mail failure: \(why)"
        }
    }
}

/// Sends one message. Implemented over SMTP (STARTTLS, authentication) by
/// `CommunisMail.SMTPTransport`; the outbox calls it, never a request.
public protocol MailTransport: Sendable {
    /// Sends `message` with `messageID` as its Message-ID header (so a retry after an
    /// unclear failure is recognisable as the same message).
    func send(_ message: MailMessage, messageID: String) async throws
}
