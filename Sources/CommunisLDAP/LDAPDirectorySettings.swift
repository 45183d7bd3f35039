import CommunisServices
import Foundation

/// How Communis reaches and reads the organisation's directory. The server's configuration
/// (`directory.*` keys) maps onto these fields; `LDAPDirectory.init` checks them.
public struct LDAPDirectorySettings: Sendable, Equatable, CustomStringConvertible {
    /// Which attribute set, filters and nested-group method to use by default.
    public enum Kind: String, Sendable {
        case openLDAP = "openldap"
        case activeDirectory = "active-directory"
    }

    /// `ldap://host:port` or `ldaps://host:port`; several space-separated URLs are tried in
    /// order, as libldap does.
    public var url: String
    public var kind: Kind
    /// StartTLS on an `ldap://` URL.
    public var startTLS: Bool
    /// PEM file of the CA(s) that signed the directory's certificate; empty: libldap's default
    /// trust store (`TLS_CACERT` of ldap.conf, Debian: the system's CA bundle).
    public var caFile: String
    /// False only for tests and labs: the certificate is not checked at all (logged as a warning).
    public var verifyCertificates: Bool
    /// The service account that searches the directory; empty: anonymous searches.
    public var bindDN: String
    public var bindPassword: String
    public var userBase: String
    /// Empty: the kind's default. Must contain `{login}`.
    public var userFilter: String
    /// Empty: `userBase`.
    public var groupBase: String
    /// Empty: the kind's default.
    public var groupFilter: String
    /// Attribute names by role, overriding the kind's defaults. Roles: id, login, name, email,
    /// title, department, workplace, phone.
    public var attributes: [String: String]
    /// Entries per page of a paged search (RFC 2696). Active Directory answers at most 1000.
    public var pageSize: Int
    /// The network connect timeout and the limit of each operation.
    public var timeoutSeconds: Int

    public init(
        url: String, kind: Kind = .openLDAP, startTLS: Bool = false, caFile: String = "", verifyCertificates: Bool = true,
        bindDN: String = "", bindPassword: String = "", userBase: String, userFilter: String = "", groupBase: String = "",
        groupFilter: String = "", attributes: [String: String] = [:], pageSize: Int = 500, timeoutSeconds: Int = 10
    ) {
        self.url = url
        self.kind = kind
        self.startTLS = startTLS
        self.caFile = caFile
        self.verifyCertificates = verifyCertificates
        self.bindDN = bindDN
        self.bindPassword = bindPassword
        self.userBase = userBase
        self.userFilter = userFilter
        self.groupBase = groupBase
        self.groupFilter = groupFilter
        self.attributes = attributes
        self.pageSize = pageSize
        self.timeoutSeconds = timeoutSeconds
    }

    /// The roles `attributes` may name.
    public static let attributeRoles = ["id", "login", "name", "email", "title", "department", "workplace", "phone"]

    /// The attribute of every role: the kind's defaults with `attributes` laid over them.
    public var effectiveAttributes: [String: String] {
        kind.defaultAttributes.merging(attributes.mapValues { $0.trimmingCharacters(in: .whitespaces) }) { _, override in override }
    }

    /// The user filter in use, still with `{login}` in it.
    public var effectiveUserFilter: String {
        userFilter.trimmingCharacters(in: .whitespaces).isEmpty ? kind.defaultUserFilter : userFilter.trimmingCharacters(in: .whitespaces)
    }

    public var effectiveGroupFilter: String {
        groupFilter.trimmingCharacters(in: .whitespaces).isEmpty ? kind.defaultGroupFilter : groupFilter.trimmingCharacters(in: .whitespaces)
    }

    public var effectiveGroupBase: String {
        groupBase.trimmingCharacters(in: .whitespaces).isEmpty ? userBase : groupBase
    }

    /// The URLs libldap is given, one by one.
    var urls: [String] { url.split(whereSeparator: \.isWhitespace).map(String.init) }

    /// Whether any connection negotiates TLS, so the TLS options matter.
    var usesTLS: Bool { startTLS || urls.contains { $0.lowercased().hasPrefix("ldaps://") } }

