import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

// The JSON shapes of the meeting operations, as in docs/openapi.yaml.

/// A workspace named in a list across workspaces.
struct WorkspaceName: Encodable {
    var id: WorkspaceID
    var name: String
}

struct MeetingJSON: Encodable {
    var id: MeetingID
    var workspaceId: WorkspaceID
    var title: String
    var state: Meeting.State
    var scheduledFor: Date?
    var createdBy: LiveJSON.PersonRef
    var createdAt: Date
    var startedAt: Date?
    var endedAt: Date?
    var endedBy: LiveJSON.PersonRef?
    var threadId: ThreadID
    /// Are you a moderator of it (its creator or an owner of its workspace).
    var moderator: Bool
    /// Who is in it now (live meetings; empty otherwise).
    var participants: [LiveJSON.PersonRef]
    /// In lists across workspaces only.
    var workspace: WorkspaceName?

    init(_ view: MeetingView) {
        let meeting = view.meeting
        id = meeting.id
        workspaceId = meeting.workspaceID
        title = meeting.title
        state = meeting.state
        scheduledFor = meeting.scheduledFor
        createdBy = view.createdBy
        createdAt = meeting.createdAt
        startedAt = meeting.startedAt
        endedAt = meeting.endedAt
        endedBy = view.endedBy
        threadId = meeting.threadID
        moderator = view.moderator
        participants = meeting.state == .live ? view.participants : []
        workspace = view.workspaceName.map { WorkspaceName(id: meeting.workspaceID, name: $0) }
    }

    enum CodingKeys: String, CodingKey {
        case id, workspaceId, title, state, scheduledFor, createdBy, createdAt, startedAt, endedAt, endedBy, threadId, moderator, participants, workspace
    }

    // Optional times are written as null rather than left out, as the document says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(workspaceId, forKey: .workspaceId)
        try c.encode(title, forKey: .title)
        try c.encode(state, forKey: .state)
        try c.encode(scheduledFor, forKey: .scheduledFor)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(endedBy, forKey: .endedBy)
        try c.encode(threadId, forKey: .threadId)
        try c.encode(moderator, forKey: .moderator)
        try c.encode(participants, forKey: .participants)
        try c.encodeIfPresent(workspace, forKey: .workspace)
    }
}

struct MeetingInvitationJSON: Encodable {
    var id: MeetingInvitationID
    var url: String
    /// Shown once; only its SHA-256 is stored.
    var token: String
    var expiresAt: Date
    var guestName: String
    var guestEmail: String?
    /// The link was put in the outbox for the guest.
    var emailed: Bool
}

/// What the landing page of a guest link shows.
struct MeetingInvitationInfoJSON: Encodable {
    var meetingId: MeetingID
    var meetingTitle: String
    var scheduledFor: Date?
    var workspaceName: String
    var inviter: LiveJSON.PersonRef
    var guestName: String
    var expiresAt: Date

    init(_ info: MeetingInvitationInfo) {
        meetingId = info.meetingID
        meetingTitle = info.meetingTitle
        scheduledFor = info.scheduledFor
        workspaceName = info.workspaceName
        inviter = info.inviter
        guestName = info.guestName
        expiresAt = info.expiresAt
    }
}

/// The answer to following a guest link: the session it started and where to go.
struct MeetingGuestSessionJSON: Encodable {
    var meetingId: MeetingID
    var user: PersonJSON
    var csrfToken: String
    var expiresAt: Date
}

struct AttendanceJSON: Encodable {
    var person: LiveJSON.PersonRef
    var joinedAt: Date
    var leftAt: Date?

    init(_ entry: AttendanceEntry) {
        person = entry.person
        joinedAt = entry.joinedAt
        leftAt = entry.leftAt
    }

    enum CodingKeys: String, CodingKey { case person, joinedAt, leftAt }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(person, forKey: .person)
        try c.encode(joinedAt, forKey: .joinedAt)
        try c.encode(leftAt, forKey: .leftAt)
    }
}

/// The Prometheus text exposition format 0.0.4: one `# HELP`, one `# TYPE` and one sample
/// line per metric, `\n` line ends, a final newline.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    struct Metric {
        enum Kind: String { case gauge, counter }
        var name: String
        var kind: Kind
        var help: String
        var value: Int
    }

    static func render(_ metrics: [Metric]) -> String {
        var text = ""
        var described: Set<Substring> = []
        for metric in metrics {
            // A labelled sample (`name{label="x"}`) shares its family's HELP and TYPE.
            let family = metric.name.prefix { $0 != "{" }
            if described.insert(family).inserted {
                text += "# HELP \(family) \(metric.help)\n"
                text += "# TYPE \(family) \(metric.kind.rawValue)\n"
            }
            text += "\(metric.name) \(metric.value)\n"
        }
        return text
    }

    /// A label value, quoted and escaped as the format wants.
    static func label(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func meetings(_ gauges: MeetingGauges, audio: AudioMetrics.Snapshot) -> [Metric] {
        [
            Metric(name: "communis_meetings_live", kind: .gauge, help: "Meetings that are live now.", value: gauges.liveMeetings),
            Metric(name: "communis_meeting_participants", kind: .gauge, help: "Participants admitted to live meetings now.", value: gauges.participants),
            Metric(name: "communis_meeting_lobby", kind: .gauge, help: "People waiting in meeting lobbies now.", value: gauges.lobby),
            Metric(name: "communis_audio_packets_in_total", kind: .counter, help: "Audio frames received from admitted participants.", value: audio.packetsIn),
            Metric(name: "communis_audio_packets_out_total", kind: .counter, help: "Audio frames handed to listeners.", value: audio.packetsOut),
            Metric(name: "communis_audio_dropped_slow_total", kind: .counter, help: "Audio frames dropped because a listener could not keep up.", value: audio.droppedSlow),
            Metric(name: "communis_audio_dropped_stale_total", kind: .counter, help: "Audio frames dropped because they waited for a listener longer than meeting.audio_max_age_ms.", value: audio.droppedStale),
            Metric(name: "communis_audio_malformed_total", kind: .counter, help: "Audio frames refused as malformed.", value: audio.malformed),
            Metric(name: "communis_audio_unrouted_total", kind: .counter, help: "Binary frames from connections not admitted to a meeting.", value: audio.unrouted),
            Metric(name: "communis_audio_rate_limited_total", kind: .counter, help: "Audio frames over a sender's packet rate.", value: audio.rateLimited),
            Metric(name: "communis_audio_muted_dropped_total", kind: .counter, help: "Audio frames from muted senders, not forwarded.", value: audio.mutedDropped),
        ]
    }
}
