import Foundation

/// A person as an outside identity system describes them, in the form the store keeps:
/// the directory (`provider` "directory", `subject` = entryUUID/objectGUID) or an OpenID
/// Connect provider (`provider` = the issuer, `subject` = `sub`). People are found again by
/// (`provider`, `subject`) only, never by login name or e-mail.
public struct ExternalProfile: Sendable, Equatable {
    public static let directoryProvider = "directory"

    public var provider: String
    public var subject: String
    public var managedBy: ManagedBy
    /// The directory login name (lowercased); nil for OIDC people.
    public var login: String?
    public var name: String
    /// Empty when the system knows no address.
    public var email: String
    /// Job fields; nil leaves what Communis has (an ID token carries none of them).
    public var title: String?
    public var department: String?
    public var workplace: String?
    public var phone: String?
    /// Disabled in the outside system.
    public var disabled: Bool

    public init(
        provider: String, subject: String, managedBy: ManagedBy, login: String? = nil, name: String, email: String,
        title: String? = nil, department: String? = nil, workplace: String? = nil, phone: String? = nil, disabled: Bool = false
    ) {
        self.provider = provider
        self.subject = subject
        self.managedBy = managedBy
        self.login = login
        self.name = name
        self.email = email
        self.title = title
        self.department = department
        self.workplace = workplace
        self.phone = phone
        self.disabled = disabled
    }

    /// A name, e-mail and job fields cut to the limits Communis keeps, so a long directory
    /// value never fails a login.
    public var clamped: ExternalProfile {
        var copy = self
        func cut(_ text: String, _ max: Int) -> String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.count <= max ? trimmed : String(trimmed.prefix(max))
        }
        copy.name = cut(name, Limits.nameLength)
        if copy.name.isEmpty { copy.name = login ?? subject }
        copy.email = Email.isPlausible(Email.normalize(email)) ? Email.normalize(email) : ""
        copy.login = login.map { cut($0, Limits.nameLength).lowercased() }
        copy.title = title.map { cut($0, Limits.titleLength) }
        copy.department = department.map { cut($0, Limits.departmentLength) }
        copy.workplace = workplace.map { cut($0, Limits.workplaceLength) }
        copy.phone = phone.map { cut($0, Limits.phoneLength) }
        return copy
    }
}

/// A group a person belongs to according to an outside system. Keys: `directory:<uuid>`
/// for directory groups (keyed on the group's entryUUID/objectGUID so a renamed group keeps
/// its rules), `oidc:<claim value>` for values of the ID token's groups claim.
public struct ExternalGroup: Sendable, Equatable, Hashable {
    public enum Source: String, Sendable, Codable { case directory, oidc }

    public var key: String
    public var name: String
    public var source: Source
    /// The group's DN (directory groups), for administrators to recognise.
    public var dn: String

    public init(key: String, name: String, source: Source, dn: String = "") {
        self.key = key
        self.name = name
        self.source = source
        self.dn = dn
    }

    public static func directoryKey(_ stableID: String) -> String { "directory:\(stableID.lowercased())" }
    public static func oidcKey(_ value: String) -> String { "oidc:\(value)" }
}
