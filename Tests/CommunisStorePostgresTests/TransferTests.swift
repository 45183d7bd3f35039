import CommunisModel
import CommunisStore
import CommunisStorePostgres
import CommunisStoreSQLite
import CommunisTesting
import Foundation
import Logging
import Testing

/// `communis migrate-data --from ./data --to postgres://…` as a municipality's IT would check it
/// afterwards: an installation on the embedded engine with content of every area is copied into
/// a fresh, migrated PostgreSQL database (the executable's sequence: open the SQLite file,
/// open the PostgreSQL store, migrate, `receiveTransfer`), and the copy is then read, written
/// to, searched and copied into again through the store protocols only (no SQL here).
@Suite("Transfer SQLite → PostgreSQL (communis migrate-data)", .timeLimit(.minutes(3)))
struct TransferTests {
    @Test("every table arrives whole, and the PostgreSQL store answers as the SQLite store did")
    func copiedInstallationReadsTheSame() async throws {
        try await Self.withCopy(bulk: Self.bulk) { copy in
            let report = copy.report
            #expect(report.verified)
            #expect(report.tables.allSatisfy { $0.source == $0.target }, "\(report.tables.filter { $0.source != $0.target })")
            // The report's source counts are the source snapshot's own, table for table.
            let snapshotTables = try await copy.source.withTransferSnapshot { snapshot in snapshot.tables.map { [$0.name: $0.rowCount] } }
            let snapshotCounts = snapshotTables.reduce(into: [String: Int]()) { $0.merge($1) { a, _ in a } }
            #expect(Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.source) }) == snapshotCounts)
            // Every area was filled, so every area was copied (not an empty table passing by).
            let counts = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.target) })
            for table in Self.filledTables {
                #expect((counts[table] ?? 0) > 0, "\(table) holds rows after the copy (\(counts[table].map(String.init) ?? "not in the report"))")
            }
            #expect(!report.tables.contains { $0.name.hasPrefix("search_") || $0.name.hasPrefix("sqlite_") || $0.name.hasPrefix("grdb_") })
            #expect(report.searchDocuments > Self.bulk, "the search index was rebuilt")
            // Tables larger than one batch of the copy arrive whole too (keyset paging, also over
            // the composite keys of WITHOUT ROWID tables such as events and idempotency keys).
            for table in ["events", "posts", "idempotency_keys"] {
                #expect((counts[table] ?? 0) > Self.bulk, "\(table): \(counts[table] ?? 0)")
            }

            // The same answers, area by area.
            let sourceReadings = try await Self.readings(copy.source, copy.world)
            let targetReadings = try await Self.readings(copy.target, copy.world)
            Self.expectSame(targetReadings, as: sourceReadings)

            // The samples spelled out, so the comparison above is not of two empty answers.
            let w = copy.world
            let target = copy.target
            let eva = try #require(try await target.credentials(id: w.eva.id))
            #expect(eva.passwordHash == "$2b$12$eva-hash" && eva.person.profile.competences == ["Procapita", "Upphandling"])
            #expect(eva.person.lastLoginAt == Instant.at(30) && eva.person.role == .admin)
            #expect(try await target.credentials(login: "karin")?.person.id == w.karin.id)
            #expect(try await target.credentials(id: w.gunnar.id)?.passwordHash == "$2b$12$gunnar-hash")
            let overview = try #require(try await target.overview(id: w.secret.id))
            #expect((overview.memberCount, overview.ownerCount, overview.guestCount) == (3, 1, 1))
            #expect(try await target.overview(id: w.open.id)?.memberCount == 3)
            #expect(try await target.joinRequests(of: w.closed.id).map(\.person.id) == [w.sara.id])
            let posts = try await target.posts(thread: w.thread.id, page: PageRequest()).items
            #expect(posts.map(\.id) == [w.opening.id, w.reply.id, w.answer.id, w.deleted.id])
            #expect(posts[1].body == "Jag kan ta måndagar och onsdagar" && posts[1].editedAt == Instant.at(16))
            #expect(posts[3].deletedAt != nil && posts[3].body.isEmpty)
            #expect(try await target.revisions(post: w.reply.id).map(\.body) == ["Jag kan ta måndagar", "Jag kan ta måndagar och tisdagar"])
            let events = try await target.events(workspace: w.open.id, after: 0, limit: 1000)
            #expect(events.map(\.seq) == Array(1...Int64(events.count)) && events.count == 10)
            #expect(events.map(\.kind) == ["thread.created", "post.created", "post.created", "post.created", "post.deleted",
                                           "post.edited", "post.edited", "reaction.added", "reaction.added", "blog.published"])
            #expect(events.contains { $0.payload == Self.binaryPayload }, "a payload that is not UTF-8 keeps its exact bytes")
            #expect(events[1].payload == Data(#"{"body":"Jag kan ta måndagar","id":"\#(w.reply.id)"}"#.utf8))
            #expect(try await target.latestSeq(workspace: w.open.id) == 10)
            #expect(try await target.latestSeq(workspace: w.closed.id) == 0)
            let howTo = try #require(try await target.howTo(id: w.howTo.id))
            #expect(howTo.revision == 3 && howTo.content.audience.departments == ["Elevhälsan"] && howTo.content.tags == ["Procapita", "Inloggning"])
            #expect(try await target.howToRevisions(w.howTo.id).map(\.number) == [3, 2, 1])
            #expect(try await target.howToRevisions(w.howTo.id).first?.restoredFrom == 1)
            let recording = try #require(try await target.recording(id: w.recording.id))
            #expect(recording.chapters.map(\.title) == ["Inledning", "Frågor om tisdagar"] && recording.chapters.map(\.offsetMs) == [0, 42_160])
            #expect(recording.sizeBytes == 1_234_567 && recording.state == .complete && recording.sharedWithOrganisation)
            #expect(try await target.attendance(meeting: w.meeting.id).count == 2)
            #expect(try await target.apiToken(tokenHash: "api-eva")?.name == "Integration")
            #expect(try await target.session(tokenHash: "session-eva")?.csrfToken == "csrf-eva")
            #expect(try await target.groupRules().map(\.groupName) == ["Skolans personal"])
            #expect(try await target.membership(workspace: w.closed.id, person: w.karin.id) == .member, "the group rule's membership")
            #expect(try await target.unreadNotificationCount(of: w.eva.id) == 2)
            let archive = try #require(w.archive)
            #expect(try await target.latestSeq(workspace: archive.id) == Int64(Self.bulk + 1))
            #expect(try await Self.allEvents(target, archive.id).map(\.seq) == Array(1...Int64(Self.bulk + 1)))
        }
    }

    @Test("the next apply continues each workspace's seqs gaplessly, and an idempotency key from before the copy is a duplicate")
    func writesContinue() async throws {
        try await Self.withCopy { copy in
            let w = copy.world
            let target = copy.target
            let last = try await copy.source.latestSeq(workspace: w.open.id)
            #expect(last == 10)

            let next = Post(workspaceID: w.open.id, threadID: w.thread.id, authorID: w.olle.id, body: "Efter flytten", createdAt: Instant.at(1000))
            let applied = try await Self.apply(target, .createPost(next), in: w.open.id, "post.created", #"{"body":"Efter flytten"}"#, by: w.olle.id,
                                               at: Instant.at(1000), key: IdempotencyKey(personID: w.olle.id, key: "after-the-move"))
            #expect(applied == .applied(applied.event) && applied.event.seq == last + 1)
            #expect(try await target.events(workspace: w.open.id, after: 0, limit: 1000).map(\.seq) == Array(1...(last + 1)))
            #expect(try await target.latestSeq(workspace: w.open.id) == last + 1)
            #expect(try await target.thread(id: w.thread.id)?.postCount == 5)
            // The other workspaces continue from their own heads: the secret one from its 2, the
            // closed one (no events before the copy) from nothing.
            let secretNext = try await Self.apply(target, .createPost(Post(workspaceID: w.secret.id, threadID: w.secretThread.id, authorID: w.sara.id,
                                                                             body: "Klart", createdAt: Instant.at(1001))),
                                                  in: w.secret.id, "post.created", "{}", by: w.sara.id, at: Instant.at(1001))
            #expect(secretNext.event.seq == 3)
            let closedThread = DiscussionThread(workspaceID: w.closed.id, title: "Första", authorID: w.eva.id, createdAt: Instant.at(1002))
            let closedFirst = try await Self.apply(target, .createThread(closedThread, opening: Post(workspaceID: w.closed.id, threadID: closedThread.id,
                                                                                                      authorID: w.eva.id, body: "Hej", createdAt: Instant.at(1002))),
                                                   in: w.closed.id, "thread.created", "{}", by: w.eva.id, at: Instant.at(1002))
            #expect(closedFirst.event.seq == 1)

            // The key olle used before the copy: nothing is written, the first event comes back.
            let original = try #require(try await copy.source.events(workspace: w.open.id, after: 1, limit: 1).first)
            let retry = Post(workspaceID: w.open.id, threadID: w.thread.id, authorID: w.olle.id, body: "Jag kan ta måndagar (igen)", createdAt: Instant.at(1003))
            let duplicate = try await Self.apply(target, .createPost(retry), in: w.open.id, "post.created", "{}", by: w.olle.id,
                                                 at: Instant.at(1003), key: IdempotencyKey(personID: w.olle.id, key: "reply-1"))
            #expect(duplicate == .duplicate(original))
            #expect(try await target.post(id: retry.id) == nil)
            #expect(try await target.latestSeq(workspace: w.open.id) == last + 1)

            // Rows whose ids the engine numbers continue after the copied ones.
            try await Self.apply(target, .editPost(w.answer.id, body: "Tisdagar och torsdagar", at: Instant.at(1004), by: w.sara.id),
                                 in: w.open.id, "post.edited", "{}", by: w.sara.id, at: Instant.at(1004))
            #expect(try await target.revisions(post: w.answer.id).map(\.body) == ["Tisdagar passar mig"])
            try await Self.apply(target, .addReaction(Reaction(targetID: w.answer.id.uuid, personID: w.olle.id, emoji: "🎉")),
                                 in: w.open.id, "reaction.added", "{}", by: w.olle.id, at: Instant.at(1005))
            #expect(try await target.reactions(targets: [w.answer.id.uuid])[w.answer.id.uuid]?.map(\.emoji) == ["👍", "🎉"])
            let copiedStays = try await copy.source.attendance(meeting: w.meeting.id).count
            let stay = try await target.openAttendance(MeetingAttendance(meetingID: w.meeting.id, personID: w.sara.id, joinedAt: Instant.at(1006)))
            #expect(stay > w.attendanceIDs.max() ?? 0)
            #expect(try await target.attendance(meeting: w.meeting.id).count == copiedStays + 1)
            let lastAudit = try #require(try await copy.source.auditEntries(AuditFilter(), afterID: 0, limit: 1000).last)
            try await target.appendAudit([AuditEntry(at: Instant.at(1007), action: .tokenDeleted, actor: .person(w.eva), via: .hand)])
            let audit = try await target.auditEntries(AuditFilter(), afterID: 0, limit: 1000)
            #expect(audit.last?.action == .tokenDeleted && (audit.last?.id ?? 0) > lastAudit.id)
            #expect(audit.dropLast() == (try await copy.source.auditEntries(AuditFilter(), afterID: 0, limit: 1000))[...])
        }
    }

    @Test("search on PostgreSQL finds the copied content under the same permissions as on SQLite")
    func searchFindsTheCopy() async throws {
        try await Self.withCopy { copy in
            let w = copy.world
            func ids(_ store: any CommunisStore, _ terms: [String], as person: Person, kinds: Set<SearchKind> = []) async throws -> Set<String> {
                let reader = SearchReader(person: person.id, readsOpenWorkspaces: person.role.isEmployee,
                                          readsOrganisation: person.role.isEmployee, findsPeople: person.role.isEmployee)
                return Set(try await store.search(SearchQuery(terms: terms, prefixLast: false, kinds: kinds), reader: reader, limit: 50, cursor: nil)
                    .hits.map(\.id))
            }
            func found(_ terms: [String], as person: Person, kinds: Set<SearchKind> = [], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Set<String> {
                let onSQLite = try await ids(copy.source, terms, as: person, kinds: kinds)
                let onPostgres = try await ids(copy.target, terms, as: person, kinds: kinds)
                #expect(onPostgres == onSQLite, "\(terms) as \(person.name): PostgreSQL finds what SQLite found", sourceLocation: sourceLocation)
                return onPostgres
            }
            // A post of the secret workspace: its members (a guest too) find it, an employee outside does not.
            #expect(try await found(["sekretessmarkt"], as: w.sara) == [w.secretReply.id.description])
            #expect(try await found(["sekretessmarkt"], as: w.gunnar) == [w.secretReply.id.description])
            #expect(try await found(["sekretessmarkt"], as: w.olle).isEmpty)
            #expect(try await found(["lonekartlaggning"], as: w.olle).isEmpty)
            #expect(try await found(["lonekartlaggning"], as: w.eva, kinds: [.thread]) == [w.secretThread.id.description])
            // An open workspace's post: employees find it, a guest who is not a member does not.
            #expect(try await found(["tisdagar"], as: w.olle, kinds: [.post]) == [w.answer.id.description])
            #expect(try await found(["tisdagar"], as: w.gunnar).isEmpty)
            // The edited text is found, the replaced one is not; the deleted post is gone.
            #expect(try await found(["onsdagar"], as: w.sara) == [w.reply.id.description])
            #expect(try await found(["fredagar"], as: w.sara).isEmpty)
            // People by name and competence (å/ä/ö folded); never guests, and guests find nobody.
            #expect(try await found(["aberg"], as: w.olle) == [w.sara.id.description])
            #expect(try await found(["upphandling"], as: w.olle) == [w.eva.id.description])
            #expect(try await found(["gunnar"], as: w.olle).isEmpty)
            #expect(try await found(["aberg"], as: w.gunnar).isEmpty)
            #expect(try await found(["karlsson"], as: w.olle) == [w.karin.id.description])
            // Blogs, articles (members only), recordings and their chapters.
            #expect(try await found(["studiebesok"], as: w.olle) == [w.blog.id.description])
            #expect(try await found(["loprunda"], as: w.olle) == [w.personalBlog.id.description])
            #expect(try await found(["utkastet"], as: w.eva).isEmpty, "a draft is never found")
            #expect(try await found(["inloggning"], as: w.sara, kinds: [.article]) == [w.howTo.id.description])
            #expect(try await found(["inloggning"], as: w.karin, kinds: [.article]).isEmpty, "an open workspace's article is for its members")
            #expect(try await found(["fragor"], as: w.olle, kinds: [.chapter]) == ["\(w.recording.id)#1"])
            #expect(try await found(["genomgang"], as: w.karin, kinds: [.recording]) == [w.recording.id.description])
            // Documents: by title and current text; an older version's text only when asked for.
            let policy = w.library.policy.id.description
            #expect(try await found(["resepolicy"], as: w.olle, kinds: [.document]) == [policy])
            #expect(try await found(["traktamente"], as: w.olle, kinds: [.document]) == [policy])
            #expect(try await found(["milersattning"], as: w.olle, kinds: [.document]).isEmpty)
            #expect(try await found(["gammalt"], as: w.olle, kinds: [.document]).isEmpty, "a document in the trash is not found")
            #expect(try await found(["resepolicy"], as: w.gunnar).isEmpty)
            for store in [copy.source as any CommunisStore, copy.target] {
                let hits = try await store.search(SearchQuery(terms: ["milersattning"], prefixLast: false, kinds: [.document], includeArchived: true),
                                                  reader: SearchReader(person: w.olle.id, readsOpenWorkspaces: true, readsOrganisation: true, findsPeople: true),
                                                  limit: 10, cursor: nil).hits
                #expect(hits.map(\.id) == [policy] && hits.map(\.documentVersion) == [1] && hits.map(\.archived) == [true])
            }
            // Search keeps following changes made after the copy.
            try await Self.apply(copy.target, .editPost(w.secretReply.id, body: "Underlaget är nu offentligt", at: Instant.at(1000), by: w.sara.id),
                                 in: w.secret.id, "post.edited", "{}", by: w.sara.id, at: Instant.at(1000))
            #expect(try await ids(copy.target, ["sekretessmarkt"], as: w.sara).isEmpty)
            #expect(try await ids(copy.target, ["offentligt"], as: w.sara) == [w.secretReply.id.description])
            #expect(try await ids(copy.target, ["offentligt"], as: w.olle).isEmpty)
        }
    }

    @Test("a second copy into the now non-empty database is refused and changes nothing")
    func secondCopyRefused() async throws {
        try await Self.withCopy { copy in
            let before = try await Self.readings(copy.target, copy.world)
            let peopleBefore = try await copy.target.countPeople()
            // Again from the same installation, and from another one with a person of its own.
            let again = await #expect(throws: TransferRefused.self) { _ = try await copy.target.receiveTransfer(from: copy.source) }
            #expect(again?.description.contains("already holds data") == true, "\(again?.description ?? "")")
            let intruder = Fixture.person("Ingrid Intrång")
            try await Self.withSQLite { other in
                try await Fixture.insert(other, intruder)
                let refused = await #expect(throws: TransferRefused.self) { _ = try await copy.target.receiveTransfer(from: other) }
                #expect(refused?.description.contains("people") == true, "\(refused?.description ?? "")")
            }
            #expect(try await copy.target.person(id: intruder.id) == nil)
            #expect(try await copy.target.countPeople() == peopleBefore)
            Self.expectSame(try await Self.readings(copy.target, copy.world), as: before)
            // And the refused copies left the database fully usable.
            let applied = try await Self.apply(copy.target, .createPost(Post(workspaceID: copy.world.open.id, threadID: copy.world.thread.id,
                                                                            authorID: copy.world.eva.id, body: "Fortfarande här", createdAt: Instant.at(2000))),
                                               in: copy.world.open.id, "post.created", "{}", by: copy.world.eva.id, at: Instant.at(2000))
            #expect(applied.event.seq == 11)
        }
    }
}

