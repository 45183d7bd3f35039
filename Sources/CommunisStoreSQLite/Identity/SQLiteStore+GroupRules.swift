import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Group rules: stored, listed, and applied to people inside the caller's transaction.
extension SQLiteStore {
    public func groupRules() async throws -> [GroupRule] {
        try await pool.read { db in try Self.loadRules(db) }
    }

    public func groupRule(id: GroupRuleID) async throws -> GroupRule? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM group_rules WHERE id = ?", arguments: [id.description]).map(Self.rule)
        }
    }

    public func ruleSubjects(_ people: [PersonID]) async throws -> [(subject: RuleSubject, groups: Set<String>)] {
        try await pool.read { db in try people.compactMap { try Self.ruleSubject($0, db) } }
    }

    public func ruleCandidates(_ rule: GroupRule) async throws -> [PersonID] {
        try await pool.read { db in try Self.ruleCandidates(rule, db) }
    }

    public func createGroupRule(_ rule: GroupRule, members: [PersonID]?, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome] {
        try await pool.write { db in
            if case .membership(let workspace, _) = rule.grant { try Self.requireWorkspace(workspace, db) }
            do {
                try db.execute(sql: """
                    INSERT INTO group_rules (id, group_key, group_name, kind, role, workspace_id, membership_role, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.ruleArguments(rule))
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw DomainError.conflict("The same rule for this group already exists.")
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
            if let members {
                try Self.replaceGroupMembers(key: rule.groupKey, members: members, db)
            }
            var audit = [AuditEntry(
                at: rule.createdAt, action: .groupRuleCreated, actor: actor,
                target: AuditRef(type: "group-rule", id: rule.id.description, name: rule.groupName),
                workspace: try Self.workspaceRef(rule.grant, db), via: .hand, address: address, details: Self.ruleDetails(rule))]
            let outcomes = try Self.applyRules(
                to: try Self.ruleCandidates(rule, db), rules: try Self.loadRules(db), via: .rule, actor: actor,
                address: address, at: rule.createdAt, audit: &audit, db)
            try Self.appendAudit(audit, db)
            return outcomes
        }
    }

    public func deleteGroupRule(id: GroupRuleID, at now: Date, actor: AuditRef?, address: String) async throws -> [PersonRuleOutcome] {
        try await pool.write { db in
            guard let rule = try Row.fetchOne(db, sql: "SELECT * FROM group_rules WHERE id = ?", arguments: [id.description]).map(Self.rule) else {
                throw DomainError.notFound("Group rule")
            }
            let candidates = try Self.ruleCandidates(rule, db)
            var audit = [AuditEntry(
                at: now, action: .groupRuleDeleted, actor: actor,
                target: AuditRef(type: "group-rule", id: rule.id.description, name: rule.groupName),
                workspace: try Self.workspaceRef(rule.grant, db), via: .hand, address: address, details: Self.ruleDetails(rule))]
            try db.execute(sql: "DELETE FROM group_rules WHERE id = ?", arguments: [id.description])
            let outcomes = try Self.applyRules(
                to: candidates, rules: try Self.loadRules(db), via: .rule, actor: actor, address: address, at: now, audit: &audit, db)
            try Self.appendAudit(audit, db)
            return outcomes
        }
    }

    public func applyRulesNow(to person: PersonID, actor: AuditRef?, address: String, at: Date) async throws -> PersonRuleOutcome? {
        try await pool.write { db in
            var audit: [AuditEntry] = []
            let outcome = try Self.applyRules(to: [person], rules: try Self.loadRules(db), via: .rule, actor: actor, address: address,
                                              at: at, audit: &audit, db).first
            try Self.appendAudit(audit, db)
            return outcome
        }
    }

    // MARK: Inside a transaction

    static func loadRules(_ db: Database) throws -> [GroupRule] {
        try Row.fetchAll(db, sql: "SELECT * FROM group_rules ORDER BY created_at, id").map(rule)
    }

    /// People known to be in the rule's group, plus those holding what it grants by a rule.
    static func ruleCandidates(_ rule: GroupRule, _ db: Database) throws -> [PersonID] {
        var ids = Set(try String.fetchAll(db, sql: "SELECT person_id FROM person_groups WHERE group_key = ?", arguments: [rule.groupKey]))
        switch rule.grant {
        case .role:
            ids.formUnion(try String.fetchAll(db, sql: "SELECT id FROM people WHERE role_source = 'rules' AND role = 'admin'"))
        case .membership(let workspace, _):
            ids.formUnion(try String.fetchAll(db, sql: "SELECT person_id FROM memberships WHERE workspace_id = ? AND origin = 'rule'",
                                              arguments: [workspace.description]))
        }
        return ids.sorted().compactMap(PersonID.init)
    }

    static func ruleSubject(_ id: PersonID, _ db: Database) throws -> (subject: RuleSubject, groups: Set<String>)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT role, role_source, disabled FROM people WHERE id = ?", arguments: [id.description]) else {
            return nil
        }
        let roleText: String = row["role"]
        let sourceText: String = row["role_source"]
        guard let role = Role(rawValue: roleText), let source = RoleSource(rawValue: sourceText) else {
            throw CorruptRow(table: "people", column: "role", value: "\(roleText)/\(sourceText)")
        }
        var memberships: [WorkspaceID: HeldMembership] = [:]
        for membership in try Row.fetchAll(db, sql: "SELECT workspace_id, role, origin FROM memberships WHERE person_id = ?",
                                           arguments: [id.description]) {
            let workspaceText: String = membership["workspace_id"]
            let roleText: String = membership["role"]
            let originText: String = membership["origin"]
            guard let workspace = WorkspaceID(workspaceText), let role = MembershipRole(rawValue: roleText),
                  let origin = MembershipOrigin(rawValue: originText) else {
                throw CorruptRow(table: "memberships", column: "origin", value: originText)
            }
            memberships[workspace] = HeldMembership(role: role, origin: origin)
        }
        let groups = Set(try String.fetchAll(db, sql: "SELECT group_key FROM person_groups WHERE person_id = ?", arguments: [id.description]))
        let subject = RuleSubject(personID: id, role: role, roleSource: source, disabled: row["disabled"], memberships: memberships)
        return (subject, groups)
    }

    /// Brings each person where the rules say and logs every change; returns the people for
    /// whom something changed or could not change.
    static func applyRules(
        to people: [PersonID], rules: [GroupRule], via: AuditVia, actor: AuditRef?, address: String, at: Date,
        audit: inout [AuditEntry], _ db: Database
    ) throws -> [PersonRuleOutcome] {
        var outcomes: [PersonRuleOutcome] = []
        for id in people {
            guard let (subject, groups) = try ruleSubject(id, db) else { continue }
            let wanted = GroupRuleEvaluation.changes(subject: subject, groups: groups, rules: rules)
            guard !wanted.isEmpty else { continue }
            let outcome = try apply(wanted, to: id, via: via, actor: actor, address: address, at: at, audit: &audit, db)
            if !outcome.changes.isEmpty || !outcome.skipped.isEmpty { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Writes the changes one by one; a change the workspace rules refuse (its last owner)
    /// is skipped with a sentence, the others still happen.
    static func apply(
        _ wanted: RuleChanges, to id: PersonID, via: AuditVia, actor: AuditRef?, address: String, at: Date,
        audit: inout [AuditEntry], _ db: Database
    ) throws -> PersonRuleOutcome {
        guard let personRow = try PersonRow.fetchOne(db, key: id.description) else { throw DomainError.notFound("Person") }
        let person = try PersonRow.people([personRow], db)[0]
        var applied = RuleChanges()
        var skipped: [String] = []
        let target = AuditRef.person(person)
        if let role = wanted.role {
            try db.execute(sql: "UPDATE people SET role = ? WHERE id = ?", arguments: [role.to.rawValue, id.description])
            applied.role = role
            audit.append(AuditEntry(at: at, action: .roleChanged, actor: actor, target: target, via: via, address: address,
                                    details: ["from": role.from.rawValue, "to": role.to.rawValue]))
        }
        for change in wanted.memberships {
            let workspace = AuditRef(type: "workspace", id: change.workspace.description, name: try workspaceName(change.workspace, db))
            do {
                switch (change.from, change.to) {
                case (nil, let to?):
                    try db.execute(sql: """
                        INSERT INTO memberships (workspace_id, person_id, role, joined_at, origin) VALUES (?, ?, ?, ?, 'rule')
                        """, arguments: [change.workspace.description, id.description, to.rawValue, at.unixSeconds])
                    try db.execute(sql: "DELETE FROM join_requests WHERE workspace_id = ? AND person_id = ?",
                                   arguments: [change.workspace.description, id.description])
                    audit.append(AuditEntry(at: at, action: .membershipAdded, actor: actor, target: target, workspace: workspace,
                                            via: via, address: address, details: ["role": to.rawValue]))
                case (let from?, nil):
                    try requireAnotherOwner(change.workspace, removing: from == .owner, db)
                    try db.execute(sql: "DELETE FROM memberships WHERE workspace_id = ? AND person_id = ?",
                                   arguments: [change.workspace.description, id.description])
                    audit.append(AuditEntry(at: at, action: .membershipRemoved, actor: actor, target: target, workspace: workspace,
                                            via: via, address: address, details: ["role": from.rawValue]))
                case (let from?, let to?):
                    try requireAnotherOwner(change.workspace, removing: from == .owner, db)
                    try db.execute(sql: "UPDATE memberships SET role = ? WHERE workspace_id = ? AND person_id = ?",
                                   arguments: [to.rawValue, change.workspace.description, id.description])
                    audit.append(AuditEntry(at: at, action: .membershipRoleChanged, actor: actor, target: target, workspace: workspace,
                                            via: via, address: address, details: ["from": from.rawValue, "to": to.rawValue]))
                case (nil, nil):
                    continue
                }
                applied.memberships.append(change)
            } catch DomainError.conflict {
                skipped.append("\(person.name) is the last owner of \(workspace.name) and stays until someone else is owner.")
            }
        }
        return PersonRuleOutcome(person: try PersonRow.people([try PersonRow.fetchOne(db, key: id.description) ?? personRow], db)[0],
                                 changes: applied, skipped: skipped)
    }

    /// Records exactly `members` as the group's members (fresh from the directory).
    static func replaceGroupMembers(key: String, members: [PersonID], _ db: Database) throws {
        let source = key.hasPrefix("oidc:") ? "oidc" : "directory"
        try db.execute(sql: "DELETE FROM person_groups WHERE group_key = ?", arguments: [key])
        for member in Set(members) {
            try db.execute(sql: "INSERT OR IGNORE INTO person_groups (person_id, group_key, source) VALUES (?, ?, ?)",
                           arguments: [member.description, key, source])
        }
    }

    static func workspaceName(_ id: WorkspaceID, _ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT name FROM workspaces WHERE id = ?", arguments: [id.description]) ?? ""
    }

    private static func workspaceRef(_ grant: GroupRule.Grant, _ db: Database) throws -> AuditRef? {
        guard case .membership(let workspace, _) = grant else { return nil }
        return AuditRef(type: "workspace", id: workspace.description, name: try workspaceName(workspace, db))
    }

    private static func ruleDetails(_ rule: GroupRule) -> [String: String] {
        switch rule.grant {
        case .role(let role): ["group": rule.groupKey, "role": role.rawValue]
        case .membership(_, let role): ["group": rule.groupKey, "membershipRole": role.rawValue]
        }
    }

    private static func ruleArguments(_ rule: GroupRule) -> StatementArguments {
        var arguments: StatementArguments = [rule.id.description, rule.groupKey, rule.groupName]
        switch rule.grant {
        case .role(let role):
            arguments += ["role", role.rawValue, nil, nil]
        case .membership(let workspace, let role):
            arguments += ["membership", nil, workspace.description, role.rawValue]
        }
        arguments += [rule.createdBy?.description, rule.createdAt.unixSeconds]
        return arguments
    }

    static func rule(_ row: Row) throws -> GroupRule {
        let idText: String = row["id"]
        let kind: String = row["kind"]
        guard let id = GroupRuleID(idText) else { throw CorruptRow(table: "group_rules", column: "id", value: idText) }
        let grant: GroupRule.Grant
        if kind == "role", let roleText: String = row["role"], let role = Role(rawValue: roleText) {
            grant = .role(role)
        } else if kind == "membership", let workspaceText: String = row["workspace_id"], let workspace = WorkspaceID(workspaceText),
                  let roleText: String = row["membership_role"], let role = MembershipRole(rawValue: roleText) {
            grant = .membership(workspace, role)
        } else {
            throw CorruptRow(table: "group_rules", column: "kind", value: kind)
        }
        let createdBy: String? = row["created_by"]
        return GroupRule(id: id, groupKey: row["group_key"], groupName: row["group_name"], grant: grant,
                         createdBy: createdBy.flatMap(PersonID.init), createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
