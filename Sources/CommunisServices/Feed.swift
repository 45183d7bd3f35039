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
    /// a member of contribute, so nothing unreadable is ever listed.
    public func home(viewer: Viewer, before cursor: String?, limit: Int) async throws -> Slice {
        let limit = min(max(limit, 1), PageRequest.maxLimit)
        let before = try cursor.map(Self.parse)
        let events = try await store.feed(for: viewer.id, kinds: Set(LiveEvent.feed.map(\.rawValue)), before: before, limit: limit)
        var names: [WorkspaceID: String] = [:]
        for id in Set(events.map(\.workspaceID)) { names[id] = try await store.workspace(id: id)?.name }
        let items = events.map {
            Item(workspace: WorkspaceRef(id: $0.workspaceID, name: names[$0.workspaceID] ?? ""), seq: $0.seq, type: $0.kind,
                 createdAt: $0.createdAt, data: JSONValue.decode($0.payload))
        }
        let next = events.count == limit ? events.last.map { "\($0.createdAt.timeIntervalSince1970)_\($0.workspaceID)_\($0.seq)" } : nil
        return Slice(items: items, next: next)
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

    public func markRead(viewer: Viewer, upTo: Date) async throws {
        try await store.markNotificationsRead(of: viewer.id, upTo: upTo)
    }
}
