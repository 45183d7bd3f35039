import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `HowToStore`: articles, their revisions, optimistic saves, status, filters.
public enum HowToContract {
    public static let cases: [ContractCase] = [
        ContractCase("a how-to is stored with its revision 1 and read back as it was", roundTrip),
        ContractCase("a how-to needs an existing workspace; an id is used once", createRefused),
        ContractCase("a save based on the latest revision adds the next; a stale save is a conflict and changes nothing", saves),
        ContractCase("status changes keep the revisions; deleting removes the article and its revisions", statusAndDelete),
        ContractCase("lists hold only readable scopes and filter by workspace, tag, status, owner, review day and audience", filters),
        ContractCase("deleting the workspace deletes its how-tos", cascade),
    ]

    static func content(_ title: String, tags: [String] = [], reviewBy: String? = nil, audience: HowToAudience = HowToAudience()) -> HowToContent {
        HowToContent(
            title: title, summary: "Kort om \(title)", body: "1. Öppna\n2. Klicka", tags: tags, audience: audience, reviewBy: reviewBy,
            recordings: [RecordingReference(recordingId: "rec-1", title: "Genomgång", chapters: [RecordingChapter(title: "Steg 2", offsetMs: 61_000)])])
    }

    static func world(_ store: any CommunisStore) async throws -> (Person, Workspace) {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let space = try await Fixture.createWorkspace(store, "IT-avdelningen", owner: eva.id)
        return (eva, space)
    }

    static func roundTrip(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let howTo = HowTo(workspaceID: space.id, ownerID: eva.id, content: content("Logga in i Procapita", tags: ["Procapita"], reviewBy: "2027-01-31"), createdAt: Instant.t0)
        try await store.createHowTo(howTo)
        #expect(try await store.howTo(id: howTo.id) == howTo)
        let revisions = try await store.howToRevisions(howTo.id)
        #expect(revisions == [HowToRevision(howToID: howTo.id, number: 1, content: howTo.content, authorID: eva.id, createdAt: Instant.t0)])
        let organisation = HowTo(workspaceID: nil, ownerID: eva.id, content: content("Boka rum"), createdAt: Instant.t0)
        try await store.createHowTo(organisation)
        #expect(try await store.howTo(id: organisation.id)?.workspaceID == nil)
        #expect(try await store.howTo(id: HowToID()) == nil)
    }

    static func createRefused(_ store: any CommunisStore) async throws {
        let (eva, _) = try await world(store)
        let nowhere = HowTo(workspaceID: WorkspaceID(), ownerID: eva.id, content: content("X"), createdAt: Instant.t0)
        #expect(await domainErrorCode { try await store.createHowTo(nowhere) } == "not-found")
        let first = HowTo(workspaceID: nil, ownerID: eva.id, content: content("Ett"), createdAt: Instant.t0)
        try await store.createHowTo(first)
        var again = first
        again.content.title = "Två"
        #expect(await domainErrorCode { try await store.createHowTo(again) } == "conflict")
        #expect(try await store.howTo(id: first.id)?.content.title == "Ett")
    }

