import Foundation

/// The organisation's directory (`directory.*`); `url` empty means no directory.
public struct DirectoryConfiguration: Sendable, Equatable {
    public var url: String
    public var kind: String
    public var startTLS: Bool
    public var caFile: String
    public var verifyCertificates: Bool
    public var bindDN: String
    public var bindPassword: String
    public var userBase: String
    public var userFilter: String
    public var groupBase: String
    public var groupFilter: String
    public var syncIntervalMinutes: Int
    public var pageSize: Int
    public var timeoutSeconds: Int
    public var linkByEmail: Bool
    public var maxDisablePercent: Int
    /// Attribute overrides by role (id, login, name, email, title, department, workplace,
    /// phone); only the non-empty ones.
    public var attributes: [String: String]

    public var isEnabled: Bool { !url.isEmpty }
}

/// OpenID Connect (`oidc.*`); `issuer` empty means off.
public struct OIDCConfiguration: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    public var scopes: [String]
    public var groupsClaim: String
    public var displayName: String

    public var isEnabled: Bool { !issuer.isEmpty }
}

/// Outgoing e-mail (`mail.*`); `smtpHost` empty means no e-mail.
public struct MailConfiguration: Sendable, Equatable {
    public var smtpHost: String
    public var smtpPort: Int
    public var security: String
    public var username: String
    public var password: String
    public var fromAddress: String
    public var fromName: String
    public var caFile: String
    public var verifyCertificates: Bool
    public var timeoutSeconds: Int
    public var maxAttempts: Int
    public var retentionDays: Int

    public var isEnabled: Bool { !smtpHost.isEmpty }
}

extension Configuration {
    static let attributeRoles = ["id", "login", "name", "email", "title", "department", "workplace", "phone"]