// MARK: - The installation

extension TransferTests {
    static let binaryPayload = Data([0x7B, 0x00, 0xFF, 0xFE, 0xC3, 0xA5, 0x0A, 0x7D])

    /// Tables the fill below puts rows in: one or more of every area.
    static let filledTables = [
        "people", "person_competences", "sessions", "api_tokens", "workspaces", "memberships", "join_requests", "guest_invitations",
        "workspace_sequences", "events", "threads", "posts", "post_revisions", "reactions", "blog_posts", "notifications", "idempotency_keys",
        "feed_tokens", "personal_comments", "meetings", "meeting_invitations", "meeting_attendance", "recordings", "recording_participants",
        "how_tos", "how_to_revisions", "external_identities", "known_groups", "person_groups", "group_rules", "audit_log",
        "login_failures", "password_resets", "oidc_logins", "mail_outbox", "periodic_jobs",
        "document_folders", "documents", "document_versions", "document_texts", "document_links",
        "notification_settings", "notification_preferences", "follows", "digest_items", "digest_claims",
    ]

    /// What the fill made, for the checks.
    struct World: Sendable {
        var eva, olle, sara, gunnar, dora, karin: Person
        var open, closed, secret: Workspace
        var thread, secretThread: DiscussionThread
        var opening, reply, answer, deleted, secretReply: Post
        var blog, personalBlog: BlogPost
        var meeting: Meeting
        var attendanceIDs: [Int64]
        var recording: Recording
        var howTo, orgHowTo: HowTo
        var apiToken: ApiTokenRecord
        /// A workspace with more events than one batch of the copy (only when asked for).
        var archive: Workspace?
        var archiveThread: DiscussionThread?
        /// The document library (TransferTests+Documents).
        var library: Library
    }

