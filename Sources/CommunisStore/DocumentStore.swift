import CommunisModel
import Foundation

/// A change to a workspace's document library. Applied through `LiveStore.apply` like every
/// change members see live, so the change and its event (next seq of the workspace) are one
/// transaction, and a retry with the same idempotency key writes nothing twice.
///
/// Names: a folder's or document's name is unique among the folders and the documents not
/// in the trash directly in one parent (`DocumentRules.nameKey`); a change that would
/// collide throws `conflict` and writes nothing. A name `DocumentRules.nameErrors` refuses
/// throws `validation`.
///
/// Workspaces: a change reaches only folders and documents of its event's workspace (anything
/// else is `notFound`); a new folder or document must name that workspace (else `validation`).
/// Folders nest at most `DocumentRules.maxFolderDepth` deep (deeper: `validation`).
public enum DocumentChange: Sendable, Equatable {
    /// Throws `notFound("Workspace")`, `notFound("Folder")` (parent missing or in another
    /// workspace), `conflict` (name taken, id taken).
    case createFolder(DocumentFolder)
    /// Renames and/or moves a folder (`parentID` nil: to the top). Throws `notFound("Folder")`
    /// (it or the new parent), `conflict` for a name collision or a move into itself or below
    /// itself.
    case updateFolder(DocumentFolderID, name: String, parentID: DocumentFolderID?, at: Date)
    /// Deletes an empty folder (no subfolders, no documents outside the trash; documents in
    /// the trash that were in it move to the top, so that a restore finds a place).
    /// Throws `notFound("Folder")`, `conflict` when not empty.
    case deleteFolder(DocumentFolderID)
    /// A new document with its version 1 (`document.current`, number 1). Throws
    /// `notFound("Workspace")`, `notFound("Folder")`, `conflict` (name or id taken).
    case createDocument(Document)
    /// The next version (`version.number` must be the current number + 1, else `conflict`:
    /// two uploads based on the same version, the second is refused). Refused with `conflict`
    /// when the document is locked by someone else than `version.createdBy` (a lock that has
    /// not expired at `version.createdAt`), and with `notFound("Document")` when missing or in
    /// the trash. `updatedAt` becomes `version.createdAt`.
    case addVersion(DocumentVersion)
    /// Marks `version` fastställd (approved); nil clears the mark. Throws `notFound("Document")`
    /// (also for a version that does not exist, and while in the trash). `updatedAt` stays.
    case approve(DocumentID, version: Int?, by: PersonID, at: Date)
    /// Checks the document out. Replaces a lock held by the same person or one that has
    /// expired at `lock.lockedAt`; throws `conflict` when another person's lock holds.
    /// `notFound("Document")` when missing or in the trash.
    case lock(DocumentID, DocumentLock)
    /// Removes the lock, whoever holds it (the service decides who may). Throws
    /// `notFound("Document")`; a document without a lock is not an error.
    case unlock(DocumentID)
    /// Renames and/or moves a document (`folderID` nil: to the top). Links keep working: they
    /// name the id. Throws `notFound("Document")` (also while in the trash), `notFound("Folder")`,
    /// `conflict` (name). `updatedAt` becomes `at`.
    case moveDocument(DocumentID, title: String, folderID: DocumentFolderID?, at: Date)
    /// Moves the document to the trash (its lock goes). Throws `notFound("Document")` when
    /// missing or already in the trash.
    case trashDocument(DocumentID, by: PersonID, at: Date)
    /// Takes it out of the trash, into its folder (or the top if the folder is gone). Throws
    /// `notFound("Document")` when not in the trash, `conflict` when its name is taken there.
    /// `updatedAt` becomes `at`.
    case restoreDocument(DocumentID, at: Date)
}

