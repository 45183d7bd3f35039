import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// People from the directory and OpenID Connect providers: found by (provider, subject),
/// created, linked, updated, disabled and given what the group rules say, one transaction per
/// login and per sync, with their audit entries (the SQLite engine's behaviour, case by case).
extension PostgresStore {
    public func provisionExternalPerson(_ request: ProvisionRequest) async throws -> ProvisionResult {
        try await transaction { connection in
            // One provisioning of a given identity at a time (two logins of one person on two
            // nodes must not both create an account).
            try await connection.query("""
                SELECT pg_advisory_xact_lock(hashtextextended(\(request.profile.provider + "\u{1F}" + request.profile.subject), 0))
                """, logger: logger).run()
            var audit: [AuditEntry] = []
            var messages: [String] = []
            let result = try await Self.provision(request, rules: try await Self.loadRules(on: connection, logger: logger),
                                                  via: request.isLogin ? .login : .sync, actor: nil, audit: &audit, messages: &messages,
                                                  on: connection, logger: logger)
            try await Self.appendAudit(audit, on: connection, logger: logger)
            return result
        }
    }

    public func person(provider: String, subject: String) async throws -> Person? {
        try await client.withConnection { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: PeopleRows.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                FROM external_identities e JOIN people p ON p.id = e.person_id WHERE e.provider = \(provider) AND e.subject = \(subject)
                """, logger: logger).all()
            return try await PeopleRows.people(rows, on: connection, logger: logger).first
        }
    }

    public func identities(of person: PersonID) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await client.query("SELECT provider, subject FROM external_identities WHERE person_id = \(person.uuid)", logger: logger).all() {
            result[try row.get("provider")] = try row.get("subject")
        }
        return result
    }

    public func people(provider: String, subjects: Set<String>) async throws -> [String: PersonID] {
        var result: [String: PersonID] = [:]
        for row in try await client.query("""
            SELECT subject, person_id FROM external_identities WHERE provider = \(provider) AND subject = ANY(\(subjects.sorted()))
            """, logger: logger).all() {
            result[try row.get("subject")] = try row.id("person_id")
        }
        return result
    }

    public func groups(of person: PersonID) async throws -> [ExternalGroup] {
        try await client.query("""
            SELECT g.group_key AS key, coalesce(k.name, g.group_key) AS name, g.source, coalesce(k.dn, '') AS dn
            FROM person_groups g LEFT JOIN known_groups k ON k.key = g.group_key
            WHERE g.person_id = \(person.uuid) ORDER BY coalesce(k.name, g.group_key) COLLATE communis_name, g.group_key
            """, logger: logger).all().map(Self.group)
    }

    public func knownGroups(text: String?, limit: Int) async throws -> [ExternalGroup] {
        var sql: SQL = "SELECT key, name, source, dn FROM known_groups"
        if let text = Key.query(text) {
            sql += " WHERE (name_key LIKE \(Key.containsPattern(text)) ESCAPE '\\' OR key LIKE \(Key.containsPattern(text)) ESCAPE '\\')"
        }
        sql += " ORDER BY name COLLATE communis_name, key LIMIT \(max(1, min(limit, 500)))"
        return try await client.query(sql.query, logger: logger).all().map(Self.group)
    }

    public func knownGroup(key: String) async throws -> ExternalGroup? {
        try await client.query("SELECT key, name, source, dn FROM known_groups WHERE key = \(key)", logger: logger).first().map(Self.group)
    }

    static func group(_ row: PostgresRandomAccessRow) throws -> ExternalGroup {
        ExternalGroup(key: try row.get("key"), name: try row.get("name"), source: try row.enum("source"), dn: try row.get("dn"))
    }

    static func upsertKnownGroup(_ group: ExternalGroup, at: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO known_groups (key, name, name_key, source, dn, seen_at) VALUES (\(group.key), \(group.name), \(Key.of(group.name)),
                \(group.source.rawValue), \(group.dn), \(at))
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, dn = excluded.dn, seen_at = excluded.seen_at
            """, logger: logger).run()
    }

    // MARK: One person, inside the caller's transaction

