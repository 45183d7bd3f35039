import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Group rules: stored, listed, and applied to people inside the caller's transaction.
extension PostgresStore {
    public func groupRules() async throws -> [GroupRule] {
        try await client.withConnection { try await Self.loadRules(on: $0, logger: logger) }
    }

    public func groupRule(id: GroupRuleID) async throws -> GroupRule? {
        try await client.query("SELECT * FROM group_rules WHERE id = \(id.uuid)", logger: logger).first().map(Self.rule)
    }

    public func ruleSubjects(_ people: [PersonID]) async throws -> [(subject: RuleSubject, groups: Set<String>)] {
        try await client.withConnection { connection in
            var subjects: [(subject: RuleSubject, groups: Set<String>)] = []
            for person in people {
                if let subject = try await Self.ruleSubject(person, on: connection, logger: logger) { subjects.append(subject) }
            }
            return subjects
        }
    }

    public func ruleCandidates(_ rule: GroupRule) async throws -> [PersonID] {
        try await client.withConnection { try await Self.ruleCandidates(rule, on: $0, logger: logger) }
    }

    public func createGroupRule(_ rule: GroupRule, members: [PersonID]?, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome] {
        try await transaction { connection in
            // Rules change people's access: one rule change at a time, so two administrators
            // saving at once cannot each apply a stale set of rules.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.rulesLock))", logger: logger).run()
            if case .membership(let workspace, _) = rule.grant {
                guard try await connection.query("SELECT 1 FROM workspaces WHERE id = \(workspace.uuid)", logger: logger).first() != nil else {
                    throw DomainError.notFound("Workspace")
                }
            }
            let (kind, role, workspace, membershipRole) = Self.ruleColumns(rule)
            do {
                try await connection.query("""
                    INSERT INTO group_rules (id, group_key, group_name, kind, role, workspace_id, membership_role, created_by, created_at)
                    VALUES (\(rule.id.uuid), \(rule.groupKey), \(rule.groupName), \(kind), \(role), \(workspace), \(membershipRole),
                            \(rule.createdBy?.uuid), \(rule.createdAt))
                    """, logger: logger).run()
            } catch let error as PSQLError where error.isUniqueViolation {
                throw DomainError.conflict("The same rule for this group already exists.")
            } catch let error as PSQLError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
            if let members { try await Self.replaceGroupMembers(key: rule.groupKey, members: members, on: connection, logger: logger) }
            var audit = [AuditEntry(
                at: rule.createdAt, action: .groupRuleCreated, actor: actor,
                target: AuditRef(type: "group-rule", id: rule.id.description, name: rule.groupName),
                workspace: try await Self.workspaceRef(rule.grant, on: connection, logger: logger), via: .hand, address: address,
                details: Self.ruleDetails(rule))]
            let outcomes = try await Self.applyRules(
                to: try await Self.ruleCandidates(rule, on: connection, logger: logger), rules: try await Self.loadRules(on: connection, logger: logger),
                via: .rule, actor: actor, address: address, at: rule.createdAt, audit: &audit, on: connection, logger: logger)
            try await Self.appendAudit(audit, on: connection, logger: logger)
            return outcomes
        }
    }

