import CCurl
import CommunisServices

/// Sorts a failed send into "try again later" and "this message can never be delivered".
///
/// Only a 5xx reply to the recipient or to the message itself is permanent: everything else
/// (no connection, timeouts, TLS, a refused password, a refused sender, 4xx replies) is the
/// network's or the administrator's to fix, and the mail must wait in the outbox meanwhile.
enum SMTPFailure {
    /// nil when `attempt` succeeded.
    static func classify(_ attempt: SMTPAttempt, settings: SMTPSettings, recipient: String) -> MailError? {
        let code = attempt.curlCode
        if code == CURLE_OK { return nil }
        let server = "the SMTP server \(settings.serverDescription)"
        var details = ["libcurl error \(code.rawValue): \(attempt.curlText)"]
        if !attempt.reply.isEmpty { details.insert("server replied \"\(attempt.reply)\"", at: 0) }
        else if attempt.replyCode > 0 { details.insert("last reply code \(attempt.replyCode)", at: 0) }
        let detail = " (" + details.joined(separator: "; ") + ")"

        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return .temporary("cannot resolve the SMTP host name \"\(settings.host)\"\(detail)")
        case CURLE_COULDNT_CONNECT:
            return .temporary("cannot connect to \(server)\(detail)")
        case CURLE_OPERATION_TIMEDOUT:
            return .temporary("\(server) did not finish within the timeout of \(settings.timeoutSeconds) s, during \(attempt.stage.rawValue)\(detail)")
        case CURLE_USE_SSL_FAILED:
            return .temporary("\(server) does not offer STARTTLS, and mail is never sent unencrypted: enable STARTTLS on the server or use implicit TLS (usually port 465)\(detail)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS:
            let trust = settings.caFile.isEmpty ? "the system's trusted CAs" : "the CA file \(settings.caFile)"
            return .temporary("the TLS certificate of \(server) was not accepted when checked against \(trust): give the CA certificate that signed it as the SMTP CA file, and check that the host name is one the certificate names\(detail)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            return .temporary("the TLS handshake with \(server) failed\(detail)")
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .temporary(authentication(server, settings, detail))
        default:
            break
        }
        if attempt.stage == .auth { return .temporary(authentication(server, settings, detail)) }
        switch attempt.replyCode {
        case 400..<500:
            return .temporary("\(server) answered \(attempt.stage.rawValue) with a temporary refusal; the mail is sent again later\(detail)")
        case 500..<600 where attempt.stage == .rcpt:
            return .permanent("\(server) refused the recipient \(recipient)\(detail)")
        case 500..<600 where attempt.stage == .data:
            return .permanent("\(server) refused the message\(detail)")
        case 552 where attempt.stage == .mail:
            return .permanent("\(server) refused the message as too large\(detail)")
        case 500..<600 where attempt.stage == .mail:
            return .temporary("\(server) refused the sender \(settings.fromAddress): check that this account may send as that address and whether the server requires authentication\(detail)")
        default:
            return .temporary("sending through \(server) failed during \(attempt.stage.rawValue)\(detail)")
        }
    }

    private static func authentication(_ server: String, _ settings: SMTPSettings, _ detail: String) -> String {
        let who = settings.username.isEmpty ? "without a user name" : "as \"\(settings.username)\""
        return "\(server) refused authentication \(who): check the SMTP user name and password\(detail)"
    }
}
