import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// A stored post event of a meeting's chat (its post carries `meetingId`), which the meeting's
/// guests are also sent on the meeting's topic (`meeting.chat`).
struct MeetingChatPost {
    var meeting: MeetingID
    var post: JSONValue

    init?(_ event: WorkspaceEvent) {
        // Asked of every post event published: the bytes are searched before anything is decoded.
        guard [LiveEvent.postCreated, .postEdited, .postDeleted].contains(where: { $0.rawValue == event.kind }),
              event.payload.firstRange(of: Self.marker) != nil,
              case .object(let payload) = JSONValue.decode(event.payload), let post = payload["post"],
              case .object(let fields) = post, case .string(let id)? = fields["meetingId"], let meeting = MeetingID(id) else { return nil }
        self.meeting = meeting
        self.post = post
    }

    private static let marker = Data(#""meetingId""#.utf8)
}
