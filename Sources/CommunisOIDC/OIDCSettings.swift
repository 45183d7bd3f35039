import CommunisServices
import Foundation

/// The `oidc.*` configuration of one OpenID Connect provider (Entra ID, Keycloak, …) as the
/// server reads it: who the provider is, who we are to it, and what we ask for.
public struct OIDCSettings: Sendable, Equatable {
    /// The issuer identifier, exactly as the provider's discovery document and ID tokens
    /// spell it (`https://login.microsoftonline.com/<tenant>/v2.0`).
    public var issuer: String
    public var clientID: String
    /// Empty for a public client: then `client_id` goes in the token request body instead of
    /// HTTP Basic authentication.
    public var clientSecret: String
    /// Requested scopes; `openid` is always requested, first.
    public var scopes: [String]
    /// The ID token claim that lists the person's groups (`groups` in Entra ID and Keycloak).
    public var groupsClaim: String
    /// The name on the login button; empty means the issuer's host name.
    public var displayName: String

    public init(issuer: String, clientID: String, clientSecret: String = "", scopes: [String] = ["openid", "profile", "email"],
                groupsClaim: String = "groups", displayName: String = "") {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.groupsClaim = groupsClaim
        self.displayName = displayName
    }

    /// `openid` first, then the configured scopes without repeats or empty entries.
    var requestedScopes: [String] {
        var seen: Set<String> = ["openid"]
        var result = ["openid"]
        for scope in scopes where !scope.isEmpty && seen.insert(scope).inserted { result.append(scope) }
        return result
    }

    /// The issuer's parsed URL after the checks that make it safe to use: https (or http on a
    /// loopback host, for tests), a host, no query, no fragment.
    func validatedIssuer() throws -> URLComponents {
        let rule = "oidc.issuer must be an https URL with a host and without query or fragment (plain http only on 127.0.0.1, ::1 or localhost, for tests)"
        guard let url = URLComponents(string: issuer), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil else {
            throw OIDCError.rejected("\(rule); it is \"\(issuer)\"")
        }
        switch url.scheme?.lowercased() {
        case "https": break
        case "http" where Self.isLoopback(host: host): break
        default: throw OIDCError.rejected("\(rule); it is \"\(issuer)\"")
        }
        guard !clientID.isEmpty else { throw OIDCError.rejected("oidc.client_id must not be empty: it is the client id registered at \(issuer)") }
        guard !groupsClaim.isEmpty else { throw OIDCError.rejected("oidc.groups_claim must not be empty (the usual value is \"groups\")") }
        return url
    }

    static func isLoopback(host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return ["127.0.0.1", "::1", "localhost"].contains(bare.lowercased())
    }
}
