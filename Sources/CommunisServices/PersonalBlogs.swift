import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Personal blogs: every employee's own blog, readable by all employees (never by guests).
/// They live outside any workspace, so publishing is not a workspace event: posts appear on
/// the author's blog and in its Atom feed. Comments belong to workspace posts only.
extension Blogs {
    public func savePersonal(viewer: Viewer, id: BlogPostID?, title rawTitle: String, body rawBody: String, publish: Bool) async throws -> LiveJSON.BlogPostJSON {
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests have no personal blog.") }
        var validator = Validator()
        let title = validator.text(rawTitle, field: "title", required: true, max: ContentLimits.titleLength)
        let body = content.body(rawBody, validator: &validator)
        try validator.check()
        let now = clock.now()
        var post: BlogPost
        if let id {
            guard let existing = try await store.blogPost(id: id), existing.workspaceID == nil, existing.authorID == viewer.id else {
                throw DomainError.notFound("Blog post")
            }
            post = existing
            post.title = title
            post.body = body
            post.updatedAt = now
        } else {
            post = BlogPost(workspaceID: nil, authorID: viewer.id, title: title, body: body, status: .draft, createdAt: now)
        }
        if publish && post.status == .draft {
            post.status = .published
            post.publishedAt = now
        }
        try await store.saveDraft(post)
        return LiveJSON.BlogPostJSON(post, author: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
    }

    /// A person's published posts (and, for their author, drafts), newest first.
    public func personalPosts(viewer: Viewer, author: PersonID, page: PageRequest) async throws -> Page<LiveJSON.BlogPostJSON> {
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests do not see personal blogs.") }
        guard let person = try await store.person(id: author), person.role.isEmployee, !person.disabled else { throw DomainError.notFound("Person") }
        let found = try await store.blogPosts(workspace: nil, author: author, draftsOf: viewer.id == author ? author : nil, page: page)
        let reactions = try await store.reactions(targets: found.items.map(\.id.uuid))
        return found.map {
            LiveJSON.BlogPostJSON($0, author: LiveJSON.PersonRef(id: person.id, name: person.name),
                                  reactions: (reactions[$0.id.uuid] ?? []).map { LiveJSON.ReactionJSON(emoji: $0.emoji, people: $0.personIDs) })
        }
    }

    public func deletePersonal(viewer: Viewer, id: BlogPostID) async throws {
        guard let post = try await store.blogPost(id: id), post.workspaceID == nil, post.authorID == viewer.id else {
            throw DomainError.notFound("Blog post")
        }
        try await store.deleteDraft(id)
    }

    /// The published posts of a personal blog for its Atom feed.
    public func personalFeedEntries(author: PersonID, limit: Int) async throws -> (Person, [BlogPost])? {
        guard let person = try await store.person(id: author), person.role.isEmployee, !person.disabled else { return nil }
        let found = try await store.blogPosts(workspace: nil, author: author, draftsOf: nil, page: PageRequest(limit: limit))
        return (person, found.items)
    }
}
