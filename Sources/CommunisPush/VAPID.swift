import CommunisModel
import Crypto
import Foundation

/// The installation's VAPID identity (RFC 8292): a P-256 signing key whose public half the
/// browsers bind each subscription to (`applicationServerKey`), and the ES256 JWT that
/// proves to a push service that a message comes from the holder of that key.
public struct VAPIDKey: Sendable {
    public let privateKey: P256.Signing.PrivateKey

    public init(privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) {
        self.privateKey = privateKey
    }

    /// From the stored form (`stored`); nil when it is not a P-256 private key.
    public init?(stored: String) {
        guard let bytes = Base64URL.decode(stored), let key = try? P256.Signing.PrivateKey(rawRepresentation: bytes) else { return nil }
        privateKey = key
    }

    /// What the store keeps: the 32-byte private scalar, base64url.
    public var stored: String { Base64URL.encode(privateKey.rawRepresentation) }

    /// The public key, uncompressed (65 bytes) base64url: the browser's `applicationServerKey`
    /// and the `k` of the Authorization header.
    public var publicKey: String { Base64URL.encode(privateKey.publicKey.x963Representation) }

    /// The longest a token may live (RFC 8292 §2: no more than 24 hours from the request).
    public static let maxLifetime: TimeInterval = 24 * 3600

    /// `vapid t=<jwt>, k=<public key>` for a message to `endpoint` (RFC 8292 §3): the token's
    /// audience is the endpoint's origin, it expires `lifetime` after `now` (at most 24 h),
    /// and names `subject` (a mailto: or https: contact) when there is one.
    public func authorization(endpoint: URL, subject: String?, now: Date, lifetime: TimeInterval = 12 * 3600) throws -> String {
        let jwt = try token(audience: Self.origin(of: endpoint), subject: subject, expires: now.addingTimeInterval(min(lifetime, Self.maxLifetime)))
        return "vapid t=\(jwt), k=\(publicKey)"
    }

    /// An ES256 JWT (RFC 7515 compact form, the signature as raw r‖s).
    public func token(audience: String, subject: String?, expires: Date) throws -> String {
        struct Claims: Encodable { var aud: String; var exp: Int; var sub: String? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = Base64URL.encode(Array(#"{"alg":"ES256","typ":"JWT"}"#.utf8))
        let claims = Base64URL.encode(Array(try encoder.encode(Claims(aud: audience, exp: Int(expires.timeIntervalSince1970), sub: subject))))
        let signingInput = "\(header).\(claims)"
        let signature = try privateKey.signature(for: Data(signingInput.utf8))
        return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation))"
    }

    /// `scheme://host[:port]` of a URL, the port only when it is not the scheme's default.
    public static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "https"
        let host = url.host?.lowercased() ?? ""
        let shownHost = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return "\(scheme)://\(shownHost)" }
        return "\(scheme)://\(shownHost):\(port)"
    }
}
