import Foundation

public enum DocumentTag {}
public enum DocumentFolderTag {}

public typealias DocumentID = ID<DocumentTag>
public typealias DocumentFolderID = ID<DocumentFolderTag>

/// A folder in a workspace's document library. `parentID` nil: at the library's top.
/// Names are unique among everything (folders and documents) directly in one parent,
/// compared case-insensitively, as file systems and WebDAV clients expect.
public struct DocumentFolder: Sendable, Codable, Equatable {
    public var id: DocumentFolderID
    public var workspaceID: WorkspaceID
    public var parentID: DocumentFolderID?
    public var name: String
    public var createdBy: PersonID
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: DocumentFolderID = DocumentFolderID(), workspaceID: WorkspaceID, parentID: DocumentFolderID?, name: String,
                createdBy: PersonID, createdAt: Date, updatedAt: Date? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.parentID = parentID
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// Who has checked a document out (a lock), and until when. `token` is the WebDAV lock
/// token (`opaquelocktoken:<uuid>`); the web client's locks have one too.
public struct DocumentLock: Sendable, Codable, Equatable {
    public var holderID: PersonID
    public var token: String
    public var lockedAt: Date
    public var expiresAt: Date

    public init(holderID: PersonID, token: String = "opaquelocktoken:\(UUID().uuidString.lowercased())", lockedAt: Date, expiresAt: Date) {
        self.holderID = holderID
        self.token = token
        self.lockedAt = lockedAt
        self.expiresAt = expiresAt
    }

    /// Whether the lock still holds at `now` (an expired lock holds nobody back).
    public func holds(at now: Date) -> Bool { expiresAt > now }
}

/// One stored version of a document. The bytes are a content-addressed file (`sha256`, hex);
/// identical content is stored once however many versions and documents use it.
public struct DocumentVersion: Sendable, Codable, Equatable {
    public var documentID: DocumentID
    /// 1, 2, 3 … without gaps; a restore is a new version (`restoredFrom` says which).
    public var number: Int
    public var sha256: String
    public var size: Int64
    public var mediaType: String
    /// The file name it was uploaded under (the document's title may change later).
    public var fileName: String
    public var comment: String
    public var createdBy: PersonID
    public var createdAt: Date
    public var restoredFrom: Int?

    public init(documentID: DocumentID, number: Int, sha256: String, size: Int64, mediaType: String, fileName: String,
                comment: String = "", createdBy: PersonID, createdAt: Date, restoredFrom: Int? = nil) {
        self.documentID = documentID
        self.number = number
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
        self.fileName = fileName
        self.comment = comment
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.restoredFrom = restoredFrom
    }
}

/// A document: one copy, in one workspace's library, with its whole history. `title` is its
/// file name in the library (what WebDAV shows); `current` is its newest version.
public struct Document: Sendable, Codable, Equatable {
    public var id: DocumentID
    public var workspaceID: WorkspaceID
    public var folderID: DocumentFolderID?
    public var title: String
    /// The newest version (its number is `currentVersion`).
    public var current: DocumentVersion
    /// The version marked fastställd (approved), if any.
    public var approvedVersion: Int?
    public var approvedBy: PersonID?
    public var approvedAt: Date?
    public var lock: DocumentLock?
    public var createdBy: PersonID
    public var createdAt: Date
    /// The last change of content, name or place.
    public var updatedAt: Date
    /// Set while in the trash.
    public var trashedAt: Date?
    public var trashedBy: PersonID?

    public var currentVersion: Int { current.number }

    public init(id: DocumentID = DocumentID(), workspaceID: WorkspaceID, folderID: DocumentFolderID?, title: String, current: DocumentVersion,
                approvedVersion: Int? = nil, approvedBy: PersonID? = nil, approvedAt: Date? = nil, lock: DocumentLock? = nil,
                createdBy: PersonID, createdAt: Date, updatedAt: Date? = nil, trashedAt: Date? = nil, trashedBy: PersonID? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.folderID = folderID
        self.title = title
        self.current = current
        self.approvedVersion = approvedVersion
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.lock = lock
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.trashedAt = trashedAt
        self.trashedBy = trashedBy
    }
}

/// The rules for names in a library (folders and documents alike).
public enum DocumentRules {
    public static let maxNameLength = 200
    public static let maxCommentLength = 1_000
    public static let maxFolderDepth = 20

    /// Checks a folder or document name: not empty, at most `maxNameLength` characters, no
    /// `/` or `\`, no control characters, not `.` or `..`, no leading or trailing spaces.
    public static func nameErrors(_ name: String, field: String = "name") -> [FieldError] {
        var errors: [FieldError] = []
        if name.isEmpty || name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(FieldError(field: field, message: "must not be empty"))
        } else if name.count > maxNameLength {
            errors.append(FieldError(field: field, message: "must be at most \(maxNameLength) characters"))
        } else if name == "." || name == ".." {
            errors.append(FieldError(field: field, message: "must not be . or .."))
        } else if name.contains(where: { $0 == "/" || $0 == "\\" || $0.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) } }) {
            errors.append(FieldError(field: field, message: "must not contain / or \\ or control characters"))
        } else if name != name.trimmingCharacters(in: .whitespaces) {
            errors.append(FieldError(field: field, message: "must not start or end with a space"))
        }
        return errors
    }

    /// The key two names collide on (case-insensitive, Unicode-normalised).
    public static func nameKey(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping.lowercased()
    }
}
