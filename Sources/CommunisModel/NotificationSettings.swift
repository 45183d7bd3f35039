import Foundation

/// How a kind of notification reaches a person by e-mail.
public enum EmailCadence: String, Sendable, Codable, CaseIterable {
    case off
    /// One e-mail per notification, at once.
    case immediate
    /// Collected into one e-mail a day (about 07:00 in the person's time zone).
    case daily
    /// Collected into one e-mail a week (Monday about 07:00).
    case weekly
}

/// What a person wants for one kind of notification.
public struct NotificationPreference: Sendable, Equatable, Codable {
    /// Listed in the notification centre (and sent live to open pages).
    public var app: Bool
    public var email: EmailCadence
    /// A Web Push message to the person's devices (outside quiet hours).
    public var push: Bool

    public init(app: Bool, email: EmailCadence, push: Bool) {
        self.app = app
        self.email = email
        self.push = push
    }
}

/// The hours in which no push message is sent (in-app and e-mail digests are unaffected).
/// `from` and `to` are `HH:MM` in the person's time zone; `from` later than `to` spans midnight.
public struct QuietHours: Sendable, Equatable, Codable {
    public var enabled: Bool
    public var from: String
    public var to: String

    public init(enabled: Bool, from: String, to: String) {
        self.enabled = enabled
        self.from = from
        self.to = to
    }

    /// Minutes after midnight of an `HH:MM` text; nil when it is not one.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }

    /// Whether `date` falls in the quiet hours, read on the clock of `timeZone`. Equal `from`
    /// and `to` is an empty span (never quiet).
    public func contains(_ date: Date, timeZone: TimeZone) -> Bool {
        guard enabled, let start = Self.minutes(from), let end = Self.minutes(to), start != end else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return start < end ? (now >= start && now < end) : (now >= start || now < end)
    }
}

/// A person's notification settings: per kind in the app / by e-mail / by push, quiet hours,
/// their time zone (for quiet hours and digest times) and the language of their e-mail.
public struct NotificationSettings: Sendable, Equatable {
    public var kinds: [PersonalNotification.Kind: NotificationPreference]
    public var quietHours: QuietHours
    /// An IANA time zone name.
    public var timeZone: String
    /// `sv` or `en`.
    public var language: String

    public init(kinds: [PersonalNotification.Kind: NotificationPreference], quietHours: QuietHours, timeZone: String, language: String) {
        self.kinds = kinds
        self.quietHours = quietHours
        self.timeZone = timeZone
        self.language = language
    }

    public static let defaultTimeZone = "Europe/Stockholm"
    public static let languages: Set<String> = ["sv", "en"]

    /// The defaults for someone who never chose (docs/architecture/notifications.md):
    /// what needs the person (a mention, a reply, a meeting starting now, a "läst och förstått"
    /// due) comes in the app and as push; news only in the app (there can be many); review
    /// reminders in the app. E-mail is off, except that mentions come in a daily digest, so
    /// someone who rarely opens Communis still learns they were asked something. Quiet hours
    /// 22:00–07:00 Swedish time: no pings on the phone at night.
    public static let defaults = NotificationSettings(
        kinds: [
            .mention: NotificationPreference(app: true, email: .daily, push: true),
            .reply: NotificationPreference(app: true, email: .off, push: true),
            .meetingStarted: NotificationPreference(app: true, email: .off, push: true),
            .acknowledgementDue: NotificationPreference(app: true, email: .off, push: true),
            .news: NotificationPreference(app: true, email: .off, push: false),
            .reviewDue: NotificationPreference(app: true, email: .off, push: false),
        ],
        quietHours: QuietHours(enabled: true, from: "22:00", to: "07:00"),
        timeZone: defaultTimeZone, language: "sv")

    public static let allKinds: [PersonalNotification.Kind] = [.mention, .reply, .news, .meetingStarted, .reviewDue, .acknowledgementDue]

