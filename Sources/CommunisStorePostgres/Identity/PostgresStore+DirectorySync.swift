import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// One transaction for the whole sync (rolled back for a dry run), so a sync that fails
    /// half-way changes nothing. Reading the directory happened before, outside it. Two nodes
    /// syncing at once take turns (a transaction-scoped advisory lock).
    public func applyDirectorySync(_ input: DirectorySyncInput) async throws -> DirectorySyncOutcome {
        do {
            return try await transaction { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('communis.directory-sync', 0))", logger: logger).run()
                let outcome = try await Self.directorySync(input, on: connection, logger: logger)
                if input.dryRun { throw DryRun(outcome: outcome) }
                return outcome
            }
        } catch let dryRun as DryRun {
            return dryRun.outcome
        }
    }

    /// Thrown out of the transaction to roll a dry run back, carrying what it would have done.
    private struct DryRun: Error { let outcome: DirectorySyncOutcome }

    private static func directorySync(_ input: DirectorySyncInput, on connection: PostgresConnection, logger: Logger) async throws -> DirectorySyncOutcome {
        let provider = ExternalProfile.directoryProvider
        let rules = try await loadRules(on: connection, logger: logger)
        let ruleKeys = Set(rules.map(\.groupKey).filter { $0.hasPrefix("directory:") })
        var outcome = DirectorySyncOutcome()
        var audit: [AuditEntry] = []

        // Who the directory no longer lists (or lists as disabled) is disabled; check the
        // share first, so a wrong filter or base cannot disable the organisation.
        let listed = Dictionary(input.accounts.map { ($0.subject, $0) }, uniquingKeysWith: { first, _ in first })
        var active: [(subject: String, id: PersonID)] = []
        for row in try await connection.query("""
            SELECT e.subject, p.id FROM external_identities e JOIN people p ON p.id = e.person_id
            WHERE e.provider = \(provider) AND NOT p.disabled AND p.managed_by = 'directory' ORDER BY e.subject
            """, logger: logger).all() {
            active.append((try row.get("subject"), try row.id("id")))
        }
        let leaving = active.filter { listed[$0.subject].map(\.disabled) ?? true }
        if !active.isEmpty, Double(leaving.count) > input.maxDisableFraction * Double(active.count), leaving.count > 1 {
            throw DirectorySyncRefused("""
                The directory would disable \(leaving.count) of \(active.count) people (more than \(Int(input.maxDisableFraction * 100)) %); \
                nothing was changed. Check directory.user_base and directory.user_filter, or run the sync with --force.
                """)
        }

        for group in input.groups where group.source == .directory { try await upsertKnownGroup(group, at: input.at, on: connection, logger: logger) }
        let listedGroups = Set(input.groups.map(\.key))
        try await connection.query("""
            DELETE FROM known_groups WHERE source = 'directory'
              AND NOT (key = ANY(\(listedGroups.sorted()))) AND key NOT IN (SELECT group_key FROM group_rules)
            """, logger: logger).run()
        let groupsByKey = Dictionary(input.groups.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

        var provisioned = Set<PersonID>()
        for account in input.accounts {
            let groups = ruleKeys.filter { input.ruleGroupMembers[$0]?.contains(account.subject) ?? false }.sorted().map { key in
                groupsByKey[key] ?? ExternalGroup(key: key, name: key, source: .directory)
            }
            let request = ProvisionRequest(profile: account, groups: groups, scope: .keys(ruleKeys), linkByEmail: input.linkByEmail,
                                           at: input.at, isLogin: false, address: input.address)
            let result = try await provision(request, rules: rules, via: .sync, actor: input.actor, audit: &audit, messages: &outcome.messages,
                                             on: connection, logger: logger)
            provisioned.insert(result.person.id)
            if result.created { outcome.created += 1 } else if result.updated || result.linked { outcome.updated += 1 }
            if result.disabledNow {
                outcome.disabled += 1
                outcome.disabledPeople.append(result.person.id)
            }
            if result.enabledNow { outcome.enabled += 1 }
            outcome.count(result.rules)
        }

        for (subject, id) in active where listed[subject] == nil {
            try await connection.query("UPDATE people SET disabled = TRUE, disabled_by = 'directory' WHERE id = \(id.uuid)", logger: logger).run()
            guard let person = try await personInTransaction(id, on: connection, logger: logger) else { continue }
            audit.append(AuditEntry(at: input.at, action: .accountDisabled, actor: input.actor, target: .person(person), via: .sync,
                                    address: input.address, details: ["reason": "not in the directory"]))
            outcome.disabled += 1
            outcome.disabledPeople.append(id)
        }

        // Rules also reach people who are in no rule group any more but hold what a rule gave.
        var holders: [PersonID] = []
        for row in try await connection.query("""
            SELECT DISTINCT p.id FROM people p JOIN external_identities e ON e.person_id = p.id AND e.provider = \(provider)
            WHERE NOT p.disabled AND ((p.role_source = 'rules' AND p.role = 'admin')
               OR EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.origin = 'rule'))
            ORDER BY p.id
            """, logger: logger).all() {
            let id: PersonID = try row.id("id")
            if !provisioned.contains(id) { holders.append(id) }
        }
        for result in try await applyRules(to: holders, rules: rules, via: .sync, actor: input.actor, address: input.address, at: input.at,
                                           audit: &audit, on: connection, logger: logger) {
            outcome.count(result)
        }

        audit.append(AuditEntry(at: input.at, action: .directorySync, actor: input.actor, via: .sync, address: input.address, details: [
            "ok": "true", "created": String(outcome.created), "updated": String(outcome.updated), "disabled": String(outcome.disabled),
            "enabled": String(outcome.enabled), "membershipsAdded": String(outcome.membershipsAdded),
            "membershipsRemoved": String(outcome.membershipsRemoved), "errors": String(outcome.errors),
        ]))
        try await appendAudit(audit, on: connection, logger: logger)
        return outcome
    }
}