    /// The keys of directory login, OpenID Connect, e-mail and the audit log.
    static let identityKeys: [ConfigurationKey] = [
        .init(name: "directory.url", kind: .string, defaultValue: .string(""),
              help: "LDAP URL of the directory, ldap://host:389 or ldaps://host:636 (several separated by spaces). Empty: no directory."),
        .init(name: "directory.kind", kind: .choice(["openldap", "active-directory"]), defaultValue: .string("openldap"),
              help: "Sets the attribute, filter and nested-group defaults of the directory."),
        .init(name: "directory.start_tls", kind: .boolean, defaultValue: .boolean(false),
              help: "Use StartTLS on an ldap:// URL."),
        .init(name: "directory.ca_file", kind: .string, defaultValue: .string(""),
              help: "PEM file of the CA that signed the directory's certificate. Empty: the system's trust store."),
        .init(name: "directory.verify_certificates", kind: .boolean, defaultValue: .boolean(true),
              help: "Check the directory's certificate (turn off only in a lab)."),
        .init(name: "directory.bind_dn", kind: .string, defaultValue: .string(""),
              help: "The service account that searches the directory. Empty: anonymous."),
        .init(name: "directory.bind_password", kind: .string, defaultValue: .string(""),
              help: "Its password; usually given as COMMUNIS_DIRECTORY_BIND_PASSWORD."),
        .init(name: "directory.user_base", kind: .string, defaultValue: .string(""),
              help: "Where people are searched, e.g. ou=people,dc=katrineholm,dc=se."),
        .init(name: "directory.user_filter", kind: .string, defaultValue: .string(""),
              help: "Finds a person by {login} (escaped per RFC 4515). Empty: the kind's default."),
        .init(name: "directory.group_base", kind: .string, defaultValue: .string(""),
              help: "Where groups are searched. Empty: the user base."),
        .init(name: "directory.group_filter", kind: .string, defaultValue: .string(""),
              help: "Which entries are groups. Empty: the kind's default."),
        .init(name: "directory.sync_interval_minutes", kind: .integer(0...10080), defaultValue: .integer(60),
              help: "Minutes between directory syncs; 0: only `communis directory sync` and the admin page."),
        .init(name: "directory.page_size", kind: .integer(1...5000), defaultValue: .integer(500),
              help: "Entries per page of paged searches (Active Directory returns at most 1000)."),
        .init(name: "directory.timeout_seconds", kind: .integer(1...300), defaultValue: .integer(10),
              help: "Connect and answer timeout of each directory call."),
        .init(name: "directory.link_by_email", kind: .boolean, defaultValue: .boolean(true),
              help: "On first sight, link a directory person to an existing account with the same e-mail instead of making a second one."),
        .init(name: "directory.max_disable_percent", kind: .integer(1...100), defaultValue: .integer(50),
              help: "A sync that would disable more than this share of the directory's people changes nothing (a wrong filter must not disable everyone)."),
    ] + attributeRoles.map { role in
        .init(name: "directory.attributes.\(role)", kind: .string, defaultValue: .string(""),
              help: "The directory attribute for the person's \(role). Empty: the kind's default.")
    } + [
        .init(name: "oidc.issuer", kind: .string, defaultValue: .string(""),
              help: "The OpenID Connect provider's issuer URL (https). Empty: no OIDC login."),
        .init(name: "oidc.client_id", kind: .string, defaultValue: .string(""),
              help: "The client id registered for Communis at the provider."),
        .init(name: "oidc.client_secret", kind: .string, defaultValue: .string(""),
              help: "Its secret; usually given as COMMUNIS_OIDC_CLIENT_SECRET. Empty: a public client (PKCE only)."),
        .init(name: "oidc.scopes", kind: .stringList, defaultValue: .stringList(["openid", "profile", "email"]),
              help: "Scopes asked for; openid is always included."),
        .init(name: "oidc.groups_claim", kind: .string, defaultValue: .string("groups"),
              help: "The ID token claim that lists the person's groups (for group rules)."),
        .init(name: "oidc.display_name", kind: .string, defaultValue: .string(""),
              help: "The provider's name on the login button. Empty: the issuer's host."),
        .init(name: "mail.smtp_host", kind: .string, defaultValue: .string(""),
              help: "The SMTP server that sends Communis's e-mail. Empty: no e-mail."),
        .init(name: "mail.smtp_port", kind: .integer(1...65535), defaultValue: .integer(587),
              help: "Its port: 587 for STARTTLS, 465 for TLS."),
        .init(name: "mail.security", kind: .choice(["starttls", "tls", "none"]), defaultValue: .string("starttls"),
              help: "starttls (required, never falls back to plain text), tls (implicit), or none (a relay on this machine only)."),
        .init(name: "mail.username", kind: .string, defaultValue: .string(""),
              help: "SMTP login. Empty: no authentication."),
        .init(name: "mail.password", kind: .string, defaultValue: .string(""),
              help: "SMTP password; usually given as COMMUNIS_MAIL_PASSWORD."),
        .init(name: "mail.from_address", kind: .string, defaultValue: .string(""),
              help: "The sender address, e.g. communis@katrineholm.se."),
        .init(name: "mail.from_name", kind: .string, defaultValue: .string("Communis"),
              help: "The sender's name."),
        .init(name: "mail.ca_file", kind: .string, defaultValue: .string(""),
              help: "PEM file of the CA of the SMTP server's certificate. Empty: the system's trust store."),
        .init(name: "mail.verify_certificates", kind: .boolean, defaultValue: .boolean(true),
              help: "Check the SMTP server's certificate (turn off only in a lab)."),
        .init(name: "mail.timeout_seconds", kind: .integer(1...600), defaultValue: .integer(30),
              help: "Timeout of one SMTP conversation."),
        .init(name: "mail.max_attempts", kind: .integer(1...100), defaultValue: .integer(12),
              help: "Attempts per message (30 s, 1, 2, 4 … minutes apart, at most an hour) before it is given up."),
        .init(name: "mail.retention_days", kind: .integer(1...3650), defaultValue: .integer(30),
              help: "Days sent and failed messages stay listed in the outbox."),
        .init(name: "audit.retention_days", kind: .integer(1...36500), defaultValue: .integer(365),
              help: "Days audit entries are kept."),
    ]

