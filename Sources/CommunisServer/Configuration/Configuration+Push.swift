import Foundation

extension Configuration {
    /// The keys of Web Push (`push.*`).
    static let pushKeys: [ConfigurationKey] = [
        .init(name: "push.enabled", kind: .boolean, defaultValue: .boolean(true),
              help: "Send Web Push messages to the phones and computers people subscribe (the VAPID key is made at first start and kept in the database)."),
        .init(name: "push.subject", kind: .string, defaultValue: .string(""),
              help: "The contact push services may write to about this server's messages (mailto:it@example.se or an https: URL); empty: mailto: mail.from_address, else none."),
        .init(name: "push.ttl_seconds", kind: .integer(0...2_419_200), defaultValue: .integer(86_400),
              help: "How long a push service keeps a message for a device that is offline (0: deliver now or drop)."),
        .init(name: "push.allow_http", kind: .boolean, defaultValue: .boolean(false),
              help: "Accept http:// push endpoints and endpoints on local addresses. Only for tests that run a push service on localhost."),
    ]

    static func push(_ string: (String) -> String, _ int: (String) -> Int, _ bool: (String) -> Bool) -> PushConfiguration {
        PushConfiguration(enabled: bool("push.enabled"), subject: string("push.subject").trimmingCharacters(in: .whitespaces),
                          ttlSeconds: int("push.ttl_seconds"), allowHTTP: bool("push.allow_http"))
    }

    func validatePush() throws {
        let subject = push.subject.lowercased()
        if !subject.isEmpty && !subject.hasPrefix("mailto:") && !subject.hasPrefix("https://") {
            throw ConfigurationError("push.subject: \"\(push.subject)\" must be a mailto: address or an https: URL")
        }
    }

    /// The VAPID token's `sub`: `push.subject`, else `mailto:` the mail sender, else none.
    public var pushSubject: String? {
        if !push.subject.isEmpty { return push.subject }
        let from = mail.fromAddress.trimmingCharacters(in: .whitespaces)
        return from.isEmpty ? nil : "mailto:\(from)"
    }
}

/// Web Push (`push.*`).
public struct PushConfiguration: Sendable, Equatable {
    public var enabled: Bool
    public var subject: String
    public var ttlSeconds: Int
    public var allowHTTP: Bool
}
