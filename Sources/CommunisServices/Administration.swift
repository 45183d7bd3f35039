import CommunisModel
import CommunisStore
import Foundation

/// A new account, from the admin page, `communis user add` or the demo.
public struct NewAccount: Sendable {
    public var email: String
    public var name: String
    public var password: String?
    public var role: Role
    public var profile: Profile

    public init(email: String, name: String, password: String?, role: Role, profile: Profile = Profile()) {
        self.email = email
        self.name = name
        self.password = password
        self.role = role
        self.profile = profile
    }
}

/// An administrator's change to an account; nil leaves a field as it is.
public struct AccountChange: Sendable {
    public var name: String?
    public var email: String?
    public var role: Role?
    public var disabled: Bool?
    /// True: the group rules decide the role again (`RoleSource.rules`).
    public var roleFromRules: Bool?
    public var profile: ProfileChange

    public init(name: String? = nil, email: String? = nil, role: Role? = nil, disabled: Bool? = nil, roleFromRules: Bool? = nil, profile: ProfileChange = ProfileChange()) {
        self.name = name
        self.email = email
        self.role = role
        self.disabled = disabled
        self.roleFromRules = roleFromRules
        self.profile = profile
    }
}

/// Account administration. Every entry point but `createAccount(_:)` (used by the command
/// line before anyone can log in) requires an administrator.
public struct Administration: Sendable {
    let store: any CommunisStore
    let hasher: any PasswordHasher
    let publisher: any LivePublisher
    let clock: Clock

    public init(store: any CommunisStore, hasher: any PasswordHasher, publisher: any LivePublisher = NoLivePublisher(), clock: Clock = Clock()) {
        self.store = store
        self.hasher = hasher
        self.publisher = publisher
        self.clock = clock
    }

    var audit: AuditLog { AuditLog(store: store, clock: clock) }

    private func requireAdmin(_ viewer: Viewer) throws {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators manage accounts.") }
    }

    /// Validates and stores a new account. A nil password leaves the account unable to log in
    /// until a password is set (invited guests).
    public func createAccount(_ new: NewAccount) async throws -> Person {
        var validator = Validator()
        let email = validator.email(new.email)
        let name = validator.text(new.name, field: "name", required: true, max: Limits.nameLength)
        if let password = new.password { validator.password(password) }
        var profile = Profile()
        ProfileChange(
            title: new.profile.title, department: new.profile.department, workplace: new.profile.workplace,
            phone: new.profile.phone, presentation: new.profile.presentation, competences: new.profile.competences
        ).apply(to: &profile, validator: &validator)
        try validator.check()
        let hash: String? = if let password = new.password { await hasher.hash(password) } else { nil }
        let person = Person(email: email, name: name, role: new.role, profile: profile, createdAt: clock.now())
        try await store.insertPerson(person, passwordHash: hash)
        return person
    }

    /// Like `createAccount`, with a password hash computed once for many accounts (the demo).
    public func createAccount(_ new: NewAccount, passwordHash: String) async throws -> Person {
        var account = new
        account.password = nil
        let person = try await createAccount(account)
        try await store.setPasswordHash(passwordHash, for: person.id)
        return person
    }

    public func createAccount(viewer: Viewer, _ new: NewAccount) async throws -> Person {
        try requireAdmin(viewer)
        guard new.password != nil else {
            throw DomainError.validation([FieldError(field: "password", message: "must not be empty")])
        }
        let person = try await createAccount(new)
        try await audit.record(.accountCreated, by: viewer, target: .person(person), details: ["role": person.role.rawValue])
        return person
    }

    /// Until when logins to these accounts are being delayed from some address.
    public func loginDelays(viewer: Viewer, of people: [PersonID]) async throws -> [PersonID: Date] {
        try requireAdmin(viewer)
        return try await store.loginDelays(of: people, now: clock.now())
    }

    /// The person's groups from the directory and OIDC logins.
    public func groups(viewer: Viewer, of person: PersonID) async throws -> [ExternalGroup] {
        try requireAdmin(viewer)
        return try await store.groups(of: person)
    }

    public func accounts(viewer: Viewer, text: String?, page: PageRequest) async throws -> Page<Person> {
        try requireAdmin(viewer)
        let query = PeopleQuery(text: text, roles: Set(Role.allCases), includeDisabled: true)
        return try await store.searchPeople(query, page: page)
    }

