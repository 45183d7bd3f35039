import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import Logging
import NIOCore

/// One connection's conversation: reads its commands one at a time, checks them, calls the
/// services and the hub, and answers each with `ack` or `error` (same `ref`). Owned by the
/// connection's task; nothing else touches it.
public final class LiveSession {
    public struct Limits: Sendable {
        /// Commands a connection may send in a burst, and refilled per second after that.
        public var burst: Int
        public var perSecond: Double

        public init(burst: Int = 40, perSecond: Double = 10) {
            self.burst = burst
            self.perSecond = perSecond
        }
    }

    let viewer: Viewer
    let sink: any LiveSink
    let hub: Hub
    let workspaces: Workspaces
    let discussions: Discussions
    let blogs: Blogs
    let meetings: Meetings
    let logger: Logger
    /// In a cluster: sends meeting commands to the node that relays the meeting.
    let forwarder: (any MeetingForwarder)?
    private var bucket: TokenBucket
    private var sessionHash: String?

    public init(viewer: Viewer, sink: any LiveSink, hub: Hub, workspaces: Workspaces, discussions: Discussions, blogs: Blogs, meetings: Meetings,
                limits: Limits, forwarder: (any MeetingForwarder)? = nil, logger: Logger) {
        self.forwarder = forwarder
        self.blogs = blogs
        self.meetings = meetings
        self.viewer = viewer
        self.sink = sink
        self.hub = hub
        self.workspaces = workspaces
        self.discussions = discussions
        self.logger = logger
        self.bucket = TokenBucket(capacity: Double(limits.burst), perSecond: limits.perSecond)
    }

    /// Registers the connection and greets the client.
    public func start(limits: [String: Int], sessionHash: String?) async {
        self.sessionHash = sessionHash
        await hub.register(sink, viewer: viewer, sessionHash: sessionHash)
        struct Welcome: Encodable {
            var protocolVersion = Wire.version
            var person: LiveJSON.PersonRef
            var limits: [String: Int]
        }
        sink.send(ByteBuffer(bytes: Wire.frame(type: .welcome, value: Welcome(person: .init(id: viewer.id, name: viewer.person.name), limits: limits))))
    }

    /// Registers a connection that another node of the cluster forwards here (its meeting is
    /// relayed here); its client was greeted there, so no `welcome`.
    public func attachForwarded(sessionHash: String?) async {
        self.sessionHash = sessionHash
        await hub.register(sink, viewer: viewer, sessionHash: sessionHash)
    }

    public func finish() async {
        await forwarder?.disconnected(sink.connectionID)
        await hub.unregister(sink.connectionID)
    }

    /// Handles one text message (already checked to be UTF-8 and within the size limit).
    public func handle(_ text: Data) async {
        var ref: String?
        var topic: String?
        do {
            // Read first on its own: a message whose envelope is broken otherwise still has its
            // `ref` echoed in the `bad-message` answer.
            ref = Wire.ref(of: text)
            let head = try Wire.head(of: text)
            ref = head.ref
            topic = head.topic
            guard head.v == Wire.version else {
                throw WireError(.unsupportedVersion, "This server speaks protocol version \(Wire.version).")
            }
            if let wait = bucket.take(now: ContinuousClock.now) {
                throw WireError(.rateLimited, "Too many messages; slow down.", retryAfterMs: wait)
            }
            if let answer = try await dispatch(head, text) {
                sink.send(ByteBuffer(bytes: Wire.frame(type: .ack, ref: ref, topic: topic, data: answer)))
            }
        } catch let error as WireError {
            sink.send(ByteBuffer(bytes: Wire.error(error, ref: ref, topic: topic)))
        } catch let error as DomainError {
            sink.send(ByteBuffer(bytes: Wire.error(Self.wireError(error), ref: ref, topic: topic)))
        } catch {
            logger.error("live command failed", metadata: ["error": "\(String(reflecting: error))"])
            sink.send(ByteBuffer(bytes: Wire.error(WireError(.internal, "Something went wrong on the server; it has been logged."), ref: ref, topic: topic)))
        }
    }

