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
    public var email: String
    public var name: String
    public var role: Role
    public var profile: Profile
    public var disabled: Bool
    public var createdAt: Date
    public var lastLoginAt: Date?
    /// Set while the account is locked after too many failed logins.
    public var lockedUntil: Date?

    public init(
        id: PersonID = PersonID(), email: String, name: String, role: Role, profile: Profile = Profile(),
        disabled: Bool = false, createdAt: Date = Date(), lastLoginAt: Date? = nil, lockedUntil: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.profile = profile
        self.disabled = disabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
        self.lockedUntil = lockedUntil
    }
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
