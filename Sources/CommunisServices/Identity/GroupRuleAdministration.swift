import CommunisModel
import CommunisStore
import Foundation

/// A rule as an administrator writes it.
public struct RuleDraft: Sendable, Equatable {
    public var groupKey: String
    public var grant: GroupRule.Grant

    public init(groupKey: String, grant: GroupRule.Grant) {
        self.groupKey = groupKey
        self.grant = grant
    }
}

/// A rule with the names to show.
public struct RuleView: Sendable {
    public var rule: GroupRule
    public var workspaceName: String?
    public var createdByName: String?
}

/// Who gains and who loses what, by name: shown before a rule is saved or deleted, and
/// after, as what was applied.
public struct RulePreview: Sendable {
    public struct Line: Sendable {
        public var person: Person
        public var effect: RuleEffect
        public var workspaceName: String?
    }

    public var gains: [Line] = []
    public var losses: [Line] = []
    public var warnings: [String] = []
}

/// "Members of directory group X get role Y / a membership of workspace Z": listing,
/// previewing, saving and deleting rules. The preview is computed with the same function
/// that applies the rules (`GroupRuleEvaluation`), over the same people, with the group's
/// members read fresh from the directory, so what the administrator sees is what happens.
public struct GroupRuleAdministration: Sendable {
    let store: any CommunisStore
    let directory: (any DirectorySource)?
    let publisher: any LivePublisher
    let clock: Clock

    public init(store: any CommunisStore, directory: (any DirectorySource)?, publisher: any LivePublisher = NoLivePublisher(), clock: Clock = Clock()) {
        self.store = store
        self.directory = directory
        self.publisher = publisher
        self.clock = clock
    }

    public func rules(viewer: Viewer) async throws -> [RuleView] {
        try requireAdmin(viewer)
        var views: [RuleView] = []
        for rule in try await store.groupRules() { views.append(try await view(rule)) }
        return views
    }

    public func groups(viewer: Viewer, text: String?) async throws -> [ExternalGroup] {
        try requireAdmin(viewer)
        return try await store.knownGroups(text: text, limit: 50)
    }

    public func preview(viewer: Viewer, draft: RuleDraft) async throws -> RulePreview {
        try requireAdmin(viewer)
        let rule = try await validated(draft, viewer: viewer)
        let live = try await liveMembers(of: rule.groupKey)
        let current = try await store.groupRules()
        var candidates = Set(try await store.ruleCandidates(rule))
        if let live { candidates.formUnion(live.people) }
        var preview = try await effects(candidates, live: live.map { (rule.groupKey, Set($0.people)) }, before: current, after: current + [rule])
        if let live, live.unknown > 0 {
            preview.warnings.append("\(live.unknown) people in the group have no Communis account yet; they get it when they first log in or at the next sync.")
        }
        return preview
    }

    public func create(viewer: Viewer, draft: RuleDraft) async throws -> (RuleView, RulePreview) {
        try requireAdmin(viewer)
        let rule = try await validated(draft, viewer: viewer)
        let live = try await liveMembers(of: rule.groupKey)
        let outcomes = try await store.createGroupRule(rule, members: live?.people, actor: viewer.auditRef, address: viewer.address)
        return (try await view(rule), try await applied(outcomes))
    }

    public func deletePreview(viewer: Viewer, id: GroupRuleID) async throws -> RulePreview {
        try requireAdmin(viewer)
        guard let rule = try await store.groupRule(id: id) else { throw DomainError.notFound("Group rule") }
        let current = try await store.groupRules()
        return try await effects(Set(try await store.ruleCandidates(rule)), live: nil, before: current, after: current.filter { $0.id != id })
    }

    public func delete(viewer: Viewer, id: GroupRuleID) async throws -> RulePreview {
        try requireAdmin(viewer)
        let outcomes = try await store.deleteGroupRule(id: id, at: clock.now(), actor: viewer.auditRef, address: viewer.address)
        return try await applied(outcomes)
    }

    // MARK: Helpers

