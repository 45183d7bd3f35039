import CommunisModel
import CommunisStore
import Foundation
import Testing

/// The trash, the event log, workspaces' bounds, blobs, texts and links.
extension DocumentContract {
    static func trash(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let plans = try await folder(store, "Planer", in: space.id, by: eva.id)
        let old = try await create(store, "Gammal.pdf", in: space.id, folder: plans.id, by: eva.id)
        let older = try await create(store, "Äldre.pdf", in: space.id, by: eva.id)
        let kept = try await create(store, "Kvar.pdf", in: space.id, by: eva.id)
        try await change(store, .trashDocument(older.id, by: eva.id, at: Instant.at(100)), in: space.id)
        try await change(store, .trashDocument(old.id, by: eva.id, at: Instant.at(200)), in: space.id)
        #expect(await code(store, .trashDocument(old.id, by: eva.id, at: Instant.at(250)), in: space.id) == "not-found")
        #expect(await code(store, .trashDocument(DocumentID(), by: eva.id, at: Instant.at(250)), in: space.id) == "not-found")
        #expect(try await titles(store, space.id) == ["Kvar.pdf"])
        #expect(try await titles(store, space.id, plans.id).isEmpty)
        #expect(try await store.document(workspace: space.id, folder: plans.id, title: "Gammal.pdf") == nil)
        let trashed = try await store.trashedDocuments(workspace: space.id, page: PageRequest())
        #expect(trashed.items.map(\.id) == [old.id, older.id] && trashed.total == 2)
        let stored = try #require(try await store.document(id: old.id))
        #expect(stored.trashedAt == Instant.at(200) && stored.trashedBy == eva.id && stored.folderID == plans.id)
        #expect(try await store.expiredTrash(before: Instant.at(300), limit: 10).map(\.id) == [older.id, old.id])
        #expect(try await store.expiredTrash(before: Instant.at(150), limit: 10).map(\.id) == [older.id])
        #expect(try await store.expiredTrash(before: Instant.at(300), limit: 1).map(\.id) == [older.id])
        // Moves and approvals are for documents outside the trash.
        #expect(await code(store, .moveDocument(old.id, title: "Ny.pdf", folderID: nil, at: Instant.at(260)), in: space.id) == "not-found")

        // Restored into its folder, with the time of the restore.
        try await change(store, .restoreDocument(old.id, at: Instant.at(300)), in: space.id)
        let restored = try #require(try await store.document(id: old.id))
        #expect(restored.trashedAt == nil && restored.trashedBy == nil && restored.folderID == plans.id && restored.updatedAt == Instant.at(300))
        #expect(try await titles(store, space.id, plans.id) == ["Gammal.pdf"])
        #expect(await code(store, .restoreDocument(old.id, at: Instant.at(310)), in: space.id) == "not-found")

        // Purged for good: only from the trash.
        #expect(await domainErrorCode { try await store.purgeDocument(kept.id) } == "not-found")
        #expect(await domainErrorCode { try await store.purgeDocument(DocumentID()) } == "not-found")
        try await store.purgeDocument(older.id)
        #expect(try await store.document(id: older.id) == nil)
        #expect(try await store.documentVersions(older.id).isEmpty)
        #expect(try await store.trashedDocuments(workspace: space.id, page: PageRequest()).total == 0)
        #expect(await code(store, .restoreDocument(older.id, at: Instant.at(400)), in: space.id) == "not-found")
    }

    static func events(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let start = try await store.latestSeq(workspace: space.id)
        let document = newDocument("Plan.pdf", in: space.id, by: eva.id)
        let key = IdempotencyKey(personID: eva.id, key: "upload-1")
        let first = try await change(store, .createDocument(document), in: space.id, key: key)
        guard case .applied(let event) = first else {
            Issue.record("the first attempt was not applied: \(first)")
            return
        }
        #expect(event.seq == start + 1 && event.kind == "document.changed")
        // The retry writes nothing: same event, no second document, no seq taken.
        let retry = try await change(store, .createDocument(newDocument("Plan kopia.pdf", in: space.id, by: eva.id)), in: space.id, key: key)
        #expect(retry == .duplicate(event))
        #expect(try await titles(store, space.id) == ["Plan.pdf"])
        // A refused change takes no seq; the next one takes the next.
        #expect(await code(store, .createDocument(newDocument("plan.PDF", in: space.id, by: eva.id)), in: space.id) == "conflict")
        let second = try await change(store, .addVersion(version(document.id, 2, file: 2, by: eva.id, at: Instant.at(5))), in: space.id)
        let third = try await change(store, .lock(document.id, DocumentLock(holderID: eva.id, lockedAt: Instant.at(6), expiresAt: Instant.at(60))), in: space.id)
        #expect(second.event.seq == start + 2 && third.event.seq == start + 3)
        let log = try await store.events(workspace: space.id, after: start, limit: 10)
        #expect(log.map(\.seq) == [start + 1, start + 2, start + 3])
    }

