import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `DocumentStore` and `LiveChange.document`: folders, documents, versions, locks, the trash,
/// texts, links, quota bytes, and documents in search. Changes go through `apply` as the
/// service sends them, each with its event.
public enum DocumentContract {
    public static let cases: [ContractCase] = [
        Live.case("folders and documents are stored and read back as they were, listed by name", roundTrip),
        Live.case("names collide case-insensitively among the folders and documents of one parent; trashed documents do not", names),
        Live.case("renaming and moving keeps names unique; a folder never moves into itself or below itself", moves),
        Live.case("only an empty folder is deleted; trashed documents in it move to the top", deleteFolder),
        Live.case("versions are numbered without gaps; a second upload on the same version is a conflict", versions),
        Live.case("another person's lock refuses new versions and locks until it expires; the holder refreshes it", locks),
        Live.case("approval is set on an existing version and cleared", approval),
        Live.case("the trash: out of the listing, restored into its folder unless the name is taken, purged for good", trash),
        Live.case("each change appends the workspace's next seq; a repeated idempotency key writes nothing", events),
        Live.case("a change reaches only things of its event's workspace", workspaceBound),
        Live.case("quota bytes count each distinct file once, trash included; unreferenced blobs after purge", blobs),
        Live.case("texts are stored per version; links are replaced per source and listed newest first", textsAndLinks),
    ] + DocumentSearchContract.cases

    // MARK: Building blocks

    /// A SHA-256-shaped name for file number `n`.
    public static func sha(_ n: Int) -> String { String(repeating: "0", count: 48) + String(format: "%016x", n) }

    public static func version(_ document: DocumentID, _ number: Int, file: Int, size: Int64 = 1_000, by: PersonID, at: Date,
                        comment: String = "", restoredFrom: Int? = nil) -> DocumentVersion {
        DocumentVersion(documentID: document, number: number, sha256: sha(file), size: size, mediaType: "application/pdf",
                        fileName: "fil-\(number).pdf", comment: comment, createdBy: by, createdAt: at, restoredFrom: restoredFrom)
    }

    public static func newDocument(_ title: String, in workspace: WorkspaceID, folder: DocumentFolderID? = nil, by: PersonID,
                            at: Date = Instant.t0, file: Int = 1, size: Int64 = 1_000) -> Document {
        let id = DocumentID()
        return Document(id: id, workspaceID: workspace, folderID: folder, title: title,
                        current: version(id, 1, file: file, size: size, by: by, at: at, comment: "Första"), createdBy: by, createdAt: at)
    }

    @discardableResult
    static func change(_ store: Live.Store, _ change: DocumentChange, in workspace: WorkspaceID, at: Date = Instant.t0,
                       key: IdempotencyKey? = nil) async throws -> Applied {
        try await Live.apply(store, .document(change), in: workspace, kind: "document.changed", at: at, key: key)
    }

    @discardableResult
    static func create(_ store: Live.Store, _ title: String, in workspace: WorkspaceID, folder: DocumentFolderID? = nil, by: PersonID,
                       at: Date = Instant.t0, file: Int = 1, size: Int64 = 1_000) async throws -> Document {
        let document = newDocument(title, in: workspace, folder: folder, by: by, at: at, file: file, size: size)
        try await change(store, .createDocument(document), in: workspace, at: at)
        return document
    }

    @discardableResult
    static func folder(_ store: Live.Store, _ name: String, in workspace: WorkspaceID, parent: DocumentFolderID? = nil, by: PersonID) async throws -> DocumentFolder {
        let folder = DocumentFolder(workspaceID: workspace, parentID: parent, name: name, createdBy: by, createdAt: Instant.t0)
        try await change(store, .createFolder(folder), in: workspace)
        return folder
    }

    static func code(_ store: Live.Store, _ documentChange: DocumentChange, in workspace: WorkspaceID,
                     sourceLocation: SourceLocation = #_sourceLocation) async -> String? {
        await domainErrorCode(sourceLocation: sourceLocation) { try await change(store, documentChange, in: workspace) }
    }