    /// The preference for `kind` (the default when none was stored).
    public func preference(_ kind: PersonalNotification.Kind) -> NotificationPreference {
        kinds[kind] ?? Self.defaults.kinds[kind] ?? NotificationPreference(app: true, email: .off, push: false)
    }

    /// The time zone to read quiet hours and digest times on (Stockholm when the name is unknown).
    public var zone: TimeZone {
        TimeZone(identifier: timeZone) ?? TimeZone(identifier: Self.defaultTimeZone) ?? .gmt
    }

    /// Field errors for settings sent by a client.
    public func validate(_ validator: inout Validator) {
        if QuietHours.minutes(quietHours.from) == nil { validator.fail("quietHours.from", "must be a time HH:MM") }
        if QuietHours.minutes(quietHours.to) == nil { validator.fail("quietHours.to", "must be a time HH:MM") }
        if timeZone.count > 64 || TimeZone(identifier: timeZone) == nil { validator.fail("timeZone", "must be a time zone such as Europe/Stockholm") }
        if !Self.languages.contains(language) { validator.fail("language", "must be sv or en") }
    }
}

/// What one follows: a workspace, a person, a news tag or a news category.
public enum FollowKind: String, Sendable, Codable, CaseIterable {
    case workspace, person, tag, category
}

/// One follow. `following` false is kept only for a workspace the person is a member of and
/// chose to unfollow (membership follows a workspace by default).
public struct Follow: Sendable, Equatable {
    public var personID: PersonID
    public var kind: FollowKind
    /// A workspace or person id (lowercase UUID), or a tag or category in its folded form.
    public var target: String
    public var following: Bool
    public var createdAt: Date

    public init(personID: PersonID, kind: FollowKind, target: String, following: Bool = true, createdAt: Date) {
        self.personID = personID
        self.kind = kind
        self.target = target
        self.following = following
        self.createdAt = createdAt
    }

    /// The stored form of a tag or category: trimmed, lowercased (å, ä and ö kept), so
    /// "Lön" and "lön " are one tag.
    public static func fold(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public static let targetLength = 100
}

/// One notification waiting for a person's daily or weekly digest e-mail.
public struct DigestItem: Sendable, Equatable {
    public var id: UUID
    public var personID: PersonID
    /// `daily` or `weekly`.
    public var cadence: EmailCadence
    public var kind: PersonalNotification.Kind
    /// Who did it, by name (empty when nobody did).
    public var actorName: String
    public var excerpt: String
    /// The web client's page (a hash route); the mail makes it absolute.
    public var link: String
    public var createdAt: Date

    public init(id: UUID = UUID(), personID: PersonID, cadence: EmailCadence, kind: PersonalNotification.Kind, actorName: String,
                excerpt: String, link: String, createdAt: Date) {
        self.id = id
        self.personID = personID
        self.cadence = cadence
        self.kind = kind
        self.actorName = actorName
        self.excerpt = excerpt
        self.link = link
        self.createdAt = createdAt
    }
}

/// When digests go out: a daily digest's period starts at 07:00 in the person's time zone, a
/// weekly one's on Monday at 07:00. A period is named by its first day (`2026-12-07`, `W2026-12-07`);
/// one digest per person, cadence and period.
public enum DigestSchedule {
    public static let sendHour = 7

    /// The period `now` is in and the instant it began.
    public static func period(_ cadence: EmailCadence, at now: Date, timeZone: TimeZone) -> (key: String, start: Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Shifting by the send hour makes a period run from 07:00 to 07:00.
        let shifted = now.addingTimeInterval(-Double(sendHour) * 3600)
        var day = calendar.startOfDay(for: shifted)
        switch cadence {
        case .daily: break
        case .weekly:
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday, 2 = Monday
            day = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day) ?? day
        case .off, .immediate: return nil
        }
        guard let start = calendar.date(bySettingHour: sendHour, minute: 0, second: 0, of: day) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        func padded(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let name = "\(padded(parts.year, 4))-\(padded(parts.month, 2))-\(padded(parts.day, 2))"
        return (cadence == .weekly ? "W" + name : name, start)
    }
}