    public func deleteGroupRule(id: GroupRuleID, at now: Date, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome] {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.rulesLock))", logger: logger).run()
            guard let rule = try await connection.query("SELECT * FROM group_rules WHERE id = \(id.uuid)", logger: logger).first().map(Self.rule) else {
                throw DomainError.notFound("Group rule")
            }
            let candidates = try await Self.ruleCandidates(rule, on: connection, logger: logger)
            var audit = [AuditEntry(
                at: now, action: .groupRuleDeleted, actor: actor, target: AuditRef(type: "group-rule", id: rule.id.description, name: rule.groupName),
                workspace: try await Self.workspaceRef(rule.grant, on: connection, logger: logger), via: .hand, address: address,
                details: Self.ruleDetails(rule))]
            try await connection.query("DELETE FROM group_rules WHERE id = \(id.uuid)", logger: logger).run()
            let outcomes = try await Self.applyRules(
                to: candidates, rules: try await Self.loadRules(on: connection, logger: logger), via: .rule, actor: actor, address: address,
                at: now, audit: &audit, on: connection, logger: logger)
            try await Self.appendAudit(audit, on: connection, logger: logger)
            return outcomes
        }
    }

    public func applyRulesNow(to person: PersonID, actor: AuditRef?, address: String, at: Date) async throws -> PersonRuleOutcome? {
        try await transaction { connection in
            var audit: [AuditEntry] = []
            let outcome = try await Self.applyRules(to: [person], rules: try await Self.loadRules(on: connection, logger: logger), via: .rule,
                                                    actor: actor, address: address, at: at, audit: &audit, on: connection, logger: logger).first
            try await Self.appendAudit(audit, on: connection, logger: logger)
            return outcome
        }
    }

    // MARK: Inside a transaction

    /// The advisory lock of rule changes ("rules" in ASCII).
    static let rulesLock: Int64 = 0x7275_6C65_73

    static func loadRules(on connection: PostgresConnection, logger: Logger) async throws -> [GroupRule] {
        try await connection.query("SELECT * FROM group_rules ORDER BY created_at, id", logger: logger).all().map(rule)
    }

    /// People known to be in the rule's group, plus those holding what it grants by a rule.
    static func ruleCandidates(_ rule: GroupRule, on connection: PostgresConnection, logger: Logger) async throws -> [PersonID] {
        var ids = Set(try await connection.query("SELECT person_id FROM person_groups WHERE group_key = \(rule.groupKey)", logger: logger)
            .all().map { try $0.get("person_id", as: UUID.self) })
        switch rule.grant {
        case .role:
            ids.formUnion(try await connection.query("SELECT id FROM people WHERE role_source = 'rules' AND role = 'admin'", logger: logger)
                .all().map { try $0.get("id", as: UUID.self) })
        case .membership(let workspace, _):
            ids.formUnion(try await connection.query("""
                SELECT person_id FROM memberships WHERE workspace_id = \(workspace.uuid) AND origin = 'rule'
                """, logger: logger).all().map { try $0.get("person_id", as: UUID.self) })
        }
        return ids.map(PersonID.init).sorted()
    }

    static func ruleSubject(_ id: PersonID, on connection: PostgresConnection, logger: Logger) async throws -> (subject: RuleSubject, groups: Set<String>)? {
        guard let row = try await connection.query("SELECT role, role_source, disabled FROM people WHERE id = \(id.uuid)", logger: logger).first() else {
            return nil
        }
        var memberships: [WorkspaceID: HeldMembership] = [:]
        for membership in try await connection.query("SELECT workspace_id, role, origin FROM memberships WHERE person_id = \(id.uuid)", logger: logger).all() {
            memberships[try membership.id("workspace_id")] = HeldMembership(role: try membership.enum("role"), origin: try membership.enum("origin"))
        }
        let groups = Set(try await connection.query("SELECT group_key FROM person_groups WHERE person_id = \(id.uuid)", logger: logger)
            .all().map { try $0.get("group_key", as: String.self) })
        let subject = RuleSubject(personID: id, role: try row.enum("role"), roleSource: try row.enum("role_source"), disabled: try row.get("disabled"),
                                  memberships: memberships)
        return (subject, groups)
    }

    /// Brings each person where the rules say and logs every change; returns the people for
    /// whom something changed or could not change.
    static func applyRules(
        to people: [PersonID], rules: [GroupRule], via: AuditVia, actor: AuditRef?, address: String, at: Date,
        audit: inout [AuditEntry], on connection: PostgresConnection, logger: Logger
    ) async throws -> [PersonRuleOutcome] {
        var outcomes: [PersonRuleOutcome] = []
        for id in people {
            guard let (subject, groups) = try await ruleSubject(id, on: connection, logger: logger) else { continue }
            let wanted = GroupRuleEvaluation.changes(subject: subject, groups: groups, rules: rules)
            guard !wanted.isEmpty else { continue }
            let outcome = try await apply(wanted, to: id, via: via, actor: actor, address: address, at: at, audit: &audit, on: connection, logger: logger)
            if !outcome.changes.isEmpty || !outcome.skipped.isEmpty { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Writes the changes one by one; a change the workspace rules refuse (its last owner) is
    /// skipped with a sentence, the others still happen.
    static func apply(
        _ wanted: RuleChanges, to id: PersonID, via: AuditVia, actor: AuditRef?, address: String, at: Date,
        audit: inout [AuditEntry], on connection: PostgresConnection, logger: Logger
    ) async throws -> PersonRuleOutcome {
        guard let person = try await personInTransaction(id, on: connection, logger: logger) else { throw DomainError.notFound("Person") }
        var applied = RuleChanges()
        var skipped: [String] = []
        let target = AuditRef.person(person)
        if let role = wanted.role {
            try await connection.query("UPDATE people SET role = \(role.to.rawValue) WHERE id = \(id.uuid)", logger: logger).run()
            applied.role = role
            audit.append(AuditEntry(at: at, action: .roleChanged, actor: actor, target: target, via: via, address: address,
                                    details: ["from": role.from.rawValue, "to": role.to.rawValue]))
        }
        for change in wanted.memberships {
            let workspace = AuditRef(type: "workspace", id: change.workspace.description, name: try await workspaceName(change.workspace, on: connection, logger: logger))
            try await WorkspaceRows.lock(change.workspace, on: connection, logger: logger)
            do {
                switch (change.from, change.to) {
                case (nil, let to?):
                    try await connection.query("""
                        INSERT INTO memberships (workspace_id, person_id, role, joined_at, origin) VALUES (\(change.workspace.uuid), \(id.uuid), \(to.rawValue), \(at), 'rule')
                        """, logger: logger).run()
                    try await connection.query("DELETE FROM join_requests WHERE workspace_id = \(change.workspace.uuid) AND person_id = \(id.uuid)", logger: logger)
                        .run()
                    audit.append(AuditEntry(at: at, action: .membershipAdded, actor: actor, target: target, workspace: workspace, via: via, address: address,
                                            details: ["role": to.rawValue]))
                case (let from?, nil):
                    try await WorkspaceRows.requireAnotherOwner(change.workspace, removing: from == .owner, on: connection, logger: logger)
                    try await connection.query("DELETE FROM memberships WHERE workspace_id = \(change.workspace.uuid) AND person_id = \(id.uuid)", logger: logger)
                        .run()
                    audit.append(AuditEntry(at: at, action: .membershipRemoved, actor: actor, target: target, workspace: workspace, via: via, address: address,
                                            details: ["role": from.rawValue]))
                case (let from?, let to?):
                    try await WorkspaceRows.requireAnotherOwner(change.workspace, removing: from == .owner, on: connection, logger: logger)
                    try await connection.query("""
                        UPDATE memberships SET role = \(to.rawValue) WHERE workspace_id = \(change.workspace.uuid) AND person_id = \(id.uuid)
                        """, logger: logger).run()
                    audit.append(AuditEntry(at: at, action: .membershipRoleChanged, actor: actor, target: target, workspace: workspace, via: via,
                                            address: address, details: ["from": from.rawValue, "to": to.rawValue]))
                case (nil, nil):
                    continue
                }
                applied.memberships.append(change)
            } catch DomainError.conflict {
                skipped.append("\(person.name) is the last owner of \(workspace.name) and stays until someone else is owner.")
            }
        }
        let final = try await personInTransaction(id, on: connection, logger: logger) ?? person
        return PersonRuleOutcome(person: final, changes: applied, skipped: skipped)
    }

    static func personInTransaction(_ id: PersonID, on connection: PostgresConnection, logger: Logger) async throws -> Person? {
        let rows = try await connection.query("SELECT \(unescaped: PeopleRows.columns) FROM people WHERE id = \(id.uuid)", logger: logger).all()
        return try await PeopleRows.people(rows, on: connection, logger: logger).first
    }

    /// Records exactly `members` as the group's members (fresh from the directory).
    static func replaceGroupMembers(key: String, members: [PersonID], on connection: PostgresConnection, logger: Logger) async throws {
        let source = key.hasPrefix("oidc:") ? "oidc" : "directory"
        try await connection.query("DELETE FROM person_groups WHERE group_key = \(key)", logger: logger).run()
        for member in Set(members) {
            try await connection.query("""
                INSERT INTO person_groups (person_id, group_key, source) VALUES (\(member.uuid), \(key), \(source)) ON CONFLICT DO NOTHING
                """, logger: logger).run()
        }
    }

    static func workspaceName(_ id: WorkspaceID, on connection: PostgresConnection, logger: Logger) async throws -> String {
        try await connection.query("SELECT name FROM workspaces WHERE id = \(id.uuid)", logger: logger).first()?.get("name") ?? ""
    }

    private static func workspaceRef(_ grant: GroupRule.Grant, on connection: PostgresConnection, logger: Logger) async throws -> AuditRef? {
        guard case .membership(let workspace, _) = grant else { return nil }
        return AuditRef(type: "workspace", id: workspace.description, name: try await workspaceName(workspace, on: connection, logger: logger))
    }

    private static func ruleDetails(_ rule: GroupRule) -> [String: String] {
        switch rule.grant {
        case .role(let role): ["group": rule.groupKey, "role": role.rawValue]
        case .membership(_, let role): ["group": rule.groupKey, "membershipRole": role.rawValue]
        }
    }

    private static func ruleColumns(_ rule: GroupRule) -> (String, String?, UUID?, String?) {
        switch rule.grant {
        case .role(let role): ("role", role.rawValue, nil, nil)
        case .membership(let workspace, let role): ("membership", nil, workspace.uuid, role.rawValue)
        }
    }

    static func rule(_ row: PostgresRandomAccessRow) throws -> GroupRule {
        let kind: String = try row.get("kind")
        let grant: GroupRule.Grant
        if kind == "role", let roleText = try row.get("role", as: String?.self), let role = Role(rawValue: roleText) {
            grant = .role(role)
        } else if kind == "membership", let workspace = try row.optionalID("workspace_id", as: WorkspaceID.self),
                  let roleText = try row.get("membership_role", as: String?.self), let role = MembershipRole(rawValue: roleText) {
            grant = .membership(workspace, role)
        } else {
            throw PostgresStoreError.corrupt("group_rules.kind: \(kind)")
        }
        return GroupRule(id: try row.id("id"), groupKey: try row.get("group_key"), groupName: try row.get("group_name"), grant: grant,
                         createdBy: try row.optionalID("created_by"), createdAt: try row.get("created_at"))
    }
}
