import CommunisModel
import CommunisStore
import Foundation
import Testing

/// The content side of `LiveStore`: threads, posts, revisions, reactions, blogs, notifications.
public enum DiscussionContract {
    public static let cases: [ContractCase] = [
        Live.case("a thread starts with its opening post; replies bump count and activity", threadsAndReplies),
        Live.case("a reply to a post of another thread is refused", replyParent),
        Live.case("editing keeps the earlier texts as revisions, oldest first", editKeepsRevisions),
        Live.case("deleting a post clears its text, revisions and reactions but keeps its place", deletePost),
        Live.case("reactions are idempotent and grouped by emoji in first-use order", reactions),
        Live.case("drafts are seen only by their author", blogDrafts),
        Live.case("saveDraft and deleteDraft never touch the event log", draftsWithoutEvents),
        Live.case("a personal blog (no workspace) is listed by its author", personalBlog),
        Live.case("the first comment on a blog post creates its comment thread", blogComments),
        Live.case("notifications come newest first and are marked read up to a time", notifications),
    ]

    static func threadsAndReplies(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (first, opening) = try await Live.thread(store, "Första", in: skola.id, by: eva.id, at: Instant.at(0))
        let (second, _) = try await Live.thread(store, "Andra", in: skola.id, by: eva.id, at: Instant.at(10))
        let reply = try await Live.reply(store, to: first.id, in: skola.id, by: eva.id, "Svar", parent: opening.id, at: Instant.at(20))

        var expected = first
        expected.postCount = 2
        expected.lastActivityAt = Instant.at(20)
        #expect(try await store.thread(id: first.id) == expected)
        #expect(try await store.thread(id: ThreadID()) == nil)
        let listed = try await store.threads(workspace: skola.id, page: PageRequest())
        #expect(listed.items.map(\.id) == [first.id, second.id], "the reply made the first thread the most active")
        #expect(listed.total == 2)
        #expect(try await store.threads(workspace: skola.id, page: PageRequest(limit: 1, offset: 1)).items.map(\.id) == [second.id])

        let posts = try await store.posts(thread: first.id, page: PageRequest())
        #expect(posts.items == [opening, reply])
        #expect(posts.total == 2)
        #expect(try await store.post(id: reply.id) == reply)
        #expect(try await store.post(id: PostID()) == nil)
    }

