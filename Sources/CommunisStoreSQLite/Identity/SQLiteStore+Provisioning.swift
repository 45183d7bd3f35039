import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// People from the directory and OpenID Connect providers: found by (provider, subject),
/// created, linked, updated, disabled and given what the group rules say, one transaction
/// per login and per sync, with their audit entries.
extension SQLiteStore {
    public func provisionExternalPerson(_ request: ProvisionRequest) async throws -> ProvisionResult {
        try await pool.write { db in
            var audit: [AuditEntry] = []
            var messages: [String] = []
            let result = try Self.provision(request, rules: try Self.loadRules(db), via: request.isLogin ? .login : .sync,
                                            actor: nil, audit: &audit, messages: &messages, db)
            try Self.appendAudit(audit, db)
            return result
        }
    }

    public func person(provider: String, subject: String) async throws -> Person? {
        try await pool.read { db in
            guard let row = try PersonRow.fetchOne(db, sql: """
                SELECT p.* FROM external_identities e JOIN people p ON p.id = e.person_id WHERE e.provider = ? AND e.subject = ?
                """, arguments: [provider, subject]) else { return nil }
            return try PersonRow.people([row], db).first
        }
    }

    public func identities(of person: PersonID) async throws -> [String: String] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT provider, subject FROM external_identities WHERE person_id = ?",
                                                             arguments: [person.description]).map { ($0["provider"], $0["subject"]) })
        }
    }

    public func people(provider: String, subjects: Set<String>) async throws -> [String: PersonID] {
        try await pool.read { db in
            var result: [String: PersonID] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT subject, person_id FROM external_identities WHERE provider = ? AND subject IN (SELECT value FROM json_each(?))
                """, arguments: [provider, jsonArray(subjects.sorted())]) {
                let personText: String = row["person_id"]
                if let id = PersonID(personText) { result[row["subject"]] = id }
            }
            return result
        }
    }

    public func groups(of person: PersonID) async throws -> [ExternalGroup] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT g.group_key AS key, coalesce(k.name, g.group_key) AS name, g.source, coalesce(k.dn, '') AS dn
                FROM person_groups g LEFT JOIN known_groups k ON k.key = g.group_key
                WHERE g.person_id = ? ORDER BY name COLLATE communis_name, key
                """, arguments: [person.description]).map(Self.group)
        }
    }

    public func knownGroups(text: String?, limit: Int) async throws -> [ExternalGroup] {
        try await pool.read { db in
            var condition = "1"
            var arguments: StatementArguments = []
            if let text = Key.query(text) {
                condition = "(name_key LIKE ? ESCAPE '\\' OR key LIKE ? ESCAPE '\\')"
                arguments = [Key.containsPattern(text), Key.containsPattern(text)]
            }
            return try Row.fetchAll(db, sql: """
                SELECT key, name, source, dn FROM known_groups WHERE \(condition)
                ORDER BY name COLLATE communis_name, key LIMIT ?
                """, arguments: arguments + [max(1, min(limit, 500))]).map(Self.group)
        }
    }

    public func knownGroup(key: String) async throws -> ExternalGroup? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT key, name, source, dn FROM known_groups WHERE key = ?", arguments: [key]).map(Self.group)
        }
    }

    static func group(_ row: Row) throws -> ExternalGroup {
        let sourceText: String = row["source"]
        guard let source = ExternalGroup.Source(rawValue: sourceText) else { throw CorruptRow(table: "known_groups", column: "source", value: sourceText) }
        return ExternalGroup(key: row["key"], name: row["name"], source: source, dn: row["dn"])
    }

    static func upsertKnownGroup(_ group: ExternalGroup, at: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO known_groups (key, name, name_key, source, dn, seen_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, dn = excluded.dn, seen_at = excluded.seen_at
            """, arguments: [group.key, group.name, Key.of(group.name), group.source.rawValue, group.dn, at.unixSeconds])
    }

    // MARK: One person, inside the caller's transaction

    static func provision(
        _ request: ProvisionRequest, rules: [GroupRule], via: AuditVia, actor: AuditRef?,
        audit: inout [AuditEntry], messages: inout [String], _ db: Database
    ) throws -> ProvisionResult {
        let profile = request.profile.clamped
        let at = request.at
        var created = false, linked = false
        let personID: PersonID
        if let existing = try String.fetchOne(db, sql: "SELECT person_id FROM external_identities WHERE provider = ? AND subject = ?",
                                              arguments: [profile.provider, profile.subject]).flatMap(PersonID.init) {
            personID = existing
        } else if request.linkByEmail, !profile.email.isEmpty, let candidate = try String.fetchOne(db, sql: """
            SELECT p.id FROM people p
            WHERE p.email = ? AND p.role <> 'guest'
              AND NOT EXISTS (SELECT 1 FROM external_identities e WHERE e.person_id = p.id AND e.provider = ?)
            """, arguments: [profile.email, profile.provider]).flatMap(PersonID.init) {
            personID = candidate
            linked = true
            try insertIdentity(profile, person: candidate, at: at, db)
        } else {
            personID = PersonID()
            created = true
            let person = Person(
                id: personID, email: try claimEmail(profile, for: personID, messages: &messages, db), name: profile.name, role: .member,
                profile: Profile(title: profile.title ?? "", department: profile.department ?? "", workplace: profile.workplace ?? "",
                                 phone: profile.phone ?? ""),
                disabled: profile.disabled, createdAt: at, login: try claimLogin(profile, for: personID, db),
                managedBy: profile.managedBy, roleSource: .rules, disabledBy: profile.disabled ? .directory : nil)
            try PersonRow(person, passwordHash: nil).insert(db)
            try insertIdentity(profile, person: personID, at: at, db)
            audit.append(AuditEntry(at: at, action: .accountCreated, actor: actor, target: .person(person), via: via,
                                    address: request.address, details: ["provider": profile.provider]))
        }

        guard let row = try PersonRow.fetchOne(db, key: personID.description) else { throw DomainError.notFound("Person") }
        let before = try PersonRow.people([row], db)[0]
        var after = before
        var passwordHash = row.passwordHash
        if linked, before.managedBy == nil || profile.managedBy == .directory {
            // The outside system owns the account from now on; a local password would be a
            // second way in that nobody manages. The directory also takes over an account
            // first seen through an OIDC login: it is the authority on who works here (and
            // only its people are disabled when they leave).
            after.managedBy = profile.managedBy
            passwordHash = nil
        }
        // A person the directory manages keeps the directory's fields when they also log in
        // through an OpenID Connect provider.
        if after.managedBy == profile.managedBy {
            after.name = profile.name
            if profile.email != before.email { after.email = try claimEmail(profile, for: personID, messages: &messages, db) }
            if profile.login != before.login { after.login = try claimLogin(profile, for: personID, db) }
            if let title = profile.title { after.profile.title = title }
            if let department = profile.department { after.profile.department = department }
            if let workplace = profile.workplace { after.profile.workplace = workplace }
            if let phone = profile.phone { after.profile.phone = phone }
        }
        var disabledNow = false, enabledNow = false
        if profile.disabled, !before.disabled {
            after.disabled = true
            after.disabledBy = .directory
            disabledNow = true
        } else if !profile.disabled, before.disabled, before.disabledBy == .directory, profile.managedBy == .directory {
            // Only the directory undoes what the directory did (an OIDC login says nothing
            // about the directory's view of the person).
            after.disabled = false
            after.disabledBy = nil
            enabledNow = true
        }
        switch request.scope {
        case .unknown: after.groupsUnreadable = true
        case .all(.oidc): after.groupsUnreadable = false
        default: break
        }
        let updated = !created && (after.name != before.name || after.email != before.email || after.login != before.login || after.profile != before.profile)
        if after != before || passwordHash != row.passwordHash {
            try writeManagedPerson(after, passwordHash: passwordHash, db)
        }
        if updated || linked {
            var changed: [String] = []
            if after.name != before.name { changed.append("name") }
            if after.email != before.email { changed.append("email") }
            if after.login != before.login { changed.append("login") }
            if after.profile != before.profile { changed.append("profile") }
            audit.append(AuditEntry(at: at, action: .accountUpdated, actor: actor, target: .person(after), via: via, address: request.address,
                                    details: linked ? ["linked": profile.provider, "fields": changed.joined(separator: ",")]
                                        : ["fields": changed.joined(separator: ",")]))
        }
        if disabledNow {
            audit.append(AuditEntry(at: at, action: .accountDisabled, actor: actor, target: .person(after), via: via, address: request.address,
                                    details: ["by": profile.provider]))
        }
        if enabledNow {
            audit.append(AuditEntry(at: at, action: .accountEnabled, actor: actor, target: .person(after), via: via, address: request.address,
                                    details: ["by": profile.provider]))
        }

        try recordGroups(request.groups, scope: request.scope, person: personID, at: at, db)
        var rulesOutcome = PersonRuleOutcome(person: after, changes: RuleChanges())
        if request.scope != .unknown {
            rulesOutcome = try applyRules(to: [personID], rules: rules, via: via, actor: actor, address: request.address, at: at,
                                          audit: &audit, db).first ?? rulesOutcome
        }
        if request.isLogin {
            try db.execute(sql: "UPDATE people SET last_login_at = ? WHERE id = ?", arguments: [at.unixSeconds, personID.description])
        }
        guard let final = try PersonRow.fetchOne(db, key: personID.description) else { throw DomainError.notFound("Person") }
        rulesOutcome.person = try PersonRow.people([final], db)[0]
        return ProvisionResult(person: rulesOutcome.person, created: created, linked: linked, updated: updated,
                               disabledNow: disabledNow, enabledNow: enabledNow, rules: rulesOutcome)
    }

    private static func insertIdentity(_ profile: ExternalProfile, person: PersonID, at: Date, _ db: Database) throws {
        // One identity per provider and person: a person re-created in the directory (new
        // stable id) replaces the old link of that person, if the e-mail linked them again.
        try db.execute(sql: "DELETE FROM external_identities WHERE person_id = ? AND provider = ?",
                       arguments: [person.description, profile.provider])
        try db.execute(sql: "INSERT INTO external_identities (provider, subject, person_id, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [profile.provider, profile.subject, person.description, at.unixSeconds])
    }

    /// The profile's e-mail if it can be this person's. The directory is the authority on
    /// its own people: an address held by another directory-managed person (who changed
    /// theirs) moves; an address held by anyone else is never taken.
    private static func claimEmail(_ profile: ExternalProfile, for person: PersonID, messages: inout [String], _ db: Database) throws -> String {
        guard !profile.email.isEmpty else { return "" }
        guard let holder = try Row.fetchOne(db, sql: "SELECT id, managed_by, name FROM people WHERE email = ? AND id <> ?",
                                            arguments: [profile.email, person.description]) else { return profile.email }
        let managedBy: String? = holder["managed_by"]
        if profile.managedBy == .directory, managedBy == ManagedBy.directory.rawValue {
            try db.execute(sql: "UPDATE people SET email = NULL WHERE id = ?", arguments: [holder["id"] as String])
            return profile.email
        }
        messages.append("\(profile.email) belongs to another account (\(holder["name"] as String)); \(profile.name) was kept without it.")
        return ""
    }

    /// The profile's login name; a directory-managed holder of the same name (renamed since)
    /// gives it up, as it gets its own at its next update.
    private static func claimLogin(_ profile: ExternalProfile, for person: PersonID, _ db: Database) throws -> String? {
        guard let login = profile.login, !login.isEmpty else { return nil }
        try db.execute(sql: "UPDATE people SET login = NULL WHERE login = ? AND id <> ?", arguments: [login, person.description])
        return login
    }

    /// Writes the fields a provisioning may change, with the search text they feed.
    private static func writeManagedPerson(_ person: Person, passwordHash: String?, _ db: Database) throws {
        let row = PersonRow(person, passwordHash: passwordHash)
        try db.execute(sql: """
            UPDATE people SET
                email = ?, login = ?, name = ?, title = ?, department = ?, department_key = ?, workplace = ?, workplace_key = ?,
                phone = ?, search_text = ?, managed_by = ?, disabled = ?, disabled_by = ?, groups_unreadable = ?, password_hash = ?
            WHERE id = ?
            """, arguments: [
                row.email.isEmpty ? nil : row.email, row.login, row.name, row.title, row.department, Key.of(row.department),
                row.workplace, Key.of(row.workplace), row.phone, row.searchText, row.managedBy, row.disabled, row.disabledBy,
                row.groupsUnreadable, passwordHash, row.id,
            ])
    }

    private static func recordGroups(_ groups: [ExternalGroup], scope: GroupScope, person: PersonID, at: Date, _ db: Database) throws {
        switch scope {
        case .unknown:
            return
        case .all(let source):
            try db.execute(sql: "DELETE FROM person_groups WHERE person_id = ? AND source = ?", arguments: [person.description, source.rawValue])
        case .keys(let keys):
            try db.execute(sql: "DELETE FROM person_groups WHERE person_id = ? AND group_key IN (SELECT value FROM json_each(?))",
                           arguments: [person.description, jsonArray(keys.sorted())])
        }
        for group in groups {
            if case .keys(let keys) = scope, !keys.contains(group.key) { continue }
            try upsertKnownGroup(group, at: at, db)
            try db.execute(sql: "INSERT OR IGNORE INTO person_groups (person_id, group_key, source) VALUES (?, ?, ?)",
                           arguments: [person.description, group.key, group.source.rawValue])
        }
    }
}
