import CommunisServices
import Foundation
import Testing

@Suite("Mail templates")
struct MailTemplatesTests {
    /// 6 December 2026, 21:30 in Stockholm (20:30 UTC).
    static let december = Date(timeIntervalSince1970: 1_796_589_000)
    /// 1 July 2026, 14:00 in Stockholm (12:00 UTC, summer time).
    static let july = Date(timeIntervalSince1970: 1_782_907_200)
    static let link = "https://communis.kommun.example/#/reset?token=Ab3_x&lang=sv"

    static func all(_ language: MailTemplates.Language, workspace: String = "Översiktsplan 2030", name: String = "Åsa Öberg") -> [MailMessage] {
        [
            MailTemplates.passwordReset(to: "asa@kommun.example", name: name, link: link, expiresAt: december, language: language),
            MailTemplates.passwordChanged(to: "asa@kommun.example", name: name, at: december, language: language),
            MailTemplates.guestInvitation(to: "asa@konsult.example", name: name, inviterName: "Erik Lind", workspaceName: workspace,
                                          link: link, expiresAt: december, language: language),
            MailTemplates.meetingGuestInvitation(to: "asa@konsult.example", name: name, inviterName: "Erik Lind", meetingTitle: "Samråd <vägen>",
                                                 link: link, expiresAt: december, language: language),
        ]
    }

    @Test("dates are Swedish local time in each language's style, in winter and in summer")
    func dates() {
        #expect(MailTemplates.formatDate(Self.december, language: .sv) == "6 december 2026 kl. 21:30")
        #expect(MailTemplates.formatDate(Self.december, language: .en) == "6 December 2026 at 21:30")
        #expect(MailTemplates.formatDate(Self.july, language: .sv) == "1 juli 2026 kl. 14:00")
        #expect(MailTemplates.formatDate(Self.july, language: .en) == "1 July 2026 at 14:00")
    }

    @Test("password reset, both languages: subject, the link in text and HTML, the expiry in Stockholm time, works once, ignore if not asked")
    func passwordReset() {
        let sv = MailTemplates.passwordReset(to: "asa@kommun.example", name: "Åsa", link: Self.link, expiresAt: Self.december, language: .sv)
        #expect(sv.subject == "Återställ ditt lösenord till Communis")
        #expect(sv.to == "asa@kommun.example")
        #expect(sv.toName == "Åsa")
        #expect(sv.text.hasPrefix("Hej Åsa!"))
        #expect(sv.text.contains(Self.link))
        #expect(sv.text.contains("6 december 2026 kl. 21:30"))
        #expect(sv.text.contains("en gång"))
        #expect(sv.text.contains("bortse från det här mejlet"))
        #expect(sv.html.contains("6 december 2026 kl. 21:30"))

        let en = MailTemplates.passwordReset(to: "asa@kommun.example", name: "Åsa", link: Self.link, expiresAt: Self.december, language: .en)
        #expect(en.subject == "Reset your Communis password")
        #expect(en.text.contains(Self.link))
        #expect(en.text.contains("6 December 2026 at 21:30"))
        #expect(en.text.contains("once"))
        #expect(en.text.contains("ignore this email"))
        #expect(en.html.contains("6 December 2026 at 21:30"))
    }

    @Test("every mail's HTML has the lang attribute, one heading, no images or external resources, and its link both as a button and as text")
    func htmlLayout() {
        for language in [MailTemplates.Language.sv, .en] {
            for mail in Self.all(language) {
                #expect(mail.html.contains("<html lang=\"\(language.rawValue)\">"))
                #expect(mail.html.components(separatedBy: "<h1").count == 2)
                #expect(!mail.html.contains("<img"))
                #expect(!mail.html.contains("src="))
                #expect(!mail.html.contains("<link"))
                #expect(!mail.html.contains("url("))
                let escapedLink = Self.link.replacingOccurrences(of: "&", with: "&amp;")
                let hasLink = mail.text.contains(Self.link)
                #expect(mail.html.components(separatedBy: "href=\"\(escapedLink)\"").count == (hasLink ? 3 : 1))
                #expect(mail.html.contains(">\(escapedLink)</a>") == hasLink)
                // Nothing but the link points anywhere.
                #expect(mail.html.components(separatedBy: "http").count == (hasLink ? 4 : 1))
            }
        }
    }

