import Foundation

/// What an audit entry records. The raw values are stable: they are stored, filtered on,
/// exported and documented in docs/openapi.yaml (`AuditAction`).
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case logout = "logout"
    case sessionEnded = "session.ended"
    case passwordChanged = "password.changed"
    case passwordResetRequested = "password.reset-requested"
    case passwordReset = "password.reset"
    case accountCreated = "account.created"
    case accountUpdated = "account.updated"
    case accountDisabled = "account.disabled"
    case accountEnabled = "account.enabled"
    case roleChanged = "role.changed"
    case membershipAdded = "membership.added"
    case membershipRemoved = "membership.removed"
    case membershipRoleChanged = "membership.role-changed"
    case groupRuleCreated = "group-rule.created"
    case groupRuleDeleted = "group-rule.deleted"
    case directorySync = "directory.sync"
    case tokenCreated = "token.created"
    case tokenDeleted = "token.deleted"
    case recordingStarted = "recording.started"
    case recordingShared = "recording.shared"
    case recordingDeleted = "recording.deleted"
    case workspaceDeleted = "workspace.deleted"
    case auditExported = "audit.exported"
    case mailFailed = "mail.failed"
}

/// How a change came about: by a person's hand, by a group rule at login, or by a sync.
public enum AuditVia: String, Sendable, Codable, CaseIterable {
    case none = ""
    case hand
    case rule
    case sync
    case login
}

/// A reference kept in the log by value: the log outlives accounts and workspaces, so it
/// stores the name as it was.
public struct AuditRef: Sendable, Equatable, Codable {
    public var type: String
    public var id: String
    public var name: String

    public init(type: String, id: String, name: String) {
        self.type = type
        self.id = id
        self.name = name
    }

    public static func person(_ person: Person) -> AuditRef { AuditRef(type: "person", id: person.id.description, name: person.name) }
    public static func person(id: PersonID, name: String) -> AuditRef { AuditRef(type: "person", id: id.description, name: name) }
}

/// One line of the append-only audit log.
public struct AuditEntry: Sendable, Equatable {
    /// Assigned by the store in the order entries are appended; 0 before.
    public var id: Int64
    public var at: Date
    public var action: AuditAction
    /// Who did it; nil for the system (a sync, a rule, the mail sender).
    public var actor: AuditRef?
    public var target: AuditRef?
    public var workspace: AuditRef?
    public var via: AuditVia
    /// The client address (after trusted proxies), empty for the system.
    public var address: String
    /// Further facts as text pairs (e.g. "from": "member", "to": "admin").
    public var details: [String: String]

    public init(id: Int64 = 0, at: Date, action: AuditAction, actor: AuditRef? = nil, target: AuditRef? = nil, workspace: AuditRef? = nil,
                via: AuditVia = .none, address: String = "", details: [String: String] = [:]) {
        self.id = id
        self.at = at
        self.action = action
        self.actor = actor
        self.target = target
        self.workspace = workspace
        self.via = via
        self.address = address
        self.details = details
    }
}
