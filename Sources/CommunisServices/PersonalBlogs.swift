import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Personal blogs: every employee's own blog, readable by all employees (never by guests).
/// They live outside any workspace, so publishing is not a workspace event: posts appear on
/// the author's blog and in its Atom feed. Comments and reactions on them go over HTTP.
extension Blogs {
    public func savePersonal(viewer: Viewer, id: BlogPostID?, title rawTitle: String, body rawBody: String, publish: Bool) async throws -> LiveJSON.BlogPostJSON {
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests have no personal blog.") }
        var existing: BlogPost?
        if let id {
            guard let found = try await store.blogPost(id: id), found.workspaceID == nil, found.authorID == viewer.id else {
                throw DomainError.notFound("Blog post")
            }
            existing = found
        }
        let post = try composed(existing, workspace: nil, viewer: viewer, title: rawTitle, body: rawBody, publish: publish)
        try await store.saveDraft(post)
        if post.status == .published {
            await DocumentLinks.record(in: store, .blog, id: "\(post.id)", workspace: nil, markdown: post.body,
                                       previously: existing?.status == .published ? existing?.body : nil, at: post.updatedAt)
        }
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
        if post.status == .published {
            await DocumentLinks.record(in: store, .blog, id: "\(id)", workspace: nil, markdown: nil, previously: post.body, at: clock.now())
        }
    }
}

/// A comment on a personal blog post as clients see it.
public struct PersonalCommentJSON: Codable, Sendable {
    public var id: PostID
    public var blogPostId: BlogPostID
    public var author: LiveJSON.PersonRef
    public var body: String
    public var createdAt: Date
    public var deleted: Bool
}

extension Blogs {
    public struct PersonalDetail: Encodable, Sendable {
        public var blogPost: LiveJSON.BlogPostJSON
        public var comments: Page<PersonalCommentJSON>
    }

    public struct ReactionsJSON: Encodable, Sendable {
        public var reactions: [LiveJSON.ReactionJSON]
    }

    /// A published personal post (or the author's own draft) with its comments.
    public func personalPost(viewer: Viewer, author: PersonID, id: BlogPostID, page: PageRequest) async throws -> PersonalDetail {
        let (post, person) = try await readablePersonal(viewer: viewer, author: author, id: id)
        let comments = try await store.personalComments(blogPost: id, page: page)
        let names = try await content.names(Set(comments.items.map(\.authorID)))
        let reactions = try await content.reactions(of: id.uuid)
        return PersonalDetail(
            blogPost: LiveJSON.BlogPostJSON(post, author: LiveJSON.PersonRef(id: person.id, name: person.name), reactions: reactions, commentCount: comments.total),
            comments: comments.map {
                PersonalCommentJSON(id: $0.id, blogPostId: $0.blogPostID, author: names.ref($0.authorID),
                                    body: $0.deletedAt == nil ? $0.body : "", createdAt: $0.createdAt, deleted: $0.deletedAt != nil)
            })
    }

    public func commentPersonal(viewer: Viewer, author: PersonID, id: BlogPostID, body rawBody: String) async throws -> PersonalCommentJSON {
        let (post, _) = try await readablePersonal(viewer: viewer, author: author, id: id)
        guard post.status == .published else { throw DomainError.notFound("Blog post") }
        var validator = Validator()
        let body = content.body(rawBody, validator: &validator)
        try validator.check()
        let comment = PersonalComment(blogPostID: id, authorID: viewer.id, body: body, createdAt: clock.now())
        try await store.addPersonalComment(comment)
        return PersonalCommentJSON(id: comment.id, blogPostId: id, author: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name),
                                   body: body, createdAt: comment.createdAt, deleted: false)
    }

    /// The comment's author or the blog's author removes a comment; it stays as "removed".
    public func deletePersonalComment(viewer: Viewer, author: PersonID, id: BlogPostID, comment commentID: PostID) async throws {
        let (post, _) = try await readablePersonal(viewer: viewer, author: author, id: id)
        guard let comment = try await store.personalComment(id: commentID), comment.blogPostID == id, comment.deletedAt == nil else {
            throw DomainError.notFound("Comment")
        }
        guard comment.authorID == viewer.id || post.authorID == viewer.id else {
            throw DomainError.forbidden("Only the comment's author or the blog's author can remove a comment.")
        }
        try await store.deletePersonalComment(id: commentID, at: clock.now())
    }

    public func reactPersonal(viewer: Viewer, author: PersonID, id: BlogPostID, emoji: String, add: Bool) async throws -> ReactionsJSON {
        let (post, _) = try await readablePersonal(viewer: viewer, author: author, id: id)
        guard post.status == .published else { throw DomainError.notFound("Blog post") }
        guard ContentRules.isEmoji(emoji) else {
            throw DomainError.validation([FieldError(field: "emoji", message: "must be one emoji")])
        }
        try await store.setReaction(Reaction(targetID: id.uuid, personID: viewer.id, emoji: emoji), present: add)
        return ReactionsJSON(reactions: try await content.reactions(of: id.uuid))
    }

    /// Employees read published personal posts; drafts only their author.
    private func readablePersonal(viewer: Viewer, author: PersonID, id: BlogPostID) async throws -> (BlogPost, Person) {
        guard viewer.role.isEmployee else { throw DomainError.forbidden("Guests do not see personal blogs.") }
        guard let person = try await store.person(id: author), person.role.isEmployee, !person.disabled,
              let post = try await store.blogPost(id: id), post.workspaceID == nil, post.authorID == author,
              post.status == .published || post.authorID == viewer.id else { throw DomainError.notFound("Blog post") }
        return (post, person)
    }
}
