import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// The demo's knowledge bank: a few realistic lathundar, written by the IT workspace's owner.
enum DemoHowTos {
    /// `guide`: the demo's guide recording, embedded in the Procapita lathund with its chapters.
    static func seed(store: any CommunisStore, byName: [String: Person], workspaceIDs: [String: WorkspaceID], guide: Recording? = nil) async throws {
        guard let ahmed = byName["Ahmed Hassan"], let it = workspaceIDs["Lathundar och IT-tips"] else { return }
        let howTos = HowTos(store: store)
        let viewer = Viewer(person: ahmed)
        _ = try await howTos.create(viewer: viewer, workspace: it, draft: HowToDraft(
            title: "Logga in i Procapita",
            summary: "Så loggar du in i verksamhetssystemet med ditt SITHS-kort, och vad du gör om det inte går.",
            body: """
                1. Sätt i SITHS-kortet i kortläsaren.
                2. Öppna **Procapita** från startmenyn (Citrix).
                3. Välj *Logga in med e-tjänstekort* och skriv din PIN-kod.
                4. Välj den enhet du arbetar på i dag.

                Fungerar det inte? Kontrollera att kortet inte är spärrat och ring IT-supporten på 0150-570 00.
                """,
            tags: ["Procapita", "Inloggning", "SITHS"],
            audience: HowToAudience(departments: ["Vård- och omsorgsförvaltningen", "Socialförvaltningen"]),
            reviewBy: "2027-06-30",
            recordings: guide.map { [RecordingReference(recordingId: $0.id.description, title: $0.title, chapters: $0.chapters)] } ?? []))
        _ = try await howTos.create(viewer: viewer, workspace: nil, draft: HowToDraft(
            title: "Boka konferensrum i Outlook",
            summary: "Boka ett rum i Stadshuset med Outlooks rumssökare.",
            body: """
                1. Skapa ett nytt möte i Outlook-kalendern.
                2. Klicka på **Rumssökare** och välj *Stadshuset*.
                3. Välj ett ledigt rum och lägg till det som deltagare.
                4. Skicka inbjudan – rummet bekräftar bokningen med ett e-postmeddelande.
                """,
            tags: ["Outlook", "Office 365", "Konferensrum"],
            reviewBy: "2026-01-15"))
        _ = try await howTos.create(viewer: viewer, workspace: nil, draft: HowToDraft(
            title: "Byt lösenord i Communis",
            summary: "Ett eget lösenord på minst tio tecken.",
            body: """
                1. Klicka på **Min profil** i menyn.
                2. Fyll i ditt nuvarande lösenord och det nya två gånger.
                3. Klicka på *Byt lösenord*. Andra inloggningar loggas ut.
                """,
            tags: ["Communis", "Lösenord"]))
    }
}
