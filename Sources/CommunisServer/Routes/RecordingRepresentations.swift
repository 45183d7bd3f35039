import CommunisModel
import CommunisServices
import CommunisWire
import Foundation

// The JSON shapes of recordings, as in docs/openapi.yaml.

struct RecordingJSON: Encodable {
    struct ParticipantJSON: Encodable {
        var person: LiveJSON.PersonRef
        var streamId: Int
        var joinedOffsetMs: Int
    }

    var id: RecordingID
    var workspaceId: WorkspaceID
    var workspaceName: String
    var meetingId: MeetingID
    var title: String
    var kind: Recording.Kind
    var state: Recording.State
    var stopReason: Recording.StopReason?
    var startedBy: LiveJSON.PersonRef
    var startedAt: Date
    var endedAt: Date?
    var durationMs: Int
    var sizeBytes: Int64
    var sharedWithOrganisation: Bool
    var chapters: [RecordingChapter]
    /// Where to play it (`GET`, with Range requests); only useful once `complete`.
    var audioUrl: String
    var canManage: Bool
    /// Only on a single recording.
    var participants: [ParticipantJSON]?

    init(_ view: RecordingView) {
        let recording = view.recording
        id = recording.id
        workspaceId = recording.workspaceID
        workspaceName = view.workspaceName
        meetingId = recording.meetingID
        title = recording.title
        kind = recording.kind
        state = recording.state
        stopReason = recording.stopReason
        startedBy = view.startedBy
        startedAt = recording.startedAt
        endedAt = recording.endedAt
        durationMs = recording.durationMs
        sizeBytes = recording.sizeBytes
        sharedWithOrganisation = recording.sharedWithOrganisation
        chapters = recording.chapters
        audioUrl = "/api/v1/recordings/\(recording.id)/audio"
        canManage = view.canManage
        participants = view.participants?.map {
            ParticipantJSON(person: $0.person, streamId: $0.participant.streamID, joinedOffsetMs: $0.participant.joinedOffsetMs)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, workspaceId, workspaceName, meetingId, title, kind, state, stopReason, startedBy, startedAt, endedAt
        case durationMs, sizeBytes, sharedWithOrganisation, chapters, audioUrl, canManage, participants
    }

    // Optional values are written as null rather than left out (participants only on one).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(workspaceId, forKey: .workspaceId)
        try c.encode(workspaceName, forKey: .workspaceName)
        try c.encode(meetingId, forKey: .meetingId)
        try c.encode(title, forKey: .title)
        try c.encode(kind, forKey: .kind)
        try c.encode(state, forKey: .state)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(startedBy, forKey: .startedBy)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(sizeBytes, forKey: .sizeBytes)
        try c.encode(sharedWithOrganisation, forKey: .sharedWithOrganisation)
        try c.encode(chapters, forKey: .chapters)
        try c.encode(audioUrl, forKey: .audioUrl)
        try c.encode(canManage, forKey: .canManage)
        try c.encodeIfPresent(participants, forKey: .participants)
    }
}

/// One `Range: bytes=…` request against a file of `size` bytes (RFC 9110 §14).
enum ByteRange: Equatable {
    /// No range, several ranges, or one the server may ignore: the whole file (200).
    case whole
    /// One satisfiable range (206).
    case part(ClosedRange<Int>)
    /// A well-formed range that lies outside the file (416).
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header = header?.trimmingCharacters(in: .whitespaces) else { self = .whole; return }
        let lower = header.lowercased()
        // Only the bytes unit; a syntactically invalid field is ignored (RFC 9110 §14.2).
        guard lower.hasPrefix("bytes="), !header.contains(",") else { self = .whole; return }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII) else { self = .whole; return }
        if parts[0].isEmpty {
            // `-n`: the last n bytes.
            guard let suffix = Int(parts[1]), suffix >= 0 else { self = .whole; return }
            guard suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .part(max(size - suffix, 0)...(size - 1))
            return
        }
        guard let first = Int(parts[0]), first >= 0 else { self = .whole; return }
        var last = size - 1
        if !parts[1].isEmpty {
            guard let value = Int(parts[1]), value >= first else { self = .whole; return }
            last = min(value, size - 1)
        }
        guard first < size else { self = .unsatisfiable; return }
        self = .part(first...last)
    }
}

enum ContentDisposition {
    /// `attachment` with an ASCII `filename` (å/ä/ö folded, anything unsafe replaced) and the
    /// exact name as RFC 5987 `filename*` in UTF-8 (RFC 6266).
    static func attachment(title: String, extension ext: String) -> String {
        let cleaned = String(title.unicodeScalars.filter { !$0.properties.generalCategory.isControlOrFormat && $0 != "/" && $0 != "\\" }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        let name = (cleaned.isEmpty ? "inspelning" : String(cleaned.prefix(120))) + "." + ext
        var ascii = ""
        for character in name.folding(options: .diacriticInsensitive, locale: Locale(identifier: "en")) {
            if character.isASCII, character.isLetter || character.isNumber || " .-_()".contains(character) {
                ascii.append(character)
            } else {
                ascii.append("_")
            }
        }
        let attrChars = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        var encoded = ""
        for byte in name.utf8 {
            if attrChars.contains(byte) { encoded.append(Character(UnicodeScalar(byte))) } else { encoded += String(format: "%%%02X", byte) }
        }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension Unicode.GeneralCategory {
    var isControlOrFormat: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}