    private func validated(_ draft: RuleDraft, viewer: Viewer) async throws -> GroupRule {
        let key = draft.groupKey.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if !(key.hasPrefix("directory:") || key.hasPrefix("oidc:")) || key.count < 6 || key.count > 300 {
            errors.append(FieldError(field: "groupKey", message: "must be a group key from the group list (directory:… or oidc:…)"))
        }
        if case .role(let role) = draft.grant, role == .guest {
            errors.append(FieldError(field: "role", message: "must be admin or member"))
        }
        guard errors.isEmpty else { throw DomainError.validation(errors) }
        if case .membership(let workspace, _) = draft.grant, try await store.workspace(id: workspace) == nil {
            throw DomainError.validation([FieldError(field: "workspaceId", message: "is not a workspace")])
        }
        let known = try await store.knownGroup(key: key)
        if known == nil, key.hasPrefix("directory:") {
            throw DomainError.validation([FieldError(field: "groupKey", message: "is not a known directory group; run a directory sync first")])
        }
        let name = known?.name ?? String(key.dropFirst("oidc:".count))
        return GroupRule(groupKey: key, groupName: name, grant: draft.grant, createdBy: viewer.id, createdAt: clock.now())
    }

    /// The group's members as the directory says now (nil for OIDC groups, whose members are
    /// known only from their logins).
    private func liveMembers(of key: String) async throws -> (people: [PersonID], unknown: Int)? {
        guard key.hasPrefix("directory:"), let directory, let group = try await store.knownGroup(key: key) else { return nil }
        let subjects: Set<String>
        do {
            subjects = Set(try await directory.members(of: DirectoryGroup(stableID: String(key.dropFirst("directory:".count)), dn: group.dn, name: group.name))
                .map { $0.lowercased() })
        } catch is DirectoryError {
            throw DomainError.directoryUnavailable
        }
        let people = try await store.people(provider: ExternalProfile.directoryProvider, subjects: subjects)
        return (Array(people.values), subjects.count - people.count)
    }

    private func effects(_ candidates: Set<PersonID>, live: (key: String, members: Set<PersonID>)?, before: [GroupRule], after: [GroupRule]) async throws -> RulePreview {
        var preview = RulePreview()
        for (subject, stored) in try await store.ruleSubjects(candidates.sorted()) {
            var groups = stored
            if let live {
                if live.members.contains(subject.personID) { groups.insert(live.key) } else { groups.remove(live.key) }
            }
            let effects = GroupRuleEvaluation.effects(subject: subject, groups: groups, before: before, after: after)
            try await add(effects, to: &preview)
        }
        return preview
    }

    private func applied(_ outcomes: [PersonRuleOutcome]) async throws -> RulePreview {
        var preview = RulePreview()
        for outcome in outcomes {
            try await add(GroupRuleEvaluation.effects(of: outcome.changes, person: outcome.person.id), to: &preview)
            preview.warnings += outcome.skipped
            for change in outcome.changes.memberships where change.to == nil {
                await publisher.membershipEnded(workspace: change.workspace, person: outcome.person.id)
            }
        }
        return preview
    }

    private func add(_ effects: [RuleEffect], to preview: inout RulePreview) async throws {
        for effect in effects {
            guard let person = try await store.person(id: effect.person) else { continue }
            let workspaceName = try await effect.workspace.asyncMap { try await store.workspace(id: $0)?.name }
            let line = RulePreview.Line(person: person, effect: effect, workspaceName: workspaceName ?? nil)
            if effect.isGain { preview.gains.append(line) } else { preview.losses.append(line) }
        }
    }

    private func view(_ rule: GroupRule) async throws -> RuleView {
        var workspaceName: String?
        if case .membership(let workspace, _) = rule.grant { workspaceName = try await store.workspace(id: workspace)?.name }
        let creator = try await rule.createdBy.asyncMap { try await store.person(id: $0)?.name }
        return RuleView(rule: rule, workspaceName: workspaceName, createdByName: creator ?? nil)
    }

    private func requireAdmin(_ viewer: Viewer) throws {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators manage group rules.") }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