    /// Replies in the bulk workspace: more rows than one batch of the copy (1 000) in events,
    /// posts and idempotency keys.
    static let bulk = 1_050

    /// A workspace's whole log, read in pages.
    static func allEvents(_ store: any CommunisStore, _ workspace: WorkspaceID) async throws -> [WorkspaceEvent] {
        var events: [WorkspaceEvent] = []
        while true {
            let page = try await store.events(workspace: workspace, after: events.last?.seq ?? 0, limit: 500)
            if page.isEmpty { return events }
            events += page
        }
    }

    /// Applies a live change with its own payload (exact bytes), as the service does.
    @discardableResult
    static func apply(
        _ store: any CommunisStore, _ change: LiveChange, in workspace: WorkspaceID, _ kind: String, _ payload: String, by actor: PersonID,
        at: Date, notifications: [PersonalNotification] = [], key: IdempotencyKey? = nil
    ) async throws -> Applied {
        try await apply(store, change, in: workspace, kind, Data(payload.utf8), by: actor, at: at, notifications: notifications, key: key)
    }

    @discardableResult
    static func apply(
        _ store: any CommunisStore, _ change: LiveChange, in workspace: WorkspaceID, _ kind: String, _ payload: Data, by actor: PersonID,
        at: Date, notifications: [PersonalNotification] = [], key: IdempotencyKey? = nil
    ) async throws -> Applied {
        try await store.apply(change, event: EventDraft(workspaceID: workspace, kind: kind, payload: payload, actorID: actor, createdAt: at),
                              notifications: notifications, idempotency: key)
    }