    static func provision(
        _ request: ProvisionRequest, rules: [GroupRule], via: AuditVia, actor: AuditRef?,
        audit: inout [AuditEntry], messages: inout [String], on connection: PostgresConnection, logger: Logger
    ) async throws -> ProvisionResult {
        let profile = request.profile.clamped
        let at = request.at
        var created = false, linked = false
        let personID: PersonID
        if let existing = try await connection.query("""
            SELECT person_id FROM external_identities WHERE provider = \(profile.provider) AND subject = \(profile.subject)
            """, logger: logger).first() {
            personID = try existing.id("person_id")
        } else if request.linkByEmail, !profile.email.isEmpty, let candidate = try await connection.query("""
            SELECT p.id FROM people p WHERE p.email = \(profile.email) AND p.role <> 'guest'
              AND NOT EXISTS (SELECT 1 FROM external_identities e WHERE e.person_id = p.id AND e.provider = \(profile.provider))
            """, logger: logger).first() {
            personID = try candidate.id("id")
            linked = true
            try await insertIdentity(profile, person: personID, at: at, on: connection, logger: logger)
        } else {
            personID = PersonID()
            created = true
            let person = Person(
                id: personID, email: try await claimEmail(profile, for: personID, messages: &messages, on: connection, logger: logger),
                name: profile.name, role: .member,
                profile: Profile(title: profile.title ?? "", department: profile.department ?? "", workplace: profile.workplace ?? "", phone: profile.phone ?? ""),
                disabled: profile.disabled, createdAt: at, login: try await claimLogin(profile, for: personID, on: connection, logger: logger),
                managedBy: profile.managedBy, roleSource: .rules, disabledBy: profile.disabled ? .directory : nil)
            try await insertPersonInTransaction(person, on: connection, logger: logger)
            try await insertIdentity(profile, person: personID, at: at, on: connection, logger: logger)
            audit.append(AuditEntry(at: at, action: .accountCreated, actor: actor, target: .person(person), via: via, address: request.address,
                                    details: ["provider": profile.provider]))
        }

        guard let before = try await personInTransaction(personID, on: connection, logger: logger) else { throw DomainError.notFound("Person") }
        let passwordBefore: String? = try await connection.query("SELECT password_hash FROM people WHERE id = \(personID.uuid)", logger: logger)
            .first()?.get("password_hash")
        var after = before
        var passwordHash = passwordBefore
        if linked, before.managedBy == nil || profile.managedBy == .directory {
            // The outside system owns the account from now on (a local password would be a second
            // way in that nobody manages); the directory also takes over an account first seen
            // through an OIDC login.
            after.managedBy = profile.managedBy
            passwordHash = nil
        }
        // A person the directory manages keeps the directory's fields when they also log in
        // through an OpenID Connect provider.
        if after.managedBy == profile.managedBy {
            after.name = profile.name
            if profile.email != before.email { after.email = try await claimEmail(profile, for: personID, messages: &messages, on: connection, logger: logger) }
            if profile.login != before.login { after.login = try await claimLogin(profile, for: personID, on: connection, logger: logger) }
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
            // Only the directory undoes what the directory did.
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
        if after != before || passwordHash != passwordBefore {
            try await writeManagedPerson(after, passwordHash: passwordHash, on: connection, logger: logger)
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

        try await recordGroups(request.groups, scope: request.scope, person: personID, at: at, on: connection, logger: logger)
        var outcome = PersonRuleOutcome(person: after, changes: RuleChanges())
        if request.scope != .unknown {
            outcome = try await applyRules(to: [personID], rules: rules, via: via, actor: actor, address: request.address, at: at,
                                           audit: &audit, on: connection, logger: logger).first ?? outcome
        }
        if request.isLogin {
            try await connection.query("UPDATE people SET last_login_at = \(at) WHERE id = \(personID.uuid)", logger: logger).run()
        }
        guard let final = try await personInTransaction(personID, on: connection, logger: logger) else { throw DomainError.notFound("Person") }
        outcome.person = final
        return ProvisionResult(person: final, created: created, linked: linked, updated: updated, disabledNow: disabledNow, enabledNow: enabledNow,
                               rules: outcome)
    }

    private static func insertPersonInTransaction(_ person: Person, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO people (id, email, login, name, role, role_source, managed_by, title, department, department_key, workplace, workplace_key,
                                phone, presentation, search_text, disabled, disabled_by, created_at)
            VALUES (\(person.id.uuid), \(person.email.isEmpty ? nil : person.email), \(person.login), \(person.name), \(person.role.rawValue),
                    \(person.roleSource.rawValue), \(person.managedBy?.rawValue), \(person.profile.title), \(person.profile.department),
                    \(Key.of(person.profile.department)), \(person.profile.workplace), \(Key.of(person.profile.workplace)), \(person.profile.phone),
                    \(person.profile.presentation), \(PeopleRows.searchText(of: person)), \(person.disabled), \(person.disabledBy?.rawValue), \(person.createdAt))
            """, logger: logger).run()
    }

    private static func insertIdentity(_ profile: ExternalProfile, person: PersonID, at: Date, on connection: PostgresConnection, logger: Logger) async throws {
        // One identity per provider and person: a person re-created in the directory (new stable
        // id) replaces the old link of that person, if the e-mail linked them again.
        try await connection.query("DELETE FROM external_identities WHERE person_id = \(person.uuid) AND provider = \(profile.provider)", logger: logger).run()
        try await connection.query("""
            INSERT INTO external_identities (provider, subject, person_id, created_at) VALUES (\(profile.provider), \(profile.subject), \(person.uuid), \(at))
            """, logger: logger).run()
    }

    /// The profile's e-mail if it can be this person's: an address held by another
    /// directory-managed person (who changed theirs) moves; one held by anyone else is never taken.
    private static func claimEmail(_ profile: ExternalProfile, for person: PersonID, messages: inout [String],
                                   on connection: PostgresConnection, logger: Logger) async throws -> String {
        guard !profile.email.isEmpty else { return "" }
        guard let holder = try await connection.query("""
            SELECT id, managed_by, name FROM people WHERE email = \(profile.email) AND id <> \(person.uuid) FOR UPDATE
            """, logger: logger).first() else { return profile.email }
        if profile.managedBy == .directory, try holder.get("managed_by", as: String?.self) == ManagedBy.directory.rawValue {
            try await connection.query("UPDATE people SET email = NULL WHERE id = \(try holder.get("id", as: UUID.self))", logger: logger).run()
            return profile.email
        }
        messages.append("\(profile.email) belongs to another account (\(try holder.get("name", as: String.self))); \(profile.name) was kept without it.")
        return ""
    }

    /// The profile's login name; a directory-managed holder of the same name (renamed since)
    /// gives it up, as it gets its own at its next update.
    private static func claimLogin(_ profile: ExternalProfile, for person: PersonID, on connection: PostgresConnection, logger: Logger) async throws -> String? {
        guard let login = profile.login, !login.isEmpty else { return nil }
        try await connection.query("UPDATE people SET login = NULL WHERE login = \(login) AND id <> \(person.uuid)", logger: logger).run()
        return login
    }

    /// Writes the fields a provisioning may change, with the search text they feed.
    private static func writeManagedPerson(_ person: Person, passwordHash: String?, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE people SET email = \(person.email.isEmpty ? nil : Email.normalize(person.email)), login = \(person.login.map(Key.of)),
                name = \(person.name), title = \(person.profile.title), department = \(person.profile.department),
                department_key = \(Key.of(person.profile.department)), workplace = \(person.profile.workplace),
                workplace_key = \(Key.of(person.profile.workplace)), phone = \(person.profile.phone), search_text = \(PeopleRows.searchText(of: person)),
                managed_by = \(person.managedBy?.rawValue), disabled = \(person.disabled),
                disabled_by = \(person.disabled ? (person.disabledBy ?? .admin).rawValue : nil), groups_unreadable = \(person.groupsUnreadable),
                password_hash = \(passwordHash)
            WHERE id = \(person.id.uuid)
            """, logger: logger).run()
    }

    private static func recordGroups(_ groups: [ExternalGroup], scope: GroupScope, person: PersonID, at: Date,
                                     on connection: PostgresConnection, logger: Logger) async throws {
        switch scope {
        case .unknown:
            return
        case .all(let source):
            try await connection.query("DELETE FROM person_groups WHERE person_id = \(person.uuid) AND source = \(source.rawValue)", logger: logger).run()
        case .keys(let keys):
            try await connection.query("DELETE FROM person_groups WHERE person_id = \(person.uuid) AND group_key = ANY(\(keys.sorted()))", logger: logger).run()
        }
        for group in groups {
            if case .keys(let keys) = scope, !keys.contains(group.key) { continue }
            try await upsertKnownGroup(group, at: at, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO person_groups (person_id, group_key, source) VALUES (\(person.uuid), \(group.key), \(group.source.rawValue)) ON CONFLICT DO NOTHING
                """, logger: logger).run()
        }
    }
}
