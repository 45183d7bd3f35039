import CommunisModel
import CommunisStore
import Foundation
import Testing

/// Documents in search (kind `document`), and what deleting a workspace takes along.
public enum DocumentSearchContract {
    public static let cases: [ContractCase] = [
        Live.case("documents are found by title and current text; older versions' text only with includeArchived", titleAndText),
        Live.case("a document in the trash is not found, and is again once restored", trash),
        Live.case("a private workspace's documents reach its members only; an open one's reach employees", permissions),
        Live.case("deleting the workspace deletes its folders, documents, versions, texts, links and search entries", workspaceDeleted),
    ]

    static func find(_ store: Live.Store, _ word: String, as person: Person, archived: Bool = false) async throws -> [SearchHit] {
        try await SearchContract.find(store, [word], as: person, { query in
            query.kinds = [.document]
            query.includeArchived = archived
        }).hits
    }

    static func titleAndText(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let document = try await DocumentContract.create(store, "Budgetplan 2026.pdf", in: space.id, by: eva.id)
        try await store.setDocumentText(document.id, version: 1, text: "Kostnader för lokalhyra och el")

        let byTitle = try #require(try await find(store, "budgetplan", as: eva).first)
        #expect(byTitle.kind == .document && byTitle.id == document.id.description && byTitle.parentID == nil)
        #expect(byTitle.documentVersion == 1 && !byTitle.archived && byTitle.title == "Budgetplan 2026.pdf")
        #expect(byTitle.authorID == eva.id && byTitle.authorName == "Eva" && byTitle.workspaceName == "Skolstart" && byTitle.date == Instant.t0)
        let byText = try #require(try await find(store, "lokalhyra", as: eva).first)
        #expect(byText.id == document.id.description && byText.documentVersion == 1 && byText.snippet.contains("\u{E000}lokalhyra\u{E001}"))

        // Version 2 by Olle: its text is current, version 1's is archived.
        try await DocumentContract.change(store, .addVersion(DocumentContract.version(document.id, 2, file: 2, by: olle.id, at: Instant.at(60))), in: space.id)
        try await store.setDocumentText(document.id, version: 2, text: "Kostnader för städning")
        #expect(try await find(store, "lokalhyra", as: eva).isEmpty)
        let archived = try await find(store, "lokalhyra", as: eva, archived: true)
        #expect(archived.map(\.id) == [document.id.description])
        #expect(archived.first?.archived == true && archived.first?.documentVersion == 1 && archived.first?.authorID == eva.id)
        #expect(archived.first?.title == "Budgetplan 2026.pdf" && archived.first?.date == Instant.t0)
        let current = try #require(try await find(store, "städning", as: eva).first)
        #expect(current.documentVersion == 2 && !current.archived && current.authorID == olle.id && current.date == Instant.at(60))
        // The current version's text replaced (extraction run again).
        try await store.setDocumentText(document.id, version: 2, text: "Kostnader för städning och fönsterputs")
        #expect(try await find(store, "fönsterputs", as: eva).map(\.documentVersion) == [2])
        // The title is the current entry's alone.
        #expect(try await find(store, "budgetplan", as: eva, archived: true).map(\.archived) == [false])

        // A rename and a corrected text of an older version follow at once.
        try await DocumentContract.change(store, .moveDocument(document.id, title: "Driftbudget.pdf", folderID: nil, at: Instant.at(90)), in: space.id)
        #expect(try await find(store, "budgetplan", as: eva).isEmpty)
        #expect(try await find(store, "driftbudget", as: eva).first?.date == Instant.at(90))
        try await store.setDocumentText(document.id, version: 1, text: "Kostnader för parkering")
        #expect(try await find(store, "lokalhyra", as: eva, archived: true).isEmpty)
        #expect(try await find(store, "parkering", as: eva, archived: true).first?.title == "Driftbudget.pdf")
        // Other kinds are not disturbed, nor are documents found among them when not asked for.
        let thread = try await Live.thread(store, "Driftbudget för hösten", in: space.id, by: eva.id)
        let threads = try await SearchContract.find(store, ["driftbudget"], as: eva, { $0.kinds = [.thread] })
        #expect(SearchContract.ids(threads) == [thread.0.id.description])
        let everything = try await SearchContract.find(store, ["driftbudget"], as: eva)
        #expect(Set(everything.hits.map(\.kind)).isSuperset(of: [.document, .thread]))
    }

