import CommunisHub
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird

/// `/api/v1/people`: the people directory (personkatalog). Guests have no directory.
struct PeopleRoutes {
    let services: Services
    let hub: Hub?

    struct PresenceJSON: Encodable { var personId: PersonID; var status: PresenceStatus; var lastSeen: Date? }

    struct FacetJSON: Encodable { var name: String; var count: Int }
    struct FacetsJSON: Encodable { var departments: [FacetJSON]; var workplaces: [FacetJSON]; var competences: [FacetJSON] }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("people") { request, context in
            let viewer = try context.requireViewer()
            let query = PeopleQuery(
                text: request.query("q"), department: request.query("department"),
                workplace: request.query("workplace"), competence: request.query("competence"))
            let page = try await services.directory.search(viewer: viewer, query: query, page: try request.pageRequest())
            return try PageJSON(page) { PersonSummaryJSON($0, withCompetences: true) }.response()
        }
        api.get("people/facets") { _, context in
            let facets = try await services.directory.facets(viewer: try context.requireViewer())
            func json(_ counts: [FacetCount]) -> [FacetJSON] { counts.map { FacetJSON(name: $0.name, count: $0.count) } }
            return try FacetsJSON(departments: json(facets.departments), workplaces: json(facets.workplaces), competences: json(facets.competences)).response()
        }
        // Online / away / offline across all of a person's tabs and devices, and when they
        // were last seen (since the server started), for whoever may see their profile.
        api.get("people/:id/presence") { _, context in
            let person = try await services.directory.person(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            let presence = await hub?.presence(of: person.id) ?? (.offline, nil)
            return try PresenceJSON(personId: person.id, status: presence.status, lastSeen: presence.lastSeen).response()
        }
        api.get("people/:id") { _, context in
            let viewer = try context.requireViewer()
            let person = try await services.directory.person(viewer: viewer, id: try context.parameters.id("id"))
            var json = PersonJSON(person)
            json.organisationId = try await services.news.organisationID(of: person.id)
            return try json.response()
        }
    }
}

/// `/api/v1/admin/users`: account administration, for administrators only.
struct AdminRoutes {
    let services: Services

    struct CreateBody: Decodable {
        var email: String
        var name: String
        var password: String
        var role: Role
        var title: String?
        var department: String?
        var workplace: String?
        var phone: String?
    }

    struct ChangeBody: Decodable {
        var name: String?
        var email: String?
        var role: Role?
        var disabled: Bool?
        var roleFromRules: Bool?
        var title: String?
        var department: String?
        var workplace: String?
        var phone: String?
    }

    struct PasswordBody: Decodable { var newPassword: String }

    func register(on api: RouterGroup<AppRequestContext>) {
        let admin = services.administration
        api.get("admin/users") { request, context in
            let viewer = try context.requireViewer()
            let page = try await admin.accounts(viewer: viewer, text: request.query("q"), page: try request.pageRequest())
            let delays = try await admin.loginDelays(viewer: viewer, of: page.items.map(\.id))
            return try PageJSON(page) { AdminUserJSON($0, delayedUntil: delays[$0.id]) }.response()
        }
        api.get("admin/users/:id") { _, context in
            let viewer = try context.requireViewer()
            let person = try await admin.account(viewer: viewer, id: try context.parameters.id("id"))
            let delays = try await admin.loginDelays(viewer: viewer, of: [person.id])
            return try AdminUserJSON(person, delayedUntil: delays[person.id], groups: try await admin.groups(viewer: viewer, of: person.id)).response()
        }
        api.post("admin/users") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CreateBody.self, context: context)
            let profile = Profile(title: body.title ?? "", department: body.department ?? "", workplace: body.workplace ?? "", phone: body.phone ?? "")
            let person = try await admin.createAccount(viewer: viewer, NewAccount(email: body.email, name: body.name, password: body.password, role: body.role, profile: profile))
            return try AdminUserJSON(person, delayedUntil: nil).response(.created)
        }
        api.patch("admin/users/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(ChangeBody.self, context: context)
            let change = AccountChange(
                name: body.name, email: body.email, role: body.role, disabled: body.disabled, roleFromRules: body.roleFromRules,
                profile: ProfileChange(title: body.title, department: body.department, workplace: body.workplace, phone: body.phone))
            let person = try await admin.updateAccount(viewer: viewer, id: try context.parameters.id("id"), change: change)
            let delays = try await admin.loginDelays(viewer: viewer, of: [person.id])
            return try AdminUserJSON(person, delayedUntil: delays[person.id]).response()
        }
        api.post("admin/users/:id/unlock") { _, context in
            let person = try await admin.unlock(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try AdminUserJSON(person, delayedUntil: nil).response()
        }
        api.put("admin/users/:id/password") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(PasswordBody.self, context: context)
            try await admin.resetPassword(viewer: viewer, id: try context.parameters.id("id"), newPassword: body.newPassword)
            return Response(status: .noContent)
        }
    }
}