    static func replyParent(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (first, _) = try await Live.thread(store, "Första", in: skola.id, by: eva.id)
        let (_, otherOpening) = try await Live.thread(store, "Andra", in: skola.id, by: eva.id)
        await #expect(throws: DomainError.notFound("Post")) {
            try await Live.reply(store, to: first.id, in: skola.id, by: eva.id, "Fel tråd", parent: otherOpening.id)
        }
        #expect(try await store.thread(id: first.id)?.postCount == 1)
        #expect(try await store.latestSeq(workspace: skola.id) == 2)
    }

    static func editKeepsRevisions(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let (thread, opening) = try await Live.thread(store, "Text", in: skola.id, by: eva.id)
        try await Live.apply(store, .editPost(opening.id, body: "Andra versionen", at: Instant.at(1), by: eva.id), in: skola.id)
        try await Live.apply(store, .editPost(opening.id, body: "Tredje versionen", at: Instant.at(2), by: olle.id), in: skola.id)

        let post = try #require(try await store.post(id: opening.id))
        #expect(post.body == "Tredje versionen")
        #expect(post.editedAt == Instant.at(2))
        #expect(try await store.revisions(post: opening.id) == [
            PostRevision(postID: opening.id, body: opening.body, replacedAt: Instant.at(1), editorID: eva.id),
            PostRevision(postID: opening.id, body: "Andra versionen", replacedAt: Instant.at(2), editorID: olle.id),
        ])
        #expect(try await store.thread(id: thread.id)?.postCount == 1, "an edit is not a new post")
        #expect(try await store.revisions(post: PostID()).isEmpty)
    }

    static func deletePost(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (thread, opening) = try await Live.thread(store, "Text", in: skola.id, by: eva.id)
        let reply = try await Live.reply(store, to: thread.id, in: skola.id, by: eva.id, "Oj", at: Instant.at(1))
        try await Live.apply(store, .editPost(reply.id, body: "Oj då", at: Instant.at(2), by: eva.id), in: skola.id)
        try await Live.apply(store, .addReaction(Reaction(targetID: reply.id.uuid, personID: eva.id, emoji: "😮")), in: skola.id)
        try await Live.apply(store, .addReaction(Reaction(targetID: opening.id.uuid, personID: eva.id, emoji: "👍")), in: skola.id)

        try await Live.apply(store, .deletePost(reply.id, at: Instant.at(3), by: eva.id), in: skola.id)

        let deleted = try #require(try await store.post(id: reply.id))
        #expect(deleted.body == "")
        #expect(deleted.isDeleted)
        #expect(deleted.deletedAt == Instant.at(3))
        #expect(deleted.deletedBy == eva.id)
        #expect(try await store.revisions(post: reply.id).isEmpty)
        let reactions = try await store.reactions(targets: [reply.id.uuid, opening.id.uuid])
        #expect(reactions[reply.id.uuid] == nil)
        #expect(reactions[opening.id.uuid] == [ReactionSummary(emoji: "👍", personIDs: [eva.id])])
        #expect(try await store.posts(thread: thread.id, page: PageRequest()).items.map(\.id) == [opening.id, reply.id])
        #expect(try await store.thread(id: thread.id)?.postCount == 2)

        for change in [
            LiveChange.editPost(reply.id, body: "Tillbaka", at: Instant.at(4), by: eva.id),
            .deletePost(reply.id, at: Instant.at(4), by: eva.id),
            .addReaction(Reaction(targetID: reply.id.uuid, personID: eva.id, emoji: "👍")),
        ] {
            await #expect(throws: DomainError.notFound("Post")) { try await Live.apply(store, change, in: skola.id) }
        }
    }

    static func reactions(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let (_, opening) = try await Live.thread(store, "Reaktioner", in: skola.id, by: eva.id)
        let blog = Live.blog("Blogg", in: skola.id, by: eva.id)
        try await Live.apply(store, .saveBlogPost(blog), in: skola.id)
        let post = opening.id.uuid
        let given: [Reaction] = [
            Reaction(targetID: post, personID: olle.id, emoji: "👍"),
            Reaction(targetID: post, personID: eva.id, emoji: "🎉"),
            Reaction(targetID: post, personID: eva.id, emoji: "👍"),
            Reaction(targetID: post, personID: olle.id, emoji: "👍"), // again: no change
            Reaction(targetID: blog.id.uuid, personID: olle.id, emoji: "❤️"),
        ]
        var seqs: [Int64] = []
        for reaction in given {
            seqs.append(try await Live.apply(store, .addReaction(reaction), in: skola.id, kind: "reaction.added").event.seq)
        }
        #expect(seqs == [3, 4, 5, 6, 7], "a repeated reaction still appends its event")

        let unknown = UUID()
        let summaries = try await store.reactions(targets: [post, blog.id.uuid, unknown])
        #expect(summaries[post] == [
            ReactionSummary(emoji: "👍", personIDs: [olle.id, eva.id]),
            ReactionSummary(emoji: "🎉", personIDs: [eva.id]),
        ])
        #expect(summaries[blog.id.uuid] == [ReactionSummary(emoji: "❤️", personIDs: [olle.id])])
        #expect(summaries[unknown] == nil)
        #expect(try await store.reactions(targets: []).isEmpty)

        try await Live.apply(store, .removeReaction(Reaction(targetID: post, personID: olle.id, emoji: "👍")), in: skola.id)
        try await Live.apply(store, .removeReaction(Reaction(targetID: post, personID: olle.id, emoji: "👍")), in: skola.id)
        // First use counts among the reactions that remain: Eva's 🎉 came before her 👍.
        #expect(try await store.reactions(targets: [post])[post] == [
            ReactionSummary(emoji: "🎉", personIDs: [eva.id]),
            ReactionSummary(emoji: "👍", personIDs: [eva.id]),
        ])
        await #expect(throws: DomainError.notFound("Post")) {
            try await Live.apply(store, .addReaction(Reaction(targetID: unknown, personID: eva.id, emoji: "👍")), in: skola.id)
        }
    }

    static func blogDrafts(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let old = Live.blog("Gammal", in: skola.id, by: olle.id, at: Instant.at(1))
        let new = Live.blog("Ny", in: skola.id, by: eva.id, at: Instant.at(5))
        var draft = Live.blog("Utkast", in: skola.id, by: eva.id, .draft, at: Instant.at(9))
        for blog in [old, new, draft] { try await Live.apply(store, .saveBlogPost(blog), in: skola.id) }

        let forOlle = try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: olle.id, page: PageRequest())
        #expect(forOlle.items.map(\.id) == [new.id, old.id])
        #expect(forOlle.total == 2)
        let forEva = try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: eva.id, page: PageRequest())
        #expect(forEva.items.map(\.id) == [draft.id, new.id, old.id])
        #expect(forEva.total == 3)
        #expect(try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: nil, page: PageRequest()).total == 2)
        #expect(try await store.blogPosts(workspace: skola.id, author: olle.id, draftsOf: eva.id, page: PageRequest()).items == [old])
        #expect(try await store.blogPost(id: draft.id) == draft)

        // Publishing replaces the stored post.
        draft.status = .published
        draft.publishedAt = Instant.at(20)
        draft.updatedAt = Instant.at(20)
        try await Live.apply(store, .saveBlogPost(draft), in: skola.id)
        #expect(try await store.blogPost(id: draft.id) == draft)
        #expect(try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: nil, page: PageRequest()).items.map(\.id)
            == [draft.id, new.id, old.id])

        try await Live.apply(store, .deleteBlogPost(old.id), in: skola.id)
        #expect(try await store.blogPost(id: old.id) == nil)
        await #expect(throws: DomainError.self) { try await Live.apply(store, .deleteBlogPost(old.id), in: skola.id) }
    }

    static func draftsWithoutEvents(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        var draft = Live.blog("Utkast", in: skola.id, by: eva.id, .draft, at: Instant.at(1))
        try await store.saveDraft(draft)
        draft.body = "Bättre text"
        try await store.saveDraft(draft)
        #expect(try await store.blogPost(id: draft.id) == draft)
        #expect(try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: eva.id, page: PageRequest()).items == [draft])
        #expect(try await store.blogPosts(workspace: skola.id, author: nil, draftsOf: olle.id, page: PageRequest()).total == 0)
        #expect(try await store.latestSeq(workspace: skola.id) == 0)

        let published = Live.blog("Publicerad", in: skola.id, by: eva.id)
        try await Live.apply(store, .saveBlogPost(published), in: skola.id)
        var unpublished = published
        unpublished.status = .draft
        await #expect(throws: DomainError.self) { try await store.saveDraft(unpublished) }
        await #expect(throws: DomainError.self) { try await store.saveDraft(published) }
        await #expect(throws: DomainError.notFound("Blog post")) { try await store.deleteDraft(published.id) }
        await #expect(throws: DomainError.notFound("Workspace")) {
            try await store.saveDraft(Live.blog("Vilse", in: WorkspaceID(), by: eva.id, .draft))
        }

        try await store.deleteDraft(draft.id)
        #expect(try await store.blogPost(id: draft.id) == nil)
        #expect(try await store.blogPost(id: published.id) == published)
        #expect(try await store.latestSeq(workspace: skola.id) == 1)
    }

    static func personalBlog(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let mine = Live.blog("Mitt", in: nil, by: eva.id, at: Instant.at(1))
        let myDraft = Live.blog("Mitt utkast", in: nil, by: eva.id, .draft, at: Instant.at(2))
        let olles = Live.blog("Olles", in: nil, by: olle.id, at: Instant.at(3))
        let inWorkspace = Live.blog("I ytan", in: skola.id, by: eva.id, at: Instant.at(4))
        // Personal posts still have their event in some workspace log (see EventDraft).
        for blog in [mine, myDraft, olles, inWorkspace] { try await Live.apply(store, .saveBlogPost(blog), in: skola.id) }

        #expect(try await store.blogPosts(workspace: nil, author: eva.id, draftsOf: olle.id, page: PageRequest()).items == [mine])
        #expect(try await store.blogPosts(workspace: nil, author: eva.id, draftsOf: eva.id, page: PageRequest()).items == [myDraft, mine])
        #expect(try await store.blogPosts(workspace: nil, author: olle.id, draftsOf: eva.id, page: PageRequest()).items == [olles])

        await #expect(throws: DomainError.notFound("Workspace")) {
            try await Live.apply(store, .saveBlogPost(Live.blog("Vilse", in: WorkspaceID(), by: eva.id)), in: skola.id)
        }
        await #expect(throws: DomainError.notFound("Person")) {
            try await Live.apply(store, .saveBlogPost(Live.blog("Ingen", in: nil, by: PersonID())), in: skola.id)
        }
    }

    static func blogComments(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let blog = Live.blog("Sommarplanering", in: skola.id, by: eva.id)
        try await Live.apply(store, .saveBlogPost(blog), in: skola.id)
        #expect(try await store.thread(id: blog.commentThreadID) == nil)

        let first = try await Live.reply(store, to: blog.commentThreadID, in: skola.id, by: olle.id, "Bra!", at: Instant.at(1))
        let second = try await Live.reply(store, to: blog.commentThreadID, in: skola.id, by: eva.id, "Tack", parent: first.id, at: Instant.at(2))

        let thread = try #require(try await store.thread(id: blog.commentThreadID))
        #expect(thread == DiscussionThread(
            id: blog.commentThreadID, workspaceID: skola.id, title: blog.title, authorID: eva.id,
            createdAt: Instant.at(1), lastActivityAt: Instant.at(2), postCount: 2
        ))
        #expect(try await store.posts(thread: blog.commentThreadID, page: PageRequest()).items == [first, second])
        #expect(try await store.threads(workspace: skola.id, page: PageRequest()).total == 0, "comments are not a discussion")

        try await Live.apply(store, .deleteBlogPost(blog.id), in: skola.id)
        #expect(try await store.thread(id: blog.commentThreadID) == nil)
        #expect(try await store.post(id: first.id) == nil)
    }

    static func notifications(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let (thread, _) = try await Live.thread(store, "Hej", in: skola.id, by: eva.id)
        var sent: [PersonalNotification] = []
        for index in 0..<3 {
            let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "@Olle \(index)", createdAt: Instant.at(Double(index)))
            let mention = PersonalNotification(
                personID: olle.id, kind: .mention, workspaceID: skola.id, threadID: thread.id, postID: post.id,
                actorID: eva.id, excerpt: "@Olle \(index)", createdAt: Instant.at(Double(index))
            )
            try await Live.apply(store, .createPost(post), in: skola.id, at: Instant.at(Double(index)), notifications: [mention])
            sent.append(mention)
        }

        let page = try await store.notifications(of: olle.id, page: PageRequest())
        #expect(page.items == sent.reversed())
        #expect(page.total == 3)
        #expect(try await store.unreadNotificationCount(of: olle.id) == 3)
        #expect(try await store.unreadNotificationCount(of: eva.id) == 0)

        try await store.markNotificationsRead(of: olle.id, upTo: Instant.at(1))
        #expect(try await store.unreadNotificationCount(of: olle.id) == 1)
        let after = try await store.notifications(of: olle.id, page: PageRequest())
        #expect(after.items.map(\.readAt) == [nil, Instant.at(1), Instant.at(1)])

        // A notification for nobody fails the whole change.
        let ghost = PersonalNotification(
            personID: PersonID(), kind: .mention, workspaceID: skola.id, threadID: nil, postID: nil,
            actorID: eva.id, excerpt: "?", createdAt: Instant.t0
        )
        let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "@Ingen", createdAt: Instant.t0)
        await #expect(throws: DomainError.notFound("Person")) {
            try await Live.apply(store, .createPost(post), in: skola.id, notifications: [ghost])
        }
        #expect(try await store.post(id: post.id) == nil)
        #expect(try await store.latestSeq(workspace: skola.id) == 4)
    }
}
