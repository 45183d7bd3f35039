import Foundation

/// An administrator's rule "members of directory group X get …": a role in Communis, or a
/// membership (or ownership) of a workspace. Rules apply at every login and directory sync
/// to people whose identity comes from the directory or an OpenID Connect provider.
public struct GroupRule: Sendable, Equatable, Identifiable {
    public enum Grant: Sendable, Equatable {
        /// The Communis role (admin or member; never guest).
        case role(Role)
        /// A membership of the workspace with this role.
        case membership(WorkspaceID, MembershipRole)
    }

    public var id: GroupRuleID
    /// `ExternalGroup.key`: `directory:<uuid>` or `oidc:<claim value>`.
    public var groupKey: String
    /// The group's name when the rule was made, for people to read.
    public var groupName: String
    public var grant: Grant
    public var createdBy: PersonID?
    public var createdAt: Date

    public init(id: GroupRuleID = GroupRuleID(), groupKey: String, groupName: String, grant: Grant, createdBy: PersonID?, createdAt: Date) {
        self.id = id
        self.groupKey = groupKey
        self.groupName = groupName
        self.grant = grant
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// How a person came to be a member of a workspace. A sync never removes a membership
/// someone got by hand; it removes only what a rule gave and no rule gives any more.
public enum MembershipOrigin: String, Sendable, Codable, CaseIterable {
    case manual
    case rule
}

/// A membership as the rules see it.
public struct HeldMembership: Sendable, Equatable {
    public var role: MembershipRole
    public var origin: MembershipOrigin

    public init(role: MembershipRole, origin: MembershipOrigin) {
        self.role = role
        self.origin = origin
    }
}

/// What the rules need to know of one person.
public struct RuleSubject: Sendable, Equatable {
    public var personID: PersonID
    public var role: Role
    public var roleSource: RoleSource
    public var disabled: Bool
    public var memberships: [WorkspaceID: HeldMembership]

    public init(personID: PersonID, role: Role, roleSource: RoleSource, disabled: Bool, memberships: [WorkspaceID: HeldMembership]) {
        self.personID = personID
        self.role = role
        self.roleSource = roleSource
        self.disabled = disabled
        self.memberships = memberships
    }
}

/// The changes the rules make for one person. Empty when nothing changes.
public struct RuleChanges: Sendable, Equatable {
    public struct RoleChange: Sendable, Equatable {
        public var from: Role
        public var to: Role
    }

    public struct MembershipChange: Sendable, Equatable {
        public var workspace: WorkspaceID
        /// nil: not a member before (an addition).
        public var from: MembershipRole?
        /// nil: not a member after (a removal).
        public var to: MembershipRole?
    }

    public var role: RoleChange?
    /// Sorted by workspace id, so the same inputs give the same list.
    public var memberships: [MembershipChange]

    public init(role: RoleChange? = nil, memberships: [MembershipChange] = []) {
        self.role = role
        self.memberships = memberships
    }

    public var isEmpty: Bool { role == nil && memberships.isEmpty }
}

/// The rules, applied: pure functions, the same at login, at sync and in the preview.
public enum GroupRuleEvaluation {
    /// What the rules grant to someone in `groups`: admin if any admin rule matches (else
    /// member), and each workspace of a matching membership rule with the highest role given.
    public static func grants(groups: Set<String>, rules: [GroupRule]) -> (role: Role, memberships: [WorkspaceID: MembershipRole]) {
        var role = Role.member
        var memberships: [WorkspaceID: MembershipRole] = [:]
        for rule in rules where groups.contains(rule.groupKey) {
            switch rule.grant {
            case .role(let granted):
                if granted == .admin { role = .admin }
            case .membership(let workspace, let granted):
                if memberships[workspace] != .owner { memberships[workspace] = granted }
            }
        }
        return (role, memberships)
    }

    /// The changes that bring `subject` where the rules say. Guests and disabled people are
    /// left alone; a role an administrator set by hand is kept; memberships got by hand are
    /// never changed or removed; memberships a rule gave are adjusted or removed.
    public static func changes(subject: RuleSubject, groups: Set<String>, rules: [GroupRule]) -> RuleChanges {
        guard subject.role != .guest, !subject.disabled else { return RuleChanges() }
        let granted = grants(groups: groups, rules: rules)
        var changes = RuleChanges()
        if subject.roleSource == .rules, subject.role != granted.role {
            changes.role = .init(from: subject.role, to: granted.role)
        }
        for (workspace, role) in granted.memberships {
            switch subject.memberships[workspace] {
            case nil:
                changes.memberships.append(.init(workspace: workspace, from: nil, to: role))
            case let held? where held.origin == .rule && held.role != role:
                changes.memberships.append(.init(workspace: workspace, from: held.role, to: role))
            default:
                break
            }
        }
        for (workspace, held) in subject.memberships where held.origin == .rule && granted.memberships[workspace] == nil {
            changes.memberships.append(.init(workspace: workspace, from: held.role, to: nil))
        }
        changes.memberships.sort { $0.workspace < $1.workspace }
        return changes
    }
}

/// One thing a rule change gives or takes, for the preview an administrator sees before
/// saving and for the account of what was applied.
public struct RuleEffect: Sendable, Equatable {
    public enum What: String, Sendable { case role, membership }

    public var person: PersonID
    public var what: What
    /// Role or membership role before and after (nil: no membership).
    public var from: String?
    public var to: String?
    public var workspace: WorkspaceID?
    /// More access (a role or membership gained, member → owner) or less.
    public var isGain: Bool

    public init(person: PersonID, what: What, from: String?, to: String?, workspace: WorkspaceID?, isGain: Bool) {
        self.person = person
        self.what = what
        self.from = from
        self.to = to
        self.workspace = workspace
        self.isGain = isGain
    }
}

extension GroupRuleEvaluation {
    /// Where the rules leave a person: their role and memberships after the changes.
    public static func finalState(subject: RuleSubject, groups: Set<String>, rules: [GroupRule]) -> (role: Role, memberships: [WorkspaceID: MembershipRole]) {
        let changes = changes(subject: subject, groups: groups, rules: rules)
        var memberships = subject.memberships.mapValues(\.role)
        for change in changes.memberships { memberships[change.workspace] = change.to }
        return (changes.role?.to ?? subject.role, memberships)
    }

    /// What changes for the person between the rules `before` and `after`: the preview of
    /// adding or deleting a rule. Computed with the same function that applies rules.
    public static func effects(subject: RuleSubject, groups: Set<String>, before: [GroupRule], after: [GroupRule]) -> [RuleEffect] {
        let old = finalState(subject: subject, groups: groups, rules: before)
        let new = finalState(subject: subject, groups: groups, rules: after)
        var effects: [RuleEffect] = []
        if old.role != new.role {
            effects.append(RuleEffect(person: subject.personID, what: .role, from: old.role.rawValue, to: new.role.rawValue, workspace: nil,
                                      isGain: new.role == .admin))
        }
        for workspace in Set(old.memberships.keys).union(new.memberships.keys).sorted() {
            let from = old.memberships[workspace], to = new.memberships[workspace]
            guard from != to else { continue }
            effects.append(RuleEffect(person: subject.personID, what: .membership, from: from?.rawValue, to: to?.rawValue, workspace: workspace,
                                      isGain: to != nil && (from == nil || to == .owner)))
        }
        return effects
    }

    /// The effects of changes that were applied.
    public static func effects(of changes: RuleChanges, person: PersonID) -> [RuleEffect] {
        var effects: [RuleEffect] = []
        if let role = changes.role {
            effects.append(RuleEffect(person: person, what: .role, from: role.from.rawValue, to: role.to.rawValue, workspace: nil, isGain: role.to == .admin))
        }
        for change in changes.memberships {
            effects.append(RuleEffect(person: person, what: .membership, from: change.from?.rawValue, to: change.to?.rawValue,
                                      workspace: change.workspace, isGain: change.to != nil && (change.from == nil || change.to == .owner)))
        }
        return effects
    }
}
