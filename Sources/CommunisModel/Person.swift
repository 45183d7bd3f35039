import Foundation

/// What a person may do in Communis as a whole. Workspace rights come on top of this.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Manages accounts; otherwise an employee.
    case admin
    /// An employee (medarbetare): the directory, open workspaces, creating workspaces.
    case member
    /// Someone from outside (partner, citizen, parent): sees only the workspaces they were
    /// invited to, and nothing else, not even the people directory.
    case guest

    public var isEmployee: Bool { self != .guest }
}

/// The profile fields a person's colleagues see.
public struct Profile: Sendable, Equatable, Codable {
    public var title: String
    public var department: String
    public var workplace: String
    public var phone: String
    public var presentation: String
    public var competences: [String]

    public init(
        title: String = "", department: String = "", workplace: String = "", phone: String = "",
        presentation: String = "", competences: [String] = []
    ) {
        self.title = title
        self.department = department
        self.workplace = workplace
        self.phone = phone
        self.presentation = presentation
        self.competences = competences
    }
}

/// A person with an account: employee, administrator or guest.
public struct Person: Sendable, Equatable, Identifiable {
    public var id: PersonID
    /// Empty when the person has no address (a directory entry without `mail`).
    public var email: String
    public var name: String
    public var role: Role
    public var profile: Profile
    public var disabled: Bool
    public var createdAt: Date
    public var lastLoginAt: Date?
    /// The directory login name (uid / sAMAccountName), lowercased; nil for local accounts.
    public var login: String?
    /// Which outside system owns the person's name, e-mail and job fields; nil for local
    /// accounts (guests, break-glass administrators, accounts made by hand).
    public var managedBy: ManagedBy?
    /// Whether group rules decide the role (`rules`) or an administrator set it (`manual`).
    public var roleSource: RoleSource
    /// Who disabled the account; the directory re-enables only what it disabled itself.
    public var disabledBy: DisabledBy?
    /// The identity provider said the person's groups were elsewhere (Entra ID's group
    /// overage), so group rules could not be applied at their last login.
    public var groupsUnreadable: Bool

    public init(
        id: PersonID = PersonID(), email: String, name: String, role: Role, profile: Profile = Profile(),
        disabled: Bool = false, createdAt: Date = Date(), lastLoginAt: Date? = nil, login: String? = nil,
        managedBy: ManagedBy? = nil, roleSource: RoleSource = .manual, disabledBy: DisabledBy? = nil,
        groupsUnreadable: Bool = false
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.profile = profile
        self.disabled = disabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
        self.login = login
        self.managedBy = managedBy
        self.roleSource = roleSource
        self.disabledBy = disabledBy
        self.groupsUnreadable = groupsUnreadable
    }

    /// The fields the person (and administrators) cannot change in Communis because an
    /// outside system owns them; competences and the presentation stay the person's own.
    public var managedFields: [String] {
        switch managedBy {
        case nil: []
        case .directory?: ["name", "email", "title", "department", "workplace", "phone"]
        // An ID token carries a name and an address, no job fields.
        case .oidc?: ["name", "email"]
        }
    }
}

/// The outside system that owns a person's identity and profile fields.
public enum ManagedBy: String, Sendable, Codable, CaseIterable {
    /// LDAP / Active Directory: name, e-mail, title, department, workplace, phone.
    case directory
    /// An OpenID Connect provider (Entra ID, Keycloak): name and e-mail from the ID token.
    case oidc
}

/// Where a person's role comes from.
public enum RoleSource: String, Sendable, Codable, CaseIterable {
    /// An administrator set it; rules leave it alone.
    case manual
    /// The group rules decide it at each login and sync.
    case rules
}

/// Who disabled an account.
public enum DisabledBy: String, Sendable, Codable, CaseIterable {
    case admin
    case directory
}

public enum Email {
    /// E-mail addresses are compared and stored in lower case, trimmed.
    public static func normalize(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// A deliberately simple check (local@domain.tld, no spaces): the directory, not this
    /// function, is the authority on which addresses exist.
    public static func isPlausible(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace }) else { return false }
        return email.count <= Limits.emailLength
    }
}
