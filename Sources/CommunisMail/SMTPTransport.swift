import CommunisServices
import Foundation
import Logging
import NIOPosix

/// Sends mail through one SMTP submission server with libcurl: STARTTLS (required, never
/// optional) or implicit TLS, certificate checks against the system's or a given CA, and
/// AUTH when a password is set. Each send is one connection and one libcurl handle, run on
/// `NIOThreadPool.singleton` because every libcurl call blocks.
///
/// Failures are `MailError.temporary` unless the server refused the recipient or the message
/// with a 5xx reply (see `SMTPFailure`); their messages name the server, its reply and
/// libcurl's explanation, never the password.
public final class SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    private let logger: Logger
    /// Runs the blocking libcurl calls; a send holds a thread for up to `timeoutSeconds`.
    private let threadPool: NIOThreadPool

    public init(settings: SMTPSettings, logger: Logger, threadPool: NIOThreadPool = .singleton) {
        self.settings = settings
        self.logger = logger
        self.threadPool = threadPool
        if settings.security == .none, !Self.isLoopback(settings.host) {
            logger.warning("SMTP without TLS to a host that is not this machine: mail and the SMTP password cross the network readable by anyone on the path", metadata: ["smtp.server": "\(settings.serverDescription)"])
        }
    }

    public func send(_ message: MailMessage, messageID: String) async throws {
        if let problem = settings.problem {
            throw MailError.temporary("the SMTP settings cannot work: \(problem)")
        }
        guard MailAddress.isPlausible(message.to) else {
            throw MailError.permanent("the recipient \"\(message.to)\" is not an e-mail address")
        }
        let text = MIMEMessage.render(message, fromAddress: settings.fromAddress, fromName: settings.fromName, messageID: messageID, date: Date())
        let settings = self.settings
        let recipient = message.to
        let attempt: SMTPAttempt
        do {
            attempt = try await threadPool.runIfActive {
                CurlSMTP.send(settings: settings, recipient: recipient, message: Array(text.utf8))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw MailError.temporary("the thread pool that runs libcurl is not running: \(error)")
        }
        var metadata: Logger.Metadata = [
            "smtp.server": "\(settings.serverDescription)",
            "mail.message_id": "\(messageID)",
            "smtp.reply_code": "\(attempt.replyCode)",
        ]
        guard let failure = SMTPFailure.classify(attempt, settings: settings, recipient: recipient) else {
            logger.info("mail handed to the SMTP server", metadata: metadata)
            return
        }
        metadata["curl.code"] = "\(attempt.curlCode.rawValue)"
        metadata["mail.error"] = "\(failure)"
        logger.warning("mail not sent", metadata: metadata)
        throw failure
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}

extension SMTPSettings: CustomStringConvertible {
    /// Everything but the password, so the settings can be logged as they are.
    public var description: String {
        "SMTPSettings(\(serverDescription), user: \"\(username)\", password: \(password.isEmpty ? "none" : "set"), from: \"\(fromName)\" <\(fromAddress)>, caFile: \"\(caFile)\", verifyCertificates: \(verifyCertificates), timeout: \(timeoutSeconds) s, helo: \"\(heloName)\")"
    }
}
