import Foundation

/// One device's Web Push subscription (the browser's `PushSubscription`): where its push
/// service takes messages for it and the keys messages are encrypted with (RFC 8291).
/// One row per endpoint: the same endpoint subscribed again, by anyone, replaces it.
public struct PushSubscription: Sendable, Equatable {
    public var id: PushSubscriptionID
    public var personID: PersonID
    /// The push service's URL for this device (RFC 8030 §5).
    public var endpoint: String
    /// The device's P-256 public key, uncompressed (65 bytes), base64url without padding.
    public var p256dh: String
    /// The device's 16-byte authentication secret, base64url without padding.
    public var auth: String
    /// The browser that subscribed, as it said (shown in the list of devices).
    public var userAgent: String
    public var createdAt: Date

    public init(id: PushSubscriptionID = PushSubscriptionID(), personID: PersonID, endpoint: String, p256dh: String, auth: String,
                userAgent: String = "", createdAt: Date) {
        self.id = id
        self.personID = personID
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.userAgent = userAgent
        self.createdAt = createdAt
    }

    public static let maxEndpointLength = 2048
    public static let maxUserAgentLength = 300

    /// Checks what a browser sends: an absolute https URL (http only when `allowHTTP`, for
    /// tests on localhost) with a host that is a name, not `localhost` or an IP literal
    /// (a push service is on the internet; this keeps the server from being told to post to
    /// its own neighbours), and keys of the sizes RFC 8291 gives. Returns the subscription
    /// with the user agent trimmed to its limit.
    public func validated(allowHTTP: Bool) throws -> PushSubscription {
        var errors: [FieldError] = []
        if endpoint.count > Self.maxEndpointLength {
            errors.append(FieldError(field: "endpoint", message: "must be at most \(Self.maxEndpointLength) characters"))
        } else if let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty {
            if allowHTTP {
                if scheme != "https" && scheme != "http" { errors.append(FieldError(field: "endpoint", message: "must be an https URL")) }
            } else if scheme != "https" {
                errors.append(FieldError(field: "endpoint", message: "must be an https URL"))
            } else if Self.isLocal(host) {
                errors.append(FieldError(field: "endpoint", message: "must name a push service on the internet, not an address"))
            }
        } else {
            errors.append(FieldError(field: "endpoint", message: "must be an https URL"))
        }
        if Base64URL.decode(p256dh).map({ $0.count == 65 && $0.first == 0x04 }) != true {
            errors.append(FieldError(field: "keys.p256dh", message: "must be an uncompressed P-256 public key (65 bytes, base64url)"))
        }
        if Base64URL.decode(auth)?.count != 16 {
            errors.append(FieldError(field: "keys.auth", message: "must be 16 bytes, base64url"))
        }
        guard errors.isEmpty else { throw DomainError.validation(errors) }
        var result = self
        result.userAgent = String(userAgent.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maxUserAgentLength))
        return result
    }

    static func isLocal(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
        if name == "localhost" || name.hasSuffix(".localhost") || name.contains(":") { return true }
        // Any all-numeric dotted name is an IPv4 literal (or a decimal/octal trick for one).
        return name.split(separator: ".").allSatisfy { part in part.allSatisfy(\.isNumber) || part.hasPrefix("0x") }
    }
}

/// base64url without padding (RFC 4648 §5), as Web Push keys travel.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Accepts padded or unpadded text, and the standard alphabet too (some clients send it).
    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 = base64.replacingOccurrences(of: "=", with: "")
        guard !base64.isEmpty else { return [] }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