    /// An installation with content of every area, written through the store protocols.
    static func fill(_ store: any CommunisStore, bulk: Int = 0) async throws -> World {
        // People: employees with competences and passwords, an administrator who logged in, a
        // disabled account, a guest (invited, with a password of their own), a directory person.
        let eva = try await Fixture.insert(store, Fixture.person("Eva Ek", role: .admin, title: "IT-strateg", department: "IT-avdelningen",
                                                                 workplace: "Stadshuset", competences: ["Procapita", "Upphandling"]),
                                           passwordHash: "$2b$12$eva-hash")
        try await store.recordSuccessfulLogin(id: eva.id, at: Instant.at(30))
        let olle = try await Fixture.insert(store, Fixture.person("Olle Olsson", title: "Handläggare", department: "Bygglov",
                                                                  workplace: "Västra kontoret", competences: ["Plan- och bygglagen"]),
                                            passwordHash: "$2b$12$olle-hash")
        let sara = try await Fixture.insert(store, Fixture.person("Sara Åberg", title: "Skolsköterska", department: "Elevhälsan",
                                                                  workplace: "Skolan", competences: ["Vaccinationer"]),
                                            passwordHash: "$2b$12$sara-hash")
        let gunnar = try await Fixture.insert(store, Fixture.person("Gunnar Gäst", role: .guest), passwordHash: nil)
        let dora = try await Fixture.insert(store, Fixture.person("Dora Disabled", disabled: true))
        let group = IdentityFixture.group("6f1c2a40-0000-4000-8000-000000000001", "Skolans personal")
        let karin = try await IdentityFixture.provision(
            store, IdentityFixture.directory("k-1", login: "karin", name: "Karin Karlsson", email: "karin@katrineholm.se"), groups: [group]
        ).person

        // Workspaces: open with members, closed with a join request and a group rule, secret
        // with a member and an invited guest.
        let open = try await Fixture.createWorkspace(store, "Skolstart", .open, owner: eva.id)
        try await store.addMember(Membership(workspaceID: open.id, personID: olle.id, role: .member, joinedAt: Instant.at(1)))
        try await store.addMember(Membership(workspaceID: open.id, personID: sara.id, role: .member, joinedAt: Instant.at(2)))
        let closed = try await Fixture.createWorkspace(store, "Bygglov Västra", .closed, owner: olle.id)
        try await store.insertJoinRequest(workspace: closed.id, person: sara.id, at: Instant.at(3))
        try await IdentityFixture.rule(store, group, .membership(closed.id, .member))
        let secret = try await Fixture.createWorkspace(store, "Löneöversyn 2026", .secret, owner: eva.id)
        try await store.addMember(Membership(workspaceID: secret.id, personID: sara.id, role: .member, joinedAt: Instant.at(4)))
        try await store.insertInvitation(GuestInvitationRecord(tokenHash: "invite-gunnar", workspaceID: secret.id, personID: gunnar.id,
                                                               invitedBy: eva.id, createdAt: Instant.at(5), expiresAt: Instant.at(86_400)))
        _ = try await store.acceptInvitation(tokenHash: "invite-gunnar", passwordHash: "$2b$12$gunnar-hash", at: Instant.at(6))

        // A discussion with replies, a mention, an edit with two revisions, a deletion, reactions
        // (one event with a payload that is not UTF-8), a workspace blog post.
        let (thread, opening) = try await Live.thread(store, "Schema för hösten", in: open.id, by: eva.id, at: Instant.at(10))
        let reply = Post(workspaceID: open.id, threadID: thread.id, authorID: olle.id, body: "Jag kan ta måndagar", createdAt: Instant.at(11))
        let mention = PersonalNotification(personID: eva.id, kind: .mention, workspaceID: open.id, threadID: thread.id, postID: reply.id,
                                           actorID: olle.id, excerpt: "@Eva Jag kan ta måndagar", createdAt: Instant.at(11))
        try await apply(store, .createPost(reply), in: open.id, "post.created", #"{"body":"Jag kan ta måndagar","id":"\#(reply.id)"}"#,
                        by: olle.id, at: Instant.at(11), notifications: [mention], key: IdempotencyKey(personID: olle.id, key: "reply-1"))
        let answer = Post(workspaceID: open.id, threadID: thread.id, authorID: sara.id, parentID: reply.id, body: "Tisdagar passar mig",
                          createdAt: Instant.at(12))
        try await apply(store, .createPost(answer), in: open.id, "post.created", #"{"body":"Tisdagar passar mig"}"#, by: sara.id, at: Instant.at(12))
        let deleted = Post(workspaceID: open.id, threadID: thread.id, authorID: olle.id, body: "Fredagar är bäst", createdAt: Instant.at(13))
        try await apply(store, .createPost(deleted), in: open.id, "post.created", #"{"body":"Fredagar"}"#, by: olle.id, at: Instant.at(13))
        try await apply(store, .deletePost(deleted.id, at: Instant.at(14), by: olle.id), in: open.id, "post.deleted", "{}", by: olle.id, at: Instant.at(14))
        try await apply(store, .editPost(reply.id, body: "Jag kan ta måndagar och tisdagar", at: Instant.at(15), by: olle.id),
                        in: open.id, "post.edited", #"{"rev":1}"#, by: olle.id, at: Instant.at(15))
        try await apply(store, .editPost(reply.id, body: "Jag kan ta måndagar och onsdagar", at: Instant.at(16), by: olle.id),
                        in: open.id, "post.edited", #"{"rev":2}"#, by: olle.id, at: Instant.at(16))
        try await apply(store, .addReaction(Reaction(targetID: answer.id.uuid, personID: eva.id, emoji: "👍")),
                        in: open.id, "reaction.added", binaryPayload, by: eva.id, at: Instant.at(17))
        try await apply(store, .addReaction(Reaction(targetID: reply.id.uuid, personID: sara.id, emoji: "❤️")),
                        in: open.id, "reaction.added", #"{"emoji":"❤️"}"#, by: sara.id, at: Instant.at(18))
        let blog = Live.blog("Studiebesök i Malmö", in: open.id, by: eva.id, at: Instant.at(19))
        try await apply(store, .saveBlogPost(blog), in: open.id, "blog.published", #"{"title":"Studiebesök"}"#, by: eva.id, at: Instant.at(19))
        try await store.saveDraft(BlogPost(workspaceID: open.id, authorID: eva.id, title: "Utkastet", body: "Inte klart", status: .draft,
                                           createdAt: Instant.at(20)))

        // The secret workspace's discussion.
        let (secretThread, _) = try await Live.thread(store, "Lönekartläggning", in: secret.id, by: eva.id, at: Instant.at(21))
        let secretReply = Post(workspaceID: secret.id, threadID: secretThread.id, authorID: sara.id,
                               body: "Underlaget är sekretessmärkt", createdAt: Instant.at(22))
        try await apply(store, .createPost(secretReply), in: secret.id, "post.created", "{}", by: sara.id, at: Instant.at(22),
                        key: IdempotencyKey(personID: sara.id, key: "secret-1"))

        // A personal blog with a comment and a reaction; a feed token.
        let personalBlog = Live.blog("Min löprunda", in: nil, by: eva.id, at: Instant.at(23))
        try await store.saveDraft(personalBlog)
        try await store.addPersonalComment(PersonalComment(blogPostID: personalBlog.id, authorID: olle.id, body: "Snyggt!", createdAt: Instant.at(24)))
        try await store.setReaction(Reaction(targetID: personalBlog.id.uuid, personID: olle.id, emoji: "🏃"), present: true)
        try await store.setFeedToken(hash: "feed-eva", for: eva.id)
        // The notification centre: settings, follows (an unfollowed member workspace too), a
        // digest mailed and one waiting.
        var settings = NotificationSettings.defaults
        settings.kinds[.mention] = NotificationPreference(app: false, email: .immediate, push: true)
        try await store.setNotificationSettings(settings, for: olle.id, at: Instant.at(24))
        try await store.setFollow(Follow(personID: olle.id, kind: .person, target: eva.id.description, createdAt: Instant.at(24)))
        try await store.setFollow(Follow(personID: olle.id, kind: .tag, target: "lön", createdAt: Instant.at(24)))
        try await store.setFollow(Follow(personID: eva.id, kind: .workspace, target: open.id.description, following: false, createdAt: Instant.at(24)))
        try await store.recordNotifications([], digest: [
            DigestItem(personID: olle.id, cadence: .daily, kind: .news, actorName: "", excerpt: "Ny lön", link: "#/news/x", createdAt: Instant.at(24)),
            DigestItem(personID: olle.id, cadence: .daily, kind: .reply, actorName: "Eva", excerpt: "Svar", link: "#/x", createdAt: Instant.at(30)),
        ])
        _ = try await store.claimDigest(person: olle.id, cadence: .daily, period: "2026-01-01", before: Instant.at(25), at: Instant.at(26)) { _ in nil }

        // A meeting that ran, with attendance and a guest link, and its recording with chapters.
        let meeting = Meeting(workspaceID: open.id, title: "Veckomöte", scheduledFor: Instant.at(3600), createdBy: eva.id,
                              createdAt: Instant.at(25), threadID: ThreadID())
        try await store.createMeeting(meeting)
        #expect(try await store.markMeetingStarted(meeting.id, at: Instant.at(3600)))
        let first = try await store.openAttendance(MeetingAttendance(meetingID: meeting.id, personID: eva.id, joinedAt: Instant.at(3600)))
        let second = try await store.openAttendance(MeetingAttendance(meetingID: meeting.id, personID: olle.id, joinedAt: Instant.at(3610)))
        try await store.closeAttendance(second, at: Instant.at(3900))
        #expect(try await store.markMeetingEnded(meeting.id, at: Instant.at(4200), by: eva.id))
        try await store.insertMeetingInvitation(MeetingInvitation(meetingID: meeting.id, guestName: "Gustav Partner", guestEmail: "gustav@partner.se",
                                                                  tokenHash: "meeting-link", createdBy: eva.id, createdAt: Instant.at(26),
                                                                  expiresAt: Instant.at(86_400)))
        var recording = Recording(workspaceID: open.id, meetingID: meeting.id, title: "Genomgång av schemat", kind: .meeting, startedBy: eva.id,
                                  startedAt: Instant.at(3600), endedAt: Instant.at(4200), durationMs: 600_000, sizeBytes: 1_234_567,
                                  state: .complete, stopReason: .meetingEnded, fileName: "rec.opus", sharedWithOrganisation: true,
                                  chapters: [RecordingChapter(title: "Inledning", offsetMs: 0)])
        recording.fileName = "\(open.id)/\(recording.id).opus"
        try await store.insertRecording(recording)
        recording = try await store.addRecordingChapter(recording.id, RecordingChapter(title: "Frågor om tisdagar", offsetMs: 42_160))
        try await store.addRecordingParticipant(RecordingParticipant(recordingID: recording.id, personID: olle.id, streamID: 2, joinedOffsetMs: 1500,
                                                                     fileName: "\(open.id)/\(recording.id)-2.opus"))

        // The knowledge bank: an article with three revisions (the last a restore) that is due
        // for review, and an archived organisation-wide one.
        let content = HowToContent(
            title: "Logga in i Procapita", summary: "Inloggning steg för steg", body: "1. Öppna Procapita\n2. Välj enhet",
            tags: ["Procapita", "Inloggning"], audience: HowToAudience(departments: ["Elevhälsan"]), reviewBy: "2026-06-30",
            recordings: [RecordingReference(recordingId: recording.id.description, title: recording.title,
                                            chapters: [RecordingChapter(title: "Frågor om tisdagar", offsetMs: 42_160)])])
        var howTo = HowTo(workspaceID: open.id, ownerID: eva.id, content: content, createdAt: Instant.at(27))
        try await store.createHowTo(howTo)
        var changed = content
        changed.body += "\n3. Klicka på Logga in"
        _ = try await store.saveHowTo(howTo.id, content: changed, basedOn: 1, by: sara.id, at: Instant.at(28), restoredFrom: nil)
        howTo = try await store.saveHowTo(howTo.id, content: content, basedOn: 2, by: eva.id, at: Instant.at(29), restoredFrom: 1)
        var orgHowTo = HowTo(workspaceID: nil, ownerID: eva.id, content: HowToContent(title: "Boka rum", body: "Använd Outlook"), createdAt: Instant.at(31))
        try await store.createHowTo(orgHowTo)
        orgHowTo = try await store.setHowToStatus(orgHowTo.id, .archived)
        let reminders = try await store.recordReviewReminders(today: "2026-07-01", at: Instant.at(32), limit: 10)
        #expect(reminders.map(\.howToID) == [howTo.id])

        // Sessions and tokens, login support, the outbox, a periodic job, an audit entry.
        try await store.insertSession(SessionRecord(tokenHash: "session-eva", personID: eva.id, csrfToken: "csrf-eva", createdAt: Instant.at(33),
                                                    expiresAt: Instant.at(86_400), method: .password, address: "10.0.0.1",
                                                    userAgent: "Firefox/140", lastSeenAt: Instant.at(34)))
        let apiToken = ApiTokenRecord(personID: eva.id, name: "Integration", tokenHash: "api-eva", createdAt: Instant.at(35), lastUsedAt: Instant.at(36))
        try await store.insertApiToken(apiToken)
        _ = try await store.recordLoginFailure(scope: "password", address: "10.0.0.9", person: olle.id, at: Instant.at(37), policy: LoginDelayPolicy())
        try await store.insertPasswordReset(PasswordResetRecord(tokenHash: "reset-olle", personID: olle.id, createdAt: Instant.at(38),
                                                                expiresAt: Instant.at(3600)))
        try await store.insertOIDCLogin(OIDCLoginRecord(flowHash: "flow-1", state: "state", nonce: "nonce", codeVerifier: "verifier",
                                                        returnTo: "#/hem", createdAt: Instant.at(39), expiresAt: Instant.at(639)))
        try await store.enqueueMail(OutboxMail(kind: "password-reset", recipient: olle.email, recipientName: olle.name, subject: "Återställ ditt lösenord",
                                               text: "Klicka på länken", html: "<p>Klicka på länken</p>", nextAttemptAt: Instant.at(40),
                                               createdAt: Instant.at(40)))
        let ran = try await store.runJob("prune-events", every: 3600, node: "node-1", at: Instant.at(41)) {}
        #expect(ran)
        try await store.appendAudit([AuditEntry(at: Instant.at(42), action: .tokenCreated, actor: .person(eva),
                                                target: AuditRef(type: "token", id: apiToken.id.description, name: "Integration"),
                                                via: .hand, address: "10.0.0.1", details: ["name": "Integration"])])

        // Many replies in a workspace of their own, each with an idempotency key.
        var archive: Workspace?
        var archiveThread: DiscussionThread?
        if bulk > 0 {
            let space = try await Fixture.createWorkspace(store, "Arkivet", .open, owner: olle.id)
            let (thread, _) = try await Live.thread(store, "Många svar", in: space.id, by: olle.id, at: Instant.at(100))
            for index in 0..<bulk {
                let author = index.isMultiple(of: 2) ? olle : eva
                let post = Post(workspaceID: space.id, threadID: thread.id, authorID: author.id, body: "Svar nummer \(index)",
                                createdAt: Instant.at(101 + Double(index)))
                try await apply(store, .createPost(post), in: space.id, "post.created", #"{"n":\#(index)}"#, by: author.id,
                                at: post.createdAt, key: IdempotencyKey(personID: author.id, key: "bulk-\(index)"))
            }
            archive = space
            archiveThread = thread
        }

        return World(eva: eva, olle: olle, sara: sara, gunnar: gunnar, dora: dora, karin: karin, open: open, closed: closed, secret: secret,
                     thread: thread, secretThread: secretThread, opening: opening, reply: reply, answer: answer, deleted: deleted,
                     secretReply: secretReply, blog: blog, personalBlog: personalBlog, meeting: meeting, attendanceIDs: [first, second],
                     recording: recording, howTo: howTo, orgHowTo: orgHowTo, apiToken: apiToken,
                     archive: archive, archiveThread: archiveThread,
                     library: try await fillLibrary(store, eva: eva, olle: olle, linkedFrom: reply))
    }
}

// MARK: - Reading both engines the same way

extension TransferTests {
    /// One answer of a store, named.
    struct Reading: Sendable {
        let name: String
        let value: any Equatable & Sendable
    }

    static func isEqual<T: Equatable>(_ a: T, _ b: any Equatable) -> Bool { (b as? T) == a }

    /// Records an issue for every answer of `actual` that differs from `expected`'s.
    static func expectSame(_ actual: [Reading], as expected: [Reading], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.map(\.name) == expected.map(\.name), sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            let same = isEqual(e.value, a.value)
            #expect(same, "\(a.name): \(a.value) — expected \(e.value)", sourceLocation: sourceLocation)
        }
    }

    /// What a municipality's IT would look at, asked of one store.
    static func readings(_ store: any CommunisStore, _ w: World) async throws -> [Reading] {
        var r: [Reading] = []
        func add(_ name: String, _ value: any Equatable & Sendable) { r.append(Reading(name: name, value: value)) }
        let page = PageRequest(limit: 100)
        let people = [w.eva, w.olle, w.sara, w.gunnar, w.dora, w.karin]
        let spaces = [w.open, w.closed, w.secret]

        add("people", try await store.countPeople())
        for person in people {
            add("credentials \(person.name)", try await store.credentials(id: person.id))
            add("workspaces of \(person.name)", try await store.workspaces(of: person.id, text: nil, page: page).items)
            add("discoverable for \(person.name)", try await store.discoverableWorkspaces(for: person.id, text: nil, page: page).items)
            add("notifications of \(person.name)", try await store.notifications(of: person.id, page: page).items)
            add("unread of \(person.name)", try await store.unreadNotificationCount(of: person.id))
            add("sessions of \(person.name)", try await store.sessions(of: person.id))
            add("api tokens of \(person.name)", try await store.apiTokens(of: person.id))
            add("identities of \(person.name)", try await store.identities(of: person.id))
            add("groups of \(person.name)", try await store.groups(of: person.id))
        }
        add("credentials by e-mail", try await store.credentials(email: w.sara.email))
        add("directory", try await store.searchPeople(PeopleQuery(roles: [.admin, .member, .guest], includeDisabled: true), page: page).items)
        add("directory by competence", try await store.searchPeople(PeopleQuery(competence: "procapita"), page: page).items)
        add("facets", try await store.directoryFacets())
        for space in spaces {
            add("overview \(space.name)", try await store.overview(id: space.id))
            add("members \(space.name)", try await store.members(of: space.id, page: page).items)
            add("join requests \(space.name)", try await store.joinRequests(of: space.id))
            add("threads \(space.name)", try await store.threads(workspace: space.id, page: page).items)
            add("events \(space.name)", try await store.events(workspace: space.id, after: 0, limit: 1000))
            add("latest seq \(space.name)", try await store.latestSeq(workspace: space.id))
            add("oldest seq \(space.name)", try await store.oldestSeq(workspace: space.id))
            add("blog \(space.name)", try await store.blogPosts(workspace: space.id, author: nil, draftsOf: w.eva.id, page: page).items)
            add("meetings \(space.name)", try await store.meetings(workspace: space.id, includeEnded: true))
        }
        if let archive = w.archive, let thread = w.archiveThread {
            add("events \(archive.name)", try await allEvents(store, archive.id))
            add("latest seq \(archive.name)", try await store.latestSeq(workspace: archive.id))
            add("thread \(thread.title)", try await store.thread(id: thread.id))
            var posts: [Post] = []
            while true {
                let page = try await store.posts(thread: thread.id, page: PageRequest(limit: 100, offset: posts.count)).items
                if page.isEmpty { break }
                posts += page
            }
            add("posts \(thread.title)", posts)
        }
        add("invitation", try await store.invitation(tokenHash: "invite-gunnar"))
        for thread in [w.thread, w.secretThread] {
            add("thread \(thread.title)", try await store.thread(id: thread.id))
            add("posts \(thread.title)", try await store.posts(thread: thread.id, page: page).items)
        }
        for post in [w.reply, w.answer, w.deleted] { add("revisions \(post.body)", try await store.revisions(post: post.id)) }
        add("reactions", try await store.reactions(targets: [w.reply.id.uuid, w.answer.id.uuid, w.blog.id.uuid, w.personalBlog.id.uuid]))
        add("personal blog", try await store.blogPosts(workspace: nil, author: w.eva.id, draftsOf: nil, page: page).items)
        add("personal comments", try await store.personalComments(blogPost: w.personalBlog.id, page: page).items)
        add("feed of olle", try await store.feed(for: w.olle.id, kinds: ["post.created", "thread.created", "blog.published"], before: nil, limit: 100))
        add("feed token", try await store.person(feedTokenHash: "feed-eva"))
        add("notification settings", try await store.notificationSettings(of: [w.olle.id, w.eva.id]))
        add("follows of olle", try await store.follows(of: w.olle.id))
        add("follows of eva", try await store.follows(of: w.eva.id))
        add("feed of eva", try await store.feed(for: w.eva.id, kinds: ["post.created", "thread.created", "blog.published"], before: nil, limit: 100))
        add("tag followers", try await store.followers(ofTags: ["lön"], categories: []))
        add("pending digests", try await store.peopleWithPendingDigest(cadence: .daily))
        add("meeting", try await store.meeting(id: w.meeting.id))
        add("attendance", try await store.attendance(meeting: w.meeting.id))
        add("meeting invitation", try await store.meetingInvitation(tokenHash: "meeting-link"))
        add("recording", try await store.recording(id: w.recording.id))
        add("recording participants", try await store.recordingParticipants(w.recording.id))
        add("recordings olle may play", try await store.recordings(RecordingFilter(reader: w.olle.id, readsOpenWorkspaces: true, readsShared: true),
                                                                   page: page).items)
        for howTo in [w.howTo, w.orgHowTo] {
            add("how-to \(howTo.content.title)", try await store.howTo(id: howTo.id))
            add("revisions of \(howTo.content.title)", try await store.howToRevisions(howTo.id))
        }
        add("how-tos", try await store.howTos(HowToFilter(readableWorkspaces: Set(spaces.map(\.id)), organisation: true, includeArchived: true),
                                              page: page).items)
        add("session", try await store.session(tokenHash: "session-eva"))
        add("api token", try await store.apiToken(tokenHash: "api-eva"))
        add("directory person", try await store.person(provider: ExternalProfile.directoryProvider, subject: "k-1"))
        add("known groups", try await store.knownGroups(text: nil, limit: 100))
        add("group rules", try await store.groupRules())
        add("audit", try await store.auditEntries(AuditFilter(), afterID: 0, limit: 1000))
        add("password reset", try await store.passwordReset(tokenHash: "reset-olle"))
        add("login delays", try await store.loginDelays(of: people.map(\.id), now: Instant.at(40)))
        add("mail", try await store.recentMail(limit: 10))
        r += try await libraryReadings(store, w.library)
        return r
    }
}

// MARK: - Stores

extension TransferTests {
    /// The installation on SQLite, copied into a fresh PostgreSQL database as `migrate-data`
    /// does it.
    struct Copy: Sendable {
        let source: SQLiteStore
        let target: PostgresStore
        let world: World
        let report: TransferReport
    }

    /// A SQLite store in a temporary folder (`data/communis.sqlite`, as `--data-dir`), removed afterwards.
    static func withSQLite(_ body: (SQLiteStore) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-transfer-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore.open(path: folder.appendingPathComponent("data/communis.sqlite").path, logger: PostgresStoreTests.logger)
        do {
            try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    static func withCopy(bulk: Int = 0, _ body: (Copy) async throws -> Void) async throws {
        try await withSQLite { source in
            let world = try await fill(source, bulk: bulk)
            let server = try await PostgresServer.shared()
            let location = try PostgresLocation(url: try await server.createDatabase())
            let target = try PostgresStore.open(location, logger: PostgresStoreTests.logger, maximumConnections: 4)
            do {
                try await target.connect(timeout: .seconds(15))
                try await target.migrate()
                let report = try await target.receiveTransfer(from: source)
                try await body(Copy(source: source, target: target, world: world, report: report))
            } catch {
                // The test's failure is the one worth reporting, with what PostgreSQL said
                // (postgres-nio's errors print their details only when reflected).
                Issue.record("\(String(reflecting: error))")
                try? await target.close()
                throw error
            }
            try await target.close()
        }
    }
}
