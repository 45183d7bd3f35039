import CommunisModel
import Foundation

/// Which of a person's group memberships a provisioning knows for certain.
public enum GroupScope: Sendable, Equatable {
    /// Every group of this source: the person's rows of that source are replaced.
    case all(ExternalGroup.Source)
    /// Only these group keys (a sync asks the directory about the groups rules use).
    case keys(Set<String>)
    /// Nothing (the provider said the groups could not be read): memberships and what the
    /// rules gave stay as they are.
    case unknown
}

/// Bring one person in line with what an outside identity system says, at login.
public struct ProvisionRequest: Sendable, Equatable {
    public var profile: ExternalProfile
    /// The groups the person is in, within `scope`.
    public var groups: [ExternalGroup]
    public var scope: GroupScope
    /// Link a not yet linked, non-guest account with the same e-mail address instead of
    /// making a second one (existing local accounts when a directory is introduced).
    public var linkByEmail: Bool
    public var at: Date
    /// Set the last login time (a login; a sync does not).
    public var isLogin: Bool
    /// The client address, for the audit log.
    public var address: String

    public init(profile: ExternalProfile, groups: [ExternalGroup], scope: GroupScope, linkByEmail: Bool, at: Date, isLogin: Bool, address: String = "") {
        self.profile = profile
        self.groups = groups
        self.scope = scope
        self.linkByEmail = linkByEmail
        self.at = at
        self.isLogin = isLogin
        self.address = address
    }
}

/// What the rules changed for one person, with names to show and publish.
public struct PersonRuleOutcome: Sendable, Equatable {
    public var person: Person
    public var changes: RuleChanges
    /// Changes that could not be made (e.g. removing the last owner of a workspace), as
    /// sentences for the administrator.
    public var skipped: [String]

    public init(person: Person, changes: RuleChanges, skipped: [String] = []) {
        self.person = person
        self.changes = changes
        self.skipped = skipped
    }
}

/// The result of `provisionExternalPerson`.
public struct ProvisionResult: Sendable, Equatable {
    /// The person as stored afterwards.
    public var person: Person
    public var created: Bool
    /// An existing account was linked to this identity by its e-mail address.
    public var linked: Bool
    /// Name, e-mail or job fields changed.
    public var updated: Bool
    /// Disabled now because the outside system says so.
    public var disabledNow: Bool
    /// Enabled again (it was disabled by the directory, which no longer says so).
    public var enabledNow: Bool
    public var rules: PersonRuleOutcome

    public init(person: Person, created: Bool, linked: Bool, updated: Bool, disabledNow: Bool, enabledNow: Bool, rules: PersonRuleOutcome) {
        self.person = person
        self.created = created
        self.linked = linked
        self.updated = updated
        self.disabledNow = disabledNow
        self.enabledNow = enabledNow
        self.rules = rules
    }
}

/// Everything one directory sync read, handed to the store to apply in one transaction.
public struct DirectorySyncInput: Sendable, Equatable {
    /// Every person the directory lists (provider "directory").
    public var accounts: [ExternalProfile]
    /// Every group under the group base (for the administrators' group picker).
    public var groups: [ExternalGroup]
    /// For each group key that a rule uses: the subjects (stable ids) of its members,
    /// nested groups included.
    public var ruleGroupMembers: [String: Set<String>]
    public var linkByEmail: Bool
    /// Refuse (change nothing) when more than this share of the directory's people in
    /// Communis would be disabled: a wrong filter must not disable the organisation.
    public var maxDisableFraction: Double
    public var dryRun: Bool
    public var at: Date
    public var actor: AuditRef?
    public var address: String

    public init(accounts: [ExternalProfile], groups: [ExternalGroup], ruleGroupMembers: [String: Set<String>], linkByEmail: Bool,
                maxDisableFraction: Double, dryRun: Bool, at: Date, actor: AuditRef? = nil, address: String = "") {
        self.accounts = accounts
        self.groups = groups
        self.ruleGroupMembers = ruleGroupMembers
        self.linkByEmail = linkByEmail
        self.maxDisableFraction = maxDisableFraction
        self.dryRun = dryRun
        self.at = at
        self.actor = actor
        self.address = address
    }
}