    static func titles(_ store: Live.Store, _ workspace: WorkspaceID, _ folder: DocumentFolderID? = nil) async throws -> [String] {
        try await store.documents(workspace: workspace, folder: folder, page: PageRequest()).items.map(\.title)
    }

    // MARK: Cases

    static func roundTrip(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let plans = try await folder(store, "Planer", in: space.id, by: eva.id)
        let budget = try await folder(store, "Budget", in: space.id, parent: plans.id, by: eva.id)
        #expect(try await store.documentFolder(id: budget.id) == budget)
        #expect(try await store.documentFolder(id: DocumentFolderID()) == nil)
        #expect(try await store.documentFolders(workspace: space.id).map(\.name) == ["Budget", "Planer"])

        let policy = try await create(store, "Policy.pdf", in: space.id, folder: plans.id, by: eva.id)
        let agenda = try await create(store, "agenda.docx", in: space.id, folder: plans.id, by: eva.id, at: Instant.at(10))
        let top = try await create(store, "Översikt.pdf", in: space.id, by: eva.id)
        #expect(try await store.document(id: policy.id) == policy)
        #expect(try await store.document(id: DocumentID()) == nil)
        #expect(try await titles(store, space.id, plans.id) == ["agenda.docx", "Policy.pdf"])
        #expect(try await titles(store, space.id) == ["Översikt.pdf"])
        #expect(try await titles(store, space.id, budget.id).isEmpty)
        let page = try await store.documents(workspace: space.id, folder: plans.id, page: PageRequest(limit: 1, offset: 1))
        #expect(page.items.map(\.id) == [policy.id] && page.total == 2)

        #expect(try await store.documents(ids: [top.id, DocumentID(), agenda.id]).map(\.id) == [top.id, agenda.id])
        #expect(try await store.document(workspace: space.id, folder: plans.id, title: "POLICY.PDF")?.id == policy.id)
        #expect(try await store.document(workspace: space.id, folder: nil, title: "översikt.pdf")?.id == top.id)
        #expect(try await store.document(workspace: space.id, folder: nil, title: "Policy.pdf") == nil)
        #expect(try await store.documentVersions(policy.id) == [policy.current])
        #expect(try await store.documentVersion(policy.id, number: 1) == policy.current)
        #expect(try await store.documentVersion(policy.id, number: 2) == nil)
        #expect(try await store.documentVersions(DocumentID()).isEmpty)

        // Missing workspace or folder, a folder of another workspace, a taken id.
        let (_, other) = try await Live.world(store, "Olle", workspace: "Annat")
        let elsewhere = try await folder(store, "Annan", in: other.id, by: eva.id)
        #expect(await code(store, .createDocument(newDocument("x.pdf", in: space.id, folder: elsewhere.id, by: eva.id)), in: space.id) == "not-found")
        #expect(await code(store, .createDocument(newDocument("x.pdf", in: space.id, folder: DocumentFolderID(), by: eva.id)), in: space.id) == "not-found")
        #expect(await code(store, .createFolder(DocumentFolder(workspaceID: space.id, parentID: DocumentFolderID(), name: "x", createdBy: eva.id, createdAt: Instant.t0)), in: space.id) == "not-found")
        var again = policy
        again.folderID = nil
        again.title = "Annan titel.pdf"
        #expect(await code(store, .createDocument(again), in: space.id) == "conflict")
        var bad = newDocument("a/b.pdf", in: space.id, by: eva.id)
        #expect(await code(store, .createDocument(bad), in: space.id) == "validation-failed")
        bad = newDocument("v2.pdf", in: space.id, by: eva.id)
        bad.current.number = 2
        #expect(await code(store, .createDocument(bad), in: space.id) == "validation-failed")
    }

