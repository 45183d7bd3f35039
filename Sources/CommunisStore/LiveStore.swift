import CommunisModel
import Foundation

/// One change to what members see live. The service builds it (ids, times and the event
/// payload are decided before the write); the store applies it and appends its event in one
/// transaction, so an event exists exactly when its change does.
public enum LiveChange: Sendable, Equatable {
    /// A new thread with its opening post.
    case createThread(DiscussionThread, opening: Post)
    /// A reply or a blog comment; bumps the thread's last activity and post count
    /// (for a blog comment the thread row is the blog post's comment thread, created on demand).
    case createPost(Post)
    /// Replaces the text; the old text becomes a `PostRevision`. Throws `notFound` for an
    /// unknown or deleted post.
    case editPost(PostID, body: String, at: Date, by: PersonID)
    /// Marks deleted and clears the text (revisions are removed too: a deletion is meant).
    case deletePost(PostID, at: Date, by: PersonID)
    /// Idempotent per (target, person, emoji).
    case addReaction(Reaction)
    case removeReaction(Reaction)
    /// Inserts or replaces a PUBLISHED workspace blog post (drafts go through `saveDraft`:
    /// an event would announce them).
    case saveBlogPost(BlogPost)
    case deleteBlogPost(BlogPostID)
    /// A change to the workspace's document library (`DocumentStore` says what each does).
    case document(DocumentChange)
}

/// The outcome of `LiveStore.apply`.
public enum Applied: Sendable, Equatable {
    /// The change was written and this event appended.
    case applied(WorkspaceEvent)
    /// The same person already sent this idempotency key: nothing was written, and this is
    /// the event the first attempt produced.
    case duplicate(WorkspaceEvent)

    public var event: WorkspaceEvent {
        switch self {
        case .applied(let event), .duplicate(let event): event
        }
    }
}

/// The draft of the event a change appends; the store assigns `seq` (previous + 1 in that
/// workspace, starting at 1, never reused even after pruning).
public struct EventDraft: Sendable, Equatable {
    public var workspaceID: WorkspaceID
    public var kind: String
    public var payload: Data
    public var actorID: PersonID?
    public var createdAt: Date

    public init(workspaceID: WorkspaceID, kind: String, payload: Data, actorID: PersonID?, createdAt: Date) {
        self.workspaceID = workspaceID
        self.kind = kind
        self.payload = payload
        self.actorID = actorID
        self.createdAt = createdAt
    }
}

/// A client-chosen key that makes a retried command safe: one per (person, key).
public struct IdempotencyKey: Sendable, Equatable {
    public var personID: PersonID
    public var key: String
    public init(personID: PersonID, key: String) {
        self.personID = personID
        self.key = key
    }
}

/// Reactions on one target, grouped by emoji in first-use order.
public struct ReactionSummary: Sendable, Equatable {
    public var emoji: String
    public var personIDs: [PersonID]
    public init(emoji: String, personIDs: [PersonID]) {
        self.emoji = emoji
        self.personIDs = personIDs
    }
}

/// Discussions, blogs, notifications and the per-workspace event log.
///
/// The log's guarantees, which the live hub's rooms rely on (every engine keeps them, with any
/// number of concurrent writers, in one process or in many):
/// - **Gapless seqs.** Each workspace's events are numbered 1, 2, 3 … without gaps or
///   repeats; a seq is taken only by a change that commits (a failed change consumes none).
/// - **Commit order is seq order.** Once event n of a workspace is readable, every event of
///   that workspace below n is readable too (SQLite: one writer at a time; PostgreSQL: the
///   workspace's head row is locked from taking the seq until the commit).
/// - **Ack after commit.** `apply` returns only after the change, its event and its
///   notifications are durable; what it returned survives a crash.
/// - **All or nothing.** The change, the event, the notifications and the idempotency key are
///   one transaction.
/// - **Pruning takes a prefix.** `pruneEvents` removes only a workspace's oldest events, so a
///   read of `events(after: n)` that does not start at n + 1 means the events after n are gone.
public protocol LiveStore: Sendable {
    /// Applies `change`, appends `event` (and inserts `notifications`) in ONE transaction and
    /// returns after it committed, with the event's seq (the workspace's next, gapless).
    /// With an idempotency key already used by that person (in any workspace), writes nothing
    /// and returns `.duplicate` with the first event, also when the two attempts race.
    /// Throws `DomainError.notFound` when the change refers to a missing workspace, thread or
    /// post; then nothing is written and no seq is used.
    func apply(_ change: LiveChange, event: EventDraft, notifications: [PersonalNotification], idempotency: IdempotencyKey?) async throws -> Applied