    static func trash(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let document = try await DocumentContract.create(store, "Protokoll.pdf", in: space.id, by: eva.id)
        try await store.setDocumentText(document.id, version: 1, text: "Beslut om skolskjuts")
        try await DocumentContract.change(store, .addVersion(DocumentContract.version(document.id, 2, file: 2, by: eva.id, at: Instant.at(10))), in: space.id)
        try await DocumentContract.change(store, .trashDocument(document.id, by: eva.id, at: Instant.at(20)), in: space.id)
        #expect(try await find(store, "protokoll", as: eva, archived: true).isEmpty)
        #expect(try await find(store, "skolskjuts", as: eva, archived: true).isEmpty)
        // Text extracted while it lies in the trash waits for the restore.
        try await store.setDocumentText(document.id, version: 2, text: "Beslut om matsedel")
        #expect(try await find(store, "matsedel", as: eva).isEmpty)
        try await DocumentContract.change(store, .restoreDocument(document.id, at: Instant.at(30)), in: space.id)
        #expect(try await find(store, "protokoll", as: eva).map(\.id) == [document.id.description])
        #expect(try await find(store, "matsedel", as: eva).map(\.documentVersion) == [2])
        #expect(try await find(store, "skolskjuts", as: eva, archived: true).map(\.documentVersion) == [1])
        try await DocumentContract.change(store, .trashDocument(document.id, by: eva.id, at: Instant.at(40)), in: space.id)
        try await store.purgeDocument(document.id)
        #expect(try await find(store, "skolskjuts", as: eva, archived: true).isEmpty)
    }

    static func permissions(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let secret = try await Fixture.createWorkspace(store, "Rekrytering", .secret, owner: eva.id)
        let closed = try await Fixture.createWorkspace(store, "Ledning", .closed, owner: eva.id)
        let open = try await Fixture.createWorkspace(store, "Fika", .open, owner: eva.id)
        try await DocumentContract.create(store, "Lönelista hemlig.pdf", in: secret.id, by: eva.id)
        try await DocumentContract.create(store, "Lönelista stängd.pdf", in: closed.id, by: eva.id)
        let visible = try await DocumentContract.create(store, "Lönelista öppen.pdf", in: open.id, by: eva.id)
        #expect(try await find(store, "lönelista", as: eva).count == 3)
        #expect(try await find(store, "lönelista", as: olle, archived: true).map(\.id) == [visible.id.description])
        try await store.addMember(Membership(workspaceID: secret.id, personID: olle.id, role: .member, joinedAt: Instant.t0))
        #expect(try await find(store, "lönelista", as: olle).count == 2)
        try await store.removeMember(workspace: secret.id, person: olle.id)
        #expect(try await find(store, "lönelista", as: olle).count == 1)
        // An open workspace turned closed keeps its documents from outsiders at once.
        var closing = open
        closing.visibility = .closed
        try await store.updateWorkspace(closing)
        #expect(try await find(store, "lönelista", as: olle).isEmpty)
    }

    static func workspaceDeleted(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (_, other) = try await Live.world(store, "Olle", workspace: "Annat")
        let folder = try await DocumentContract.folder(store, "Planer", in: space.id, by: eva.id)
        let inner = try await DocumentContract.folder(store, "Inre", in: space.id, parent: folder.id, by: eva.id)
        let top = try await DocumentContract.create(store, "Plan.pdf", in: space.id, by: eva.id)
        // The same name at the top and deeper: a cascade must not make them collide.
        let deep = try await DocumentContract.create(store, "Plan.pdf", in: space.id, folder: inner.id, by: eva.id)
        try await DocumentContract.change(store, .addVersion(DocumentContract.version(top.id, 2, file: 2, by: eva.id, at: Instant.at(5))), in: space.id)
        try await store.setDocumentText(top.id, version: 1, text: "Gammal kalkyl")
        try await store.setDocumentText(top.id, version: 2, text: "Ny kalkyl")
        try await DocumentContract.change(store, .lock(deep.id, DocumentLock(holderID: eva.id, lockedAt: Instant.t0, expiresAt: Instant.at(60))), in: space.id)
        let kept = try await DocumentContract.create(store, "Kvar.pdf", in: other.id, by: eva.id)
        // A post of the deleted workspace linking a document of the other one.
        try await store.setDocumentLinks(source: DocumentLinkSource(kind: .post, id: UUID().uuidString.lowercased(), workspaceID: space.id, linkedAt: Instant.t0),
                                         documents: [kept.id, top.id])

        try await store.deleteWorkspace(id: space.id)
        #expect(try await store.document(id: top.id) == nil)
        #expect(try await store.document(id: deep.id) == nil)
        #expect(try await store.documentFolder(id: folder.id) == nil)
        #expect(try await store.documentFolders(workspace: space.id).isEmpty)
        #expect(try await store.documentVersions(top.id).isEmpty)
        #expect(try await store.documentText(top.id, version: 1) == nil)
        #expect(try await store.documentBytes(workspace: space.id) == 0)
        #expect(try await store.documentLinks(kept.id).isEmpty)
        #expect(try await find(store, "kalkyl", as: eva, archived: true).isEmpty)
        #expect(try await find(store, "plan", as: eva, archived: true).isEmpty)
        #expect(try await store.unreferencedBlobs([DocumentContract.sha(2)]) == [DocumentContract.sha(2)])
        #expect(try await store.document(id: kept.id) != nil)
    }
}