    static func names(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let plans = try await folder(store, "Planer", in: space.id, by: eva.id)
        let report = try await create(store, "Rapport.pdf", in: space.id, by: eva.id)
        // A document against a document, a folder against a document and the other way round.
        #expect(await code(store, .createDocument(newDocument("RAPPORT.PDF", in: space.id, by: eva.id)), in: space.id) == "conflict")
        #expect(await code(store, .createFolder(DocumentFolder(workspaceID: space.id, parentID: nil, name: "rapport.pdf", createdBy: eva.id, createdAt: Instant.t0)), in: space.id) == "conflict")
        #expect(await code(store, .createDocument(newDocument("planer", in: space.id, by: eva.id)), in: space.id) == "conflict")
        #expect(await code(store, .createFolder(DocumentFolder(workspaceID: space.id, parentID: nil, name: "PLANER", createdBy: eva.id, createdAt: Instant.t0)), in: space.id) == "conflict")
        // Composed and decomposed å are one name.
        try await create(store, "\u{E5}rsplan.pdf", in: space.id, by: eva.id)
        #expect(await code(store, .createDocument(newDocument("A\u{30A}rsplan.pdf", in: space.id, by: eva.id)), in: space.id) == "conflict")
        // The same name in another folder or another workspace is free.
        try await create(store, "Rapport.pdf", in: space.id, folder: plans.id, by: eva.id)
        let (_, other) = try await Live.world(store, "Olle", workspace: "Annat")
        try await create(store, "Rapport.pdf", in: other.id, by: eva.id)
        // A document in the trash frees its name; restoring it then conflicts.
        try await change(store, .trashDocument(report.id, by: eva.id, at: Instant.at(5)), in: space.id)
        let newer = try await create(store, "rapport.pdf", in: space.id, by: eva.id)
        #expect(await code(store, .restoreDocument(report.id, at: Instant.at(9)), in: space.id) == "conflict")
        #expect(try await store.document(id: report.id)?.trashedAt == Instant.at(5))
        try await change(store, .moveDocument(newer.id, title: "Omarbetad rapport.pdf", folderID: nil, at: Instant.at(10)), in: space.id)
        try await change(store, .restoreDocument(report.id, at: Instant.at(11)), in: space.id)
        #expect(try await titles(store, space.id) == ["Omarbetad rapport.pdf", "Rapport.pdf", "\u{E5}rsplan.pdf"])
    }

    static func moves(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let a = try await folder(store, "A", in: space.id, by: eva.id)
        let b = try await folder(store, "B", in: space.id, parent: a.id, by: eva.id)
        let c = try await folder(store, "C", in: space.id, parent: b.id, by: eva.id)
        let other = try await folder(store, "Annan", in: space.id, by: eva.id)
        let document = try await create(store, "Plan.pdf", in: space.id, folder: b.id, by: eva.id)

        #expect(await code(store, .updateFolder(a.id, name: "A", parentID: a.id, at: Instant.at(1)), in: space.id) == "conflict")
        #expect(await code(store, .updateFolder(a.id, name: "A", parentID: c.id, at: Instant.at(1)), in: space.id) == "conflict")
        #expect(await code(store, .updateFolder(a.id, name: "annan", parentID: nil, at: Instant.at(1)), in: space.id) == "conflict")
        #expect(await code(store, .updateFolder(DocumentFolderID(), name: "X", parentID: nil, at: Instant.at(1)), in: space.id) == "not-found")
        #expect(await code(store, .updateFolder(a.id, name: "A", parentID: DocumentFolderID(), at: Instant.at(1)), in: space.id) == "not-found")
        // Renaming to another case of its own name is no collision with itself.
        try await change(store, .updateFolder(a.id, name: "a", parentID: nil, at: Instant.at(2)), in: space.id)
        try await change(store, .updateFolder(b.id, name: "Bilder", parentID: other.id, at: Instant.at(3)), in: space.id)
        let moved = try #require(try await store.documentFolder(id: b.id))
        #expect(moved.parentID == other.id && moved.name == "Bilder" && moved.updatedAt == Instant.at(3) && moved.createdAt == Instant.t0)
        #expect(try await store.documentFolder(id: c.id)?.parentID == b.id)
        #expect(try await titles(store, space.id, b.id) == ["Plan.pdf"])

        try await folder(store, "Utkast", in: space.id, parent: other.id, by: eva.id)
        #expect(await code(store, .moveDocument(document.id, title: "UTKAST", folderID: other.id, at: Instant.at(4)), in: space.id) == "conflict")
        #expect(await code(store, .moveDocument(document.id, title: "Plan.pdf", folderID: DocumentFolderID(), at: Instant.at(4)), in: space.id) == "not-found")
        #expect(await code(store, .moveDocument(DocumentID(), title: "Plan.pdf", folderID: nil, at: Instant.at(4)), in: space.id) == "not-found")
        #expect(await code(store, .moveDocument(document.id, title: "", folderID: nil, at: Instant.at(4)), in: space.id) == "validation-failed")
        try await change(store, .moveDocument(document.id, title: "Plan 2026.pdf", folderID: nil, at: Instant.at(5)), in: space.id)
        let stored = try #require(try await store.document(id: document.id))
        #expect(stored.title == "Plan 2026.pdf" && stored.folderID == nil && stored.updatedAt == Instant.at(5))
        #expect(stored.current == document.current)
        #expect(try await titles(store, space.id, b.id).isEmpty)
        #expect(try await titles(store, space.id) == ["Plan 2026.pdf"])
    }

