import CommunisModel
import CommunisServices
import Foundation
import Hummingbird

/// `/api/v1/session`, `/api/v1/me` and `/api/v1/tokens`: logging in and out, one's own
/// profile and password, and personal API tokens.
struct SessionRoutes {
    let services: Services

    /// `login` (a login name or an e-mail address); `email` is still accepted as before.
    struct LoginBody: Decodable { var login: String?; var email: String?; var password: String }
    struct PasswordBody: Decodable { var currentPassword: String; var newPassword: String }
    struct TokenBody: Decodable { var name: String }
    struct ProfileBody: Decodable {
        var title: String?
        var department: String?
        var workplace: String?
        var phone: String?
        var presentation: String?
        var competences: [String]?
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("session") { request, context in
            var request = request
            let body = try await request.json(LoginBody.self, context: context)
            guard let login = body.login ?? body.email else {
                throw DomainError.validation([FieldError(field: "login", message: "must not be empty")])
            }
            let started = try await services.accounts.login(login: login, password: body.password, origin: context.loginOrigin)
            context.logger.info("logged in", metadata: ["person.id": "\(started.person.id)"])
            return try await sessionResponse(started, request: request)
        }
        api.get("session") { _, context in
            guard let viewer = context.viewer, let session = context.session else {
                throw DomainError.unauthenticated
            }
            var json = SessionJSON(
                user: PersonJSON(viewer.person, account: true), csrfToken: session.csrfToken, expiresAt: session.expiresAt,
                meetingId: try await services.meetings.invitedTo(viewer: viewer))
            json.canPublishNews = try await services.news.canPublish(viewer)
            json.organisationId = try await services.news.organisationID(of: viewer.id)
            json.user.organisationId = json.organisationId
            return try json.response()
        }
        api.delete("session") { request, context in
            let cleared = SessionCookie.cookie(token: "", expires: Date(timeIntervalSince1970: 0), secure: request.isSecure(publicURL: services.configuration.publicURL))
            guard let token = request.cookies[SessionCookie.name]?.value, context.session != nil else {
                // Nothing to end (no cookie, an expired one, or a bearer token): 401 as the
                // document says; a stale cookie is cleared all the same.
                var problem = Problem(DomainError.unauthenticated)
                problem.headers[.setCookie] = cleared.description
                throw problem
            }
            try await services.accounts.logout(sessionToken: token, viewer: context.viewer)
            var response = Response(status: .noContent)
            response.setCookie(cleared)
            return response
        }

        api.get("me") { _, context in
            try PersonJSON(try context.requireViewer().person, account: true).response()
        }
        api.patch("me") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(ProfileBody.self, context: context)
            let change = ProfileChange(title: body.title, department: body.department, workplace: body.workplace, phone: body.phone, presentation: body.presentation, competences: body.competences)
            return try PersonJSON(try await services.directory.updateProfile(viewer: viewer, change: change), account: true).response()
        }
        api.put("me/password") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(PasswordBody.self, context: context)
            let started = try await services.accounts.changePassword(viewer: viewer, current: body.currentPassword, new: body.newPassword,
                                                                     origin: context.loginOrigin)
            var response = Response(status: .noContent)
            if !context.authenticatedByBearer { response.setCookie(cookie(for: started, request: request)) }
            return response
        }

        api.get("me/sessions") { _, context in
            let sessions = try await services.accounts.sessions(viewer: try context.requireViewer())
            return try ItemsJSON(items: sessions.map { SessionSummaryJSON($0, current: context.session?.id) }).response()
        }
        api.delete("me/sessions/:id") { _, context in
            try await services.accounts.endSession(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
        api.delete("me/sessions") { request, context in
            try await services.accounts.endAllSessions(viewer: try context.requireViewer())
            var response = Response(status: .noContent)
            if context.session != nil {
                response.setCookie(SessionCookie.cookie(token: "", expires: Date(timeIntervalSince1970: 0),
                                                        secure: request.isSecure(publicURL: services.configuration.publicURL)))
            }
            return response
        }

        api.get("tokens") { _, context in
            let tokens = try await services.accounts.tokens(viewer: try context.requireViewer())
            return try ItemsJSON(items: tokens.map { ApiTokenJSON($0) }).response()
        }
        api.post("tokens") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(TokenBody.self, context: context)
            let (record, token) = try await services.accounts.createToken(viewer: viewer, name: body.name)
            return try ApiTokenJSON(record, token: token).response(.created)
        }
        api.delete("tokens/:id") { _, context in
            let viewer = try context.requireViewer()
            try await services.accounts.deleteToken(viewer: viewer, id: try context.parameters.id("id"))
            return Response(status: .noContent)
        }
    }

    func cookie(for started: StartedSession, request: Request) -> Cookie {
        SessionCookie.cookie(token: started.token, expires: started.record.expiresAt, secure: request.isSecure(publicURL: services.configuration.publicURL))
    }

    /// The answer to a login: the same fields as `GET /session` (a client need not ask again).
    func sessionResponse(_ started: StartedSession, request: Request) async throws -> Response {
        var json = SessionJSON(user: PersonJSON(started.person, account: true), csrfToken: started.record.csrfToken, expiresAt: started.record.expiresAt)
        json.canPublishNews = try await services.news.canPublish(Viewer(person: started.person))
        json.organisationId = try await services.news.organisationID(of: started.person.id)
        json.user.organisationId = json.organisationId
        var response = try json.response()
        response.setCookie(cookie(for: started, request: request))
        return response
    }
}
