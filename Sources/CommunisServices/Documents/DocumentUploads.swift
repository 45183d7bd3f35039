import CommunisFiles
import CommunisModel
import CommunisStore
import Foundation
import NIOCore

/// Where an upload stands, and what it became once complete.
public struct UploadProgress: Sendable {
    public var record: UploadRecord
    public var offset: Int64
    /// Set once the last byte arrived and the file became a document's version.
    public var document: Document?

    public var isComplete: Bool { offset == record.length }
}

/// Resumable uploads (the tus 1.0 protocol at `/api/v1/uploads`): the permission, size,
/// quota and lock are checked when the upload is created, its bytes are appended in any
/// number of requests (each fsynced before it is acknowledged, what arrived before a cut is
/// kept), and when the last byte is in the file becomes a new document or a new version
/// through `Documents` (checked again then). An upload belongs to its creator alone: to
/// anyone else it does not exist.
///
/// Metadata (tus `Upload-Metadata`): `filename` (required), `workspace` and optionally
/// `folder` for a new document, or `document` for a new version of it; `comment`, `filetype`.
public struct DocumentUploads: Sendable {
    let documents: Documents
    let clock: Clock

    /// The metadata keys read; others are kept as sent (tus clients add their own).
    public static let maxMetadataPairs = 20
    public static let maxMetadataValue = 2_000

    public init(documents: Documents, clock: Clock = Clock()) {
        self.documents = documents
        self.clock = clock
    }

    var blobs: BlobStore { documents.blobs }

    public func create(_ viewer: Viewer, length: Int64, metadata: [String: String]) async throws -> UploadRecord {
        guard length >= 0 else { throw DomainError.validation([FieldError(field: "Upload-Length", message: "must be a whole number of bytes")]) }
        if length > documents.settings.maxFileBytes { throw DomainError.fileTooLarge(maxBytes: documents.settings.maxFileBytes) }
        guard metadata.count <= Self.maxMetadataPairs, metadata.values.allSatisfy({ $0.count <= Self.maxMetadataValue }) else {
            throw DomainError.validation([FieldError(field: "Upload-Metadata", message: "at most \(Self.maxMetadataPairs) pairs of at most \(Self.maxMetadataValue) characters")])
        }
        let target = try Target(metadata)
        var errors = DocumentRules.nameErrors(target.fileName, field: "filename") + documents.commentErrors(target.comment)
        if target.fileName.isEmpty { errors = [FieldError(field: "filename", message: "is required in Upload-Metadata")] }
        try documents.check(errors)
        let type = MediaTypes.resolve(given: target.fileType, fileName: target.fileName)
        switch target.place {
        case .version(let id):
            let (document, access) = try await documents.readable(viewer, id)
            try access.requireWrite()
            guard document.trashedAt == nil else { throw DomainError.notFound("Document") }
            try await documents.requireUnlocked(document, by: viewer, token: nil)
            try await documents.admit(size: length, mediaType: type, fileName: target.fileName, workspace: document.workspaceID)
        case .new(let workspace, let folder):
            try await documents.access(viewer, workspace).requireWrite()
            if let folder { _ = try await documents.folderChain(folder, in: workspace) }
            try await documents.admit(size: length, mediaType: type, fileName: target.fileName, workspace: workspace)
            if try await documents.store.document(workspace: workspace, folder: folder, title: target.fileName) != nil {
                throw DomainError.conflict("Det finns redan ett dokument med namnet \(target.fileName) här. / A document named \(target.fileName) already exists here.")
            }
        }
        do { try blobs.requireSpace(length) } catch BlobStoreError.storageFull { throw DomainError.storageFull }
        let now = clock.now()
        let record = UploadRecord(owner: "\(viewer.id)", length: length, metadata: metadata, createdAt: now,
                                  expiresAt: now.addingTimeInterval(TimeInterval(documents.settings.uploadExpiryHours) * 3600))
        do { try await blobs.createUpload(record) } catch BlobStoreError.storageFull { throw DomainError.storageFull }
        return record
    }

    /// The upload (its creator's only) and how far it is.
    public func status(_ viewer: Viewer, _ id: String) async throws -> UploadProgress {
        let (record, offset) = try await own(viewer, id)
        var document: Document?
        if let done = record.document.flatMap(DocumentID.init) { document = try? await documents.document(viewer, done) }
        return UploadProgress(record: record, offset: offset, document: document)
    }

