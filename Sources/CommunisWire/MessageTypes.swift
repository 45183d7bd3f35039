import CommunisModel

/// Every message a client may send (docs/protocol.md, "Client → server", "Meetings" and
/// "Recording"): the raw value is the envelope's `type`, byte for byte. A `type` that is not
/// one of these is answered with `unknown-type`. `Tests/CommunisWireTests` holds this list
/// against the document in both directions.
public enum LiveCommand: String, Sendable, CaseIterable {
    case subscribe
    case unsubscribe
    case presenceSet = "presence.set"
    /// "I am writing in this thread"; the only command that is not acknowledged.
    case typing
    case threadCreate = "thread.create"
    case postCreate = "post.create"
    case postEdit = "post.edit"
    case postDelete = "post.delete"
    case reactionAdd = "reaction.add"
    case reactionRemove = "reaction.remove"
    case blogSave = "blog.save"
    case blogDelete = "blog.delete"
    case blogComment = "blog.comment"
    case ping

    case meetingJoin = "meeting.join"
    case meetingLeave = "meeting.leave"
    case meetingMute = "meeting.mute"
    case meetingHand = "meeting.hand"
    case meetingAdmit = "meeting.admit"
    case meetingDeny = "meeting.deny"
    case meetingRemove = "meeting.remove"
    case meetingEnd = "meeting.end"
    case meetingStats = "meeting.stats"
    case meetingQuality = "meeting.quality"
    case meetingRecordingStart = "meeting.recording.start"
    case meetingRecordingStop = "meeting.recording.stop"
    case meetingRecordingChapter = "meeting.recording.chapter"

    /// Whether the command is about a meeting (its topic is `meeting:<id>`).
    public var isMeeting: Bool { rawValue.hasPrefix("meeting.") }
}

/// Every message the server sends (docs/protocol.md, "Server → client", "Meetings" and
/// "Recording"): the raw value is the envelope's `type`, byte for byte.
///
/// The store keeps a stored event's kind as text (`EventDraft.kind`, `WorkspaceEvent.kind`):
/// CommunisStore sits below the protocol and must not depend on it, and the log outlives any
/// one version of this enum — an event stored by an older server is still sent as it was
/// stored (`Wire.frame(_:topic:)`) rather than dropped or mistyped. Everything above the store
/// (the services that write events, the hub that sends them) names kinds only through this
/// enum, so a kind the document does not list cannot be written.
public enum LiveEvent: String, Sendable, CaseIterable {
    // Answers and greeting.
    /// The first message of every connection.
    case welcome
    /// The answer to a command that succeeded (carries the command's `ref`).
    case ack
    /// The answer to a command that failed (carries the command's `ref`); never closes.
    case error

    // Workspace events: stored first, numbered (`seq`), resumable.
    case threadCreated = "thread.created"
    case postCreated = "post.created"
    case postEdited = "post.edited"
    case postDeleted = "post.deleted"
    case reactionAdded = "reaction.added"
    case reactionRemoved = "reaction.removed"
    case blogPublished = "blog.published"
    case blogUpdated = "blog.updated"
    case blogDeleted = "blog.deleted"
    case blogCommented = "blog.commented"
    /// Documents (docs/protocol.md, "Documents"): `{document}` or `{folder}` / `{folderId}`.
    case documentAdded = "document.added"
    case documentVersioned = "document.versioned"
    case documentApproved = "document.approved"
    case documentLocked = "document.locked"
    case documentUnlocked = "document.unlocked"
    case documentMoved = "document.moved"
    case documentDeleted = "document.deleted"
    case documentRestored = "document.restored"
    case folderCreated = "folder.created"
    case folderUpdated = "folder.updated"
    case folderDeleted = "folder.deleted"

    // Workspace messages that are not stored (no `seq`).
    case presenceState = "presence.state"
    case presenceDiff = "presence.diff"
    case typing
    /// Who is in a meeting of the workspace right now.
    case meetingRoster = "meeting.roster"
    /// The events a resuming client missed are no longer kept: reload over HTTP.
    case reload
    /// The subscription ended (removed from the workspace, or it was deleted).
    case unsubscribed

    // Personal messages (no topic).
    case notification
    /// A news item became published for the person (docs/protocol.md, "News"): a NewsSummary.
    case newsPublished = "news.published"
    /// A published news item the person may read was revised: a NewsSummary.
    case newsUpdated = "news.updated"

    // Meeting messages (topic `meeting:<id>`, never stored).
    case meetingParticipantJoined = "meeting.participant.joined"
    case meetingParticipantUpdated = "meeting.participant.updated"
    case meetingParticipantLeft = "meeting.participant.left"
    case meetingLobby = "meeting.lobby"
    case meetingAdmitted = "meeting.admitted"
    case meetingRemoved = "meeting.removed"
    case meetingSpeaking = "meeting.speaking"
    case meetingEnded = "meeting.ended"
    case meetingRecording = "meeting.recording"
    case meetingRecordingChapter = "meeting.recording.chapter"
    case meetingRecordingBehind = "meeting.recording.behind"
    /// A post of the meeting's chat was written, edited or deleted (for the meeting's guests,
    /// who do not follow the workspace).
    case meetingChat = "meeting.chat"

    /// Whether messages of this type are workspace events: stored before they are sent and
    /// carrying a `seq` a client can resume from.
    public var isStored: Bool {
        switch self {
        case .threadCreated, .postCreated, .postEdited, .postDeleted, .reactionAdded, .reactionRemoved,
             .blogPublished, .blogUpdated, .blogDeleted, .blogCommented,
             .documentAdded, .documentVersioned, .documentApproved, .documentLocked, .documentUnlocked, .documentMoved,
             .documentDeleted, .documentRestored, .folderCreated, .folderUpdated, .folderDeleted:
            true
        default:
            false
        }
    }

    /// The stored events the home feed shows.
    public static let feed: Set<LiveEvent> = [.threadCreated, .postCreated, .blogPublished, .blogCommented]
}

extension WorkspaceEvent {
    /// The stored kind as a `LiveEvent`; nil for a kind this server does not know (written by
    /// another version), which is still sent as stored.
    public var liveEvent: LiveEvent? { LiveEvent(rawValue: kind) }
}
