import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// The home feed (C16) and personal notifications.
public struct Feed: Sendable {
    let store: any CommunisStore & LiveStore

    public init(store: any CommunisStore & LiveStore) { self.store = store }

    public struct Item: Encodable, Sendable {
        public var workspace: WorkspaceRef
        public var seq: Int64
        public var type: String
        public var createdAt: Date
        public var data: JSONValue
    }

    public struct WorkspaceRef: Encodable, Sendable {
        public var id: WorkspaceID
        public var name: String
    }

    public struct Slice: Encodable, Sendable {
        public var items: [Item]
        /// Pass as `before` for the next (older) slice; nil at the end.
        public var next: String?
    }

    /// What happened in the viewer's workspaces, newest first. Only workspaces the viewer is
    /// a member of contribute, so nothing unreadable is ever listed. Meeting chats stay out
    /// (the start page lists the meetings going on instead), so a slice may be read in more
    /// than one step; `next` is the last event read, whether it was shown or not.
    public func home(viewer: Viewer, before cursor: String?, limit: Int) async throws -> Slice {
        let limit = min(max(limit, 1), PageRequest.maxLimit)
        var before = try cursor.map(Self.parse)
        let kinds = Set(LiveEvent.feed.map(\.rawValue))
        var shown: [WorkspaceEvent] = []
        var last: WorkspaceEvent?  // the last event read, shown or not
        var more = false
        reading: for _ in 0..<Self.maxSteps {
            let events = try await store.feed(for: viewer.id, kinds: kinds, before: before, limit: limit)
            let threads = events.map { Self.threadID(of: $0) }
            let chats = try await store.meetings(chatThreads: Set(threads.compactMap { $0 }))
            for (event, thread) in zip(events, threads) {
                guard shown.count < limit else { more = true; break reading }
                last = event
                if let thread, chats[thread] != nil { continue }
                shown.append(event)
            }
            more = events.count == limit
            guard more, let last else { break }
            before = FeedCursor(createdAt: last.createdAt, workspaceID: last.workspaceID, seq: last.seq)
        }
        let next = more ? last.map(Self.cursor) : nil
        var names: [WorkspaceID: String] = [:]
        for id in Set(shown.map(\.workspaceID)) { names[id] = try await store.workspace(id: id)?.name }
        let items = shown.map {
            Item(workspace: WorkspaceRef(id: $0.workspaceID, name: names[$0.workspaceID] ?? ""), seq: $0.seq, type: $0.kind,
                 createdAt: $0.createdAt, data: JSONValue.decode($0.payload))
        }
        return Slice(items: items, next: next)
    }

    /// How many reads one slice may take when meeting chats are left out.
    static let maxSteps = 5

    static func cursor(_ event: WorkspaceEvent) -> String {
        "\(event.createdAt.timeIntervalSince1970)_\(event.workspaceID)_\(event.seq)"
    }

    /// The thread a feed event is in (a new thread, or a post of one).
    static func threadID(of event: WorkspaceEvent) -> ThreadID? {
        struct Ref: Decodable { var id: ThreadID?; var threadId: ThreadID? }
        struct Payload: Decodable { var thread: Ref?; var post: Ref? }
        guard event.kind == LiveEvent.threadCreated.rawValue || event.kind == LiveEvent.postCreated.rawValue,
              let payload = try? JSONDecoder().decode(Payload.self, from: event.payload) else { return nil }
        return payload.thread?.id ?? payload.post?.threadId
    }

    static func parse(_ cursor: String) throws -> FeedCursor {
        let parts = cursor.split(separator: "_")
        guard parts.count == 3, let time = Double(parts[0]), let workspace = WorkspaceID(String(parts[1])), let seq = Int64(parts[2]) else {
            throw DomainError.validation([FieldError(field: "before", message: "is not a cursor from a previous answer")])
        }
        return FeedCursor(createdAt: Date(timeIntervalSince1970: time), workspaceID: workspace, seq: seq)
    }

    public struct Notifications: Encodable, Sendable {
        public var items: [NotificationJSON]
        public var total: Int
        public var unread: Int
        public var limit: Int
        public var offset: Int
    }

    public func notifications(viewer: Viewer, page: PageRequest) async throws -> Notifications {
        let found = try await store.notifications(of: viewer.id, page: page)
        let names = try await Names.load(Set(found.items.compactMap(\.actorID)), from: store)
        return Notifications(
            items: found.items.map { NotificationJSON($0, actor: $0.actorID.map(names.ref)) },
            total: found.total, unread: try await store.unreadNotificationCount(of: viewer.id), limit: found.limit, offset: found.offset)
    }

    public func unreadCount(viewer: Viewer) async throws -> Int {
        try await store.unreadNotificationCount(of: viewer.id)
    }

    public func markRead(viewer: Viewer, upTo: Date) async throws {
        try await store.markNotificationsRead(of: viewer.id, upTo: upTo)
    }
}