/// The document libraries: folders, documents and every version of them. The files are the
/// services' (content-addressed by SHA-256); the store holds rows only.
///
/// Guarantees:
/// - A version row exists only when the service has already written its file completely
///   (the service writes the file, then applies the change): the store never names a file
///   that is not on disk.
/// - Deleting the workspace deletes its folders, documents and versions (not the files:
///   `unreferencedBlobs` finds those).
/// - Documents are in search (`SearchStore`, kind `document`) while not in the trash: the
///   title with the current version's text, and (found only with `includeArchived`) each
///   older version's text, all in the same transaction as the change. A hit's id is the
///   document's, `documentVersion` the version found, its title the document's current one,
///   its author that version's uploader, its date the document's last change (an older
///   version's: its upload), which the date filters use too.
public protocol DocumentStore: Sendable {
    func documentFolder(id: DocumentFolderID) async throws -> DocumentFolder?
    /// Every folder of the workspace's library, by name.
    func documentFolders(workspace: WorkspaceID) async throws -> [DocumentFolder]
    /// One document, in the trash or not.
    func document(id: DocumentID) async throws -> Document?
    /// Many documents at once (for link cards); unknown ids are left out.
    func documents(ids: [DocumentID]) async throws -> [Document]
    /// The documents directly in `folder` (nil: the top) that are not in the trash, by title
    /// (case-insensitive).
    func documents(workspace: WorkspaceID, folder: DocumentFolderID?, page: PageRequest) async throws -> Page<Document>
    /// The workspace's trash, most recently trashed first.
    func trashedDocuments(workspace: WorkspaceID, page: PageRequest) async throws -> Page<Document>
    /// The document (not in the trash) named `title` directly in `folder`, compared as names
    /// collide (`DocumentRules.nameKey`). What a WebDAV path resolves to.
    func document(workspace: WorkspaceID, folder: DocumentFolderID?, title: String) async throws -> Document?
    /// Every version, newest first; empty for an unknown document.
    func documentVersions(_ id: DocumentID) async throws -> [DocumentVersion]
    func documentVersion(_ id: DocumentID, number: Int) async throws -> DocumentVersion?
    /// The bytes the workspace's library uses: the sizes of its distinct files, every version
    /// and the trash included (what a quota counts).
    func documentBytes(workspace: WorkspaceID) async throws -> Int64
    /// Extends the lock whose token is `token` to `until` (WebDAV refresh), without an event.
    /// Throws `notFound("Lock")` when the document has no lock with that token. The store keeps
    /// no clock: whether the lock has already expired is the caller's to judge first.
    func refreshDocumentLock(_ id: DocumentID, token: String, until: Date) async throws -> DocumentLock
    /// Documents trashed before `before`, oldest first, at most `limit`.
    func expiredTrash(before: Date, limit: Int) async throws -> [Document]
    /// Deletes a trashed document with its versions for good (no event: it was already
    /// announced as deleted). Throws `notFound("Document")` unless it is in the trash.
    func purgeDocument(_ id: DocumentID) async throws
    /// Of these file hashes, those no version of any document names any more.
    func unreferencedBlobs(_ sha256s: [String]) async throws -> [String]
    /// Stores the text extracted from a version (for search and comparing versions); replaces
    /// an earlier one. Ignored for a version that no longer exists.
    func setDocumentText(_ id: DocumentID, version: Int, text: String) async throws
    /// The text extracted from a version, if any was stored.
    func documentText(_ id: DocumentID, version: Int) async throws -> String?
    /// Records where documents are linked from (`source`: a post, blog post or how-to id, and
    /// its kind), replacing what was recorded for that source. Empty `documents` removes it.
    func setDocumentLinks(source: DocumentLinkSource, documents: [DocumentID]) async throws
    /// The places that link the document, newest first.
    func documentLinks(_ id: DocumentID) async throws -> [DocumentLinkSource]
}

/// A place that links documents: a discussion post, a blog post or a how-to article.
public struct DocumentLinkSource: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable {
        case post, blog, article
    }

    public var kind: Kind
    /// The post's, blog post's or article's id (lowercase UUID).
    public var id: String
    /// Where the source lives (nil: organisation-wide article or personal blog).
    public var workspaceID: WorkspaceID?
    public var linkedAt: Date

    public init(kind: Kind, id: String, workspaceID: WorkspaceID?, linkedAt: Date) {
        self.kind = kind
        self.id = id
        self.workspaceID = workspaceID
        self.linkedAt = linkedAt
    }
}
