import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

// The JSON shapes of the knowledge bank's operations, as in docs/openapi.yaml.

struct HowToJSON: Encodable {
    var id: HowToID
    /// null: organisation-wide.
    var workspaceId: WorkspaceID?
    var workspaceName: String?
    var title: String
    var summary: String
    var body: String
    var tags: [String]
    var audience: HowToAudience
    var reviewBy: String?
    /// Current and its review-by day has come: its owner should check it.
    var reviewDue: Bool
    /// Opaque references until recordings exist (issue 5, later): `{recordingId, title, chapters}`.
    var recordings: [RecordingReference]
    var status: HowToStatus
    var revision: Int
    var owner: LiveJSON.PersonRef
    var createdAt: Date
    var updatedAt: Date
    var updatedBy: LiveJSON.PersonRef
    var canEdit: Bool
    var canManage: Bool

    init(_ view: HowToView) {
        let howTo = view.howTo
        id = howTo.id
        workspaceId = howTo.workspaceID
        workspaceName = view.workspaceName
        title = howTo.content.title
        summary = howTo.content.summary
        body = howTo.content.body
        tags = howTo.content.tags
        audience = howTo.content.audience
        reviewBy = howTo.content.reviewBy
        reviewDue = view.reviewDue
        recordings = howTo.content.recordings
        status = howTo.status
        revision = howTo.revision
        owner = view.owner
        createdAt = howTo.createdAt
        updatedAt = howTo.updatedAt
        updatedBy = view.updatedBy
        canEdit = view.canEdit
        canManage = view.canManage
    }

    enum CodingKeys: String, CodingKey {
        case id, workspaceId, workspaceName, title, summary, body, tags, audience, reviewBy, reviewDue, recordings, status, revision
        case owner, createdAt, updatedAt, updatedBy, canEdit, canManage
    }

    // Optional values are written as null rather than left out, as the document says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(workspaceId, forKey: .workspaceId)
        try c.encode(workspaceName, forKey: .workspaceName)
        try c.encode(title, forKey: .title)
        try c.encode(summary, forKey: .summary)
        try c.encode(body, forKey: .body)
        try c.encode(tags, forKey: .tags)
        try c.encode(audience, forKey: .audience)
        try c.encode(reviewBy, forKey: .reviewBy)
        try c.encode(reviewDue, forKey: .reviewDue)
        try c.encode(recordings, forKey: .recordings)
        try c.encode(status, forKey: .status)
        try c.encode(revision, forKey: .revision)
        try c.encode(owner, forKey: .owner)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(updatedBy, forKey: .updatedBy)
        try c.encode(canEdit, forKey: .canEdit)
        try c.encode(canManage, forKey: .canManage)
    }
}

/// One revision: who saved it, when, and everything it held.
struct HowToRevisionJSON: Encodable {
    var number: Int
    var author: LiveJSON.PersonRef
    var createdAt: Date
    var restoredFrom: Int?
    var title: String
    var summary: String
    var body: String
    var tags: [String]
    var audience: HowToAudience
    var reviewBy: String?
    var recordings: [RecordingReference]

    init(_ view: HowToRevisionView) {
        let revision = view.revision
        number = revision.number
        author = view.author
        createdAt = revision.createdAt
        restoredFrom = revision.restoredFrom
        title = revision.content.title
        summary = revision.content.summary
        body = revision.content.body
        tags = revision.content.tags
        audience = revision.content.audience
        reviewBy = revision.content.reviewBy
        recordings = revision.content.recordings
    }

    enum CodingKeys: String, CodingKey {
        case number, author, createdAt, restoredFrom, title, summary, body, tags, audience, reviewBy, recordings
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(author, forKey: .author)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(restoredFrom, forKey: .restoredFrom)
        try c.encode(title, forKey: .title)
        try c.encode(summary, forKey: .summary)
        try c.encode(body, forKey: .body)
        try c.encode(tags, forKey: .tags)
        try c.encode(audience, forKey: .audience)
        try c.encode(reviewBy, forKey: .reviewBy)
        try c.encode(recordings, forKey: .recordings)
    }
}

/// A revision in the history list (without its text).
struct HowToRevisionSummaryJSON: Encodable {
    var number: Int
    var author: LiveJSON.PersonRef
    var createdAt: Date
    var restoredFrom: Int?
    var title: String

    init(_ view: HowToRevisionView) {
        number = view.revision.number
        author = view.author
        createdAt = view.revision.createdAt
        restoredFrom = view.revision.restoredFrom
        title = view.revision.content.title
    }

    enum CodingKeys: String, CodingKey { case number, author, createdAt, restoredFrom, title }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(author, forKey: .author)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(restoredFrom, forKey: .restoredFrom)
        try c.encode(title, forKey: .title)
    }
}

struct HowToDiffJSON: Encodable {
    var from: HowToRevisionSummaryJSON
    var to: HowToRevisionSummaryJSON
    var fields: [FieldDiff]
}