    static func wireError(_ error: DomainError) -> WireError {
        switch error {
        case .validation(let fields):
            return WireError(.validation, fields.map { "\($0.field) \($0.message)" }.joined(separator: "; "), field: fields.first?.field)
        case .notFound(let what): return WireError(.notFound, "\(what) was not found.")
        case .forbidden(let why): return WireError(.forbidden, why)
        case .conflict(let why): return WireError(.conflict, why)
        default: return WireError(.forbidden, error.detail)
        }
    }

    // MARK: Commands

    private struct SubscribeData: Decodable {
        var lastSeq: Int64?
        enum CodingKeys: String, CodingKey { case lastSeq }
        init(from decoder: any Decoder) throws {
            lastSeq = try decoder.container(keyedBy: CodingKeys.self).decodeIntegerIfPresent(Int64.self, forKey: .lastSeq)
        }
    }
    private struct PresenceData: Decodable { var status: PresenceStatus }
    private struct TypingData: Decodable { var threadId: ThreadID }
    private struct ThreadData: Decodable { var title: String; var body: String; var idempotencyKey: String? }
    private struct PostData: Decodable { var threadId: ThreadID; var body: String; var parentId: PostID?; var idempotencyKey: String? }
    private struct EditData: Decodable { var postId: PostID; var body: String }
    private struct DeleteData: Decodable { var postId: PostID }
    private struct ReactionData: Decodable { var targetId: UUID; var emoji: String }
    private struct BlogSaveData: Decodable { var id: BlogPostID?; var title: String; var body: String; var publish: Bool? }
    private struct BlogDeleteData: Decodable { var id: BlogPostID }
    private struct BlogCommentData: Decodable { var blogPostId: BlogPostID; var body: String; var idempotencyKey: String? }

