import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `NewsStore`: organisations, editors, the audience rule inside the list query, scheduling
/// and end dates, revisions and acknowledgements, the report, claims, comments, reactions,
/// images.
public enum NewsContract {
    public static let cases: [ContractCase] = [
        ContractCase("there is one main organisation; people are in it unless put in a company", organisations),
        ContractCase("news editors are granted and taken back", editors),
        ContractCase("lists apply the audience rule in the query: organisations, group level, departments, workplaces, titles; totals count only those", audience),
        ContractCase("a scheduled item is invisible until due, an ended one is hidden, drafts only for editors' lists", scheduling),
        ContractCase("a material save makes a revision and resets acknowledgements; every save keeps its text", revisions),
        ContractCase("the acknowledgement report counts the audience per department and workplace", report),
        ContractCase("due items and reminders are claimed once", claims),
        ContractCase("comments, reactions and the image are kept per item and go with it", extras),
        ContractCase("tags and words narrow a list", filters),
        ContractCase("a list narrowed to followed tags and categories", topics),
    ]

    struct World {
        let main: Organisation
        let water: Organisation
        let editor: Person
        let sara: Person   // Vård, Järvenhemmet, Enhetschef, main
        let erik: Person   // Bildning, Duveholmsgymnasiet, Rektor, main
        let camilla: Person  // Vård in the water company
        let guest: Person
    }

    static func world(_ store: any CommunisStore) async throws -> World {
        let main = try await store.ensureMainOrganisation(name: "Katrineholms kommun", at: Instant.t0)
        let water = Organisation(name: "Katrineholm Vatten och Avfall AB", createdAt: Instant.t0)
        try await store.createOrganisation(water)
        let editor = try await Fixture.insert(store, Fixture.person("Johan", department: "Kommunledningsförvaltningen"))
        let sara = try await Fixture.insert(store, Fixture.person("Sara", title: "Enhetschef", department: "Vård- och omsorgsförvaltningen", workplace: "Järvenhemmet"))
        let erik = try await Fixture.insert(store, Fixture.person("Erik", title: "Rektor", department: "Bildningsförvaltningen", workplace: "Duveholmsgymnasiet"))
        let camilla = try await Fixture.insert(store, Fixture.person("Camilla", title: "Miljöinspektör", department: "Vård- och omsorgsförvaltningen", workplace: "Vattenverket"))
        try await store.setOrganisation(water.id, of: camilla.id)
        let guest = try await Fixture.insert(store, Fixture.person("Lena", role: .guest, department: "Vård- och omsorgsförvaltningen"))
        return World(main: main, water: water, editor: editor, sara: sara, erik: erik, camilla: camilla, guest: guest)
    }

    static func reader(_ person: Person, _ organisation: OrganisationID, groups: Set<String> = []) -> NewsReader {
        NewsReader(personID: person.id, organisationID: organisation, department: person.profile.department, workplace: person.profile.workplace,
                   title: person.profile.title, groups: groups, seesEverything: false)
    }

    static func item(_ title: String, by author: PersonID, audience: NewsAudience = NewsAudience(), publishAt: Date = Instant.t0, endsAt: Date? = nil,
                     pinned: Bool = false, draft: Bool = false, ack: Bool = false, tags: [String] = [], body: String = "Text") -> News {
        News(authorID: author, content: NewsContent(
            title: title, introduction: "Om \(title)", body: body, tags: tags, publishAt: publishAt, endsAt: endsAt, pinned: pinned,
            acknowledgementRequired: ack, acknowledgementDeadline: ack ? Instant.at(7 * 86_400) : nil, audience: audience, draft: draft),
             createdAt: Instant.t0)
    }

    static func titles(_ store: any CommunisStore, _ reader: NewsReader?, scope: NewsFilter.Scope = .published, now: Date = Instant.at(3600),
                       tag: String? = nil, text: String? = nil, organisation: OrganisationID? = nil, everyoneOnly: Bool = false,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let page = try await store.newsPage(NewsFilter(scope: scope, now: now, tag: tag, text: text, organisation: organisation, reader: reader,
                                                       everyoneOnly: everyoneOnly), page: PageRequest(limit: 100))
        #expect(page.total == page.items.count, sourceLocation: sourceLocation)
        return page.items.map(\.content.title)
    }