    static func directory(_ string: (String) -> String, _ int: (String) -> Int, _ bool: (String) -> Bool) -> DirectoryConfiguration {
        var attributes: [String: String] = [:]
        for role in attributeRoles where !string("directory.attributes.\(role)").isEmpty {
            attributes[role] = string("directory.attributes.\(role)")
        }
        return DirectoryConfiguration(
            url: string("directory.url").trimmingCharacters(in: .whitespaces), kind: string("directory.kind"),
            startTLS: bool("directory.start_tls"), caFile: string("directory.ca_file"),
            verifyCertificates: bool("directory.verify_certificates"), bindDN: string("directory.bind_dn"),
            bindPassword: string("directory.bind_password"), userBase: string("directory.user_base"),
            userFilter: string("directory.user_filter"), groupBase: string("directory.group_base"),
            groupFilter: string("directory.group_filter"), syncIntervalMinutes: int("directory.sync_interval_minutes"),
            pageSize: int("directory.page_size"), timeoutSeconds: int("directory.timeout_seconds"),
            linkByEmail: bool("directory.link_by_email"), maxDisablePercent: int("directory.max_disable_percent"), attributes: attributes)
    }

    static func oidc(_ string: (String) -> String, _ list: (String) -> [String]) -> OIDCConfiguration {
        OIDCConfiguration(
            issuer: string("oidc.issuer").trimmingCharacters(in: .whitespaces), clientID: string("oidc.client_id"),
            clientSecret: string("oidc.client_secret"), scopes: list("oidc.scopes"), groupsClaim: string("oidc.groups_claim"),
            displayName: string("oidc.display_name"))
    }

    static func mail(_ string: (String) -> String, _ int: (String) -> Int, _ bool: (String) -> Bool) -> MailConfiguration {
        MailConfiguration(
            smtpHost: string("mail.smtp_host").trimmingCharacters(in: .whitespaces), smtpPort: int("mail.smtp_port"),
            security: string("mail.security"), username: string("mail.username"), password: string("mail.password"),
            fromAddress: string("mail.from_address"), fromName: string("mail.from_name"), caFile: string("mail.ca_file"),
            verifyCertificates: bool("mail.verify_certificates"), timeoutSeconds: int("mail.timeout_seconds"),
            maxAttempts: int("mail.max_attempts"), retentionDays: int("mail.retention_days"))
    }

    /// Combinations a single key cannot check.
    func validateIdentity() throws {
        if directory.isEnabled {
            guard directory.url.split(separator: " ").allSatisfy({ $0.hasPrefix("ldap://") || $0.hasPrefix("ldaps://") }) else {
                throw ConfigurationError("directory.url: \"\(directory.url)\" must be ldap://host[:port] or ldaps://host[:port]")
            }
            if directory.userBase.isEmpty { throw ConfigurationError("directory.user_base must be set when directory.url is") }
            if !directory.userFilter.isEmpty && !directory.userFilter.contains("{login}") {
                throw ConfigurationError("directory.user_filter must contain {login}")
            }
        }
        if oidc.isEnabled {
            guard let url = URL(string: oidc.issuer), url.host != nil, ["https", "http"].contains(url.scheme ?? "") else {
                throw ConfigurationError("oidc.issuer: \"\(oidc.issuer)\" is not a URL like https://login.example.se/realms/kommun")
            }
            if oidc.clientID.isEmpty { throw ConfigurationError("oidc.client_id must be set when oidc.issuer is") }
        }
        if mail.isEnabled {
            let from = mail.fromAddress.trimmingCharacters(in: .whitespaces)
            guard from.contains("@"), !from.contains(" ") else {
                throw ConfigurationError("mail.from_address must be an e-mail address when mail.smtp_host is set")
            }
        }
        for proxy in trustedProxies where TrustedProxies.parse(proxy) == nil {
            throw ConfigurationError("server.trusted_proxies: \"\(proxy)\" is not an IP address or a CIDR range like 10.0.0.0/8")
        }
    }
}
