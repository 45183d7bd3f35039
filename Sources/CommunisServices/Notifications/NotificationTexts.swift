import CommunisModel
import Foundation

/// What a notification says outside the app (an e-mail, a digest line, a push message), in
/// Swedish or English. Kept short: a push service sees the size, and a phone shows two lines.
enum NotificationTexts {
    /// One line: "Olle Ek nämnde dig", "Ett möte har startat: Veckomöte".
    static func headline(_ kind: PersonalNotification.Kind, actor: String, excerpt: String, language: MailTemplates.Language) -> String {
        let who = actor.isEmpty ? (language == .sv ? "Någon" : "Someone") : actor
        switch (kind, language) {
        case (.mention, .sv): return "\(who) nämnde dig"
        case (.mention, .en): return "\(who) mentioned you"
        case (.reply, .sv): return "\(who) svarade i en diskussion du deltar i"
        case (.reply, .en): return "\(who) replied in a discussion you take part in"
        case (.news, .sv): return "Ny nyhet: \(excerpt)"
        case (.news, .en): return "News: \(excerpt)"
        case (.meetingStarted, .sv): return "Ett möte har startat: \(excerpt)"
        case (.meetingStarted, .en): return "A meeting has started: \(excerpt)"
        case (.reviewDue, .sv): return "Dags att granska lathunden ”\(excerpt)”"
        case (.reviewDue, .en): return "Time to review the how-to “\(excerpt)”"
        case (.acknowledgementDue, .sv): return "Bekräfta att du har läst: \(excerpt)"
        case (.acknowledgementDue, .en): return "Please confirm you have read: \(excerpt)"
        }
    }

    /// The quoted text under the headline, or nothing when the headline already names it.
    static func detail(_ kind: PersonalNotification.Kind, excerpt: String) -> String? {
        switch kind {
        case .mention, .reply: excerpt.isEmpty ? nil : excerpt
        case .news, .meetingStarted, .reviewDue, .acknowledgementDue: nil
        }
    }

    static func actionLabel(_ kind: PersonalNotification.Kind, language: MailTemplates.Language) -> String {
        switch (kind, language) {
        case (.meetingStarted, .sv): "Gå med i mötet"
        case (.meetingStarted, .en): "Join the meeting"
        case (_, .sv): "Öppna i Communis"
        case (_, .en): "Open in Communis"
        }
    }

    /// An absolute address for a hash route (`#/meetings/…` → `https://host/#/meetings/…`).
    static func absolute(_ link: String, base: String) -> String {
        let route = link.isEmpty ? "#/notifications" : link
        return base.isEmpty ? "/\(route)" : "\(base)/\(route)"
    }
}

extension MailTemplates {
    /// One notification by e-mail, at once.
    static func notification(to email: String, name: String, kind: PersonalNotification.Kind, actor: String, excerpt: String, link: String,
                              language: Language) -> MailMessage {
        let headline = NotificationTexts.headline(kind, actor: actor, excerpt: excerpt, language: language)
        var before = [headline]
        if let detail = NotificationTexts.detail(kind, excerpt: excerpt) { before.append("”\(detail)”") }
        let after = language == .sv
            ? ["Du får det här mejlet för att du har valt det i dina aviseringsinställningar i Communis (Profil → Aviseringar)."]
            : ["You receive this email because you chose it in your Communis notification settings (Profile → Notifications)."]
        let letter = Letter(language: language, subject: headline, heading: headline, greeting: notificationGreeting(name, language),
                            before: before, action: Action(label: NotificationTexts.actionLabel(kind, language: language), link: link), after: after)
        return letter.message(to: email, name: name)
    }

    /// A daily or weekly digest: every item as a link, oldest first.
    static func digest(to email: String, name: String, cadence: EmailCadence, items: [(headline: String, link: String)], centre: String,
                       language: Language) -> MailMessage {
        let count = items.count
        let subject: String = switch (cadence, language) {
        case (.weekly, .sv): "Veckans aviseringar från Communis (\(count))"
        case (.weekly, .en): "Your weekly Communis notifications (\(count))"
        case (_, .sv): "Dagens aviseringar från Communis (\(count))"
        case (_, .en): "Your daily Communis notifications (\(count))"
        }
        let intro = language == .sv
            ? (count == 1 ? "Det här har hänt sedan förra sammanfattningen:" : "De här \(count) sakerna har hänt sedan förra sammanfattningen:")
            : (count == 1 ? "This happened since the last summary:" : "These \(count) things happened since the last summary:")
        let letter = Letter(
            language: language, subject: subject, heading: subject, greeting: notificationGreeting(name, language), before: [intro],
            action: Action(label: language == .sv ? "Öppna aviseringarna" : "Open your notifications", link: centre),
            links: items.map { Action(label: $0.headline, link: $0.link) },
            after: language == .sv
                ? ["Du kan ändra hur ofta du får sammanfattningar i Communis (Profil → Aviseringar)."]
                : ["You can change how often you get summaries in Communis (Profile → Notifications)."])
        return letter.message(to: email, name: name)
    }

    fileprivate static func notificationGreeting(_ name: String, _ language: Language) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return switch language {
        case .sv: name.isEmpty ? "Hej!" : "Hej \(name)!"
        case .en: name.isEmpty ? "Hello," : "Hello \(name),"
        }
    }
}
