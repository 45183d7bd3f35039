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
    public var profile: ProfileChange

    public init(name: String? = nil, email: String? = nil, role: Role? = nil, disabled: Bool? = nil, profile: ProfileChange = ProfileChange()) {
        self.name = name
        self.email = email
        self.role = role
        self.disabled = disabled
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
        return try await createAccount(new)
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
        guard var person = try await store.person(id: id) else { throw DomainError.notFound("Person") }
        var validator = Validator()
        if let name = change.name { person.name = validator.text(name, field: "name", required: true, max: Limits.nameLength) }
        if let email = change.email { person.email = validator.email(email) }
        if let role = change.role {
            if id == viewer.id && role != .admin {
                throw DomainError.conflict("You cannot remove your own administrator role; ask another administrator.")
            }
            person.role = role
        }
        if let disabled = change.disabled {
            if id == viewer.id && disabled { throw DomainError.conflict("You cannot disable your own account.") }
            person.disabled = disabled
        }
        change.profile.apply(to: &person.profile, validator: &validator)
        try validator.check()
        try await store.updatePerson(person)
        if person.disabled {
            try await store.deleteSessions(of: id)
            await publisher.sessionsEnded(person: id)
        }
        return person
    }

    public func unlock(viewer: Viewer, id: PersonID) async throws -> Person {
        try requireAdmin(viewer)
        try await store.unlock(id: id)
        return try await account(viewer: viewer, id: id)
    }

    /// Sets a new password and ends the person's sessions everywhere.
    public func resetPassword(viewer: Viewer, id: PersonID, newPassword: String) async throws {
        try requireAdmin(viewer)
        _ = try await account(viewer: viewer, id: id)
        var validator = Validator()
        validator.password(newPassword, field: "newPassword")
        try validator.check()
        try await store.setPasswordHash(await hasher.hash(newPassword), for: id)
        try await store.deleteSessions(of: id)
        await publisher.sessionsEnded(person: id)
    }
}
