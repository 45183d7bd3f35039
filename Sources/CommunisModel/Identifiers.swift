import Foundation

/// A typed identifier: the phantom `Tag` keeps a person's id from being passed where a
/// workspace's id is expected. Encoded as a lowercase UUID string.
public struct ID<Tag>: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let uuid: UUID

    public init(_ uuid: UUID = UUID()) { self.uuid = uuid }

    /// Parses a UUID string (any case); nil for anything else.
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString.lowercased() }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let uuid = UUID(uuidString: string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID: \(string)")
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: ID<Tag>, rhs: ID<Tag>) -> Bool { lhs.description < rhs.description }
}

public enum PersonTag {}
public enum WorkspaceTag {}
public enum ApiTokenTag {}

public typealias PersonID = ID<PersonTag>
public typealias WorkspaceID = ID<WorkspaceTag>
public typealias ApiTokenID = ID<ApiTokenTag>

public enum ThreadTag {}
public enum PostTag {}
public enum BlogPostTag {}
public enum NotificationTag {}

public typealias ThreadID = ID<ThreadTag>
public typealias PostID = ID<PostTag>
public typealias BlogPostID = ID<BlogPostTag>
public typealias NotificationID = ID<NotificationTag>

public enum MeetingTag {}
public enum MeetingInvitationTag {}

public typealias MeetingID = ID<MeetingTag>
public typealias MeetingInvitationID = ID<MeetingInvitationTag>

public enum HowToTag {}

/// A how-to article (lathund) in the knowledge bank.
public typealias HowToID = ID<HowToTag>

public enum RecordingTag {}

/// A recording of a meeting or a guide (Ogg Opus under the recordings folder).
public typealias RecordingID = ID<RecordingTag>

public enum GroupRuleTag {}
public enum SessionTag {}
public enum MailTag {}

public typealias GroupRuleID = ID<GroupRuleTag>
/// The public id of a login session (the cookie's token is secret and never listed).
public typealias SessionID = ID<SessionTag>
public typealias MailID = ID<MailTag>

public enum NewsTag {}
public enum OrganisationTag {}
public enum PushSubscriptionTag {}

/// A news article (nyhet).
public typealias NewsID = ID<NewsTag>
/// An organisation of the installation: the municipality or one of its companies.
public typealias OrganisationID = ID<OrganisationTag>
/// One device's Web Push subscription.
public typealias PushSubscriptionID = ID<PushSubscriptionTag>