    static func saves(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let howTo = HowTo(workspaceID: space.id, ownerID: eva.id, content: content("v1"), createdAt: Instant.t0)
        try await store.createHowTo(howTo)
        let saved = try await store.saveHowTo(howTo.id, content: content("v2"), basedOn: 1, by: olle.id, at: Instant.at(60), restoredFrom: nil)
        #expect(saved.revision == 2)
        #expect(saved.updatedBy == olle.id)
        #expect(saved.updatedAt == Instant.at(60))
        #expect(saved.ownerID == eva.id)
        #expect(await domainErrorCode {
            _ = try await store.saveHowTo(howTo.id, content: content("stale"), basedOn: 1, by: eva.id, at: Instant.at(120), restoredFrom: nil)
        } == "conflict")
        #expect(try await store.howTo(id: howTo.id)?.content.title == "v2")
        let restored = try await store.saveHowTo(howTo.id, content: content("v1"), basedOn: 2, by: eva.id, at: Instant.at(180), restoredFrom: 1)
        #expect(restored.revision == 3)
        let revisions = try await store.howToRevisions(howTo.id)
        #expect(revisions.map(\.number) == [3, 2, 1])
        #expect(revisions.map(\.content.title) == ["v1", "v2", "v1"])
        #expect(revisions.first?.restoredFrom == 1)
        #expect(try await store.howToRevision(howTo.id, number: 2)?.authorID == olle.id)
        #expect(try await store.howToRevision(howTo.id, number: 4) == nil)
        #expect(await domainErrorCode {
            _ = try await store.saveHowTo(HowToID(), content: content("x"), basedOn: 1, by: eva.id, at: Instant.t0, restoredFrom: nil)
        } == "not-found")
    }

    static func statusAndDelete(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let howTo = HowTo(workspaceID: space.id, ownerID: eva.id, content: content("Arkiv"), createdAt: Instant.t0)
        try await store.createHowTo(howTo)
        #expect(try await store.setHowToStatus(howTo.id, .archived).status == .archived)
        #expect(try await store.howTo(id: howTo.id)?.revision == 1)
        #expect(try await store.setHowToStatus(howTo.id, .current).status == .current)
        #expect(await domainErrorCode { _ = try await store.setHowToStatus(HowToID(), .archived) } == "not-found")
        try await store.deleteHowTo(howTo.id)
        #expect(try await store.howTo(id: howTo.id) == nil)
        #expect(try await store.howToRevisions(howTo.id).isEmpty)
        #expect(await domainErrorCode { try await store.deleteHowTo(howTo.id) } == "not-found")
    }

    static func filters(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let other = try await Fixture.createWorkspace(store, "Hemlig", .secret, owner: eva.id)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        func add(_ title: String, _ workspace: WorkspaceID?, owner: PersonID, at seconds: TimeInterval, tags: [String] = [], reviewBy: String? = nil,
                 audience: HowToAudience = HowToAudience()) async throws -> HowTo {
            let howTo = HowTo(workspaceID: workspace, ownerID: owner, content: content(title, tags: tags, reviewBy: reviewBy, audience: audience), createdAt: Instant.at(seconds))
            try await store.createHowTo(howTo)
            return howTo
        }
        let a = try await add("A", space.id, owner: eva.id, at: 1, tags: ["Procapita"], reviewBy: "2026-01-01")
        let b = try await add("B", nil, owner: olle.id, at: 2, tags: ["Outlook"], audience: HowToAudience(departments: ["Vård- och omsorgsförvaltningen"]))
        let c = try await add("C", other.id, owner: eva.id, at: 3, reviewBy: "2030-01-01")
        let d = try await add("D", nil, owner: eva.id, at: 4, reviewBy: "2025-06-01", audience: HowToAudience(roles: ["admin"]))
        _ = try await store.setHowToStatus(d.id, .archived)

        func titles(_ filter: HowToFilter) async throws -> [String] {
            try await store.howTos(filter, page: PageRequest()).items.map(\.content.title)
        }
        let all = HowToFilter(readableWorkspaces: [space.id, other.id], organisation: true)
        #expect(try await titles(all) == ["C", "B", "A"])
        var archived = all
        archived.includeArchived = true
        #expect(try await titles(archived) == ["D", "C", "B", "A"])
        archived.status = .archived
        #expect(try await titles(archived) == ["D"])
        #expect(try await titles(HowToFilter(readableWorkspaces: [space.id], organisation: false)) == ["A"])
        #expect(try await titles(HowToFilter(readableWorkspaces: [], organisation: true)) == ["B"])
        var onlyOther = all
        onlyOther.workspace = other.id
        #expect(try await titles(onlyOther) == ["C"])
        var organisation = all
        organisation.organisationOnly = true
        #expect(try await titles(organisation) == ["B"])
        var tag = all
        tag.tag = "PROCAPITA"
        #expect(try await titles(tag) == ["A"])
        var due = all
        due.owner = eva.id
        due.reviewDueOn = "2026-01-01"
        #expect(try await titles(due) == ["A"])
        var forMe = all
        forMe.audience = (Role.member, "vård- och omsorgsförvaltningen")
        #expect(try await titles(forMe) == ["C", "B", "A"])
        forMe.audience = (Role.member, "Bildningsförvaltningen")
        #expect(try await titles(forMe) == ["C", "A"])
        let page = try await store.howTos(all, page: PageRequest(limit: 2, offset: 1))
        #expect(page.total == 3)
        #expect(page.items.map(\.id) == [b.id, a.id])
        _ = c
    }

    static func cascade(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let howTo = HowTo(workspaceID: space.id, ownerID: eva.id, content: content("Borta"), createdAt: Instant.t0)
        try await store.createHowTo(howTo)
        try await store.deleteWorkspace(id: space.id)
        #expect(try await store.howTo(id: howTo.id) == nil)
        #expect(try await store.howToRevisions(howTo.id).isEmpty)
    }
}
