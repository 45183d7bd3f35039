import CommunisModel
import Foundation

/// A minimal push message: the push service sees only that one was sent, its size and the
/// urgency; the text is encrypted for the device (RFC 8291). Kept short on purpose.
public struct PushMessage: Sendable, Equatable, Codable {
    public var title: String
    public var body: String
    /// The page it opens (an absolute path with the hash route, `/#/news/<id>`).
    public var url: String
    /// Notifications with the same tag replace each other on the device.
    public var tag: String?

    public init(title: String, body: String, url: String, tag: String? = nil) {
        self.title = title
        self.body = body
        self.url = url
        self.tag = tag
    }
}

/// Sends Web Push messages to every device a person has subscribed (implemented by the
/// Web Push sender). Returns how many devices accepted it.
public protocol PushSending: Sendable {
    @discardableResult
    func push(_ message: PushMessage, to person: PersonID) async -> Int
}

/// Sends nothing.
public struct NoPush: PushSending {
    public init() {}
    public func push(_ message: PushMessage, to person: PersonID) async -> Int { 0 }
}