    static func organisations(_ store: any CommunisStore) async throws {
        let main = try await store.ensureMainOrganisation(name: "Katrineholms kommun", at: Instant.t0)
        #expect(try await store.ensureMainOrganisation(name: "Annat namn", at: Instant.at(1)) == main)
        let bolag = Organisation(name: "Katrineholms Fastighets AB", createdAt: Instant.at(2))
        try await store.createOrganisation(bolag)
        #expect(await domainErrorCode { try await store.createOrganisation(Organisation(name: "katrineholms fastighets ab", createdAt: Instant.t0)) } == "conflict")
        #expect(try await store.organisations().map(\.name) == ["Katrineholms kommun", "Katrineholms Fastighets AB"])
        #expect(try await store.organisations().first?.isMain == true)
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        #expect(try await store.organisation(of: eva.id) == nil)
        try await store.setOrganisation(bolag.id, of: eva.id)
        #expect(try await store.organisation(of: eva.id) == bolag.id)
        try await store.setOrganisation(main.id, of: eva.id)
        #expect(try await store.organisation(of: eva.id) == nil)
        #expect(await domainErrorCode { try await store.setOrganisation(OrganisationID(), of: eva.id) } == "not-found")
        #expect(await domainErrorCode { try await store.setOrganisation(nil, of: PersonID()) } == "not-found")
        try await store.renameOrganisation(main.id, to: "Kommunen")
        #expect(try await store.organisations().first?.name == "Kommunen")
    }

    static func editors(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        #expect(try await store.isNewsEditor(eva.id) == false)
        try await store.setNewsEditor(olle.id, true, at: Instant.t0)
        try await store.setNewsEditor(eva.id, true, at: Instant.t0)
        try await store.setNewsEditor(eva.id, true, at: Instant.at(1))
        #expect(try await store.newsEditors() == [eva.id, olle.id])
        try await store.setNewsEditor(olle.id, false, at: Instant.at(2))
        #expect(try await store.newsEditors() == [eva.id])
        #expect(try await store.isNewsEditor(eva.id))
        #expect(await domainErrorCode { try await store.setNewsEditor(PersonID(), true, at: Instant.t0) } == "not-found")
    }

    static func audience(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        try await store.createNews(item("Alla i koncernen", by: w.editor.id, publishAt: Instant.at(10)))
        try await store.createNews(item("Kommunen", by: w.editor.id, audience: NewsAudience(organisationIDs: [w.main.id]), publishAt: Instant.at(20)))
        try await store.createNews(item("Vattenbolaget", by: w.editor.id, audience: NewsAudience(organisationIDs: [w.water.id]), publishAt: Instant.at(30)))
        try await store.createNews(item("Vården", by: w.editor.id, audience: NewsAudience(departments: ["VÅRD- OCH OMSORGSFÖRVALTNINGEN"]), publishAt: Instant.at(40)))
        try await store.createNews(item("Vården i kommunen", by: w.editor.id,
                                        audience: NewsAudience(organisationIDs: [w.main.id], departments: ["Vård- och omsorgsförvaltningen"]), publishAt: Instant.at(50)))
        try await store.createNews(item("Gymnasiet", by: w.editor.id, audience: NewsAudience(workplaces: ["duveholmsgymnasiet"]), publishAt: Instant.at(60)))
        try await store.createNews(item("Rektorer", by: w.editor.id, audience: NewsAudience(titles: ["Rektor"]), publishAt: Instant.at(70), pinned: true))
        try await store.createNews(item("Grupp", by: w.editor.id, audience: NewsAudience(groups: ["cn=chefer"]), publishAt: Instant.at(80)))

        #expect(try await titles(store, reader(w.sara, w.main.id)) == ["Vården i kommunen", "Vården", "Kommunen", "Alla i koncernen"])
        #expect(try await titles(store, reader(w.erik, w.main.id)) == ["Rektorer", "Gymnasiet", "Kommunen", "Alla i koncernen"])
        #expect(try await titles(store, reader(w.camilla, w.water.id)) == ["Vården", "Vattenbolaget", "Alla i koncernen"])
        #expect(try await titles(store, reader(w.sara, w.main.id, groups: ["cn=chefer"])).contains("Grupp"))
        #expect(try await titles(store, nil).count == 8)
        var editor = reader(w.editor, w.main.id)
        editor.seesEverything = true
        #expect(try await titles(store, editor).first == "Rektorer")
        // Pages and totals count only what the reader sees.
        let page = try await store.newsPage(NewsFilter(now: Instant.at(3600), reader: reader(w.sara, w.main.id)), page: PageRequest(limit: 2, offset: 2))
        #expect(page.total == 4)
        #expect(page.items.map(\.content.title) == ["Kommunen", "Alla i koncernen"])
        #expect(try await titles(store, nil, everyoneOnly: true) == ["Alla i koncernen"])
        #expect(try await titles(store, nil, organisation: w.water.id) == ["Rektorer", "Grupp", "Gymnasiet", "Vården", "Vattenbolaget", "Alla i koncernen"])
        // The audience: enabled employees only, guests never.
        let vard = try await store.newsPage(NewsFilter(now: Instant.at(3600), text: "Om Vården", reader: nil), page: PageRequest()).items
        let everywhere = try #require(vard.first { $0.content.title == "Vården" })
        #expect(Set(try await store.newsAudience(everywhere.id, unacknowledgedOnly: false)) == [w.sara.id, w.camilla.id])
        let inMain = try #require(vard.first { $0.content.title == "Vården i kommunen" })
        #expect(try await store.newsAudience(inMain.id, unacknowledgedOnly: false) == [w.sara.id])
        // The model's rule agrees with the stores'.
        #expect(everywhere.content.audience.includes(reader(w.camilla, w.water.id)))
        #expect(!inMain.content.audience.includes(reader(w.camilla, w.water.id)))
    }