    static func deleteFolder(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let plans = try await folder(store, "Planer", in: space.id, by: eva.id)
        let inner = try await folder(store, "Inre", in: space.id, parent: plans.id, by: eva.id)
        let document = try await create(store, "Plan.pdf", in: space.id, folder: plans.id, by: eva.id)
        #expect(await code(store, .deleteFolder(plans.id), in: space.id) == "conflict")
        try await change(store, .deleteFolder(inner.id), in: space.id)
        #expect(try await store.documentFolder(id: inner.id) == nil)
        #expect(await code(store, .deleteFolder(plans.id), in: space.id) == "conflict")
        try await change(store, .trashDocument(document.id, by: eva.id, at: Instant.at(1)), in: space.id)
        try await change(store, .deleteFolder(plans.id), in: space.id)
        #expect(try await store.documentFolders(workspace: space.id).isEmpty)
        #expect(await code(store, .deleteFolder(plans.id), in: space.id) == "not-found")
        let trashed = try #require(try await store.document(id: document.id))
        #expect(trashed.folderID == nil && trashed.trashedAt == Instant.at(1))
        try await change(store, .restoreDocument(document.id, at: Instant.at(2)), in: space.id)
        #expect(try await titles(store, space.id) == ["Plan.pdf"])
    }

    static func versions(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let document = try await create(store, "Plan.pdf", in: space.id, by: eva.id)
        let second = version(document.id, 2, file: 2, size: 2_000, by: olle.id, at: Instant.at(60), comment: "Rättat")
        try await change(store, .addVersion(second), in: space.id)
        // Another upload based on version 1 is refused, and so is a gap.
        #expect(await code(store, .addVersion(version(document.id, 2, file: 3, by: eva.id, at: Instant.at(61))), in: space.id) == "conflict")
        #expect(await code(store, .addVersion(version(document.id, 4, file: 3, by: eva.id, at: Instant.at(61))), in: space.id) == "conflict")
        #expect(await code(store, .addVersion(version(DocumentID(), 2, file: 3, by: eva.id, at: Instant.at(61))), in: space.id) == "not-found")
        let restored = version(document.id, 3, file: 1, by: eva.id, at: Instant.at(120), comment: "Tillbaka", restoredFrom: 1)
        try await change(store, .addVersion(restored), in: space.id)
        let stored = try #require(try await store.document(id: document.id))
        #expect(stored.current == restored && stored.currentVersion == 3 && stored.updatedAt == Instant.at(120))
        #expect(stored.createdAt == Instant.t0 && stored.createdBy == eva.id)
        #expect(try await store.documentVersions(document.id) == [restored, second, document.current])
        #expect(try await store.documentVersion(document.id, number: 2) == second)
        // No new version of a document in the trash.
        try await change(store, .trashDocument(document.id, by: eva.id, at: Instant.at(130)), in: space.id)
        #expect(await code(store, .addVersion(version(document.id, 4, file: 4, by: eva.id, at: Instant.at(140))), in: space.id) == "not-found")
    }

