import CommunisModel
import Foundation

/// The JSON shapes of documents and folders: the same in live events (docs/protocol.md,
/// "Documents") and over HTTP (docs/openapi.yaml, `Document`, `Folder`). An event carries the
/// fields every reader sees alike: no lock token, no `mine`, no `canApprove`/`canWrite`;
/// the HTTP answers add those for the one asking.
extension LiveJSON {
    public struct FolderJSON: Codable, Sendable, Equatable {
        public var id: DocumentFolderID
        public var workspaceId: WorkspaceID
        public var parentId: DocumentFolderID?
        public var name: String
        public var createdBy: PersonRef
        public var createdAt: Date
        public var updatedAt: Date

        public init(_ folder: DocumentFolder, createdBy: PersonRef) {
            id = folder.id
            workspaceId = folder.workspaceID
            parentId = folder.parentID
            name = folder.name
            self.createdBy = createdBy
            createdAt = folder.createdAt
            updatedAt = folder.updatedAt
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(workspaceId, forKey: .workspaceId)
            try c.encode(parentId, forKey: .parentId)  // null at the top
            try c.encode(name, forKey: .name)
            try c.encode(createdBy, forKey: .createdBy)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
        }
    }

    /// One step of a document's folder path, from the top.
    public struct PathItem: Codable, Sendable, Equatable {
        public var id: DocumentFolderID
        public var name: String
        public init(id: DocumentFolderID, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct DocumentVersionJSON: Codable, Sendable, Equatable {
        public var number: Int
        public var size: Int64
        public var mediaType: String
        public var fileName: String
        public var comment: String
        public var createdBy: PersonRef
        public var createdAt: Date
        public var restoredFrom: Int?
        /// Whether this is the version marked fastställd.
        public var approved: Bool
        public var sha256: String

        public init(_ version: DocumentVersion, createdBy: PersonRef, approved: Bool) {
            number = version.number
            size = version.size
            mediaType = version.mediaType
            fileName = version.fileName
            comment = version.comment
            self.createdBy = createdBy
            createdAt = version.createdAt
            restoredFrom = version.restoredFrom
            self.approved = approved
            sha256 = version.sha256
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(number, forKey: .number)
            try c.encode(size, forKey: .size)
            try c.encode(mediaType, forKey: .mediaType)
            try c.encode(fileName, forKey: .fileName)
            try c.encode(comment, forKey: .comment)
            try c.encode(createdBy, forKey: .createdBy)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(restoredFrom, forKey: .restoredFrom)
            try c.encode(approved, forKey: .approved)
            try c.encode(sha256, forKey: .sha256)
        }
    }

    public struct ApprovalJSON: Codable, Sendable, Equatable {
        public var version: Int
        public var by: PersonRef
        public var at: Date
        public init(version: Int, by: PersonRef, at: Date) {
            self.version = version
            self.by = by
            self.at = at
        }
    }

    public struct LockJSON: Codable, Sendable, Equatable {
        public var holder: PersonRef
        public var lockedAt: Date
        public var expiresAt: Date
        /// Whether the one asking holds it (HTTP only).
        public var mine: Bool?
        /// The lock token, only for its holder (HTTP only): WebDAV `If:` and unlocking.
        public var token: String?

        public init(_ lock: DocumentLock, holder: PersonRef, viewer: PersonID?) {
            self.holder = holder
            lockedAt = lock.lockedAt
            expiresAt = lock.expiresAt
            if let viewer {
                mine = lock.holderID == viewer
                token = lock.holderID == viewer ? lock.token : nil
            }
        }
    }

    public struct PreviewJSON: Codable, Sendable, Equatable {
        /// `ready`, `pending`, `none` (this type gets none) or `failed`.
        public var state: String
        public var pages: Int
        public init(state: String, pages: Int) {
            self.state = state
            self.pages = pages
        }
    }

    public struct DocumentJSON: Codable, Sendable, Equatable {
        public var id: DocumentID
        public var workspaceId: WorkspaceID
        public var workspaceName: String
        public var folderId: DocumentFolderID?
        public var path: [PathItem]
        public var title: String
        public var mediaType: String
        public var size: Int64
        /// The current version's number.
        public var version: Int
        public var current: DocumentVersionJSON
        public var approved: ApprovalJSON?
        public var lock: LockJSON?
        public var createdBy: PersonRef
        public var createdAt: Date
        public var updatedAt: Date
        public var trashedAt: Date?
        public var sharedExternally: Bool
        public var url: String
        public var contentUrl: String
        public var davUrl: String
        public var preview: PreviewJSON
        /// HTTP only: what the one asking may do.
        public var canApprove: Bool?
        public var canWrite: Bool?

        public init(id: DocumentID, workspaceId: WorkspaceID, workspaceName: String, folderId: DocumentFolderID?, path: [PathItem], title: String,
                    current: DocumentVersionJSON, approved: ApprovalJSON?, lock: LockJSON?, createdBy: PersonRef, createdAt: Date,
                    updatedAt: Date, trashedAt: Date?, sharedExternally: Bool, davUrl: String, preview: PreviewJSON) {
            self.id = id
            self.workspaceId = workspaceId
            self.workspaceName = workspaceName
            self.folderId = folderId
            self.path = path
            self.title = title
            mediaType = current.mediaType
            size = current.size
            version = current.number
            self.current = current
            self.approved = approved
            self.lock = lock
            self.createdBy = createdBy
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.trashedAt = trashedAt
            self.sharedExternally = sharedExternally
            url = "#/documents/\(id)"
            contentUrl = "/api/v1/documents/\(id)/content"
            self.davUrl = davUrl
            self.preview = preview
        }

        /// `folderId`, `approved`, `lock` and `trashedAt` are written as null when empty (the
        /// documented shape); `canApprove`/`canWrite` are left out of events.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(workspaceId, forKey: .workspaceId)
            try c.encode(workspaceName, forKey: .workspaceName)
            try c.encode(folderId, forKey: .folderId)
            try c.encode(path, forKey: .path)
            try c.encode(title, forKey: .title)
            try c.encode(mediaType, forKey: .mediaType)
            try c.encode(size, forKey: .size)
            try c.encode(version, forKey: .version)
            try c.encode(current, forKey: .current)
            try c.encode(approved, forKey: .approved)
            try c.encode(lock, forKey: .lock)
            try c.encode(createdBy, forKey: .createdBy)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
            try c.encode(trashedAt, forKey: .trashedAt)
            try c.encode(sharedExternally, forKey: .sharedExternally)
            try c.encode(url, forKey: .url)
            try c.encode(contentUrl, forKey: .contentUrl)
            try c.encode(davUrl, forKey: .davUrl)
            try c.encode(preview, forKey: .preview)
            try c.encodeIfPresent(canApprove, forKey: .canApprove)
            try c.encodeIfPresent(canWrite, forKey: .canWrite)
        }
    }

    // Event payloads.
    public struct DocumentEvent: Codable, Sendable, Equatable { public var document: DocumentJSON
        public init(document: DocumentJSON) { self.document = document } }
    public struct FolderEvent: Codable, Sendable, Equatable { public var folder: FolderJSON
        public init(folder: FolderJSON) { self.folder = folder } }
    public struct FolderDeleted: Codable, Sendable, Equatable { public var folderId: DocumentFolderID
        public init(folderId: DocumentFolderID) { self.folderId = folderId } }
}
