import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation

/// The document library of the copied installation: folders (one moved under a newer one, so
/// its row arrives before its parent's), a document with two versions, texts, an approval, a
/// lock and a link, and one in the trash.
extension TransferTests {
    struct Library: Sendable {
        var workspace: Workspace
        var folders: [DocumentFolder]
        var policy: Document
        var trashed: Document
    }

    static func fillLibrary(_ store: any CommunisStore, eva: Person, olle: Person, linkedFrom post: Post) async throws -> Library {
        // A workspace of its own, so the others' logs stay as the checks above count them.
        let space = try await Fixture.createWorkspace(store, "Dokumentbanken", .open, owner: eva.id)
        func change(_ change: DocumentChange, at: Date) async throws {
            try await Self.apply(store, .document(change), in: space.id, "document.changed", "{}", by: eva.id, at: at)
        }
        let plans = DocumentFolder(workspaceID: space.id, parentID: nil, name: "Planer", createdBy: eva.id, createdAt: Instant.at(200))
        let archive = DocumentFolder(workspaceID: space.id, parentID: nil, name: "Arkiv", createdBy: eva.id, createdAt: Instant.at(201))
        try await change(.createFolder(plans), at: Instant.at(200))
        try await change(.createFolder(archive), at: Instant.at(201))
        try await change(.updateFolder(plans.id, name: "Planer", parentID: archive.id, at: Instant.at(202)), at: Instant.at(202))

        let id = DocumentID()
        let first = DocumentVersion(documentID: id, number: 1, sha256: String(repeating: "a", count: 64), size: 1_200, mediaType: "application/pdf",
                                    fileName: "Resepolicy.pdf", comment: "Första", createdBy: eva.id, createdAt: Instant.at(203))
        let policy = Document(id: id, workspaceID: space.id, folderID: plans.id, title: "Resepolicy.pdf", current: first,
                              createdBy: eva.id, createdAt: Instant.at(203))
        try await change(.createDocument(policy), at: Instant.at(203))
        try await store.setDocumentText(id, version: 1, text: "Milersättning betalas ut enligt avtal")
        let second = DocumentVersion(documentID: id, number: 2, sha256: String(repeating: "b", count: 64), size: 1_300, mediaType: "application/pdf",
                                     fileName: "Resepolicy v2.pdf", comment: "Rättad", createdBy: olle.id, createdAt: Instant.at(204), restoredFrom: nil)
        try await change(.addVersion(second), at: Instant.at(204))
        try await store.setDocumentText(id, version: 2, text: "Traktamente betalas ut enligt avtal")
        try await change(.approve(id, version: 1, by: eva.id, at: Instant.at(205)), at: Instant.at(205))
        try await change(.lock(id, DocumentLock(holderID: olle.id, token: "opaquelocktoken:transfer", lockedAt: Instant.at(206),
                                                expiresAt: Instant.at(4_000))), at: Instant.at(206))
        try await store.setDocumentLinks(source: DocumentLinkSource(kind: .post, id: post.id.description, workspaceID: post.workspaceID,
                                                                    linkedAt: Instant.at(207)), documents: [id])

        let oldID = DocumentID()
        let trashed = Document(id: oldID, workspaceID: space.id, folderID: nil, title: "Gammalt.pdf",
                               current: DocumentVersion(documentID: oldID, number: 1, sha256: String(repeating: "a", count: 64), size: 1_200,
                                                        mediaType: "application/pdf", fileName: "Gammalt.pdf", createdBy: eva.id,
                                                        createdAt: Instant.at(208)),
                               createdBy: eva.id, createdAt: Instant.at(208))
        try await change(.createDocument(trashed), at: Instant.at(208))
        try await change(.trashDocument(oldID, by: eva.id, at: Instant.at(209)), at: Instant.at(209))
        return Library(workspace: space, folders: [plans, archive], policy: policy, trashed: trashed)
    }

    static func libraryReadings(_ store: any CommunisStore, _ library: Library) async throws -> [Reading] {
        var r: [Reading] = []
        func add(_ name: String, _ value: any Equatable & Sendable) { r.append(Reading(name: name, value: value)) }
        let space = library.workspace.id
        let id = library.policy.id
        add("folders", try await store.documentFolders(workspace: space))
        for folder in library.folders {
            add("folder \(folder.name)", try await store.documentFolder(id: folder.id))
            add("documents in \(folder.name)", try await store.documents(workspace: space, folder: folder.id, page: PageRequest()).items)
        }
        add("documents at the top", try await store.documents(workspace: space, folder: nil, page: PageRequest()).items)
        add("trash", try await store.trashedDocuments(workspace: space, page: PageRequest()).items)
        add("policy", try await store.document(id: id))
        add("trashed", try await store.document(id: library.trashed.id))
        add("versions", try await store.documentVersions(id))
        add("text 1", try await store.documentText(id, version: 1))
        add("text 2", try await store.documentText(id, version: 2))
        add("links", try await store.documentLinks(id))
        add("bytes", try await store.documentBytes(workspace: space))
        add("by path", try await store.document(workspace: space, folder: library.folders[0].id, title: "RESEPOLICY.PDF"))
        return r
    }
}
