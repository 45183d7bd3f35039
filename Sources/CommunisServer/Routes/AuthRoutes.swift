import CommunisModel
import CommunisServices
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/auth/*` and `/api/v1/password-reset*`: what the login page may offer, logging in
/// through an OpenID Connect provider, and resetting a local password by e-mail.
struct AuthRoutes {
    let services: Services
    let session: SessionRoutes

    /// The cookie that binds an OIDC login to the browser that started it.
    static let flowCookie = "communis_oidc"
    static let callbackPath = "/api/v1/auth/oidc/callback"

    struct OptionsJSON: Encodable {
        struct OIDC: Encodable { var displayName: String; var loginUrl: String }
        var directory: Bool
        var passwordReset: Bool
        var oidc: OIDC?

        enum CodingKeys: String, CodingKey { case directory, passwordReset, oidc }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(directory, forKey: .directory)
            try c.encode(passwordReset, forKey: .passwordReset)
            try c.encode(oidc, forKey: .oidc)
        }
    }

    struct ResetRequestBody: Decodable { var email: String; var language: String? }
    struct ResetBody: Decodable { var newPassword: String; var language: String? }
    struct ResetInfoJSON: Encodable { var email: String; var name: String; var expiresAt: Date }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("auth/options") { _, _ in
            try OptionsJSON(
                directory: services.adapters.directory != nil, passwordReset: services.passwordResets != nil,
                oidc: services.oidcLogins.map { OptionsJSON.OIDC(displayName: $0.provider.displayName, loginUrl: "/api/v1/auth/oidc/login") }
            ).response()
        }

        api.get("auth/oidc/login") { request, context in
            guard let logins = services.oidcLogins else { throw DomainError.notFound("OpenID Connect login") }
            let redirectURI = services.baseURL(request) + Self.callbackPath
            do {
                let (url, flowToken) = try await logins.begin(returnTo: request.query("returnTo"), redirectURI: redirectURI)
                var response = Self.redirect(to: url)
                response.setCookie(Cookie(name: Self.flowCookie, value: flowToken, maxAge: 600, path: "/api/v1/auth/oidc",
                                          secure: request.isSecure(publicURL: services.configuration.publicURL), httpOnly: true, sameSite: .lax))
                return response
            } catch let failure as OIDCLoginFailure {
                return Self.redirect(to: "/#/login?error=\(failure.rawValue)")
            }
        }

        api.get("auth/oidc/callback") { request, context in
            guard let logins = services.oidcLogins else { throw DomainError.notFound("OpenID Connect login") }
            let secure = request.isSecure(publicURL: services.configuration.publicURL)
            var response: Response
            do {
                let (started, returnTo) = try await logins.complete(
                    flowToken: request.cookies[Self.flowCookie]?.value, state: request.query("state"), code: request.query("code"),
                    providerError: request.query("error"), redirectURI: services.baseURL(request) + Self.callbackPath, origin: context.loginOrigin)
                context.logger.info("logged in through OIDC", metadata: ["person.id": "\(started.person.id)"])
                response = Self.redirect(to: "/" + returnTo)
                response.setCookie(session.cookie(for: started, request: request))
            } catch let failure as OIDCLoginFailure {
                response = Self.redirect(to: "/#/login?error=\(failure.rawValue)")
            }
            response.setCookie(Cookie(name: Self.flowCookie, value: "", expires: Date(timeIntervalSince1970: 0), path: "/api/v1/auth/oidc",
                                      secure: secure, httpOnly: true, sameSite: .lax))
            return response
        }

        api.post("password-reset") { request, context in
            var request = request
            let body = try await request.json(ResetRequestBody.self, context: context)
            guard let resets = services.passwordResets else {
                throw DomainError.conflict("This server sends no e-mail; ask an administrator to set a new password.")
            }
            try await resets.request(email: body.email, language: Self.language(body.language), baseURL: services.baseURL(request),
                                     origin: context.loginOrigin)
            return Response(status: .accepted)
        }
        api.get("password-reset/:token") { _, context in
            guard let resets = services.passwordResets else { throw DomainError.resetInvalid }
            let info = try await resets.info(token: context.parameters.get("token") ?? "")
            return try ResetInfoJSON(email: info.email, name: info.name, expiresAt: info.expiresAt).response()
        }
        api.post("password-reset/:token") { request, context in
            var request = request
            let body = try await request.json(ResetBody.self, context: context)
            guard let resets = services.passwordResets else { throw DomainError.resetInvalid }
            try await resets.complete(token: context.parameters.get("token") ?? "", newPassword: body.newPassword,
                                      language: Self.language(body.language), origin: context.loginOrigin)
            return Response(status: .noContent)
        }
    }

    static func language(_ text: String?) -> MailTemplates.Language {
        text?.lowercased().hasPrefix("en") == true ? .en : .sv
    }

    static func redirect(to location: String) -> Response {
        Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }
}
