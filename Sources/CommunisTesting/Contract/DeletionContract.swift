import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `PeopleStore.deletePerson`: what was the person's goes with them (sessions, tokens,
/// memberships, requests, reactions, notifications, their own blog); what they wrote for others
/// and the workspaces they created stay. Rows that would point at nobody are refused.
public enum DeletionContract {
    public static let cases: [ContractCase] = [
        ContractCase("deleting a person deletes what was theirs; rows pointing at nobody are refused", personCascades),
        Live.case("deleting a person removes their token, reactions, notifications and own blog, not their posts", personLiveCascades),
    ]

    static func personCascades(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle", competences: ["Excel"]))
        let workspace = try await Fixture.createWorkspace(store, "Delad", .closed, owner: eva.id)
        let olles = try await Fixture.createWorkspace(store, "Olles", .closed, owner: olle.id)
        try await store.addMember(MembershipContract.member(workspace, olle))
        try await store.insertJoinRequest(workspace: olles.id, person: eva.id, at: Instant.t0)
        try await store.insertSession(SessionContract.session("olle-session", of: olle.id))
        let token = ApiTokenRecord(personID: olle.id, name: "t", tokenHash: "olle-token", createdAt: Instant.t0)
        try await store.insertApiToken(token)

        try await store.deletePerson(id: olle.id)
        #expect(try await store.person(id: olle.id) == nil)
        #expect(try await store.session(tokenHash: "olle-session") == nil)
        #expect(try await store.apiToken(tokenHash: "olle-token") == nil)
        #expect(try await store.membership(workspace: workspace.id, person: olle.id) == nil)
        #expect(try await store.overview(id: workspace.id)?.memberCount == 1)
        #expect(try await store.directoryFacets().competences.isEmpty)
        #expect(try await store.workspace(id: olles.id)?.createdBy == nil, "the workspace stays, without a creator")
        #expect(try await store.hasJoinRequest(workspace: olles.id, person: eva.id))

        // The store refuses rows that point nowhere.
        let orphan = SessionContract.session("orphan", of: PersonID())
        #expect(await domainErrorCode { try await store.insertSession(orphan) } == "not-found")
    }

    static func personLiveCascades(_ store: Live.Store) async throws {
        let (eva, skola) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        try await store.addMember(Membership(workspaceID: skola.id, personID: olle.id, role: .member, joinedAt: Instant.t0))
        let (thread, opening) = try await Live.thread(store, "Kvar", in: skola.id, by: eva.id)
        let reply = try await Live.reply(store, to: thread.id, in: skola.id, by: olle.id, "Olles svar")
        let blog = Live.blog("Olles blogg", in: nil, by: olle.id)
        try await Live.apply(store, .saveBlogPost(blog), in: skola.id)
        try await Live.apply(store, .addReaction(Reaction(targetID: opening.id.uuid, personID: olle.id, emoji: "👍")), in: skola.id)
        let mention = PersonalNotification(
            personID: olle.id, kind: .mention, workspaceID: skola.id, threadID: thread.id, postID: opening.id,
            actorID: eva.id, excerpt: "@Olle", createdAt: Instant.t0
        )
        try await Live.apply(store, .editPost(opening.id, body: "@Olle", at: Instant.t0, by: eva.id), in: skola.id, notifications: [mention])
        try await store.setFeedToken(hash: "olle", for: olle.id)

        try await store.deletePerson(id: olle.id)
        #expect(try await store.person(feedTokenHash: "olle") == nil)
        #expect(try await store.reactions(targets: [opening.id.uuid]).isEmpty)
        #expect(try await store.notifications(of: olle.id, page: PageRequest()).total == 0)
        #expect(try await store.blogPost(id: blog.id) == nil)
        #expect(try await store.post(id: reply.id) == reply, "what others answered stays")
        #expect(try await store.latestSeq(workspace: skola.id) == 5)
    }
}
