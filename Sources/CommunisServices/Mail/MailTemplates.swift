import Foundation

/// The e-mails Communis sends, in Swedish and English, each as a plain-text part and a plain,
/// accessible HTML part built from the same paragraphs: a `lang` attribute, one heading, one
/// button-like link whose address is also printed as text, no images, nothing loaded from
/// elsewhere. Every value put into the HTML is escaped. Times are Swedish local time
/// (Europe/Stockholm): "6 december 2026 kl. 21:30", "6 December 2026 at 21:30".
public enum MailTemplates {
    /// The language of one mail: the recipient's, else the organisation's.
    public enum Language: String, Sendable {
        case sv, en
    }

    /// A link to choose a new password; it works once, until `expiresAt`.
    public static func passwordReset(to email: String, name: String, link: String, expiresAt: Date, language: Language) -> MailMessage {
        let date = formatDate(expiresAt, language: language)
        let letter: Letter = switch language {
        case .sv: Letter(
            language: language,
            subject: "Återställ ditt lösenord till Communis",
            heading: "Återställ ditt lösenord",
            greeting: greeting(name, language),
            before: [
                "Vi har fått en begäran om att återställa lösenordet till ditt konto i Communis (\(email)).",
                "Välj ett nytt lösenord via länken nedan. Länken kan bara användas en gång och gäller till den \(date).",
            ],
            action: Action(label: "Välj nytt lösenord", link: link),
            after: ["Har du inte bett om ett nytt lösenord kan du bortse från det här mejlet. Ditt nuvarande lösenord fortsätter att gälla."])
        case .en: Letter(
            language: language,
            subject: "Reset your Communis password",
            heading: "Reset your password",
            greeting: greeting(name, language),
            before: [
                "We received a request to reset the password of your Communis account (\(email)).",
                "Choose a new password using the link below. The link can be used once and is valid until \(date) (Swedish time).",
            ],
            action: Action(label: "Choose a new password", link: link),
            after: ["If you did not ask for a new password, you can ignore this email. Your current password stays valid."])
        }
        return letter.message(to: email, name: name)
    }

    /// The notice after a password change: every session was ended.
    public static func passwordChanged(to email: String, name: String, at changedAt: Date, language: Language) -> MailMessage {
        let date = formatDate(changedAt, language: language)
        let letter: Letter = switch language {
        case .sv: Letter(
            language: language,
            subject: "Ditt lösenord till Communis har ändrats",
            heading: "Ditt lösenord har ändrats",
            greeting: greeting(name, language),
            before: [
                "Lösenordet till ditt konto i Communis (\(email)) ändrades den \(date).",
                "Alla dina inloggningar har avslutats, så du behöver logga in igen med det nya lösenordet på dina enheter.",
                "Om det inte var du som ändrade lösenordet ska du kontakta IT-supporten så snart som möjligt.",
            ])
        case .en: Letter(
            language: language,
            subject: "Your Communis password was changed",
            heading: "Your password was changed",
            greeting: greeting(name, language),
            before: [
                "The password of your Communis account (\(email)) was changed on \(date) (Swedish time).",
                "All your sessions have been ended, so you need to sign in again with the new password on your devices.",
                "If it was not you who changed the password, contact IT support as soon as possible.",
            ])
        }
        return letter.message(to: email, name: name)
    }

