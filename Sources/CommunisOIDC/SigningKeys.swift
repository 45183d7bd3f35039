import CommunisServices
import Foundation
import JWTKit

/// The provider's signing keys from its JWKS (RFC 7517), reduced to those an ID token may be
/// signed with: RSA and EC keys not marked for encryption. Entries jwt-kit cannot read (an
/// encryption key with an algorithm it does not know, a symmetric key) are left out instead of
/// failing the whole set, because real key sets (Keycloak's) mix such keys in.
struct SigningKeys: Sendable {
    struct Key: Sendable {
        var kid: String?
        var keyType: String
        var curve: String?
        var algorithm: String?
        var jwk: JWK
    }

    var keys: [Key]
    var uri: String

    /// The ID token algorithms accepted: asymmetric only. `none` and the HMAC family are never
    /// accepted (an HS256 token "signed" with a public key or the client secret proves nothing).
    static let acceptedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

    private struct Entry: Decodable {
        var kid: String?
        var kty: String?
        var use: String?
        var alg: String?
        var crv: String?
        var jwk: JWK?

        enum CodingKeys: String, CodingKey { case kid, kty, use, alg, crv }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kid = try? container.decode(String.self, forKey: .kid)
            kty = try? container.decode(String.self, forKey: .kty)
            use = try? container.decode(String.self, forKey: .use)
            alg = try? container.decode(String.self, forKey: .alg)
            crv = try? container.decode(String.self, forKey: .crv)
            jwk = try? JWK(from: decoder)
        }
    }

    private struct Document: Decodable {
        var keys: [Entry]
    }

    static func fetch(uri: String, http: ProviderHTTP) async throws -> SigningKeys {
        let document = try await http.getJSON(uri, what: "the key set (JWKS)", as: Document.self)
        let keys = document.keys.compactMap { entry -> Key? in
            guard let jwk = entry.jwk, let keyType = entry.kty, ["RSA", "EC"].contains(keyType), entry.use ?? "sig" == "sig" else {
                return nil
            }
            return Key(kid: entry.kid, keyType: keyType, curve: entry.crv, algorithm: entry.alg, jwk: jwk)
        }
        guard !keys.isEmpty else {
            throw OIDCError.rejected("the key set at \(uri) holds no RSA or EC signing key (\(document.keys.count) entries in all)")
        }
        http.logger.debug("fetched the identity provider's signing keys", metadata: [
            "oidc.jwks_uri": "\(uri)", "oidc.kids": "\(keys.map { $0.kid ?? "-" }.joined(separator: ","))",
        ])
        return SigningKeys(keys: keys, uri: uri)
    }

    /// The key an ID token header names, fit for its algorithm. A header without `kid` is
    /// acceptable only when the set holds a single key (OpenID Connect Core §10.1).
    func key(kid: String?, algorithm: String) -> Key? {
        let named = kid.map { kid in keys.filter { $0.kid == kid } } ?? (keys.count == 1 ? keys : [])
        return named.first { Self.fits($0, algorithm: algorithm) }
    }

    /// Whether the set holds the key at all, whatever the algorithm.
    func contains(kid: String) -> Bool {
        keys.contains { $0.kid == kid }
    }

    /// A key fits an algorithm of its own family (and curve); a key that declares its `alg`
    /// fits that algorithm only.
    static func fits(_ key: Key, algorithm: String) -> Bool {
        if let declared = key.algorithm, declared != algorithm { return false }
        switch algorithm {
        case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512": return key.keyType == "RSA"
        case "ES256": return key.keyType == "EC" && key.curve == "P-256"
        case "ES384": return key.keyType == "EC" && key.curve == "P-384"
        case "ES512": return key.keyType == "EC" && key.curve == "P-521"
        default: return false
        }
    }
}
