import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// The demo's organisations and news: Katrineholms kommun with two of its companies, Johan
/// Andersson (kommunikatör) as news editor, and four items — one pinned for the whole
/// municipality, one for Vård- och omsorgsförvaltningen with läst och förstått, one for the
/// whole group (koncernnivå), one for Katrineholm Vatten och Avfall AB.
enum DemoNews {
    static let mainName = "Katrineholms kommun"
    static let water = "Katrineholm Vatten och Avfall AB"
    static let property = "Katrineholms Fastighets AB"
    static let editor = "Johan Andersson"

    static func seed(store: any CommunisStore, byName: [String: Person], now: Date = Date()) async throws {
        guard let anna = byName["Anna Lindqvist"], let johan = byName[editor] else { return }
        let newsroom = Newsroom(store: store, publisher: NoLivePublisher(), settings: NewsSettings(mainOrganisationName: mainName))
        let admin = Viewer(person: anna)
        let main = try await newsroom.mainOrganisation()
        if main.name != mainName { try await store.renameOrganisation(main.id, to: mainName) }
        let waterCompany = try await newsroom.createOrganisation(viewer: admin, name: water)
        let propertyCompany = try await newsroom.createOrganisation(viewer: admin, name: property)
        if let camilla = byName["Camilla Ström"] {
            try await newsroom.setOrganisation(viewer: admin, person: camilla.id, organisation: waterCompany.id)
        }
        if let magnus = byName["Magnus Nyberg"] {
            try await newsroom.setOrganisation(viewer: admin, person: magnus.id, organisation: propertyCompany.id)
        }
        try await newsroom.setEditor(viewer: admin, person: johan.id, true)
        let editor = Viewer(person: johan)
        let day: TimeInterval = 86_400

        _ = try await newsroom.create(viewer: editor, input: NewsInput(
            title: "Välkommen till nyheterna i Communis",
            introduction: "Här samlas kommunens nyheter – för alla, för din förvaltning och för din arbetsplats.",
            body: "Nyheterna visas på startsidan och under **Nyheter**. Följ en tagg för att få nyheter om det som rör dig.\n\n- Fästa nyheter ligger överst\n- Viktiga nyheter är markerade",
            tags: ["Communis", "Intranät"], category: "Information", publishAt: now.addingTimeInterval(-2 * day), pinned: true,
            audience: NewsAudience(organisationIDs: [main.id])))
        let routine = try await newsroom.create(viewer: editor, input: NewsInput(
            title: "Nya rutiner för läkemedelshantering",
            introduction: "Från och med nästa månad gäller nya rutiner för signering av läkemedel. Läs och bekräfta.",
            body: "## Vad ändras?\n\n1. Signering sker i appen direkt vid överlämnandet.\n2. Avvikelser rapporteras samma dag.\n\nKontakta din enhetschef vid frågor.",
            tags: ["Rutiner", "Läkemedel"], category: "Rutiner", publishAt: now.addingTimeInterval(-day), important: true,
            acknowledgementRequired: true, acknowledgementDeadline: now.addingTimeInterval(7 * day),
            audience: NewsAudience(departments: ["Vård- och omsorgsförvaltningen"])))
        if let fatima = byName["Fatima Ali"] {
            _ = try await newsroom.acknowledge(viewer: Viewer(person: fatima), id: routine.news.id)
        }
        _ = try await newsroom.create(viewer: editor, input: NewsInput(
            title: "Koncerngemensam friskvårdssatsning 2027",
            introduction: "Alla medarbetare i kommunen och de kommunala bolagen får ett höjt friskvårdsbidrag nästa år.",
            body: "Friskvårdsbidraget höjs till 3 000 kronor per år och gäller i hela koncernen. Mer information kommer från HR.",
            tags: ["Friskvård", "HR"], category: "Personal", publishAt: now.addingTimeInterval(-3 * 3600), important: true))
        _ = try await newsroom.create(viewer: Viewer(person: anna), input: NewsInput(
            title: "Planerat avbrott i vattenverket",
            introduction: "Underhåll av reservoaren på tisdag morgon.",
            body: "Driftpersonalen samlas klockan 06.30 vid vattenverket.",
            tags: ["Drift"], category: "Drift", publishAt: now.addingTimeInterval(-6 * 3600),
            audience: NewsAudience(organisationIDs: [waterCompany.id])))
    }
}