    @Test("values are escaped in the HTML part: a workspace called <script> shows as text")
    func htmlEscaping() {
        let name = "<script>alert('x')</script> & \"Co\""
        for mail in Self.all(.sv, workspace: name, name: "<b>Åsa</b>") + Self.all(.en, workspace: name, name: "<b>Åsa</b>") {
            #expect(!mail.html.contains("<script"))
            #expect(!mail.html.contains("<b>"))
            #expect(!mail.html.contains("<vägen>"))
        }
        let invitation = MailTemplates.guestInvitation(to: "a@b.example", name: "", inviterName: "Erik", workspaceName: name,
                                                       link: Self.link, expiresAt: Self.december, language: .sv)
        #expect(invitation.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(invitation.text.contains(name))
        #expect(invitation.subject.contains(name))
    }

    @Test("the guest invitation names inviter and workspace, the expiry, and says that what is shared can become a public document")
    func guestInvitation() {
        let sv = MailTemplates.guestInvitation(to: "asa@konsult.example", name: "Åsa", inviterName: "Erik Lind", workspaceName: "Översiktsplan 2030",
                                               link: Self.link, expiresAt: Self.december, language: .sv)
        #expect(sv.subject.contains("Översiktsplan 2030"))
        for part in [sv.text, sv.html] {
            #expect(part.contains("Det som delas med externa deltagare kan bli allmän handling."))
            #expect(part.contains("offentlighetsprincipen"))
            #expect(part.contains("Erik Lind"))
            #expect(part.contains("samarbetsytan"))
            #expect(part.contains("6 december 2026 kl. 21:30"))
        }
        let en = MailTemplates.guestInvitation(to: "asa@konsult.example", name: "Åsa", inviterName: "Erik Lind", workspaceName: "Översiktsplan 2030",
                                               link: Self.link, expiresAt: Self.december, language: .en)
        for part in [en.text, en.html] {
            #expect(part.contains("What is shared with external participants can become an official document open to the public (allmän handling)"))
            #expect(part.contains("6 December 2026 at 21:30"))
            #expect(part.contains(en.text == part ? Self.link : Self.link.replacingOccurrences(of: "&", with: "&amp;")))
        }
    }

    @Test("the meeting invitation names the meeting, says it runs in the browser, and gives the link and its end in Stockholm time")
    func meetingInvitation() {
        let sv = MailTemplates.meetingGuestInvitation(to: "a@b.example", name: "Åsa", inviterName: "Erik Lind", meetingTitle: "Samråd om Ängsvägen",
                                                      link: Self.link, expiresAt: Self.july, language: .sv)
        #expect(sv.subject == "Inbjudan till webbmötet ”Samråd om Ängsvägen”")
        #expect(sv.text.contains("webbläsaren"))
        #expect(sv.text.contains("1 juli 2026 kl. 14:00"))
        #expect(sv.text.contains(Self.link))
        let en = MailTemplates.meetingGuestInvitation(to: "a@b.example", name: "Åsa", inviterName: "Erik Lind", meetingTitle: "Samråd om Ängsvägen",
                                                      link: Self.link, expiresAt: Self.july, language: .en)
        #expect(en.subject == "Invitation to the web meeting “Samråd om Ängsvägen”")
        #expect(en.text.contains("1 July 2026 at 14:00"))
    }

    @Test("password changed: says all sessions ended and to contact IT if it was not them")
    func passwordChanged() {
        let sv = MailTemplates.passwordChanged(to: "a@b.example", name: "Åsa", at: Self.december, language: .sv)
        #expect(sv.text.contains("Alla dina inloggningar har avslutats"))
        #expect(sv.text.contains("IT-supporten"))
        #expect(sv.text.contains("6 december 2026 kl. 21:30"))
        let en = MailTemplates.passwordChanged(to: "a@b.example", name: "", at: Self.december, language: .en)
        #expect(en.text.hasPrefix("Hello,"))
        #expect(en.text.contains("IT support"))
    }
}