    /// Returns the `data` of the `ack`, or nil for commands that are not acknowledged.
    private func dispatch(_ head: Wire.Head, _ text: Data) async throws -> Data? {
        struct Seq: Encodable { var seq: Int64 }
        struct Done: Encodable { var ok = true }
        let command = try head.command()
        switch command {
        case .subscribe:
            let workspace = try workspaceTopic(head)
            let lastSeq = try Wire.optionalData(SubscribeData.self, of: text)?.lastSeq
            if let lastSeq, lastSeq < 0 {
                throw WireError(.validation, "lastSeq must be 0 or more (the highest seq you have seen).", field: "lastSeq")
            }
            guard try await workspaces.maySubscribe(viewer: viewer, workspace: workspace) else {
                throw WireError(.notMember, "You are not a member of this workspace.")
            }
            return Wire.json(Seq(seq: try await hub.subscribe(sink.connectionID, workspace: workspace, lastSeq: lastSeq)))
        case .unsubscribe:
            try Wire.emptyData(of: text)
            await hub.unsubscribe(sink.connectionID, workspace: try workspaceTopic(head))
            return Wire.json(Done())
        case .presenceSet:
            let data = try Wire.data(PresenceData.self, of: text)
            guard data.status != .offline else { throw WireError(.validation, "status must be online or away.", field: "status") }
            await hub.setStatus(sink.connectionID, data.status)
            return Wire.json(Done())
        case .typing:
            let thread = try Wire.data(TypingData.self, of: text).threadId
            let workspace = try await subscribedTopic(head)
            await hub.typing(sink.connectionID, workspace: workspace, thread: thread)
            return nil
        case .threadCreate:
            let workspace = try workspaceTopic(head)
            let data = try Wire.data(ThreadData.self, of: text)
            let written = try await discussions.createThread(viewer: viewer, workspace: workspace, title: data.title, body: data.body, idempotencyKey: data.idempotencyKey)
            return ack(written)
        case .postCreate:
            let data = try Wire.data(PostData.self, of: text)
            return ack(try await discussions.reply(viewer: viewer, thread: data.threadId, body: data.body, parent: data.parentId, idempotencyKey: data.idempotencyKey))
        case .postEdit:
            let data = try Wire.data(EditData.self, of: text)
            return ack(try await discussions.edit(viewer: viewer, post: data.postId, body: data.body))
        case .postDelete:
            return ack(try await discussions.delete(viewer: viewer, post: try Wire.data(DeleteData.self, of: text).postId))
        case .reactionAdd, .reactionRemove:
            let data = try Wire.data(ReactionData.self, of: text)
            return ack(try await discussions.react(viewer: viewer, target: data.targetId, emoji: data.emoji, add: command == .reactionAdd))
        case .blogSave:
            let workspace = try workspaceTopic(head)
            let data = try Wire.data(BlogSaveData.self, of: text)
            return ack(try await blogs.save(viewer: viewer, workspace: workspace, id: data.id, title: data.title, body: data.body, publish: data.publish ?? false))
        case .blogDelete:
            try await blogs.delete(viewer: viewer, id: try Wire.data(BlogDeleteData.self, of: text).id)
            return Wire.json(Done())
        case .blogComment:
            let data = try Wire.data(BlogCommentData.self, of: text)
            return ack(try await blogs.comment(viewer: viewer, on: data.blogPostId, body: data.body, idempotencyKey: data.idempotencyKey))
        case .ping:
            try Wire.emptyData(of: text)
            return Wire.json(Done())
        case .meetingJoin, .meetingLeave, .meetingMute, .meetingHand, .meetingAdmit, .meetingDeny, .meetingRemove, .meetingEnd,
             .meetingStats, .meetingQuality, .meetingRecordingStart, .meetingRecordingStop, .meetingRecordingChapter:
            if let forwarder, let meeting = Topic.meetingID(head.topic).flatMap(MeetingID.init),
               try await forwarder.forward(text, meeting: meeting, joining: command == .meetingJoin, from: sink, viewer: viewer, sessionHash: sessionHash) {
                return nil  // the meeting's node answers
            }
            return try await meetingCommand(command, head, text)
        }
    }

    /// `{"seq":…,"duplicate":…, …value}` as the ack of a write.
    private func ack<T: Encodable & Sendable>(_ written: Written<T>) -> Data {
        Wire.json(WriteAck(seq: written.seq, duplicate: written.duplicate, result: written.value))
    }

    private func workspaceTopic(_ head: Wire.Head) throws -> WorkspaceID {
        guard let text = Topic.workspaceID(head.topic), let id = WorkspaceID(text) else {
            throw WireError(.validation, "topic must be workspace:<id>.", field: "topic")
        }
        return id
    }

    private func subscribedTopic(_ head: Wire.Head) async throws -> WorkspaceID {
        let workspace = try workspaceTopic(head)
        guard await hub.isSubscribed(sink.connectionID, workspace: workspace) else {
            throw WireError(.notSubscribed, "Subscribe to the workspace first.")
        }
        return workspace
    }
}

/// The `data` of the ack of a write.
struct WriteAck<T: Encodable>: Encodable {
    var seq: Int64
    var duplicate: Bool
    var result: T
}

/// A token bucket: `capacity` commands at once, refilled at `perSecond`.
struct TokenBucket {
    let capacity: Double
    let perSecond: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    init(capacity: Double, perSecond: Double) {
        self.capacity = capacity
        self.perSecond = perSecond
        self.tokens = capacity
    }

    /// Takes a token; returns nil, or the milliseconds until one is available.
    mutating func take(now: ContinuousClock.Instant) -> Int? {
        if let last {
            let elapsed = last.duration(to: now).components
            tokens = min(capacity, tokens + (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18) * perSecond)
        }
        last = now
        guard tokens >= 1 else { return Int(((1 - tokens) / perSecond * 1000).rounded(.up)) }
        tokens -= 1
        return nil
    }
}
