import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// What the demo's people have written in the last days, so that the start page's feed, the
/// workspaces and search have something to show on the first visit: discussions with replies
/// and @mentions (one with the external guest), and a published workspace blog post. Written
/// through the services, as people would, at times in the past.
enum DemoDiscussions {
    struct Reply {
        var by: String
        var text: String
        var hoursLater: Double
    }

    struct Thread {
        var workspace: String
        var by: String
        var title: String
        var text: String
        var hoursAgo: Double
        var replies: [Reply]
    }

    static let threads: [Thread] = [
        Thread(workspace: "Skolstart 2027", by: "Erik Johansson", title: "Schemat för läsårsstarten",
               text: "Första utkastet till schemat ligger bland dokumenten: {doc:Schema läsårsstart 2027.csv}. {Eva Pettersson}, kan du titta på svenskapassen i årskurs 1?",
               hoursAgo: 74, replies: [
                   Reply(by: "Eva Pettersson", text: "Ja, jag tittar under veckan. Kan vi flytta mentorstiden till måndag morgon?", hoursLater: 3),
                   Reply(by: "Henrik Axelsson", text: "Skolskjutsen över skolgränserna måste vara beställd **före 15 juni**. Underlaget från Länstrafiken har kommit.", hoursLater: 20),
               ]),
        Thread(workspace: "Digitalisering i äldreomsorgen", by: "Sara Nilsson", title: "Pilot med digitala tillsynsbesök på Järvenhemmet",
               text: "Vi startar piloten den 1 februari med tio brukare. Samtycke hämtas in av biståndshandläggaren; {Helena Jonsson} håller i listan.",
               hoursAgo: 50, replies: [
                   Reply(by: "Helena Jonsson", text: "Sju av tio har redan sagt ja. Jag återkommer om de sista tre på fredag.", hoursLater: 4),
                   Reply(by: "Fatima Ali", text: "Nattpersonalen vill gärna ha en kort genomgång av kamerorna innan start.", hoursLater: 9),
                   Reply(by: "Ahmed Hassan", text: "Jag kan visa kamerorna på tisdag kl. 14. Jag spelar också in en lathund.", hoursLater: 11),
               ]),
        Thread(workspace: "Lathundar och IT-tips", by: "Ahmed Hassan", title: "Nytt lösenord i Procapita från måndag",
               text: "Från måndag kräver Procapita ett nytt lösenord var 90:e dag. Gör så här:\n\n1. Logga in som vanligt.\n2. Välj **Byt lösenord** i menyn.\n3. Minst 12 tecken.",
               hoursAgo: 26, replies: [
                   Reply(by: "Linnea Bergström", text: "Tack! Gäller det även datorerna i köken?", hoursLater: 2),
                   Reply(by: "Ahmed Hassan", text: "Ja, alla datorer med Procapita. Ring IT-supporten om du blir utelåst.", hoursLater: 2.5),
               ]),
        Thread(workspace: "Ny webbplats för medborgare", by: "Johan Andersson", title: "Klarspråk på startsidan",
               text: "Jag har skrivit om texterna på startsidan enligt klarspråksriktlinjerna. {Lena Berg}, passar de i er nya mall?",
               hoursAgo: 6, replies: [
                   Reply(by: "Lena Berg", text: "De passar fint. Jag lägger in dem i testmiljön i eftermiddag och kör en tillgänglighetsgranskning.", hoursLater: 1.5),
               ]),
    ]

    /// `documents`: the demo's documents by title, which `{doc:Title}` in a text links.
    static func seed(store: any CommunisStore, byName: [String: Person], workspaceIDs: [String: WorkspaceID], documents: [String: DocumentID] = [:],
                     now: Date = Date()) async throws {
        func mentions(_ text: String) -> String {
            var text = text
            for (name, person) in byName where text.contains("{\(name)}") {
                text = text.replacingOccurrences(of: "{\(name)}", with: "@[\(name)](person:\(person.id))")
            }
            for (title, id) in documents where text.contains("{doc:\(title)}") {
                text = text.replacingOccurrences(of: "{doc:\(title)}", with: "[\(title)](#/documents/\(id))")
            }
            return text
        }
        func discussions(at date: Date) -> Discussions {
            Discussions(store: store, publisher: NoLivePublisher(), clock: Clock(now: { date }))
        }
        for thread in threads {
            guard let author = byName[thread.by], let workspace = workspaceIDs[thread.workspace] else { continue }
            let opened = now.addingTimeInterval(-thread.hoursAgo * 3600)
            let written = try await discussions(at: opened).createThread(
                viewer: Viewer(person: author), workspace: workspace, title: thread.title, body: mentions(thread.text), idempotencyKey: nil)
            for reply in thread.replies {
                guard let person = byName[reply.by] else { continue }
                _ = try await discussions(at: opened.addingTimeInterval(reply.hoursLater * 3600)).reply(
                    viewer: Viewer(person: person), thread: written.value.thread.id, body: mentions(reply.text), parent: nil, idempotencyKey: nil)
            }
        }
        if let maria = byName["Maria Karlsson"], let workspace = workspaceIDs["Friskvård och personalaktiviteter"] {
            let published = now.addingTimeInterval(-30 * 3600)
            _ = try await Blogs(store: store, publisher: NoLivePublisher(), clock: Clock(now: { published })).save(
                viewer: Viewer(person: maria), workspace: workspace, id: nil, title: "Stegtävlingen är igång!",
                body: "Nu kör vi! Anmäl ditt lag senast fredag. Vinnarlaget får **fruktkorg och äran**. Förra året gick vi tillsammans 41 miljoner steg.",
                publish: true)
        }
    }
}
