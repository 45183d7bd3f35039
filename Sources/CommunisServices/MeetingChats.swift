import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// A meeting's chat is a discussion thread of its workspace, kept after the meeting. What makes
/// it different from other threads is decided here:
/// - it carries the meeting (`meeting` on the thread, `meetingId` on its posts), and its
///   opening post is the server's own (`generated`), shown in each reader's language;
/// - guests who came in through the meeting's invitation link may read and write in it, and
///   in no other thread of the workspace;
/// - it stays out of the home feed (the start page shows the meetings going on instead).
struct MeetingChats: Sendable {
    let store: any CommunisStore & LiveStore

    /// The meeting whose chat `thread` is, if any.
    func meeting(of thread: ThreadID) async throws -> Meeting? {
        try await store.meetings(chatThreads: [thread])[thread]
    }

    /// Whether the viewer is a guest from the meeting's invitation link (no member of its
    /// workspace): then this chat is the only thread they may read and write in.
    func isInvitedGuest(_ viewer: Viewer, of meeting: Meeting?) async throws -> Bool {
        guard let meeting, !viewer.role.isEmployee else { return false }
        return try await store.meetingInvitation(meeting: meeting.id, guest: viewer.id) != nil
    }

    /// Marks a page of threads that are meeting chats.
    func decorate(_ threads: Page<LiveJSON.ThreadJSON>) async throws -> Page<LiveJSON.ThreadJSON> {
        let meetings = try await store.meetings(chatThreads: Set(threads.items.map(\.id)))
        guard !meetings.isEmpty else { return threads }
        return threads.map { thread in
            var marked = thread
            marked.meeting = meetings[thread.id].map { LiveJSON.MeetingRef(id: $0.id, title: $0.title) }
            return marked
        }
    }

    func decorate(_ thread: LiveJSON.ThreadJSON, meeting: Meeting?) -> LiveJSON.ThreadJSON {
        var marked = thread
        marked.meeting = meeting.map { LiveJSON.MeetingRef(id: $0.id, title: $0.title) }
        return marked
    }

    /// Marks the posts of a meeting's chat; the opening post, as the server wrote it (by the
    /// meeting's creator, when the thread was made, never edited), is `generated`.
    func decorate(_ posts: Page<LiveJSON.PostJSON>, thread: DiscussionThread, meeting: Meeting?) -> Page<LiveJSON.PostJSON> {
        guard let meeting else { return posts }
        return posts.map { post in
            var marked = post
            marked.meetingId = meeting.id
            if Self.isOpening(post, of: thread, meeting: meeting) {
                marked.generated = .meetingCreated(meeting, by: post.author)
            }
            return marked
        }
    }

    static func isOpening(_ post: LiveJSON.PostJSON, of thread: DiscussionThread, meeting: Meeting) -> Bool {
        post.parentId == nil && !post.deleted && post.editedAt == nil && post.author.id == meeting.createdBy
            && post.author.id == thread.authorID && abs(post.createdAt.timeIntervalSince(thread.createdAt)) < 0.001
    }

    /// The opening post of a new meeting's chat, in Swedish (the stored fallback text).
    static func openingText(creator: String, meeting: Meeting) -> String {
        let when = meeting.scheduledFor.map { " för \(Meetings.swedishDate($0))" } ?? ""
        return "\(creator) skapade mötet **\(meeting.title)**\(when). Här är mötets chatt; den finns kvar efter mötet."
    }
}