/// What a directory sync did (or, dry, would do).
public struct DirectorySyncOutcome: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var disabled = 0
    public var enabled = 0
    public var membershipsAdded = 0
    public var membershipsRemoved = 0
    public var errors = 0
    /// Sentences for the administrator: skipped changes, conflicts.
    public var messages: [String] = []
    /// People disabled now: their sessions end after the commit.
    public var disabledPeople: [PersonID] = []
    /// Memberships ended: their live subscriptions end after the commit.
    public var removedMemberships: [Membership] = []
    public var roleChanges: [PersonID] = []

    public init() {}

    /// Adds what the group rules did to one person: role changes, memberships added and
    /// ended, and the changes skipped (as errors, with their sentences).
    public mutating func count(_ result: PersonRuleOutcome) {
        if result.changes.role != nil { roleChanges.append(result.person.id) }
        for change in result.changes.memberships {
            if change.from == nil { membershipsAdded += 1 }
            if let from = change.from, change.to == nil {
                membershipsRemoved += 1
                removedMemberships.append(Membership(workspaceID: change.workspace, personID: result.person.id, role: from))
            }
        }
        errors += result.skipped.count
        messages += result.skipped
    }
}

/// Why a sync refused to change anything; the message says what to check.
public struct DirectorySyncRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// People's outside identities, their groups, and the group rules. The writes are single
/// transactions that also append their audit entries, so a crash leaves either all of a
/// login's or a sync's changes with their log lines, or none.
public protocol IdentityStore: Sendable {
    /// In one transaction: finds the person by (`provider`, `subject`); else (when
    /// `linkByEmail`) links the one non-guest account with that e-mail that has no identity
    /// of this provider yet; else creates an employee (role member, role from rules).
    /// Managed fields are replaced (an e-mail taken by another account is left out, never
    /// stolen); disabled follows the outside system (re-enabling only what the directory
    /// disabled); group memberships within `scope` are replaced; the rules are applied
    /// (`GroupRuleEvaluation`) and every change is written to the audit log.
    func provisionExternalPerson(_ request: ProvisionRequest) async throws -> ProvisionResult
    /// In one transaction (rolled back when `dryRun`): provisions every account with the
    /// rule groups' memberships, disables directory-managed people the directory no longer
    /// lists, refreshes the known directory groups, applies the rules, and appends the audit
    /// entries and one `directory.sync` entry with the counts. Throws `DirectorySyncRefused`
    /// (nothing written) when `maxDisableFraction` would be exceeded.
    func applyDirectorySync(_ input: DirectorySyncInput) async throws -> DirectorySyncOutcome

    func person(provider: String, subject: String) async throws -> Person?
    /// The subjects a person has per provider.
    func identities(of person: PersonID) async throws -> [String: String]
    /// The person's known groups, by name.
    func groups(of person: PersonID) async throws -> [ExternalGroup]
    /// Known groups (from syncs and logins) whose name contains `text`, by name.
    func knownGroups(text: String?, limit: Int) async throws -> [ExternalGroup]
    func knownGroup(key: String) async throws -> ExternalGroup?
    /// The people holding `provider`'s `subjects`, by subject.
    func people(provider: String, subjects: Set<String>) async throws -> [String: PersonID]

    func groupRules() async throws -> [GroupRule]
    func groupRule(id: GroupRuleID) async throws -> GroupRule?
    /// What the rules need of these people, with their known group keys.
    func ruleSubjects(_ people: [PersonID]) async throws -> [(subject: RuleSubject, groups: Set<String>)]
    /// The people the rule could affect: those known to be in its group, and those holding
    /// what it grants through a rule (its workspace's rule memberships, or a rule-given role).
    func ruleCandidates(_ rule: GroupRule) async throws -> [PersonID]
    /// In one transaction: when `members` is given, first records exactly these people as
    /// the group's members (fresh from the directory); inserts the rule; applies all rules to
    /// the people it can affect; audits. Throws `conflict` for a duplicate rule, `notFound`
    /// for an unknown workspace.
    func createGroupRule(_ rule: GroupRule, members: [PersonID]?, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome]
    /// In one transaction: applies the rules to the person from their known groups (after an
    /// administrator handed the role back to the rules); audits. Nil when nothing changed.
    func applyRulesNow(to person: PersonID, actor: AuditRef?, address: String, at: Date) async throws -> PersonRuleOutcome?
    /// In one transaction: deletes the rule and applies the remaining rules to the people it
    /// affected; audits. Throws `notFound`.
    func deleteGroupRule(id: GroupRuleID, at: Date, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome]
}