    static func scheduling(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        try await store.createNews(item("Nu", by: w.editor.id, publishAt: Instant.t0))
        try await store.createNews(item("Sedan", by: w.editor.id, publishAt: Instant.at(7200)))
        try await store.createNews(item("Slut", by: w.editor.id, publishAt: Instant.t0, endsAt: Instant.at(1800)))
        try await store.createNews(item("Utkast", by: w.editor.id, publishAt: Instant.t0, draft: true))
        let sara = reader(w.sara, w.main.id)
        #expect(Set(try await titles(store, sara, now: Instant.at(60))) == ["Slut", "Nu"])
        #expect(try await titles(store, sara, now: Instant.at(3600)) == ["Nu"])
        #expect(Set(try await titles(store, sara, now: Instant.at(7200))) == ["Sedan", "Nu"])
        #expect(try await titles(store, nil, scope: .scheduled, now: Instant.at(3600)) == ["Sedan"])
        #expect(try await titles(store, nil, scope: .expired, now: Instant.at(3600)) == ["Slut"])
        #expect(try await titles(store, nil, scope: .draft, now: Instant.at(3600)) == ["Utkast"])
        #expect(try await titles(store, nil, scope: .all, now: Instant.at(3600)).count == 4)
    }

    static func revisions(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let news = item("Rutin", by: w.editor.id, audience: NewsAudience(departments: ["Vård- och omsorgsförvaltningen"]), ack: true, body: "Gammal text")
        try await store.createNews(news)
        try await store.acknowledgeNews(news.id, person: w.sara.id, revision: 1, at: Instant.at(10))
        #expect(try await store.newsAudience(news.id, unacknowledgedOnly: true) == [w.camilla.id])
        var content = news.content
        content.title = "Rutin (stavfel rättat)"
        let minor = try await store.updateNews(news.id, content: content, material: false, by: w.editor.id, at: Instant.at(20))
        #expect(minor.revision == 1)
        #expect(try await store.newsAudience(news.id, unacknowledgedOnly: true) == [w.camilla.id])
        content.body = "Ny text"
        let major = try await store.updateNews(news.id, content: content, material: true, by: w.editor.id, at: Instant.at(30))
        #expect(major.revision == 2)
        #expect(major.updatedAt == Instant.at(30))
        #expect(Set(try await store.newsAudience(news.id, unacknowledgedOnly: true)) == [w.sara.id, w.camilla.id])
        let extras = try await store.newsExtras([news.id], for: w.sara.id)[news.id]
        #expect(extras?.acknowledgedRevision == 1)
        let saved = try await store.newsRevisions(news.id)
        #expect(saved.map(\.revision) == [1, 1, 2])
        #expect(saved.map(\.material) == [true, false, true])
        #expect(saved.map(\.body) == ["Gammal text", "Gammal text", "Ny text"])
        #expect(saved.last?.editedBy == w.editor.id)
        #expect(await domainErrorCode { _ = try await store.updateNews(NewsID(), content: content, material: true, by: w.editor.id, at: Instant.t0) } == "not-found")
        try await store.deleteNews(news.id)
        #expect(try await store.news(id: news.id) == nil)
        #expect(try await store.newsRevisions(news.id).isEmpty)
        #expect(await domainErrorCode { try await store.deleteNews(news.id) } == "not-found")
    }