    /// An invitation from outside the organisation into a collaboration space (samarbetsyta),
    /// saying that what is shared there can become a public document (allmän handling).
    public static func guestInvitation(
        to email: String, name: String, inviterName: String, workspaceName: String, link: String, expiresAt: Date, language: Language
    ) -> MailMessage {
        let date = formatDate(expiresAt, language: language)
        let inviter = inviterName.isEmpty ? (language == .sv ? "Någon" : "Someone") : inviterName
        let letter: Letter = switch language {
        case .sv: Letter(
            language: language,
            subject: "Inbjudan till samarbetsytan ”\(workspaceName)” i Communis",
            heading: "Du är inbjuden till samarbetsytan ”\(workspaceName)”",
            greeting: greeting(name, language),
            before: [
                "\(inviter) har bjudit in dig till samarbetsytan ”\(workspaceName)” i Communis. Du deltar som extern deltagare och ser bara de samarbetsytor som du är inbjuden till.",
                "Följ länken nedan för att tacka ja. Första gången väljer du samtidigt ett lösenord. Länken kan bara användas en gång och gäller till den \(date).",
            ],
            action: Action(label: "Tacka ja till inbjudan", link: link),
            after: [
                "Tänk på att offentlighetsprincipen gäller. Det som delas med externa deltagare kan bli allmän handling. Dela därför inte sekretessbelagda uppgifter i samarbetsytan.",
                "Om du inte väntade dig den här inbjudan kan du bortse från mejlet.",
            ])
        case .en: Letter(
            language: language,
            subject: "Invitation to the workspace “\(workspaceName)” in Communis",
            heading: "You are invited to the workspace “\(workspaceName)”",
            greeting: greeting(name, language),
            before: [
                "\(inviter) has invited you to the collaboration workspace “\(workspaceName)” in Communis. You join as an external participant and see only the workspaces you are invited to.",
                "Follow the link below to accept. The first time, you also choose a password. The link can be used once and is valid until \(date) (Swedish time).",
            ],
            action: Action(label: "Accept the invitation", link: link),
            after: [
                "Please note that the Swedish principle of public access to official records (offentlighetsprincipen) applies. What is shared with external participants can become an official document open to the public (allmän handling), so do not share confidential information in the workspace.",
                "If you did not expect this invitation, you can ignore this email.",
            ])
        }
        return letter.message(to: email, name: name)
    }

    /// An invitation for a guest into one web meeting (webbmöte); the link works, as often as
    /// needed, until `expiresAt` or the meeting's end.
    public static func meetingGuestInvitation(
        to email: String, name: String, inviterName: String, meetingTitle: String, link: String, expiresAt: Date, language: Language
    ) -> MailMessage {
        let date = formatDate(expiresAt, language: language)
        let inviter = inviterName.isEmpty ? (language == .sv ? "Någon" : "Someone") : inviterName
        let letter: Letter = switch language {
        case .sv: Letter(
            language: language,
            subject: "Inbjudan till webbmötet ”\(meetingTitle)”",
            heading: "Du är inbjuden till webbmötet ”\(meetingTitle)”",
            greeting: greeting(name, language),
            before: [
                "\(inviter) har bjudit in dig till webbmötet ”\(meetingTitle)” i Communis. Du deltar direkt i webbläsaren och behöver inte installera något.",
                "När du ansluter hamnar du först i ett väntrum tills någon som leder mötet släpper in dig.",
                "Länken är personlig, så dela den inte med någon annan. Den fungerar till den \(date) eller tills mötet är avslutat.",
            ],
            action: Action(label: "Gå till mötet", link: link),
            after: ["Offentlighetsprincipen gäller även i mötet. Det som delas med externa deltagare kan bli allmän handling."])
        case .en: Letter(
            language: language,
            subject: "Invitation to the web meeting “\(meetingTitle)”",
            heading: "You are invited to the web meeting “\(meetingTitle)”",
            greeting: greeting(name, language),
            before: [
                "\(inviter) has invited you to the web meeting “\(meetingTitle)” in Communis. You take part in your web browser; there is nothing to install.",
                "When you join, you first wait in a lobby until someone running the meeting lets you in.",
                "The link is personal, so please do not pass it on. It works until \(date) (Swedish time) or until the meeting has ended.",
            ],
            action: Action(label: "Join the meeting", link: link),
            after: ["The Swedish principle of public access to official records (offentlighetsprincipen) applies in the meeting too: what is shared with external participants can become an official document open to the public (allmän handling)."])
        }
        return letter.message(to: email, name: name)
    }

