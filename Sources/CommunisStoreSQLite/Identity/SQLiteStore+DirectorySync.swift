import CommunisModel
import CommunisStore
import Foundation
import GRDB

extension SQLiteStore {
    /// One write transaction for the whole sync (rolled back for a dry run), so a sync that
    /// fails half-way changes nothing. Reading the directory happened before, outside it.
    public func applyDirectorySync(_ input: DirectorySyncInput) async throws -> DirectorySyncOutcome {
        try await pool.writeWithoutTransaction { db in
            var outcome = DirectorySyncOutcome()
            try db.inTransaction {
                outcome = try Self.directorySync(input, db)
                return input.dryRun ? .rollback : .commit
            }
            return outcome
        }
    }

    private static func directorySync(_ input: DirectorySyncInput, _ db: Database) throws -> DirectorySyncOutcome {
        let provider = ExternalProfile.directoryProvider
        let rules = try loadRules(db)
        let ruleKeys = Set(rules.map(\.groupKey).filter { $0.hasPrefix("directory:") })
        var outcome = DirectorySyncOutcome()
        var audit: [AuditEntry] = []

        // Who the directory no longer lists (or lists as disabled) is disabled; check the
        // share first, so a wrong filter or base cannot disable the organisation.
        let listed = Dictionary(input.accounts.map { ($0.subject, $0) }, uniquingKeysWith: { first, _ in first })
        let active = try Row.fetchAll(db, sql: """
            SELECT e.subject, p.id FROM external_identities e JOIN people p ON p.id = e.person_id
            WHERE e.provider = ? AND p.disabled = 0 AND p.managed_by = 'directory'
            """, arguments: [provider])
        let leaving = active.filter { row in listed[row["subject"] as String].map(\.disabled) ?? true }
        if !active.isEmpty, Double(leaving.count) > input.maxDisableFraction * Double(active.count), leaving.count > 1 {
            throw DirectorySyncRefused("""
                The directory would disable \(leaving.count) of \(active.count) people (more than \(Int(input.maxDisableFraction * 100)) %); \
                nothing was changed. Check directory.user_base and directory.user_filter, or run the sync with --force.
                """)
        }

        for group in input.groups where group.source == .directory { try upsertKnownGroup(group, at: input.at, db) }
        let listedGroups = Set(input.groups.map(\.key))
        try db.execute(sql: """
            DELETE FROM known_groups WHERE source = 'directory'
              AND key NOT IN (SELECT value FROM json_each(?)) AND key NOT IN (SELECT group_key FROM group_rules)
            """, arguments: [jsonArray(listedGroups.sorted())])
        let groupsByKey = Dictionary(input.groups.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

        var provisioned = Set<PersonID>()
        for account in input.accounts {
            let groups = ruleKeys.filter { input.ruleGroupMembers[$0]?.contains(account.subject) ?? false }.map { key in
                groupsByKey[key] ?? ExternalGroup(key: key, name: key, source: .directory)
            }
            let request = ProvisionRequest(profile: account, groups: groups, scope: .keys(ruleKeys), linkByEmail: input.linkByEmail,
                                           at: input.at, isLogin: false, address: input.address)
            let result = try provision(request, rules: rules, via: .sync, actor: input.actor, audit: &audit, messages: &outcome.messages, db)
            provisioned.insert(result.person.id)
            if result.created { outcome.created += 1 } else if result.updated || result.linked { outcome.updated += 1 }
            if result.disabledNow {
                outcome.disabled += 1
                outcome.disabledPeople.append(result.person.id)
            }
            if result.enabledNow { outcome.enabled += 1 }
            outcome.count(result.rules)
        }

        for row in active where listed[row["subject"] as String] == nil {
            let idText: String = row["id"]
            guard let id = PersonID(idText), let personRow = try PersonRow.fetchOne(db, key: idText) else { continue }
            try db.execute(sql: "UPDATE people SET disabled = 1, disabled_by = 'directory' WHERE id = ?", arguments: [idText])
            let person = try PersonRow.people([personRow], db)[0]
            audit.append(AuditEntry(at: input.at, action: .accountDisabled, actor: input.actor, target: .person(person), via: .sync,
                                    address: input.address, details: ["reason": "not in the directory"]))
            outcome.disabled += 1
            outcome.disabledPeople.append(id)
        }

        // Rules also reach people who are in no rule group any more but hold what a rule gave.
        let holders = try String.fetchAll(db, sql: """
            SELECT DISTINCT p.id FROM people p JOIN external_identities e ON e.person_id = p.id AND e.provider = ?
            WHERE p.disabled = 0 AND ((p.role_source = 'rules' AND p.role = 'admin')
               OR EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.origin = 'rule'))
            """, arguments: [provider]).compactMap(PersonID.init).filter { !provisioned.contains($0) }
        for result in try applyRules(to: holders, rules: rules, via: .sync, actor: input.actor, address: input.address, at: input.at,
                                     audit: &audit, db) {
            outcome.count(result)
        }

        audit.append(AuditEntry(at: input.at, action: .directorySync, actor: input.actor, via: .sync, address: input.address, details: [
            "ok": "true", "created": String(outcome.created), "updated": String(outcome.updated), "disabled": String(outcome.disabled),
            "enabled": String(outcome.enabled), "membershipsAdded": String(outcome.membershipsAdded),
            "membershipsRemoved": String(outcome.membershipsRemoved), "errors": String(outcome.errors),
        ]))
        try appendAudit(audit, db)
        return outcome
    }
}