    static func locks(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let document = try await create(store, "Plan.pdf", in: space.id, by: eva.id)
        let lock = DocumentLock(holderID: eva.id, lockedAt: Instant.at(0), expiresAt: Instant.at(3_600))
        try await change(store, .lock(document.id, lock), in: space.id)
        #expect(try await store.document(id: document.id)?.lock == lock)
        // Olle is refused while it holds: a version, a lock of his own.
        #expect(await code(store, .addVersion(version(document.id, 2, file: 2, by: olle.id, at: Instant.at(60))), in: space.id) == "conflict")
        let olles = DocumentLock(holderID: olle.id, lockedAt: Instant.at(60), expiresAt: Instant.at(600))
        #expect(await code(store, .lock(document.id, olles), in: space.id) == "conflict")
        // The holder uploads, and locks again (a refresh with a new token).
        try await change(store, .addVersion(version(document.id, 2, file: 2, by: eva.id, at: Instant.at(60))), in: space.id)
        let refreshed = DocumentLock(holderID: eva.id, lockedAt: Instant.at(100), expiresAt: Instant.at(200))
        try await change(store, .lock(document.id, refreshed), in: space.id)
        #expect(try await store.document(id: document.id)?.lock == refreshed)
        // WebDAV's refresh, by token only.
        let extended = try await store.refreshDocumentLock(document.id, token: refreshed.token, until: Instant.at(300))
        #expect(extended.expiresAt == Instant.at(300) && extended.token == refreshed.token && extended.holderID == eva.id && extended.lockedAt == Instant.at(100))
        #expect(try await store.document(id: document.id)?.lock == extended)
        #expect(await domainErrorCode { _ = try await store.refreshDocumentLock(document.id, token: lock.token, until: Instant.at(900)) } == "not-found")
        #expect(await domainErrorCode { _ = try await store.refreshDocumentLock(DocumentID(), token: refreshed.token, until: Instant.at(900)) } == "not-found")
        // Expired at the time of the change: no longer in Olle's way.
        try await change(store, .addVersion(version(document.id, 3, file: 3, by: olle.id, at: Instant.at(300))), in: space.id)
        let late = DocumentLock(holderID: olle.id, lockedAt: Instant.at(301), expiresAt: Instant.at(900))
        try await change(store, .lock(document.id, late), in: space.id)
        #expect(try await store.document(id: document.id)?.lock?.holderID == olle.id)
        // Unlock: whoever holds it (the service decides who may); no lock is no error.
        try await change(store, .unlock(document.id), in: space.id)
        #expect(try await store.document(id: document.id)?.lock == nil)
        try await change(store, .unlock(document.id), in: space.id)
        #expect(await code(store, .unlock(DocumentID()), in: space.id) == "not-found")
        #expect(await code(store, .lock(DocumentID(), late), in: space.id) == "not-found")
        // The trash takes the lock along and refuses new ones.
        try await change(store, .lock(document.id, late), in: space.id)
        try await change(store, .trashDocument(document.id, by: eva.id, at: Instant.at(400)), in: space.id)
        #expect(try await store.document(id: document.id)?.lock == nil)
        #expect(await code(store, .lock(document.id, late), in: space.id) == "not-found")
    }

    static func approval(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let document = try await create(store, "Plan.pdf", in: space.id, by: eva.id)
        try await change(store, .addVersion(version(document.id, 2, file: 2, by: eva.id, at: Instant.at(60))), in: space.id)
        try await change(store, .approve(document.id, version: 1, by: eva.id, at: Instant.at(70)), in: space.id)
        var stored = try #require(try await store.document(id: document.id))
        #expect(stored.approvedVersion == 1 && stored.approvedBy == eva.id && stored.approvedAt == Instant.at(70))
        #expect(stored.updatedAt == Instant.at(60))
        #expect(await code(store, .approve(document.id, version: 3, by: eva.id, at: Instant.at(80)), in: space.id) == "not-found")
        #expect(await code(store, .approve(DocumentID(), version: 1, by: eva.id, at: Instant.at(80)), in: space.id) == "not-found")
        #expect(try await store.document(id: document.id)?.approvedVersion == 1)
        try await change(store, .approve(document.id, version: nil, by: eva.id, at: Instant.at(90)), in: space.id)
        stored = try #require(try await store.document(id: document.id))
        #expect(stored.approvedVersion == nil && stored.approvedBy == nil && stored.approvedAt == nil)
    }
}