    /// "6 december 2026 kl. 21:30" (sv) or "6 December 2026 at 21:30" (en), in Swedish local
    /// time whatever the server's zone. Month names are written out here, not taken from the
    /// platform's locale data, so the text is the same on every machine.
    public static func formatDate(_ date: Date, language: Language) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = stockholm
        let c = calendar.dateComponents([.day, .month, .year, .hour, .minute], from: date)
        let month = (language == .sv ? swedishMonths : englishMonths)[c.month! - 1]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let time = "\(two(c.hour!)):\(two(c.minute!))"
        return language == .sv ? "\(c.day!) \(month) \(c.year!) kl. \(time)" : "\(c.day!) \(month) \(c.year!) at \(time)"
    }

    private static let stockholm = TimeZone(identifier: "Europe/Stockholm") ?? TimeZone(secondsFromGMT: 3600)!
    private static let swedishMonths = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
    private static let englishMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    private static func greeting(_ name: String, _ language: Language) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return switch language {
        case .sv: name.isEmpty ? "Hej!" : "Hej \(name)!"
        case .en: name.isEmpty ? "Hello," : "Hello \(name),"
        }
    }
}

/// The one button of a mail and the address it leads to.
struct Action {
    var label: String
    var link: String
}

/// One mail as paragraphs; the text and the HTML part are both made from it, so they say the
/// same thing. Paragraphs are plain text: the HTML part escapes each one whole.
struct Letter {
    var language: MailTemplates.Language
    var subject: String
    var heading: String
    var greeting: String
    var before: [String]
    var action: Action? = nil
    /// A list of links between `before` and the button (a digest's items).
    var links: [Action] = []
    var after: [String] = []

    private var fallback: String {
        language == .sv ? "Om knappen inte fungerar kan du kopiera adressen nedan och klistra in den i webbläsaren:"
            : "If the button does not work, copy the address below into your web browser:"
    }
    private var signature: String { language == .sv ? "Hälsningar\nCommunis" : "Best regards\nCommunis" }
    private var footer: String {
        language == .sv ? "Det här mejlet skickades automatiskt och går inte att svara på."
            : "This email was sent automatically; replies are not read."
    }

    func message(to email: String, name: String) -> MailMessage {
        MailMessage(to: email, toName: name, subject: subject, text: text, html: html)
    }

    var text: String {
        var blocks = [greeting] + before
        blocks += links.map { "\($0.label)\n\($0.link)" }
        if let action { blocks.append("\(action.label):\n\(action.link)") }
        blocks += after + [signature, "-- \n\(footer)"]
        return blocks.joined(separator: "\n\n") + "\n"
    }

    var html: String {
        let link = "#00528a"  // 8:1 against white (WCAG AAA), the button's white text the same
        var body: [String] = ["<h1 style=\"font-size:22px;line-height:1.3;margin:0 0 16px 0;\">\(escape(heading))</h1>"]
        body += ([greeting] + before).map(paragraph)
        if !links.isEmpty {
            body.append("<ul>" + links.map { item in
                let web = item.link.hasPrefix("https://") || item.link.hasPrefix("http://")
                let label = web ? "<a href=\"\(escape(item.link))\" style=\"color:\(link);\">\(escape(item.label))</a>" : escape(item.label)
                return "<li style=\"margin:0 0 12px 0;\">\(label)</li>"
            }.joined() + "</ul>")
        }
        if let action {
            // Only web addresses become links; anything else is shown, never followed.
            let web = action.link.hasPrefix("https://") || action.link.hasPrefix("http://")
            if web {
                body.append("<p style=\"margin:24px 0;\"><a href=\"\(escape(action.link))\" style=\"display:inline-block;padding:12px 24px;background:\(link);color:#ffffff;font-weight:bold;text-decoration:none;border-radius:4px;\">\(escape(action.label))</a></p>")
            }
            let address = web ? "<a href=\"\(escape(action.link))\" style=\"color:\(link);word-break:break-all;\">\(escape(action.link))</a>" : escape(action.link)
            body.append("<p>\(escape(fallback))<br>\(address)</p>")
        }
        body += after.map(paragraph)
        body.append(paragraph(signature))
        body.append("<p style=\"margin-top:32px;color:#555555;font-size:14px;\">\(escape(footer))</p>")
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(subject))</title>
            </head>
            <body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;">
            <div style="max-width:600px;margin:0 auto;">
            \(body.joined(separator: "\n"))
            </div>
            </body>
            </html>

            """
    }

    private func paragraph(_ text: String) -> String {
        "<p>" + escape(text).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
    }

    private func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
