import CommunisModel
import CommunisServices
import CommunisStore
import Foundation
import Hummingbird

/// `/api/v1/workspaces`: workspaces, members, join requests and guest invitations.
struct WorkspaceRoutes {
    let services: Services

    struct CreateBody: Decodable { var name: String; var description: String?; var visibility: Visibility }
    struct ChangeBody: Decodable { var name: String?; var description: String?; var visibility: Visibility? }
    struct AddMemberBody: Decodable { var personId: PersonID; var role: MembershipRole? }
    struct RoleBody: Decodable { var role: MembershipRole }
    struct GuestBody: Decodable { var email: String; var name: String; var language: String? }
    struct JoinJSON: Encodable { var status: String }
    struct GuestInvitationJSON: Encodable {
        var workspaceId: WorkspaceID
        var personId: PersonID
        var email: String
        var name: String
        var inviteUrl: String?
        var expiresAt: Date?
        var emailed: Bool

        enum CodingKeys: String, CodingKey { case workspaceId, personId, email, name, inviteUrl, expiresAt, emailed }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(workspaceId, forKey: .workspaceId)
            try c.encode(personId, forKey: .personId)
            try c.encode(emailed, forKey: .emailed)
            try c.encode(email, forKey: .email)
            try c.encode(name, forKey: .name)
            try c.encode(inviteUrl, forKey: .inviteUrl)
            try c.encode(expiresAt, forKey: .expiresAt)
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        let workspaces = services.workspaces
        api.get("workspaces") { request, context in
            let viewer = try context.requireViewer()
            let page = try request.pageRequest()
            let result: Page<WorkspaceListing>
            switch request.query("scope") ?? "mine" {
            case "mine": result = try await workspaces.mine(viewer: viewer, text: request.query("q"), page: page)
            case "discover": result = try await workspaces.discover(viewer: viewer, text: request.query("q"), page: page)
            default: throw Problem.badParameter("scope", "must be mine or discover")
            }
            return try PageJSON(result, WorkspaceJSON.init).response()
        }
        api.post("workspaces") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CreateBody.self, context: context)
            let listing = try await workspaces.create(viewer: viewer, name: body.name, description: body.description ?? "", visibility: body.visibility)
            context.logger.info("workspace created", metadata: ["workspace.id": "\(listing.overview.workspace.id)", "person.id": "\(viewer.id)"])
            return try WorkspaceJSON(listing).response(.created)
        }
        api.get("workspaces/:id") { _, context in
            try WorkspaceJSON(try await workspaces.workspace(viewer: try context.requireViewer(), id: try context.parameters.id("id"))).response()
        }
        api.patch("workspaces/:id") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(ChangeBody.self, context: context)
            let listing = try await workspaces.update(
                viewer: viewer, id: try context.parameters.id("id"),
                change: WorkspaceChange(name: body.name, description: body.description, visibility: body.visibility))
            return try WorkspaceJSON(listing).response()
        }
        api.delete("workspaces/:id") { _, context in
            let id: WorkspaceID = try context.parameters.id("id")
            try await workspaces.delete(viewer: try context.requireViewer(), id: id)
            return Response(status: .noContent)
        }

        api.get("workspaces/:id/members") { request, context in
            let page = try await workspaces.members(viewer: try context.requireViewer(), id: try context.parameters.id("id"), page: try request.pageRequest())
            return try PageJSON(page, MemberJSON.init).response()
        }
        api.post("workspaces/:id/members") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(AddMemberBody.self, context: context)
            let member = try await workspaces.addMember(viewer: viewer, id: try context.parameters.id("id"), person: body.personId, role: body.role ?? .member)
            return try MemberJSON(member).response(.created)
        }
        api.patch("workspaces/:id/members/:personId") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(RoleBody.self, context: context)
            let member = try await workspaces.setRole(
                viewer: viewer, id: try context.parameters.id("id"), person: try context.parameters.id("personId"), role: body.role)
            return try MemberJSON(member).response()
        }
        api.delete("workspaces/:id/members/:personId") { _, context in
            try await workspaces.removeMember(viewer: try context.requireViewer(), id: try context.parameters.id("id"), person: try context.parameters.id("personId"))
            return Response(status: .noContent)
        }

        api.post("workspaces/:id/join") { _, context in
            let result = try await workspaces.join(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try JoinJSON(status: result.rawValue).response(result == .member ? .created : .accepted)
        }
        api.get("workspaces/:id/requests") { _, context in
            let requests = try await workspaces.joinRequests(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try ItemsJSON(items: requests.map(JoinRequestJSON.init)).response()
        }
        api.post("workspaces/:id/requests/:personId/approve") { _, context in
            let member = try await workspaces.approve(viewer: try context.requireViewer(), id: try context.parameters.id("id"), person: try context.parameters.id("personId"))
            return try MemberJSON(member).response(.created)
        }
        api.delete("workspaces/:id/requests/:personId") { _, context in
            try await workspaces.decline(viewer: try context.requireViewer(), id: try context.parameters.id("id"), person: try context.parameters.id("personId"))
            return Response(status: .noContent)
        }

        api.post("workspaces/:id/guests") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(GuestBody.self, context: context)
            let result = try await services.invitations.invite(
                viewer: viewer, workspace: try context.parameters.id("id"), email: body.email, name: body.name,
                language: AuthRoutes.language(body.language), baseURL: baseURL(request))
            let url = result.token.map { "\(baseURL(request))/#/invitation/\($0)" }
            context.logger.info("guest invited", metadata: ["workspace.id": "\(result.workspaceID)", "person.id": "\(result.person.id)"])
            return try GuestInvitationJSON(
                workspaceId: result.workspaceID, personId: result.person.id, email: result.person.email, name: result.person.name,
                inviteUrl: url, expiresAt: result.expiresAt, emailed: result.emailed
            ).response(.created)
        }
    }

    /// The address people reach this server at: the configured public URL, else the request's host.
    func baseURL(_ request: Request) -> String { services.baseURL(request) }
}

/// `/api/v1/invitations/{token}`: what a guest's link shows, and accepting it.
struct InvitationRoutes {
    let services: Services
    let session: SessionRoutes

    struct InfoJSON: Encodable { var workspaceName: String; var email: String; var name: String; var expiresAt: Date; var needsPassword: Bool }
    struct AcceptBody: Decodable { var password: String }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("invitations/:token") { _, context in
            let info = try await services.invitations.info(token: context.parameters.get("token") ?? "")
            return try InfoJSON(workspaceName: info.workspaceName, email: info.email, name: info.name, expiresAt: info.expiresAt, needsPassword: info.needsPassword).response()
        }
        api.post("invitations/:token/accept") { request, context in
            var request = request
            let body = try await request.json(AcceptBody.self, context: context)
            let guest = try await services.invitations.accept(token: context.parameters.get("token") ?? "", password: body.password)
            let started = try await services.accounts.startSession(for: guest, method: .invitation, origin: context.loginOrigin)
            return try await session.sessionResponse(started, request: request)
        }
    }
}
