import CommunisModel
import CommunisStore
import Foundation
import Testing

/// The event log of `LiveStore`: numbering, resuming, idempotency, the home feed, pruning.
public enum LiveContract {
    public static let cases: [ContractCase] = [
        Live.case("seqs count 1, 2, 3 per workspace, independently of other workspaces", seqsPerWorkspace),
        Live.case("events after a seq are exactly the missing ones, oldest first", eventsAfter),
        Live.case("a repeated idempotency key writes nothing and returns the first event", duplicateKey),
        Live.case("idempotency keys are per person", keysPerPerson),
        Live.case("a change that fails appends no event and consumes no seq", failedChange),
        Live.case("the feed holds only workspaces the person belongs to", feedMembership),
        Live.case("the feed keeps only the asked kinds and pages by cursor without gaps or repeats", feedPaging),
        Live.case("pruning removes old events, keeps the newest and never reuses a seq", prune),
        Live.case("deleting a workspace deletes its threads, posts, events and notifications", deleteWorkspaceCascades),
        Live.case("concurrent applies on one workspace get seqs 1…N without gaps", concurrentApplies),
        Live.case("a feed token finds its person and can be replaced", feedTokens),
    ]

    static func seqsPerWorkspace(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let bygg = try await Fixture.createWorkspace(store, "Bygglov", owner: eva.id)
        #expect(try await store.latestSeq(workspace: skola.id) == 0)
        #expect(try await store.oldestSeq(workspace: skola.id) == nil)

        var seqs: [Int64] = []
        for index in 0..<3 {
            try await Live.thread(store, "Tråd \(index)", in: skola.id, by: eva.id)
            seqs.append(try await store.latestSeq(workspace: skola.id))
        }
        let other = try await Live.apply(store, .saveBlogPost(Live.blog("Nytt", in: bygg.id, by: eva.id)), in: bygg.id, kind: "blog.published")

        #expect(seqs == [1, 2, 3])
        #expect(other.event.seq == 1)
        #expect(other == .applied(WorkspaceEvent(
            workspaceID: bygg.id, seq: 1, kind: "blog.published", payload: Data(#"{"kind":"blog.published"}"#.utf8),
            actorID: nil, createdAt: Instant.t0
        )))
        #expect(try await store.latestSeq(workspace: skola.id) == 3)
        #expect(try await store.oldestSeq(workspace: skola.id) == 1)
        #expect(try await store.latestSeq(workspace: bygg.id) == 1)
        #expect(try await store.latestSeq(workspace: WorkspaceID()) == 0)
    }

    static func eventsAfter(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (thread, _) = try await Live.thread(store, "Schema", in: skola.id, by: eva.id, at: Instant.at(0))
        for index in 1...4 {
            let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "Svar \(index)", createdAt: Instant.at(Double(index)))
            _ = try await store.apply(
                .createPost(post),
                event: EventDraft(workspaceID: skola.id, kind: "post.created", payload: Data("\(index)".utf8), actorID: eva.id, createdAt: Instant.at(Double(index))),
                notifications: [], idempotency: nil
            )
        }

        let missed = try await store.events(workspace: skola.id, after: 2, limit: 100)
        #expect(missed.map(\.seq) == [3, 4, 5])
        #expect(missed.map(\.payload) == [Data("2".utf8), Data("3".utf8), Data("4".utf8)])
        #expect(missed.allSatisfy { $0.actorID == eva.id && $0.workspaceID == skola.id && $0.kind == "post.created" })
        #expect(missed.map(\.createdAt) == [Instant.at(2), Instant.at(3), Instant.at(4)])
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 2).map(\.seq) == [1, 2])
        #expect(try await store.events(workspace: skola.id, after: 5, limit: 100).isEmpty)
        #expect(try await store.events(workspace: WorkspaceID(), after: 0, limit: 100).isEmpty)
    }

    static func duplicateKey(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (thread, _) = try await Live.thread(store, "Frågor", in: skola.id, by: eva.id)
        let key = IdempotencyKey(personID: eva.id, key: "c-17")
        let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "En gång", createdAt: Instant.at(1))
        let first = try await Live.apply(store, .createPost(post), in: skola.id, at: Instant.at(1), key: key)

        // The retry carries a new post id (the client rebuilt it) and must still write nothing.
        var retried = post
        retried.id = PostID()
        let second = try await Live.apply(store, .createPost(retried), in: skola.id, kind: "other", at: Instant.at(2), key: key)

        guard case .applied(let event) = first else { Issue.record("the first attempt must apply"); return }
        #expect(second == .duplicate(event))
        #expect(event.seq == 2)
        #expect(try await store.latestSeq(workspace: skola.id) == 2)
        #expect(try await store.posts(thread: thread.id, page: PageRequest()).total == 2)
        #expect(try await store.post(id: retried.id) == nil)
        #expect(try await store.thread(id: thread.id)?.postCount == 2)
    }

    static func keysPerPerson(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let (thread, _) = try await Live.thread(store, "Frågor", in: skola.id, by: eva.id)
        let byEva = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "Eva", createdAt: Instant.t0)
        let byOlle = Post(workspaceID: skola.id, threadID: thread.id, authorID: olle.id, body: "Olle", createdAt: Instant.t0)
        let first = try await Live.apply(store, .createPost(byEva), in: skola.id, key: IdempotencyKey(personID: eva.id, key: "k"))
        let second = try await Live.apply(store, .createPost(byOlle), in: skola.id, key: IdempotencyKey(personID: olle.id, key: "k"))
        #expect(first.event.seq == 2)
        #expect(second == .applied(second.event))
        #expect(second.event.seq == 3)
        #expect(try await store.thread(id: thread.id)?.postCount == 3)
    }

    static func failedChange(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        try await Live.thread(store, "Finns", in: skola.id, by: eva.id)
        let key = IdempotencyKey(personID: eva.id, key: "lost")
        let stray = Post(workspaceID: skola.id, threadID: ThreadID(), authorID: eva.id, body: "Vart?", createdAt: Instant.t0)
        await #expect(throws: DomainError.notFound("Thread")) {
            try await Live.apply(store, .createPost(stray), in: skola.id, key: key)
        }
        await #expect(throws: DomainError.notFound("Post")) {
            try await Live.apply(store, .editPost(PostID(), body: "x", at: Instant.t0, by: eva.id), in: skola.id)
        }
        let nowhere = DiscussionThread(workspaceID: WorkspaceID(), title: "Ingenstans", authorID: eva.id, createdAt: Instant.t0)
        let opening = Post(workspaceID: nowhere.workspaceID, threadID: nowhere.id, authorID: eva.id, body: "?", createdAt: Instant.t0)
        await #expect(throws: DomainError.notFound("Workspace")) {
            try await Live.apply(store, .createThread(nowhere, opening: opening), in: nowhere.workspaceID)
        }
        // The event's workspace is checked too, even when the change itself is fine.
        let ghost = WorkspaceID()
        await #expect(throws: DomainError.notFound("Workspace")) {
            try await Live.apply(store, .saveBlogPost(Live.blog("Egen", in: nil, by: eva.id)), in: ghost)
        }
        #expect(try await store.blogPosts(workspace: nil, author: eva.id, draftsOf: eva.id, page: PageRequest()).total == 0)

        #expect(try await store.latestSeq(workspace: skola.id) == 1)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 10).map(\.seq) == [1])
        // The key of the failed attempt was not used up either.
        let (thread, _) = try await Live.thread(store, "Ny", in: skola.id, by: eva.id)
        let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "Nu", createdAt: Instant.t0)
        let applied = try await Live.apply(store, .createPost(post), in: skola.id, key: key)
        #expect(applied == .applied(applied.event))
        #expect(applied.event.seq == 3)
    }

    static func feedMembership(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let hemlig = try await Fixture.createWorkspace(store, "Hemlig", .secret, owner: olle.id)
        try await store.addMember(Membership(workspaceID: skola.id, personID: olle.id, role: .member, joinedAt: Instant.t0))
        try await Live.thread(store, "I skolan", in: skola.id, by: eva.id, at: Instant.at(1))
        try await Live.thread(store, "Hemligt", in: hemlig.id, by: olle.id, at: Instant.at(2))

        let kinds: Set<String> = ["thread.created"]
        let evas = try await store.feed(for: eva.id, kinds: kinds, before: nil, limit: 10)
        #expect(evas.map(\.workspaceID) == [skola.id])
        let olles = try await store.feed(for: olle.id, kinds: kinds, before: nil, limit: 10)
        #expect(olles.map(\.workspaceID) == [hemlig.id, skola.id], "newest first")

        try await store.removeMember(workspace: skola.id, person: olle.id)
        #expect(try await store.feed(for: olle.id, kinds: kinds, before: nil, limit: 10).map(\.workspaceID) == [hemlig.id])
        #expect(try await store.feed(for: PersonID(), kinds: kinds, before: nil, limit: 10).isEmpty)
        #expect(try await store.feed(for: eva.id, kinds: [], before: nil, limit: 10).isEmpty)
    }

    static func feedPaging(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let bygg = try await Fixture.createWorkspace(store, "Bygglov", owner: eva.id)
        // Two workspaces, several events in the same second, and kinds the feed skips.
        for index in 0..<12 {
            let at = Instant.at(Double(index / 3))
            let workspace = index.isMultiple(of: 2) ? skola.id : bygg.id
            try await Live.thread(store, "Tråd \(index)", in: workspace, by: eva.id, at: at)
            _ = try await store.apply(
                .removeReaction(Reaction(targetID: UUID(), personID: eva.id, emoji: "👍")),
                event: Live.draft(workspace, "reaction.removed", at: at), notifications: [], idempotency: nil
            )
        }

        let all = try await store.feed(for: eva.id, kinds: ["thread.created"], before: nil, limit: 100)
        #expect(all.count == 12)
        #expect(all.allSatisfy { $0.kind == "thread.created" })
        let keys = all.map { FeedKey($0) }
        #expect(keys == keys.sorted(by: >), "newest first, then workspace, then seq, all descending")

        var paged: [WorkspaceEvent] = []
        var cursor: FeedCursor?
        while true {
            let page = try await store.feed(for: eva.id, kinds: ["thread.created"], before: cursor, limit: 5)
            paged += page
            guard let last = page.last, page.count == 5 else { break }
            cursor = FeedCursor(createdAt: last.createdAt, workspaceID: last.workspaceID, seq: last.seq)
        }
        #expect(paged == all)

        let both = try await store.feed(for: eva.id, kinds: ["thread.created", "reaction.removed"], before: nil, limit: 100)
        #expect(both.count == 24)
    }

    static func prune(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let bygg = try await Fixture.createWorkspace(store, "Bygglov", owner: eva.id)
        for index in 0..<10 {
            try await Live.thread(store, "Tråd \(index)", in: skola.id, by: eva.id, at: Instant.at(Double(index)))
        }
        try await Live.thread(store, "Gammal", in: bygg.id, by: eva.id, at: Instant.at(0))

        // Older than 5 s: seqs 1–5 of Skolstart; Bygglov keeps its only (newest) event.
        let removed = try await store.pruneEvents(before: Instant.at(5), keep: 1)
        #expect(removed == 5)
        #expect(try await store.oldestSeq(workspace: skola.id) == 6)
        #expect(try await store.latestSeq(workspace: skola.id) == 10)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 100).map(\.seq) == Array(6...10))
        #expect(try await store.oldestSeq(workspace: bygg.id) == 1)

        // Everything is old now, but the newest three stay.
        #expect(try await store.pruneEvents(before: Instant.at(100), keep: 3) == 2)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 100).map(\.seq) == [8, 9, 10])
        #expect(try await store.pruneEvents(before: Instant.at(100), keep: 0) == 4)
        #expect(try await store.oldestSeq(workspace: skola.id) == nil)
        #expect(try await store.latestSeq(workspace: skola.id) == 10)

        let next = try await Live.thread(store, "Efter", in: skola.id, by: eva.id, at: Instant.at(200))
        #expect(try await store.latestSeq(workspace: skola.id) == 11)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 100).map(\.seq) == [11])
        #expect(try await store.thread(id: next.0.id) != nil, "pruning events leaves the content")
    }

    static func deleteWorkspaceCascades(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let (thread, opening) = try await Live.thread(store, "Bort", in: skola.id, by: eva.id)
        let mention = PersonalNotification(
            personID: olle.id, kind: .mention, workspaceID: skola.id, threadID: thread.id, postID: opening.id,
            actorID: eva.id, excerpt: "@Olle titta", createdAt: Instant.t0
        )
        try await Live.apply(store, .addReaction(Reaction(targetID: opening.id.uuid, personID: olle.id, emoji: "👍")),
                             in: skola.id, notifications: [mention], key: IdempotencyKey(personID: eva.id, key: "k"))
        let blog = Live.blog("Blogg", in: skola.id, by: eva.id)
        try await Live.apply(store, .saveBlogPost(blog), in: skola.id)
        #expect(try await store.unreadNotificationCount(of: olle.id) == 1)

        try await store.deleteWorkspace(id: skola.id)
        #expect(try await store.thread(id: thread.id) == nil)
        #expect(try await store.post(id: opening.id) == nil)
        #expect(try await store.posts(thread: thread.id, page: PageRequest()).total == 0)
        #expect(try await store.reactions(targets: [opening.id.uuid]).isEmpty)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 10).isEmpty)
        #expect(try await store.latestSeq(workspace: skola.id) == 0)
        #expect(try await store.unreadNotificationCount(of: olle.id) == 0)
        #expect(try await store.blogPost(id: blog.id) == nil)
        #expect(try await store.feed(for: eva.id, kinds: ["post.created"], before: nil, limit: 10).isEmpty)
    }

    static func concurrentApplies(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let (thread, _) = try await Live.thread(store, "Rusning", in: skola.id, by: eva.id)
        let perTask = 25
        let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    for index in 0..<perTask {
                        let post = Post(workspaceID: skola.id, threadID: thread.id, authorID: eva.id, body: "\(task)-\(index)", createdAt: Instant.t0)
                        let key = IdempotencyKey(personID: eva.id, key: "\(task)-\(index)")
                        mine.append(try await Live.apply(store, .createPost(post), in: skola.id, key: key).event.seq)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let total = Int64(8 * perTask + 1)
        #expect(seqs.sorted() == Array(2...total))
        #expect(try await store.latestSeq(workspace: skola.id) == total)
        #expect(try await store.events(workspace: skola.id, after: 0, limit: 1000).map(\.seq) == Array(1...total))
        #expect(try await store.thread(id: thread.id)?.postCount == Int(total))
    }

    static func feedTokens(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        try await store.setFeedToken(hash: "h1", for: eva.id)
        #expect(try await store.person(feedTokenHash: "h1") == eva.id)
        try await store.setFeedToken(hash: "h2", for: eva.id)
        #expect(try await store.person(feedTokenHash: "h1") == nil)
        #expect(try await store.person(feedTokenHash: "h2") == eva.id)
        await #expect(throws: DomainError.conflict("The feed token is already in use.")) {
            try await store.setFeedToken(hash: "h2", for: olle.id)
        }
        await #expect(throws: DomainError.notFound("Person")) { try await store.setFeedToken(hash: "h3", for: PersonID()) }
    }
}

/// The feed's order as one comparable value.
private struct FeedKey: Comparable {
    let createdAt: Date
    let workspace: String
    let seq: Int64

    init(_ event: WorkspaceEvent) {
        createdAt = event.createdAt
        workspace = event.workspaceID.description
        seq = event.seq
    }

    static func < (lhs: FeedKey, rhs: FeedKey) -> Bool {
        (lhs.createdAt, lhs.workspace, lhs.seq) < (rhs.createdAt, rhs.workspace, rhs.seq)
    }
}