    static func workspaceBound(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (_, other) = try await Live.world(store, "Olle", workspace: "Annat")
        let folder = try await folder(store, "Planer", in: space.id, by: eva.id)
        let document = try await create(store, "Plan.pdf", in: space.id, by: eva.id)
        let before = try await store.latestSeq(workspace: other.id)
        // The event says `other`; the things are `space`'s.
        #expect(await code(store, .addVersion(version(document.id, 2, file: 2, by: eva.id, at: Instant.at(1))), in: other.id) == "not-found")
        #expect(await code(store, .trashDocument(document.id, by: eva.id, at: Instant.at(1)), in: other.id) == "not-found")
        #expect(await code(store, .moveDocument(document.id, title: "X.pdf", folderID: nil, at: Instant.at(1)), in: other.id) == "not-found")
        #expect(await code(store, .deleteFolder(folder.id), in: other.id) == "not-found")
        #expect(await code(store, .createDocument(newDocument("Y.pdf", in: space.id, by: eva.id)), in: other.id) == "validation-failed")
        #expect(await code(store, .createDocument(newDocument("Y.pdf", in: other.id, folder: folder.id, by: eva.id)), in: other.id) == "not-found")
        let ghost = WorkspaceID()
        #expect(await code(store, .createDocument(newDocument("Y.pdf", in: ghost, by: eva.id)), in: ghost) == "not-found")
        #expect(try await store.latestSeq(workspace: other.id) == before)
        #expect(try await store.document(id: document.id)?.currentVersion == 1)
    }

    static func blobs(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (_, other) = try await Live.world(store, "Olle", workspace: "Annat")
        #expect(try await store.documentBytes(workspace: space.id) == 0)
        let a = try await create(store, "A.pdf", in: space.id, by: eva.id, file: 1, size: 1_000)
        // The same file as a second document, and as a later version: counted once.
        let b = try await create(store, "B.pdf", in: space.id, by: eva.id, file: 1, size: 1_000)
        try await change(store, .addVersion(version(a.id, 2, file: 2, size: 500, by: eva.id, at: Instant.at(1))), in: space.id)
        try await change(store, .addVersion(version(a.id, 3, file: 1, size: 1_000, by: eva.id, at: Instant.at(2))), in: space.id)
        try await create(store, "C.pdf", in: other.id, by: eva.id, file: 3, size: 7_000)
        #expect(try await store.documentBytes(workspace: space.id) == 1_500)
        #expect(try await store.documentBytes(workspace: other.id) == 7_000)
        // The trash still counts.
        try await change(store, .trashDocument(a.id, by: eva.id, at: Instant.at(3)), in: space.id)
        #expect(try await store.documentBytes(workspace: space.id) == 1_500)

        #expect(try await store.unreferencedBlobs([sha(1), sha(2), sha(9)]) == [sha(9)])
        try await store.purgeDocument(a.id)
        #expect(try await store.documentBytes(workspace: space.id) == 1_000)
        // File 1 is still B's; file 2 was only A's.
        #expect(try await store.unreferencedBlobs([sha(1), sha(2)]) == [sha(2)])
        try await change(store, .trashDocument(b.id, by: eva.id, at: Instant.at(4)), in: space.id)
        try await store.purgeDocument(b.id)
        #expect(Set(try await store.unreferencedBlobs([sha(1), sha(2), sha(3)])) == [sha(1), sha(2)])
        #expect(try await store.unreferencedBlobs([]).isEmpty)
    }

    static func textsAndLinks(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let document = try await create(store, "Plan.pdf", in: space.id, by: eva.id)
        let other = try await create(store, "Budget.xlsx", in: space.id, by: eva.id)
        #expect(try await store.documentText(document.id, version: 1) == nil)
        try await store.setDocumentText(document.id, version: 1, text: "Första utkastet")
        try await store.setDocumentText(document.id, version: 1, text: "Första utkastet, rättat")
        #expect(try await store.documentText(document.id, version: 1) == "Första utkastet, rättat")
        // A version that does not exist gets no text, and that is no error.
        try await store.setDocumentText(document.id, version: 7, text: "Finns inte")
        try await store.setDocumentText(DocumentID(), version: 1, text: "Finns inte")
        #expect(try await store.documentText(document.id, version: 7) == nil)

        let post = DocumentLinkSource(kind: .post, id: UUID().uuidString.lowercased(), workspaceID: space.id, linkedAt: Instant.at(10))
        let article = DocumentLinkSource(kind: .article, id: UUID().uuidString.lowercased(), workspaceID: nil, linkedAt: Instant.at(20))
        try await store.setDocumentLinks(source: post, documents: [document.id, other.id, DocumentID()])
        try await store.setDocumentLinks(source: article, documents: [document.id])
        #expect(try await store.documentLinks(document.id) == [article, post])
        #expect(try await store.documentLinks(other.id) == [post])
        // Replaced per source; empty removes.
        var edited = post
        edited.linkedAt = Instant.at(30)
        try await store.setDocumentLinks(source: edited, documents: [other.id])
        #expect(try await store.documentLinks(document.id) == [article])
        #expect(try await store.documentLinks(other.id) == [edited])
        try await store.setDocumentLinks(source: article, documents: [])
        #expect(try await store.documentLinks(document.id).isEmpty)
        #expect(try await store.documentLinks(DocumentID()).isEmpty)
        // A purged document's texts and links go with it.
        try await change(store, .trashDocument(other.id, by: eva.id, at: Instant.at(40)), in: space.id)
        try await store.purgeDocument(other.id)
        #expect(try await store.documentLinks(other.id).isEmpty)
    }
}
