import CommunisServices
import Foundation

/// What the client uses of the provider's discovery document (OpenID Connect Discovery 1.0
/// §3), checked: the issuer equals the configured one, and every endpoint is an absolute URL
/// that is safe to send a browser, a code or a client secret to.
struct ProviderMetadata: Sendable, Equatable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String
    /// `token_endpoint_auth_methods_supported`; absent means client_secret_basic (Discovery §3).
    var tokenEndpointAuthMethods: [String]?

    /// `<issuer without trailing slash>/.well-known/openid-configuration` (Discovery §4.1).
    static func discoveryURL(issuer: String) -> String {
        var base = Substring(issuer)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + "/.well-known/openid-configuration"
    }

    private struct Document: Decodable {
        var issuer: String?
        var authorization_endpoint: String?
        var token_endpoint: String?
        var jwks_uri: String?
        var token_endpoint_auth_methods_supported: [String]?
    }

    /// Fetches and checks the document. `allowPlainHTTP` is true only for a loopback issuer
    /// (tests), so production endpoints must be https.
    static func discover(issuer: String, allowPlainHTTP: Bool, http: ProviderHTTP) async throws -> ProviderMetadata {
        let url = discoveryURL(issuer: issuer)
        let document = try await http.getJSON(url, what: "the discovery document", as: Document.self)
        guard let announced = document.issuer else {
            throw OIDCError.rejected("the discovery document at \(url) has no \"issuer\"")
        }
        // Discovery §4.3: the issuer in the document must be identical to the one used to
        // find it, or tokens from another issuer could be accepted.
        guard announced == issuer else {
            throw OIDCError.rejected(
                "the discovery document at \(url) names the issuer \"\(announced)\", but oidc.issuer is \"\(issuer)\"; "
                    + "they must be equal character for character (OpenID Connect Discovery §4.3), trailing slash included")
        }
        func endpoint(_ value: String?, _ name: String) throws -> String {
            guard let value, !value.isEmpty else {
                throw OIDCError.rejected("the discovery document at \(url) has no \"\(name)\"")
            }
            guard let parts = URLComponents(string: value), let host = parts.host, !host.isEmpty, parts.fragment == nil,
                  parts.scheme?.lowercased() == "https" || (allowPlainHTTP && parts.scheme?.lowercased() == "http")
            else {
                throw OIDCError.rejected("the discovery document at \(url) gives \"\(name)\" as \"\(value)\", which is not an absolute https URL without fragment")
            }
            return value
        }
        return ProviderMetadata(
            issuer: announced,
            authorizationEndpoint: try endpoint(document.authorization_endpoint, "authorization_endpoint"),
            tokenEndpoint: try endpoint(document.token_endpoint, "token_endpoint"),
            jwksURI: try endpoint(document.jwks_uri, "jwks_uri"),
            tokenEndpointAuthMethods: document.token_endpoint_auth_methods_supported
        )
    }

    /// client_secret_basic unless the provider says it supports only client_secret_post.
    var usesSecretInBody: Bool {
        guard let methods = tokenEndpointAuthMethods else { return false }
        return !methods.contains("client_secret_basic") && methods.contains("client_secret_post")
    }
}