    /// Appends the body at `offset` (`UploadError.offsetMismatch` when it is not where the
    /// upload stands, `busy` while another request writes it); when the last byte is in, the
    /// file becomes the document or version. A commit that is refused (a lock taken since,
    /// the quota, a name taken) keeps the upload: a PATCH with no bytes at its length tries
    /// again, and one after the commit answers with the document again.
    public func append<Body: AsyncSequence>(_ viewer: Viewer, _ id: String, offset: Int64, body: Body) async throws -> UploadProgress
    where Body.Element == ByteBuffer {
        let (record, current) = try await own(viewer, id)
        if let done = record.document {
            guard offset == record.length else { throw UploadError.offsetMismatch(actual: record.length) }
            return UploadProgress(record: record, offset: record.length, document: try await documents.document(viewer, DocumentID(done) ?? DocumentID()))
        }
        guard offset == current else { throw UploadError.offsetMismatch(actual: current) }
        let lease = try await blobs.lease(id)
        defer { lease.release() }
        let reached: Int64
        do {
            reached = try await blobs.append(body, to: lease, offset: offset, length: record.length)
        } catch BlobStoreError.storageFull {
            throw DomainError.storageFull
        }
        guard reached == record.length else { return UploadProgress(record: record, offset: reached, document: nil) }
        let document = try await commit(viewer, record, lease: lease)
        var finished = record
        finished.document = "\(document.id)"
        finished.version = document.currentVersion
        try await blobs.finishUpload(finished)
        return UploadProgress(record: finished, offset: record.length, document: document)
    }

    /// Stops an upload and removes its bytes (tus termination).
    public func terminate(_ viewer: Viewer, _ id: String) async throws {
        _ = try await own(viewer, id)
        do {
            let lease = try await blobs.lease(id)
            defer { lease.release() }
            try await blobs.removeUpload(id)
        } catch UploadError.missing {
            try await blobs.removeUpload(id)  // finished: only its record is left
        }
    }

    /// Removes uploads started more than `documents.upload_expiry_hours` ago.
    public func removeExpired() async throws -> Int {
        try await blobs.removeExpiredUploads(now: clock.now())
    }

    private func commit(_ viewer: Viewer, _ record: UploadRecord, lease: UploadLease) async throws -> Document {
        let target = try Target(record.metadata)
        let file = try await blobs.uploadedFile(lease)
        switch target.place {
        case .version(let id):
            return try await documents.addVersion(viewer, id, file: file, mediaType: target.fileType, fileName: target.fileName,
                                                  comment: target.comment, lockToken: nil)
        case .new(let workspace, let folder):
            return try await documents.create(viewer, workspace: workspace, folder: folder, title: target.fileName, file: file,
                                              mediaType: target.fileType, comment: target.comment)
        }
    }

    private func own(_ viewer: Viewer, _ id: String) async throws -> (UploadRecord, Int64) {
        guard let (record, offset) = try await blobs.upload(id), record.owner == "\(viewer.id)", record.expiresAt > clock.now() else {
            throw DomainError.notFound("Upload")
        }
        return (record, offset)
    }

    /// What the metadata asks for.
    struct Target {
        enum Place {
            case new(WorkspaceID, folder: DocumentFolderID?)
            case version(DocumentID)
        }
        var place: Place
        var fileName: String
        var fileType: String?
        var comment: String

        init(_ metadata: [String: String]) throws {
            fileName = metadata["filename"] ?? ""
            fileType = metadata["filetype"].flatMap { $0.isEmpty ? nil : $0 }
            comment = metadata["comment"] ?? ""
            if let text = metadata["document"] {
                guard let id = DocumentID(text) else { throw DomainError.notFound("Document") }
                place = .version(id)
            } else if let text = metadata["workspace"] {
                guard let workspace = WorkspaceID(text) else { throw DomainError.notFound("Workspace") }
                var folder: DocumentFolderID?
                if let raw = metadata["folder"], !raw.isEmpty {
                    guard let id = DocumentFolderID(raw) else { throw DomainError.notFound("Folder") }
                    folder = id
                }
                place = .new(workspace, folder: folder)
            } else {
                throw DomainError.validation([FieldError(field: "Upload-Metadata", message: "needs workspace (a new document) or document (a new version)")])
            }
        }
    }
}
