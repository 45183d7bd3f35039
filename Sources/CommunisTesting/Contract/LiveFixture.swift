import CommunisModel
import CommunisStore
import Foundation
import Testing

/// What the live contract cases share: the store seen as a `LiveStore`, and changes built the
/// way the service builds them (ids and times decided before the write).
public enum Live {
    public typealias Store = any LiveStore & CommunisStore

    /// The contract's store as a live store (every engine must be one).
    public static func store(_ store: any CommunisStore) throws -> Store {
        try #require((store as Any) as? Store, "the engine does not implement LiveStore")
    }

    /// A case that runs against the live side of the store.
    public static func `case`(_ name: String, _ run: @escaping @Sendable (Store) async throws -> Void) -> ContractCase {
        ContractCase(name) { store in try await run(try Live.store(store)) }
    }

    public static func draft(_ workspace: WorkspaceID, _ kind: String = "post.created", at: Date = Instant.t0, actor: PersonID? = nil) -> EventDraft {
        EventDraft(workspaceID: workspace, kind: kind, payload: Data(#"{"kind":"\#(kind)"}"#.utf8), actorID: actor, createdAt: at)
    }

    /// A person who owns a fresh workspace.
    public static func world(_ store: Store, _ name: String = "Eva", workspace: String = "Skolstart") async throws -> (Person, Workspace) {
        let person = try await Fixture.insert(store, Fixture.person(name))
        let space = try await Fixture.createWorkspace(store, workspace, owner: person.id)
        return (person, space)
    }

    @discardableResult
    public static func apply(
        _ store: Store, _ change: LiveChange, in workspace: WorkspaceID, kind: String = "post.created", at: Date = Instant.t0,
        notifications: [PersonalNotification] = [], key: IdempotencyKey? = nil
    ) async throws -> Applied {
        try await store.apply(change, event: draft(workspace, kind, at: at), notifications: notifications, idempotency: key)
    }

    /// Starts a thread with its opening post; returns both as passed to the store.
    @discardableResult
    public static func thread(
        _ store: Store, _ title: String, in workspace: WorkspaceID, by author: PersonID, at: Date = Instant.t0
    ) async throws -> (DiscussionThread, Post) {
        let thread = DiscussionThread(workspaceID: workspace, title: title, authorID: author, createdAt: at)
        let opening = Post(workspaceID: workspace, threadID: thread.id, authorID: author, body: "Hej alla! \(title)", createdAt: at)
        try await apply(store, .createThread(thread, opening: opening), in: workspace, kind: "thread.created", at: at)
        return (thread, opening)
    }

    @discardableResult
    public static func reply(
        _ store: Store, to thread: ThreadID, in workspace: WorkspaceID, by author: PersonID, _ body: String,
        parent: PostID? = nil, at: Date = Instant.t0
    ) async throws -> Post {
        let post = Post(workspaceID: workspace, threadID: thread, authorID: author, parentID: parent, body: body, createdAt: at)
        try await apply(store, .createPost(post), in: workspace, at: at)
        return post
    }

    public static func blog(
        _ title: String, in workspace: WorkspaceID?, by author: PersonID, _ status: BlogPostStatus = .published, at: Date = Instant.t0
    ) -> BlogPost {
        BlogPost(
            workspaceID: workspace, authorID: author, title: title, body: "Text om \(title)", status: status,
            createdAt: at, publishedAt: status == .published ? at : nil
        )
    }
}
