import CommunisServices
import Foundation
import JWTKit

/// The claims of an ID token as the provider sent them. jwt-kit checks the signature; the
/// claims are then checked by `IDTokenCheck`, which knows the login (client id, nonce).
struct IDTokenClaims: JWTPayload {
    var claims: [String: JSONValue]

    init(claims: [String: JSONValue]) {
        self.claims = claims
    }

    init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    func verify(using _: some JWTAlgorithm) async throws {}

    subscript(name: String) -> JSONValue? { claims[name] }
}

/// Reading and checking an ID token (OpenID Connect Core §3.1.3.7).
enum IDToken {
    /// The JOSE header fields that choose the key, read before anything in the token is
    /// trusted, and refused early when they ask for what we never accept.
    struct Header {
        var algorithm: String
        var kid: String?
    }

    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw OIDCError.rejected(parts.count == 5
                ? "the ID token is encrypted (JWE), which this client does not support; turn off ID token encryption for this client at the provider"
                : "the ID token is not a signed JWT (it has \(parts.count) parts, not 3)")
        }
        guard let data = base64URLDecode(parts[0]),
              let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw OIDCError.rejected("the ID token's header is not base64url-encoded JSON")
        }
        guard let algorithm = object["alg"]?.string else {
            throw OIDCError.rejected("the ID token's header has no \"alg\"")
        }
        guard SigningKeys.acceptedAlgorithms.contains(algorithm) else {
            throw OIDCError.rejected("the ID token is signed with \"\(algorithm)\"; only asymmetric signatures are accepted "
                + "(\(SigningKeys.acceptedAlgorithms.sorted().joined(separator: ", "))), never \"none\" or HMAC")
        }
        // RFC 7515 §4.1.11: extensions marked critical that we do not understand must be refused.
        guard object["crit"] == nil else {
            throw OIDCError.rejected("the ID token's header marks extensions as critical (\"crit\"), which this client does not understand")
        }
        if let kid = object["kid"], kid.string == nil {
            throw OIDCError.rejected("the ID token's header has a \"kid\" that is \(kid.kind), not a string")
        }
        return Header(algorithm: algorithm, kid: object["kid"]?.string)
    }

    /// Verifies the signature with exactly `key` and the header's algorithm, through jwt-kit.
    static func verifySignature(of token: String, header: Header, key: SigningKeys.Key) async throws -> IDTokenClaims {
        var jwk = key.jwk
        // Pinning the algorithm to the one already checked keeps jwt-kit from choosing another.
        jwk.algorithm = JWK.Algorithm(rawValue: header.algorithm)
        jwk.keyIdentifier = JWKIdentifier(string: key.kid ?? header.kid ?? "only-key")
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwk: jwk)
            return try await keys.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw OIDCError.rejected("the ID token's signature does not verify with the provider's key \"\(key.kid ?? "-")\" (\(header.algorithm))")
        } catch {
            throw OIDCError.rejected("the ID token could not be verified with the provider's key \"\(key.kid ?? "-")\" (\(header.algorithm)): \(error)")
        }
    }

    /// Allowed clock difference between us and the provider for `exp`.
    static let expiryLeeway: TimeInterval = 60
    /// How far in the future `iat` may lie before the token is refused.
    static let issuedAtSkew: TimeInterval = 300

    /// Checks the claims of a token whose signature is verified and maps them to the person.
    static func identity(from token: IDTokenClaims, settings: OIDCSettings, nonce: String, now: Date) throws -> OIDCIdentity {
        guard let issuer = token["iss"]?.string else { throw OIDCError.rejected("the ID token has no \"iss\" string") }
        guard issuer == settings.issuer else {
            throw OIDCError.rejected("the ID token's issuer \"\(issuer)\" is not the configured issuer \"\(settings.issuer)\"")
        }
        guard let subject = token["sub"]?.string, !subject.isEmpty else { throw OIDCError.rejected("the ID token has no \"sub\"") }
        guard let audiences = token["aud"]?.strings, !audiences.isEmpty else {
            throw OIDCError.rejected("the ID token has no \"aud\"")
        }
        guard audiences.contains(settings.clientID) else {
            throw OIDCError.rejected("the ID token is meant for \(audiences.map { "\"\($0)\"" }.joined(separator: ", ")), not for this client (\"\(settings.clientID)\")")
        }
        let presenter = token["azp"]?.string
        if audiences.count > 1, presenter == nil {
            throw OIDCError.rejected("the ID token has several audiences but no \"azp\" naming this client (\"\(settings.clientID)\")")
        }
        if let presenter, presenter != settings.clientID {
            throw OIDCError.rejected("the ID token's authorized party (azp) is \"\(presenter)\", not this client (\"\(settings.clientID)\")")
        }
        guard let expires = token["exp"]?.number else { throw OIDCError.rejected("the ID token has no numeric \"exp\"") }
        guard now.timeIntervalSince1970 < expires + expiryLeeway else {
            throw OIDCError.rejected("the ID token expired at \(Date(timeIntervalSince1970: expires)) (now \(now)); if the time is right, check the clocks of this server and the provider")
        }
        if let notBefore = token["nbf"]?.number, now.timeIntervalSince1970 + expiryLeeway < notBefore {
            throw OIDCError.rejected("the ID token is not valid before \(Date(timeIntervalSince1970: notBefore)) (now \(now)); check the clocks of this server and the provider")
        }
        guard let issuedAt = token["iat"]?.number else { throw OIDCError.rejected("the ID token has no numeric \"iat\"") }
        guard issuedAt <= now.timeIntervalSince1970 + issuedAtSkew else {
            throw OIDCError.rejected("the ID token was issued at \(Date(timeIntervalSince1970: issuedAt)), more than \(Int(issuedAtSkew)) s in the future (now \(now)); check the clocks of this server and the provider")
        }
        guard !nonce.isEmpty else { throw OIDCError.rejected("this login has no nonce to compare; it must be started again") }
        guard let tokenNonce = token["nonce"]?.string else { throw OIDCError.rejected("the ID token has no \"nonce\"") }
        guard tokenNonce == nonce else {
            throw OIDCError.rejected("the ID token's nonce is not the one this login sent (a replayed or mixed-up response)")
        }
        return person(from: token, issuer: issuer, subject: subject, groupsClaim: settings.groupsClaim)
    }

    static func person(from token: IDTokenClaims, issuer: String, subject: String, groupsClaim: String) -> OIDCIdentity {
        func text(_ name: String) -> String {
            (token[name]?.string ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let fullName = [text("given_name"), text("family_name")].filter { !$0.isEmpty }.joined(separator: " ")
        let name = [text("name"), fullName, text("preferred_username"), subject].first { !$0.isEmpty } ?? subject
        // Entra ID leaves the groups out when there are too many (over 200 in a token) and
        // says where they are instead: `_claim_names` names the claim, or `hasgroups` is true.
        let overage = token["_claim_names"]?.object?[groupsClaim] != nil || token["hasgroups"] == .bool(true)
        return OIDCIdentity(
            issuer: issuer,
            subject: subject,
            name: name,
            email: text("email"),
            preferredUsername: text("preferred_username"),
            groups: overage ? [] : token[groupsClaim]?.strings ?? [],
            groupsUnreadable: overage
        )
    }

    static func base64URLDecode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