    /// Events of a workspace with `seq > after`, oldest first, at most `limit`, consecutive
    /// seqs (see the guarantees above): never a later event without the earlier ones.
    func events(workspace: WorkspaceID, after: Int64, limit: Int) async throws -> [WorkspaceEvent]
    /// The highest seq of the workspace (0 when none).
    func latestSeq(workspace: WorkspaceID) async throws -> Int64
    /// The lowest seq still stored (nil when none). A client whose last seen seq is below
    /// `oldest - 1` cannot be caught up exactly and must reload.
    func oldestSeq(workspace: WorkspaceID) async throws -> Int64?
    /// Removes events created before `before`, keeping the newest `keep` per workspace.
    /// Returns how many were removed.
    func pruneEvents(before: Date, keep: Int) async throws -> Int

    /// Newest activity first.
    func threads(workspace: WorkspaceID, page: PageRequest) async throws -> Page<DiscussionThread>
    func thread(id: ThreadID) async throws -> DiscussionThread?
    /// Oldest first, deleted ones included.
    func posts(thread: ThreadID, page: PageRequest) async throws -> Page<Post>
    func post(id: PostID) async throws -> Post?
    /// Oldest first.
    func revisions(post: PostID) async throws -> [PostRevision]
    /// Reactions of many targets (posts or blog posts) at once.
    func reactions(targets: [UUID]) async throws -> [UUID: [ReactionSummary]]

    /// Published posts of a workspace blog (or, with `workspace` nil, of `author`'s own blog),
    /// newest first; plus drafts whose author is `draftsOf`.
    func blogPosts(workspace: WorkspaceID?, author: PersonID?, draftsOf: PersonID?, page: PageRequest) async throws -> Page<BlogPost>
    func blogPost(id: BlogPostID) async throws -> BlogPost?
    /// Inserts or replaces a blog post WITHOUT an event: a draft (its author's alone, it must
    /// never reach the log others resume from) or a post on a personal blog (`workspaceID`
    /// nil: there is no workspace log). A published workspace post is refused: with
    /// `validation` when passed as such, with `conflict` when the stored post is published
    /// (those change only through `apply`); `notFound` for a missing workspace.
    func saveDraft(_ post: BlogPost) async throws
    /// Deletes a draft or a personal blog post (no event). Throws `notFound` otherwise.
    func deleteDraft(_ id: BlogPostID) async throws

    /// Comments on personal blog posts (no workspace, no event). `notFound` for a missing post.
    func addPersonalComment(_ comment: PersonalComment) async throws
    /// Oldest first, deleted ones included.
    func personalComments(blogPost: BlogPostID, page: PageRequest) async throws -> Page<PersonalComment>
    func personalComment(id: PostID) async throws -> PersonalComment?
    /// Marks deleted and clears the text. `notFound` if missing or already deleted.
    func deletePersonalComment(id: PostID, at: Date) async throws
    /// Adds or removes a reaction without an event (personal blog posts), idempotent.
    func setReaction(_ reaction: Reaction, present: Bool) async throws

    /// Newest first.
    func notifications(of person: PersonID, page: PageRequest) async throws -> Page<PersonalNotification>
    func unreadNotificationCount(of person: PersonID) async throws -> Int
    /// Marks all of the person's notifications created at or before `upTo` read.
    func markNotificationsRead(of person: PersonID, upTo: Date) async throws
    /// Review reminders, in ONE transaction: finds at most `limit` current how-tos whose
    /// review-by day is on or before `today` (`YYYY-MM-DD`) and whose owner has no `review-due`
    /// notification for that article and day yet, inserts one for each (created at `at`) and
    /// returns them, oldest review day first. A later review-by day is a new reminder; an
    /// archived or deleted article gets none. Only owners who may still read the article are
    /// told (an active account; an employee for an organisation-wide article, a member for a
    /// workspace's): a former member is not sent to an article they cannot open, and is told
    /// if they come back while it is still due. Calling it again finds nothing new, so a
    /// caller loops while it gets `limit` back.
    func recordReviewReminders(today: String, at: Date, limit: Int) async throws -> [PersonalNotification]

    /// The home feed: events of the given kinds in the workspaces `person` belongs to (except
    /// those they unfollowed: a `follows` row of kind workspace with `following` false), and
    /// events by people they follow in any workspace they may read (member, or an open one
    /// for an employee), newest first, strictly older than `before` (a (createdAt, workspace, seq) cursor), at most `limit`.
    func feed(for person: PersonID, kinds: Set<String>, before: FeedCursor?, limit: Int) async throws -> [WorkspaceEvent]

    /// Personal feed tokens for Atom feeds of private workspaces (stored as SHA-256).
    func setFeedToken(hash: String, for person: PersonID) async throws
    func person(feedTokenHash: String) async throws -> PersonID?
}

/// A position in the home feed.
public struct FeedCursor: Sendable, Equatable {
    public var createdAt: Date
    public var workspaceID: WorkspaceID
    public var seq: Int64
    public init(createdAt: Date, workspaceID: WorkspaceID, seq: Int64) {
        self.createdAt = createdAt
        self.workspaceID = workspaceID
        self.seq = seq
    }
}
