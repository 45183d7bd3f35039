import Foundation

/// Where and how outgoing mail is handed over: one SMTP submission server.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection to the server is protected.
    public enum Security: String, Sendable, Equatable {
        /// Plain connection upgraded with STARTTLS (port 587). A server that does not offer
        /// STARTTLS is an error: mail is never sent unencrypted by accident.
        case startTLS
        /// Implicit TLS from the first byte ("smtps", port 465).
        case tls
        /// No encryption at all: only for a server on the loopback interface or in a lab.
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Empty together with `password` means no authentication.
    public var username: String
    /// Empty means no AUTH. Never logged, never part of an error message.
    public var password: String
    /// The envelope sender and the From header's address.
    public var fromAddress: String
    /// The From header's display name (may be non-ASCII; it is encoded).
    public var fromName: String
    /// A PEM file with the CA certificate(s) to trust; empty means the system trust store.
    public var caFile: String
    /// Turn off only in a lab: without it anyone on the path can read the mail.
    public var verifyCertificates: Bool
    /// The longest one send may take, connecting included.
    public var timeoutSeconds: Int
    /// The name given in EHLO; empty means libcurl's default (this machine's host name).
    public var heloName: String

    public init(
        host: String,
        port: Int = 587,
        security: Security = .startTLS,
        username: String = "",
        password: String = "",
        fromAddress: String,
        fromName: String = "Communis",
        caFile: String = "",
        verifyCertificates: Bool = true,
        timeoutSeconds: Int = 30,
        heloName: String = ""
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.caFile = caFile
        self.verifyCertificates = verifyCertificates
        self.timeoutSeconds = timeoutSeconds
        self.heloName = heloName
    }

    /// The URL libcurl connects to; its path is the EHLO name.
    var url: String {
        let scheme = security == .tls ? "smtps" : "smtp"
        // An IPv6 literal needs brackets inside a URL.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let helo = heloName.addingPercentEncoding(withAllowedCharacters: Self.heloAllowed) ?? ""
        return "\(scheme)://\(hostPart):\(port)/\(helo)"
    }

    /// "smtp.example.se:587 (STARTTLS)", for log lines and error messages.
    var serverDescription: String {
        let mode = switch security {
        case .startTLS: "STARTTLS"
        case .tls: "implicit TLS"
        case .none: "no TLS"
        }
        return "\(host):\(port) (\(mode))"
    }

    /// Why these settings cannot work at all, or nil.
    var problem: String? {
        if host.isEmpty { return "no SMTP host is configured" }
        if host.contains(where: { "/@?#% \t\r\n".contains($0) }) { return "the SMTP host \"\(host)\" is not a host name or address" }
        if !(1...65535).contains(port) { return "the SMTP port \(port) is not between 1 and 65535" }
        if timeoutSeconds < 1 { return "the SMTP timeout must be at least one second" }
        if !MailAddress.isPlausible(fromAddress) { return "the sender address \"\(fromAddress)\" is not an e-mail address" }
        return nil
    }

    private static let heloAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: ".-")
        return set
    }()
}

/// Address checks made before anything is sent, so a bad address is never put into an SMTP
/// command (where a CR or LF would inject commands of its own).
enum MailAddress {
    /// One `local@domain` without spaces, control characters or angle brackets.
    static func isPlausible(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex,
              address.index(after: at) != address.endIndex else { return false }
        return !address.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
    }
}