    static func report(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let fatima = try await Fixture.insert(store, Fixture.person("Fatima", department: "Vård- och omsorgsförvaltningen", workplace: "Järvenhemmet"))
        _ = try await Fixture.insert(store, Fixture.person("Gone", department: "Vård- och omsorgsförvaltningen", disabled: true))
        let news = item("Rutin", by: w.editor.id, audience: NewsAudience(departments: ["Vård- och omsorgsförvaltningen"]), ack: true)
        try await store.createNews(news)
        try await store.acknowledgeNews(news.id, person: fatima.id, revision: 1, at: Instant.at(10))
        let report = try await store.acknowledgementReport(news.id)
        #expect(report.total == 3)
        #expect(report.acknowledged == 1)
        #expect(report.byDepartment == [NewsAcknowledgementGroup(name: "Vård- och omsorgsförvaltningen", total: 3, acknowledged: 1)])
        #expect(report.byWorkplace == [NewsAcknowledgementGroup(name: "Järvenhemmet", total: 2, acknowledged: 1),
                                       NewsAcknowledgementGroup(name: "Vattenverket", total: 1, acknowledged: 0)])
        #expect(report.people.map(\.person.name) == ["Camilla", "Fatima", "Sara"])
        #expect(report.people.map(\.acknowledgedAt) == [nil, Instant.at(10), nil])
        // A material revision: nobody has acknowledged it yet.
        _ = try await store.updateNews(news.id, content: news.content, material: true, by: w.editor.id, at: Instant.at(20))
        #expect(try await store.acknowledgementReport(news.id).acknowledged == 0)
    }

    static func claims(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let now = item("Nu", by: w.editor.id, publishAt: Instant.t0)
        let later = item("Sedan", by: w.editor.id, publishAt: Instant.at(7200), ack: true)
        try await store.createNews(now)
        try await store.createNews(later)
        try await store.createNews(item("Utkast", by: w.editor.id, publishAt: Instant.t0, draft: true))
        #expect(try await store.claimAnnouncement(now.id, at: Instant.at(1)))
        #expect(try await store.claimAnnouncement(now.id, at: Instant.at(2)) == false)
        #expect(try await store.claimDueNews(now: Instant.at(60), limit: 10).isEmpty)
        async let first = store.claimDueNews(now: Instant.at(7200), limit: 10)
        async let second = store.claimDueNews(now: Instant.at(7200), limit: 10)
        let claimed = try await first + second
        #expect(claimed.map(\.id) == [later.id])
        #expect(try await store.news(id: later.id)?.announcedAt == Instant.at(7200))
        // The reminder: within a day of the deadline (7 days after t0), once.
        #expect(try await store.claimDueReminders(now: Instant.at(5 * 86_400), within: 86_400, limit: 10).isEmpty)
        #expect(try await store.claimDueReminders(now: Instant.at(6 * 86_400 + 60), within: 86_400, limit: 10).map(\.id) == [later.id])
        #expect(try await store.claimDueReminders(now: Instant.at(6 * 86_400 + 120), within: 86_400, limit: 10).isEmpty)
    }

    static func extras(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        let news = item("Fika", by: w.editor.id)
        try await store.createNews(news)
        let comment = NewsComment(newsID: news.id, authorID: w.sara.id, body: "Trevligt!", createdAt: Instant.at(5))
        try await store.addNewsComment(comment)
        try await store.addNewsComment(NewsComment(newsID: news.id, authorID: w.erik.id, body: "Ja!", createdAt: Instant.at(6)))
        #expect(try await store.newsComments(news.id).map(\.body) == ["Trevligt!", "Ja!"])
        #expect(try await store.newsComment(id: comment.id) == comment)
        try await store.setNewsReaction(news.id, person: w.sara.id, emoji: "👍", on: true, at: Instant.t0)
        try await store.setNewsReaction(news.id, person: w.sara.id, emoji: "👍", on: true, at: Instant.t0)
        try await store.setNewsReaction(news.id, person: w.erik.id, emoji: "👍", on: true, at: Instant.t0)
        try await store.setNewsReaction(news.id, person: w.erik.id, emoji: "🎉", on: true, at: Instant.t0)
        try await store.setNewsReaction(news.id, person: w.erik.id, emoji: "🎉", on: false, at: Instant.t0)
        let extras = try #require(try await store.newsExtras([news.id], for: w.sara.id)[news.id])
        #expect(extras.commentCount == 2)
        #expect(extras.reactions == [NewsReactionCount(emoji: "👍", count: 2, mine: true)])
        try await store.deleteNewsComment(id: comment.id)
        #expect(try await store.newsComments(news.id).count == 1)
        #expect(try await store.newsImage(news.id) == nil)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
        try await store.setNewsImage(news.id, data: png, type: "image/png")
        #expect(try await store.newsImage(news.id)?.data == png)
        #expect(try await store.news(id: news.id)?.imageType == "image/png")
        #expect(await domainErrorCode { try await store.setNewsImage(NewsID(), data: png, type: "image/png") } == "not-found")
        #expect(await domainErrorCode { try await store.addNewsComment(NewsComment(newsID: NewsID(), authorID: w.sara.id, body: "x", createdAt: Instant.t0)) } == "not-found")
        try await store.deleteNews(news.id)
        #expect(try await store.newsImage(news.id) == nil)
        #expect(try await store.newsComments(news.id).isEmpty)
    }

    static func filters(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        try await store.createNews(item("Läkemedel", by: w.editor.id, publishAt: Instant.at(1), tags: ["Rutiner", "Vård"], body: "Signering i appen"))
        try await store.createNews(item("Friskvård", by: w.editor.id, publishAt: Instant.at(2), tags: ["HR"], body: "Bidraget höjs"))
        #expect(try await titles(store, nil, tag: "rutiner") == ["Läkemedel"])
        #expect(try await titles(store, nil, text: "SIGNERING appen") == ["Läkemedel"])
        #expect(try await titles(store, nil, text: "friskvård") == ["Friskvård"])
        #expect(try await titles(store, nil, text: "saknas").isEmpty)
        #expect(try await titles(store, reader(w.sara, w.main.id), text: "100%_").isEmpty)
    }

    /// What a person follows: any followed tag (any case) or category; nothing followed, nothing found.
    static func topics(_ store: any CommunisStore) async throws {
        let w = try await world(store)
        try await store.createNews(item("Läkemedel", by: w.editor.id, publishAt: Instant.at(1), tags: ["Rutiner", "Vård"]))
        try await store.createNews(item("Friskvård", by: w.editor.id, publishAt: Instant.at(2), tags: ["HR"]))
        var kris = item("Stormen", by: w.editor.id, publishAt: Instant.at(3))
        kris.content.category = "Krisinformation"
        try await store.createNews(kris)
        func followed(_ tags: [String], _ categories: [String]) async throws -> [String] {
            let page = try await store.newsPage(NewsFilter(now: Instant.at(3600), reader: reader(w.sara, w.main.id),
                                                           topics: NewsTopics(tags: tags, categories: categories)), page: PageRequest(limit: 100))
            #expect(page.total == page.items.count)
            return page.items.map(\.content.title)
        }
        #expect(try await followed(["VÅRD"], []) == ["Läkemedel"])
        #expect(try await followed(["hr", "vård"], ["Krisinformation"]) == ["Stormen", "Friskvård", "Läkemedel"])
        #expect(try await followed([], ["Krisinformation"]) == ["Stormen"])
        #expect(try await followed([], []).isEmpty)
        #expect(try await followed([], ["  KRISINFORMATION "]) == ["Stormen"])
        #expect(try await followed(["saknas"], ["kris"]).isEmpty)
    }
}
