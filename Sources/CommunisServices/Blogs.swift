import CommunisMarkdown
import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Workspace blogs: posts by members, drafts visible only to their author, publishing that
/// members see live, comments and reactions. A draft is stored without an event: nothing
/// about it reaches anyone else, not even on resume.
public struct Blogs: Sendable {
    let store: any CommunisStore & LiveStore
    let clock: Clock
    let content: ContentRules

    public init(store: any CommunisStore & LiveStore, publisher: any LivePublisher, clock: Clock = Clock(), notifications: NotificationRouter? = nil) {
        self.store = store
        self.clock = clock
        self.content = ContentRules(store: store, publisher: publisher, clock: clock, router: notifications)
    }

    /// Creates (`id` nil) or changes a post; `publish` publishes a draft (once published, a
    /// post stays published; changes to it are announced as `blog.updated`).
    public func save(viewer: Viewer, workspace: WorkspaceID, id: BlogPostID?, title rawTitle: String, body rawBody: String, publish: Bool) async throws -> Written<LiveJSON.BlogPostJSON> {
        var existing: BlogPost?
        if let id {
            // Someone else's draft does not exist for anyone but its author, whatever else holds.
            guard let found = try await store.blogPost(id: id), found.workspaceID == workspace,
                  found.status == .published || found.authorID == viewer.id else { throw DomainError.notFound("Blog post") }
            existing = found
        }
        try await content.requireMember(viewer, workspace)
        if let existing, existing.authorID != viewer.id { throw DomainError.forbidden("Only the author can change a blog post.") }
        let wasPublished = existing?.status == .published
        let post = try composed(existing, workspace: workspace, viewer: viewer, title: rawTitle, body: rawBody, publish: publish)
        let me = LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)
        guard post.status == .published else {
            try await store.saveDraft(post)
            return Written(value: LiveJSON.BlogPostJSON(post, author: me), seq: try await store.latestSeq(workspace: workspace), duplicate: false)
        }
        let reactions = try await content.reactions(of: post.id.uuid)
        let json = LiveJSON.BlogPostJSON(post, author: me, reactions: reactions, commentCount: try await commentCount(post))
        let applied = try await content.apply(
            .saveBlogPost(post), kind: wasPublished ? .blogUpdated : .blogPublished,
            payload: LiveJSON.BlogEvent(blogPost: json), viewer: viewer, workspace: workspace, key: nil,
            mentionsIn: wasPublished ? nil : post.body, threadID: post.commentThreadID, postID: nil)
        await DocumentLinks.record(in: store, .blog, id: "\(post.id)", workspace: workspace, markdown: post.body,
                                   previously: wasPublished ? existing?.body : nil, at: post.updatedAt)
        return Written(value: json, seq: applied.event.seq, duplicate: false)
    }

    /// Validates title and body and applies them to `existing` (or a new draft); `publish`
    /// publishes a draft, and a published post stays published.
    func composed(_ existing: BlogPost?, workspace: WorkspaceID?, viewer: Viewer, title rawTitle: String, body rawBody: String, publish: Bool) throws -> BlogPost {
        var validator = Validator()
        let title = validator.text(rawTitle, field: "title", required: true, max: ContentLimits.titleLength)
        let body = content.body(rawBody, validator: &validator)
        try validator.check()
        let now = clock.now()
        var post = existing ?? BlogPost(workspaceID: workspace, authorID: viewer.id, title: title, body: body, status: .draft, createdAt: now)
        if existing != nil {
            post.title = title
            post.body = body
            post.updatedAt = now
        }
        if publish && post.status == .draft {
            post.status = .published
            post.publishedAt = now
        }
        return post
    }

    /// The author or a workspace owner deletes a post with its comments.
    public func delete(viewer: Viewer, id: BlogPostID) async throws {
        guard let post = try await store.blogPost(id: id), let workspace = post.workspaceID,
              post.status == .published || post.authorID == viewer.id else { throw DomainError.notFound("Blog post") }
        let role = try await content.requireMember(viewer, workspace)
        guard post.authorID == viewer.id || (role == .owner && post.status == .published) else {
            throw post.status == .published ? DomainError.forbidden("Only the author or an owner can delete a blog post.") : DomainError.notFound("Blog post")
        }
        if post.status == .draft {
            try await store.deleteDraft(id)
            return
        }
        _ = try await content.apply(
            .deleteBlogPost(id), kind: .blogDeleted, payload: LiveJSON.BlogDeleted(blogPostId: id), viewer: viewer,
            workspace: workspace, key: nil, mentionsIn: nil, threadID: nil, postID: nil)
        await DocumentLinks.record(in: store, .blog, id: "\(id)", workspace: workspace, markdown: nil, previously: post.body, at: clock.now())
    }

    public func comment(viewer: Viewer, on id: BlogPostID, body rawBody: String, idempotencyKey: String?) async throws -> Written<LiveJSON.PostEvent> {
        guard let blog = try await store.blogPost(id: id), blog.status == .published, let workspace = blog.workspaceID else {
            throw DomainError.notFound("Blog post")
        }
        try await content.requireMember(viewer, workspace)
        var validator = Validator()
        let body = content.body(rawBody, validator: &validator)
        let key = content.key(idempotencyKey, validator: &validator)
        try validator.check()
        let post = Post(workspaceID: workspace, threadID: blog.commentThreadID, authorID: viewer.id, body: body, createdAt: clock.now())
        let payload = LiveJSON.PostEvent(post: LiveJSON.PostJSON(post, author: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name)))
        let applied = try await content.apply(
            .createPost(post), kind: .blogCommented, payload: payload, viewer: viewer, workspace: workspace, key: key,
            mentionsIn: body, threadID: blog.commentThreadID, postID: post.id)
        let value = try content.decode(applied, kind: .blogCommented, as: LiveJSON.PostEvent.self, fallback: payload) {
            $0.post.threadId == blog.commentThreadID && $0.post.body == body
        }
        return Written(value: value, seq: applied.event.seq, duplicate: applied.isDuplicate)
    }

    // MARK: Reading

    /// Published posts newest first, plus the viewer's own drafts.
    public func posts(viewer: Viewer, workspace: WorkspaceID, page: PageRequest) async throws -> Page<LiveJSON.BlogPostJSON> {
        try await content.requireReader(viewer, workspace)
        let found = try await store.blogPosts(workspace: workspace, author: nil, draftsOf: viewer.id, page: page)
        return try await json(found)
    }

    public struct Detail: Encodable, Sendable {
        public var blogPost: LiveJSON.BlogPostJSON
        public var comments: Page<LiveJSON.PostJSON>
    }

    public func post(viewer: Viewer, id: BlogPostID, page: PageRequest) async throws -> Detail {
        guard let post = try await store.blogPost(id: id), let workspace = post.workspaceID,
              post.status == .published || post.authorID == viewer.id else { throw DomainError.notFound("Blog post") }
        try await content.requireReader(viewer, workspace)
        let comments = try await content.postJSON(try await store.posts(thread: post.commentThreadID, page: page))
        let blog = try await json(Page(items: [post], total: 1, request: PageRequest())).items[0]
        return Detail(blogPost: blog, comments: comments)
    }

    private func json(_ page: Page<BlogPost>) async throws -> Page<LiveJSON.BlogPostJSON> {
        let names = try await content.names(Set(page.items.map(\.authorID)))
        let reactions = try await store.reactions(targets: page.items.map(\.id.uuid))
        var counts: [BlogPostID: Int] = [:]
        for post in page.items { counts[post.id] = try await commentCount(post) }
        return page.map { post in
            LiveJSON.BlogPostJSON(
                post, author: names.ref(post.authorID),
                reactions: (reactions[post.id.uuid] ?? []).map { LiveJSON.ReactionJSON(emoji: $0.emoji, people: $0.personIDs) },
                commentCount: counts[post.id] ?? 0)
        }
    }

    private func commentCount(_ post: BlogPost) async throws -> Int {
        try await store.thread(id: post.commentThreadID)?.postCount ?? 0
    }
}
