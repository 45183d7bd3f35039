import Foundation

/// A web meeting (webbmöte). It always belongs to a workspace: its members may join, its chat is
/// a discussion thread of that workspace (`threadID`, created with the meeting), and guests
/// come in through a named invitation link and wait in the lobby until a moderator admits them.
/// A meeting is scheduled (a time ahead, nobody in it yet), live (someone joined and it has not
/// ended) or ended (for good: nobody can join an ended meeting).
public struct Meeting: Sendable, Codable, Equatable, Identifiable {
    public var id: MeetingID
    public var workspaceID: WorkspaceID
    public var title: String
    /// When it is planned to start; nil for an ad hoc meeting.
    public var scheduledFor: Date?
    public var createdBy: PersonID
    public var createdAt: Date
    /// The workspace discussion thread that is the meeting's chat.
    public var threadID: ThreadID
    /// When the first participant joined.
    public var startedAt: Date?
    public var endedAt: Date?
    public var endedBy: PersonID?

    public init(id: MeetingID = MeetingID(), workspaceID: WorkspaceID, title: String, scheduledFor: Date? = nil, createdBy: PersonID,
                createdAt: Date, threadID: ThreadID, startedAt: Date? = nil, endedAt: Date? = nil, endedBy: PersonID? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.title = title
        self.scheduledFor = scheduledFor
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.threadID = threadID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endedBy = endedBy
    }

    public enum State: String, Sendable, Codable {
        case scheduled, live, ended
    }

    public var state: State {
        if endedAt != nil { return .ended }
        return startedAt == nil ? .scheduled : .live
    }
}

/// A link that lets one named person from outside into one meeting (through the lobby).
/// Only the SHA-256 of its token is stored.
public struct MeetingInvitation: Sendable, Codable, Equatable, Identifiable {
    public var id: MeetingInvitationID
    public var meetingID: MeetingID
    /// The guest's name as the inviter wrote it; shown in the lobby and the participant list.
    public var guestName: String
    public var guestEmail: String?
    public var tokenHash: String
    public var createdBy: PersonID
    public var createdAt: Date
    public var expiresAt: Date
    /// The guest account the link signs in as, made when the link is first opened.
    public var guestID: PersonID?

    public init(id: MeetingInvitationID = MeetingInvitationID(), meetingID: MeetingID, guestName: String, guestEmail: String? = nil,
                tokenHash: String, createdBy: PersonID, createdAt: Date, expiresAt: Date, guestID: PersonID? = nil) {
        self.id = id
        self.meetingID = meetingID
        self.guestName = guestName
        self.guestEmail = guestEmail
        self.tokenHash = tokenHash
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.guestID = guestID
    }
}

/// One stay of one person in a meeting, from joining to leaving (kept for the record).
public struct MeetingAttendance: Sendable, Codable, Equatable {
    public var meetingID: MeetingID
    public var personID: PersonID
    public var joinedAt: Date
    public var leftAt: Date?

    public init(meetingID: MeetingID, personID: PersonID, joinedAt: Date, leftAt: Date? = nil) {
        self.meetingID = meetingID
        self.personID = personID
        self.joinedAt = joinedAt
        self.leftAt = leftAt
    }
}
