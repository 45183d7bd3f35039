import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// One entry of a blog's Atom feed: a published post and its author's name.
public struct BlogFeedEntry: Sendable {
    public var post: BlogPost
    public var authorName: String
}

/// What a workspace blog's Atom feed shows: the workspace and its newest published posts.
public struct WorkspaceBlogFeed: Sendable {
    public var workspace: Workspace
    public var entries: [BlogFeedEntry]
}

/// What a personal blog's Atom feed shows: its author and their newest published posts.
public struct PersonalBlogFeed: Sendable {
    public var author: Person
    public var posts: [BlogPost]
}

/// Atom feeds of blogs and the personal feed tokens that open them. A feed reader has no
/// session, so the token in the feed's address decides who reads: the service decides, the
/// route only renders what it is given. A feed the token does not open is `nil`, which the
/// route answers exactly like a feed that does not exist, so feeds reveal nothing.
extension Blogs {
    /// Posts per feed: what a feed reader shows; older posts are on the web.
    public static let feedLength = 50

    /// A new personal feed token for the viewer; the previous one stops working. Shown once:
    /// only its SHA-256 is stored.
    public func newFeedToken(viewer: Viewer) async throws -> String {
        let token = Secrets.newToken(prefix: "cft_")
        try await store.setFeedToken(hash: Secrets.hash(token), for: viewer.id)
        return token
    }

    /// A workspace blog's feed. Open workspaces' blogs are readable by anyone (publish once,
    /// read anywhere); closed and secret ones need the feed token of an enabled member.
    public func workspaceFeed(_ id: WorkspaceID, token: String?, limit: Int = Blogs.feedLength) async throws -> WorkspaceBlogFeed? {
        guard let workspace = try await store.workspace(id: id) else { return nil }
        if workspace.visibility != .open {
            guard let reader = try await feedReader(token), !reader.disabled,
                  try await store.membership(workspace: id, person: reader.id) != nil else { return nil }
        }
        let found = try await store.blogPosts(workspace: id, author: nil, draftsOf: nil, page: PageRequest(limit: limit))
        let names = try await content.names(Set(found.items.map(\.authorID)))
        return WorkspaceBlogFeed(workspace: workspace, entries: found.items.map { BlogFeedEntry(post: $0, authorName: names.ref($0.authorID).name) })
    }

    /// A personal blog's feed. Personal blogs are for employees, so it needs the feed token of
    /// an enabled employee; the author must be an enabled employee too.
    public func personalFeed(author: PersonID, token: String?, limit: Int = Blogs.feedLength) async throws -> PersonalBlogFeed? {
        guard let reader = try await feedReader(token), reader.role.isEmployee, !reader.disabled,
              let person = try await store.person(id: author), person.role.isEmployee, !person.disabled else { return nil }
        let found = try await store.blogPosts(workspace: nil, author: author, draftsOf: nil, page: PageRequest(limit: limit))
        return PersonalBlogFeed(author: person, posts: found.items)
    }

    /// The person a feed token belongs to; nil without a token or for an unknown one.
    private func feedReader(_ token: String?) async throws -> Person? {
        guard let token, let id = try await store.person(feedTokenHash: Secrets.hash(token)) else { return nil }
        return try await store.person(id: id)
    }

    /// Changes a workspace blog post found by its id alone (`PATCH /blog/{id}`): the post's
    /// workspace is looked up here, then `save` checks as always. Someone else's draft and a
    /// personal post do not exist on this path.
    public func update(viewer: Viewer, id: BlogPostID, title: String, body: String, publish: Bool) async throws -> Written<LiveJSON.BlogPostJSON> {
        guard let workspace = try await store.blogPost(id: id)?.workspaceID else { throw DomainError.notFound("Blog post") }
        return try await save(viewer: viewer, workspace: workspace, id: id, title: title, body: body, publish: publish)
    }
}
