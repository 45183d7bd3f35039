import Foundation

/// A chapter mark inside an embedded recording: a title and where it starts.
public struct RecordingChapter: Sendable, Codable, Equatable {
    public var title: String
    public var offsetMs: Int

    public init(title: String, offsetMs: Int) {
        self.title = title
        self.offsetMs = offsetMs
    }
}

/// A recording embedded in a how-to, with chapter links. Recordings arrive in a later issue:
/// until then `recordingId` is opaque text that nothing resolves or checks, and the article
/// keeps the title and chapters it was given.
public struct RecordingReference: Sendable, Codable, Equatable {
    public var recordingId: String
    public var title: String
    public var chapters: [RecordingChapter]

    public init(recordingId: String, title: String, chapters: [RecordingChapter] = []) {
        self.recordingId = recordingId
        self.title = title
        self.chapters = chapters
    }
}

/// Whom a how-to is written for. Metadata to target and filter ("for me"), never a
/// permission: who may read is decided by the article's scope alone. Empty means everyone.
public struct HowToAudience: Sendable, Codable, Equatable {
    public var departments: [String]
    /// Role names (`admin`, `member`, `guest`).
    public var roles: [String]

    public init(departments: [String] = [], roles: [String] = []) {
        self.departments = departments
        self.roles = roles
    }

    public var isEveryone: Bool { departments.isEmpty && roles.isEmpty }

    /// Whether a person of `role` in `department` is in the audience.
    public func includes(role: Role, department: String) -> Bool {
        if isEveryone { return true }
        let department = department.lowercased()
        return roles.contains(role.rawValue) || (!department.isEmpty && departments.contains { $0.lowercased() == department })
    }
}

/// What one save of a how-to writes: every revision holds all of it.
public struct HowToContent: Sendable, Codable, Equatable {
    public var title: String
    public var summary: String
    /// The steps, Markdown (the safe subset, as in discussions).
    public var body: String
    public var tags: [String]
    public var audience: HowToAudience
    /// A calendar day `YYYY-MM-DD` by which the owner should check the article again.
    public var reviewBy: String?
    public var recordings: [RecordingReference]

    public init(title: String, summary: String = "", body: String, tags: [String] = [], audience: HowToAudience = HowToAudience(),
                reviewBy: String? = nil, recordings: [RecordingReference] = []) {
        self.title = title
        self.summary = summary
        self.body = body
        self.tags = tags
        self.audience = audience
        self.reviewBy = reviewBy
        self.recordings = recordings
    }
}

/// Current articles are listed; archived ones are kept for the record and say so.
public enum HowToStatus: String, Sendable, Codable, CaseIterable {
    case current, archived
}

/// A how-to article (lathund). It belongs to a workspace, or with `workspaceID` nil to the
/// whole organisation. `revision` is the number of its latest save (1 for a new article).
public struct HowTo: Sendable, Equatable, Identifiable {
    public var id: HowToID
    public var workspaceID: WorkspaceID?
    public var ownerID: PersonID
    public var status: HowToStatus
    public var content: HowToContent
    public var revision: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var updatedBy: PersonID

    public init(id: HowToID = HowToID(), workspaceID: WorkspaceID?, ownerID: PersonID, status: HowToStatus = .current, content: HowToContent,
                revision: Int = 1, createdAt: Date, updatedAt: Date? = nil, updatedBy: PersonID? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.ownerID = ownerID
        self.status = status
        self.content = content
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.updatedBy = updatedBy ?? ownerID
    }

    /// Due for review on and after its review-by day (`today` is `YYYY-MM-DD`, the
    /// organisation's calendar day); archived articles are never due.
    public func isReviewDue(today: String) -> Bool {
        guard status == .current, let reviewBy = content.reviewBy else { return false }
        return reviewBy <= today
    }
}

/// One save of a how-to: who, when, and everything it held then. `restoredFrom` names the
/// revision a restore copied.
public struct HowToRevision: Sendable, Equatable {
    public var howToID: HowToID
    public var number: Int
    public var content: HowToContent
    public var authorID: PersonID
    public var createdAt: Date
    public var restoredFrom: Int?

    public init(howToID: HowToID, number: Int, content: HowToContent, authorID: PersonID, createdAt: Date, restoredFrom: Int? = nil) {
        self.howToID = howToID
        self.number = number
        self.content = content
        self.authorID = authorID
        self.createdAt = createdAt
        self.restoredFrom = restoredFrom
    }
}