    public func account(viewer: Viewer, id: PersonID) async throws -> Person {
        try requireAdmin(viewer)
        guard let person = try await store.person(id: id) else { throw DomainError.notFound("Person") }
        return person
    }

    public func updateAccount(viewer: Viewer, id: PersonID, change: AccountChange) async throws -> Person {
        try requireAdmin(viewer)
        guard let before = try await store.person(id: id) else { throw DomainError.notFound("Person") }
        var person = before
        var validator = Validator()
        // Fields an outside system owns are changed there, never here.
        if before.managedBy != nil {
            let managed: [(String, Bool)] = [
                ("name", change.name != nil), ("email", change.email != nil), ("title", change.profile.title != nil),
                ("department", change.profile.department != nil), ("workplace", change.profile.workplace != nil), ("phone", change.profile.phone != nil),
            ]
            let refused = managed.filter { $0.1 && before.managedFields.contains($0.0) }.map {
                FieldError(field: $0.0, message: "is managed by the \(before.managedBy == .directory ? "directory" : "login service") and cannot be changed here")
            }
            if !refused.isEmpty { throw DomainError.validation(refused) }
        }
        if let name = change.name { person.name = validator.text(name, field: "name", required: true, max: Limits.nameLength) }
        if let email = change.email { person.email = validator.email(email) }
        if let role = change.role {
            if id == viewer.id && role != .admin {
                throw DomainError.conflict("You cannot remove your own administrator role; ask another administrator.")
            }
            person.role = role
            person.roleSource = .manual
        }
        if change.roleFromRules == true {
            guard before.managedBy != nil else {
                throw DomainError.validation([FieldError(field: "roleFromRules", message: "applies only to people from the directory or a login service")])
            }
            person.roleSource = .rules
        }
        if let disabled = change.disabled {
            if id == viewer.id && disabled { throw DomainError.conflict("You cannot disable your own account.") }
            person.disabled = disabled
            person.disabledBy = disabled ? .admin : nil
        }
        change.profile.apply(to: &person.profile, validator: &validator)
        try validator.check()
        try await store.updatePerson(person)
        if person.disabled && !before.disabled {
            try await store.deleteSessions(of: id)
            await publisher.sessionsEnded(person: id)
        }
        try await auditChanges(viewer: viewer, before: before, after: person)
        if change.roleFromRules == true {
            // The rules decide at the next login or sync; apply them now from the groups known.
            _ = try await store.applyRulesNow(to: id, actor: viewer.auditRef, address: viewer.address, at: clock.now())
            return try await account(viewer: viewer, id: id)
        }
        return person
    }

    private func auditChanges(viewer: Viewer, before: Person, after: Person) async throws {
        let target = AuditRef.person(after)
        if before.role != after.role {
            try await audit.record(.roleChanged, by: viewer, target: target, details: ["from": before.role.rawValue, "to": after.role.rawValue])
        }
        if before.disabled != after.disabled {
            try await audit.record(after.disabled ? .accountDisabled : .accountEnabled, by: viewer, target: target)
        }
        var fields: [String] = []
        if before.name != after.name { fields.append("name") }
        if before.email != after.email { fields.append("email") }
        if before.profile != after.profile { fields.append("profile") }
        if before.roleSource != after.roleSource { fields.append("roleSource") }
        if !fields.isEmpty {
            try await audit.record(.accountUpdated, by: viewer, target: target, details: ["fields": fields.joined(separator: ",")])
        }
    }

    /// Forgets the account's failed logins, so no address has to wait any longer.
    public func unlock(viewer: Viewer, id: PersonID) async throws -> Person {
        try requireAdmin(viewer)
        let person = try await account(viewer: viewer, id: id)
        try await store.clearLoginFailures(person: id)
        return person
    }

    /// Sets a new password and ends the person's sessions everywhere.
    public func resetPassword(viewer: Viewer, id: PersonID, newPassword: String) async throws {
        try requireAdmin(viewer)
        let person = try await account(viewer: viewer, id: id)
        guard person.managedBy == nil else {
            throw DomainError.conflict("\(person.name)'s password is kept by the directory or the login service; change it there.")
        }
        var validator = Validator()
        validator.password(newPassword, field: "newPassword")
        try validator.check()
        try await store.setPasswordHash(await hasher.hash(newPassword), for: id)
        try await store.deleteSessions(of: id)
        try await audit.record(.passwordChanged, by: viewer, target: .person(person), details: ["by": "administrator"])
        await publisher.sessionsEnded(person: id)
    }
}
