import CommunisModel
import CommunisStore
import Foundation

/// Changes a person makes to their own profile; nil leaves a field as it is.
public struct ProfileChange: Sendable {
    public var title: String?
    public var department: String?
    public var workplace: String?
    public var phone: String?
    public var presentation: String?
    public var competences: [String]?

    public init(title: String? = nil, department: String? = nil, workplace: String? = nil, phone: String? = nil, presentation: String? = nil, competences: [String]? = nil) {
        self.title = title
        self.department = department
        self.workplace = workplace
        self.phone = phone
        self.presentation = presentation
        self.competences = competences
    }

    /// Validates every given field and applies it to `profile`.
    func apply(to profile: inout Profile, validator: inout Validator) {
        if let title { profile.title = validator.text(title, field: "title", max: Limits.titleLength) }
        if let department { profile.department = validator.text(department, field: "department", max: Limits.departmentLength) }
        if let workplace { profile.workplace = validator.text(workplace, field: "workplace", max: Limits.workplaceLength) }
        if let phone { profile.phone = validator.text(phone, field: "phone", max: Limits.phoneLength) }
        if let presentation { profile.presentation = validator.text(presentation, field: "presentation", max: Limits.presentationLength) }
        if let competences { profile.competences = validator.competences(competences) }
    }
}

/// The people directory (personkatalog): search, profiles and one's own profile.
public struct Directory: Sendable {
    let store: any CommunisStore

    public init(store: any CommunisStore) { self.store = store }

    public func search(viewer: Viewer, query: PeopleQuery, page: PageRequest) async throws -> Page<Person> {
        guard DirectoryPolicy.canSearch(viewer: viewer.role) else {
            throw DomainError.forbidden("Guests do not have access to the people directory.")
        }
        var query = query
        query.roles = [.admin, .member]
        query.includeDisabled = false
        return try await store.searchPeople(query, page: page)
    }

    public func facets(viewer: Viewer) async throws -> DirectoryFacets {
        guard DirectoryPolicy.canSearch(viewer: viewer.role) else {
            throw DomainError.forbidden("Guests do not have access to the people directory.")
        }
        return try await store.directoryFacets()
    }

    /// A profile as `viewer` may see it. A person the viewer may not know of is "not found";
    /// a guest asking about anyone outside their workspaces is refused, and sees of the
    /// people in them only name, title and role (`Person.asSeenByGuest`).
    public func person(viewer: Viewer, id: PersonID) async throws -> Person {
        let isSelf = viewer.id == id
        let target = try await store.person(id: id)
        guard let target, isSelf || !target.disabled else {
            throw viewer.role.isEmployee ? DomainError.notFound("Person") : DomainError.forbidden("Guests see only the people in their workspaces.")
        }
        let shares = isSelf ? true : try await store.shareWorkspace(viewer.id, id)
        guard DirectoryPolicy.canView(target: target.role, viewer: viewer.role, isSelf: isSelf, sharesWorkspace: shares) else {
            throw viewer.role.isEmployee ? DomainError.notFound("Person") : DomainError.forbidden("Guests see only the people in their workspaces.")
        }
        return target.seen(by: viewer.role, isSelf: isSelf)
    }

    public func updateProfile(viewer: Viewer, change: ProfileChange) async throws -> Person {
        guard var person = try await store.person(id: viewer.id) else { throw DomainError.notFound("Person") }
        if person.managedBy != nil {
            let managed: [(String, Bool)] = [
                ("title", change.title != nil), ("department", change.department != nil),
                ("workplace", change.workplace != nil), ("phone", change.phone != nil),
            ]
            let refused = managed.filter { $0.1 && person.managedFields.contains($0.0) }.map {
                FieldError(field: $0.0, message: "comes from the \(person.managedBy == .directory ? "directory" : "login service") and cannot be changed here")
            }
            if !refused.isEmpty { throw DomainError.validation(refused) }
        }
        var validator = Validator()
        change.apply(to: &person.profile, validator: &validator)
        try validator.check()
        try await store.updatePerson(person)
        return person
    }
}