    /// Without the password, so settings can be logged.
    public var description: String {
        "LDAPDirectorySettings(url: \(url), kind: \(kind.rawValue), startTLS: \(startTLS), caFile: \(caFile), "
            + "verifyCertificates: \(verifyCertificates), bindDN: \(bindDN), userBase: \(userBase), "
            + "userFilter: \(effectiveUserFilter), groupBase: \(effectiveGroupBase), groupFilter: \(effectiveGroupFilter), "
            + "pageSize: \(pageSize), timeoutSeconds: \(timeoutSeconds))"
    }

    /// Every problem an administrator must fix before the directory can be used, or nil.
    func problem() -> String? {
        let urls = self.urls
        if urls.isEmpty { return "no directory URL is set (ldap://host:389 or ldaps://host:636)" }
        for url in urls {
            let lower = url.lowercased()
            guard lower.hasPrefix("ldap://") || lower.hasPrefix("ldaps://") else {
                return "the directory URL \(url) must start with ldap:// or ldaps://"
            }
            if startTLS && lower.hasPrefix("ldaps://") {
                return "StartTLS is for ldap:// URLs; \(url) is already encrypted (turn StartTLS off or use ldap://)"
            }
        }
        if userBase.trimmingCharacters(in: .whitespaces).isEmpty { return "the user base (the DN to search for people) is empty" }
        let filter = effectiveUserFilter
        if !filter.contains("{login}") { return "the user filter \(filter) must contain {login}, where the login name goes" }
        for (name, candidate) in [("user", filter), ("group", effectiveGroupFilter)] where !(candidate.hasPrefix("(") && candidate.hasSuffix(")")) {
            return "the \(name) filter \(candidate) must be enclosed in parentheses"
        }
        let unknown = attributes.keys.filter { !Self.attributeRoles.contains($0) }.sorted()
        if !unknown.isEmpty {
            return "unknown attribute role\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) (known: \(Self.attributeRoles.joined(separator: ", ")))"
        }
        if let empty = attributes.first(where: { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }) {
            return "the attribute for \(empty.key) is empty"
        }
        if !bindDN.isEmpty && bindPassword.isEmpty {
            return "the service account \(bindDN) has no password (an empty password would be an unauthenticated bind)"
        }
        if pageSize < 1 || pageSize > 100_000 { return "the page size \(pageSize) must be between 1 and 100000 (Active Directory answers at most 1000)" }
        if timeoutSeconds < 1 || timeoutSeconds > 600 { return "the timeout \(timeoutSeconds) s must be between 1 and 600 seconds" }
        if !caFile.isEmpty && !FileManager.default.isReadableFile(atPath: caFile) {
            return "the CA file \(caFile) does not exist or cannot be read"
        }
        return nil
    }
}

extension LDAPDirectorySettings.Kind {
    /// The attribute of each role in a directory of this kind.
    public var defaultAttributes: [String: String] {
        switch self {
        case .openLDAP:
            ["id": "entryUUID", "login": "uid", "name": "cn", "email": "mail", "title": "title", "department": "ou",
             "workplace": "physicalDeliveryOfficeName", "phone": "telephoneNumber"]
        case .activeDirectory:
            ["id": "objectGUID", "login": "sAMAccountName", "name": "displayName", "email": "mail", "title": "title",
             "department": "department", "workplace": "physicalDeliveryOfficeName", "phone": "telephoneNumber"]
        }
    }

    public var defaultUserFilter: String {
        switch self {
        case .openLDAP: "(&(objectClass=inetOrgPerson)(|(uid={login})(mail={login})))"
        case .activeDirectory:
            "(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={login})(userPrincipalName={login})(mail={login})))"
        }
    }

    public var defaultGroupFilter: String {
        switch self {
        case .openLDAP: "(objectClass=groupOfNames)"
        case .activeDirectory: "(objectClass=group)"
        }
    }

    /// The attribute that marks a person as disabled (ppolicy's lock, AD's userAccountControl).
    var disabledAttribute: String {
        switch self {
        case .openLDAP: "pwdAccountLockedTime"
        case .activeDirectory: "userAccountControl"
        }
    }
}
