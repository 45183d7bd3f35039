import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `SearchStore`: full-text search with permissions inside the query.
public enum SearchContract {
    public static let cases: [ContractCase] = [
        Live.case("å, ä and ö fold both ways: hogskola finds högskola and the other way round", folding),
        Live.case("the last word matches as a prefix; a finished word does not", prefix),
        Live.case("a title match ranks above a body match", titleFirst),
        Live.case("creating, editing and deleting posts keeps the index in step", postsInStep),
        Live.case("blog posts are found once published, updated on edit, gone when deleted", blogsInStep),
        Live.case("people are found by name, title, department and competence; guests and disabled never", people),
        Live.case("a secret workspace's words never reach outsiders; open ones reach employees only", permissions),
        Live.case("guests find only their workspaces: no people, no personal blogs, no open workspaces", guests),
        Live.case("filters: kind, workspace, author, dates", filters),
        Live.case("pages follow each other without repeats, and the last page has no cursor", pagination),
        Live.case("newest first orders by time over all matches", newestFirst),
        Live.case("terms with quotes or FTS5 operators are plain words", hostile),
        Live.case("a malformed cursor is a validation error", badCursor),
        Live.case("articles: found by title, summary, steps and tags; archived only when asked; members only", articles),
        Live.case("recordings: found by title and chapter titles (with the chapter's offset) only while complete", recordings),
        Live.case("a secret workspace's recording titles never reach outsiders; shared ones reach employees, never guests", recordingPermissions),
        Live.case("a workspace's change of visibility changes who finds its content at once; its articles stay with members", visibilityChange),
        Live.case("sharing a recording with the organisation, unsharing it, or its workspace turning secret changes who finds it", sharingChange),
        Live.case("workspaces: found by name and description by members, and by employees unless secret; kept apart from content", workspaces),
    ]

    static func reader(_ person: Person) -> SearchReader {
        SearchReader(person: person.id, readsOpenWorkspaces: person.role.isEmployee, readsOrganisation: person.role.isEmployee, findsPeople: person.role.isEmployee)
    }

    static func find(_ store: Live.Store, _ terms: [String], prefix: Bool = false, as person: Person, _ configure: (inout SearchQuery) -> Void = { _ in }, limit: Int = 50, cursor: String? = nil) async throws -> SearchPage {
        var query = SearchQuery(terms: terms, prefixLast: prefix)
        configure(&query)
        return try await store.search(query, reader: reader(person), limit: limit, cursor: cursor)
    }

    static func ids(_ page: SearchPage) -> [String] { page.hits.map(\.id) }

    static func folding(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (_, opening) = try await Live.thread(store, "Antagning", in: space.id, by: eva.id)
        let post = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Ansökan till högskolan öppnar i mars")
        #expect(ids(try await find(store, ["hogskolan"], as: eva)) == [post.id.description])
        #expect(ids(try await find(store, ["HÖGSKOLAN"], as: eva)) == [post.id.description])
        let plain = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Skriv ansokan senast fredag")
        #expect(Set(ids(try await find(store, ["ansökan"], as: eva))) == [post.id.description, plain.id.description])
        let hit = try #require(try await find(store, ["hogskolan"], as: eva).hits.first)
        #expect(hit.snippet.contains("\u{E000}högskolan\u{E001}"))
        #expect(hit.title == "Antagning")
        #expect(hit.kind == .post && hit.parentID == opening.threadID.description && hit.workspaceName == "Skolstart" && hit.authorName == "Eva")
    }

    static func prefix(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (thread, _) = try await Live.thread(store, "Schemaläggning", in: space.id, by: eva.id)
        let threads: (inout SearchQuery) -> Void = { $0.kinds = [.thread] }
        #expect(ids(try await find(store, ["schemal"], prefix: true, as: eva, threads)) == [thread.id.description])
        #expect(ids(try await find(store, ["schemal"], prefix: false, as: eva, threads)).isEmpty)
        #expect(ids(try await find(store, ["schemalaggning"], as: eva, threads)) == [thread.id.description])
    }

    static func titleFirst(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (_, opening) = try await Live.thread(store, "Allmänt", in: space.id, by: eva.id, at: Instant.at(0))
        let body = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Vi pratar om budgeten senare idag", at: Instant.at(10))
        let (titled, titledOpening) = try await Live.thread(store, "Budgeten", in: space.id, by: eva.id, at: Instant.at(5))
        let later = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Budgeten igen, och budgeten", at: Instant.at(20))
        let found = ids(try await find(store, ["budgeten"], as: eva, { $0.kinds = [.thread, .post] }))
        #expect(found.first == titled.id.description)
        #expect(Set(found) == [titled.id.description, titledOpening.id.description, body.id.description, later.id.description])
    }

    static func postsInStep(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let (thread, opening) = try await Live.thread(store, "Kaffemaskinen", in: space.id, by: eva.id)
        let post = try await Live.reply(store, to: thread.id, in: space.id, by: eva.id, "Den är trasig igen")
        #expect(ids(try await find(store, ["trasig"], as: eva)) == [post.id.description])
        try await Live.apply(store, .editPost(post.id, body: "Den är lagad nu", at: Instant.at(60), by: eva.id), in: space.id, kind: "post.edited")
        #expect(ids(try await find(store, ["trasig"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["lagad"], as: eva)) == [post.id.description])
        try await Live.apply(store, .deletePost(post.id, at: Instant.at(120), by: eva.id), in: space.id, kind: "post.deleted")
        #expect(ids(try await find(store, ["lagad"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["kaffemaskinen"], as: eva, { $0.kinds = [.post] })) == [opening.id.description])
        try await store.deleteWorkspace(id: space.id)
        #expect(ids(try await find(store, ["kaffemaskinen"], as: eva)).isEmpty)
    }

    static func blogsInStep(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        var draft = Live.blog("Studiebesök", in: space.id, by: eva.id, .draft)
        try await store.saveDraft(draft)
        #expect(ids(try await find(store, ["studiebesok"], as: eva)).isEmpty)
        draft.status = .published
        draft.publishedAt = Instant.at(10)
        try await Live.apply(store, .saveBlogPost(draft), in: space.id, kind: "blog.published")
        #expect(ids(try await find(store, ["studiebesok"], as: eva)) == [draft.id.description])
        draft.title = "Studieresa"
        draft.body = "Vi åkte till Malmö"
        try await Live.apply(store, .saveBlogPost(draft), in: space.id, kind: "blog.updated")
        #expect(ids(try await find(store, ["studiebesok"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["studieresa"], as: eva)) == [draft.id.description])
        try await Live.apply(store, .deleteBlogPost(draft.id), in: space.id, kind: "blog.deleted")
        #expect(ids(try await find(store, ["studieresa"], as: eva)).isEmpty)
        let personal = Live.blog("Min löprunda", in: nil, by: eva.id)
        try await store.saveDraft(personal)
        #expect(ids(try await find(store, ["loprunda"], as: eva)) == [personal.id.description])
        try await store.deleteDraft(personal.id)
        #expect(ids(try await find(store, ["loprunda"], as: eva)).isEmpty)
    }

    static func people(_ store: Live.Store) async throws {
        let viewer = try await Fixture.insert(store, Fixture.person("Eva Ek"))
        var sara = try await Fixture.insert(store, Fixture.person("Sara Åberg", title: "Skolsköterska", department: "Elevhälsan", competences: ["Vaccinationer"]))
        try await Fixture.insert(store, Fixture.person("Gustav Gäst", role: .guest, title: "Skolsköterska"))
        try await Fixture.insert(store, Fixture.person("Dora Disabled", title: "Skolsköterska", disabled: true))
        for term in ["aberg", "skolskoterska", "elevhalsan", "vaccinationer"] {
            #expect(ids(try await find(store, [term], as: viewer)) == [sara.id.description], "\(term)")
        }
        sara.profile.competences = ["Läkemedel"]
        try await store.updatePerson(sara)
        #expect(ids(try await find(store, ["vaccinationer"], as: viewer)).isEmpty)
        #expect(ids(try await find(store, ["lakemedel"], as: viewer)) == [sara.id.description])
        sara.disabled = true
        try await store.updatePerson(sara)
        #expect(ids(try await find(store, ["aberg"], as: viewer)).isEmpty)
    }

    static func permissions(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let secret = try await Fixture.createWorkspace(store, "Rekrytering", .secret, owner: eva.id)
        let closed = try await Fixture.createWorkspace(store, "Ledningsgrupp", .closed, owner: eva.id)
        let open = try await Fixture.createWorkspace(store, "Fikagruppen", .open, owner: eva.id)
        try await Live.thread(store, "Hemlighetsmakeri i rekryteringen", in: secret.id, by: eva.id)
        try await Live.thread(store, "Hemlighetsmakeri i ledningen", in: closed.id, by: eva.id)
        let (visible, _) = try await Live.thread(store, "Hemlighetsmakeri vid fikat", in: open.id, by: eva.id)
        #expect(try await find(store, ["hemlighetsmakeri"], as: eva, { $0.kinds = [.thread] }).hits.count == 3)
        let outsider = try await find(store, ["hemlighetsmakeri"], as: olle, { $0.kinds = [.thread] })
        #expect(ids(outsider) == [visible.id.description] && outsider.nextCursor == nil)
        #expect(ids(try await find(store, ["rekryteringen"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["hemlighetsmakeri"], as: olle, { $0.workspace = secret.id })).isEmpty)
        // One result per page: the cursor must not reveal that more exists.
        #expect(try await find(store, ["hemlighetsmakeri"], as: olle, { $0.kinds = [.thread] }, limit: 1).nextCursor == nil)
        try await store.addMember(Membership(workspaceID: secret.id, personID: olle.id, role: .member, joinedAt: Instant.t0))
        #expect(try await find(store, ["hemlighetsmakeri"], as: olle, { $0.kinds = [.thread] }).hits.count == 2)
        try await store.removeMember(workspace: secret.id, person: olle.id)
        #expect(try await find(store, ["hemlighetsmakeri"], as: olle, { $0.kinds = [.thread] }).hits.count == 1)
    }

    static func guests(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva Bäck", title: "Projektledare"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        let open = try await Fixture.createWorkspace(store, "Öppna rummet", .open, owner: eva.id)
        let shared = try await Fixture.createWorkspace(store, "Samarbete", .closed, owner: eva.id)
        try await store.addMember(Membership(workspaceID: shared.id, personID: guest.id, role: .member, joinedAt: Instant.t0))
        try await Live.thread(store, "Projektplan öppen", in: open.id, by: eva.id)
        let (mine, _) = try await Live.thread(store, "Projektplan delad", in: shared.id, by: eva.id)
        try await store.saveDraft(Live.blog("Projektplan personlig", in: nil, by: eva.id))
        #expect(ids(try await find(store, ["projektplan"], as: guest, { $0.kinds = [.thread, .blog] })) == [mine.id.description])
        #expect(ids(try await find(store, ["projektledare"], as: guest)).isEmpty)
        #expect(ids(try await find(store, ["back"], as: guest)).isEmpty)
        #expect(try await find(store, ["projektplan"], as: eva, { $0.kinds = [.thread, .blog] }).hits.count == 3)
    }

    static func filters(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let other = try await Fixture.createWorkspace(store, "Annat", owner: eva.id)
        let (early, _) = try await Live.thread(store, "Lönesamtal tidigt", in: space.id, by: eva.id, at: Instant.at(0))
        let (late, _) = try await Live.thread(store, "Lönesamtal sent", in: other.id, by: eva.id, at: Instant.at(86_400 * 10))
        try await store.addMember(Membership(workspaceID: space.id, personID: olle.id, role: .member, joinedAt: Instant.t0))
        let (olles, _) = try await Live.thread(store, "Lönesamtal Olle", in: space.id, by: olle.id, at: Instant.at(100))
        try await store.saveDraft(Live.blog("Lönesamtal personligt", in: nil, by: eva.id))
        func found(_ configure: (inout SearchQuery) -> Void) async throws -> Set<String> {
            Set(ids(try await find(store, ["lonesamtal"], as: eva, configure)))
        }
        #expect(try await found { $0.kinds = [.thread] } == [early.id.description, late.id.description, olles.id.description])
        #expect(try await found { $0.kinds = [.thread]; $0.workspace = other.id } == [late.id.description])
        #expect(try await found { $0.kinds = [.thread]; $0.author = olle.id } == [olles.id.description])
        #expect(try await found { $0.kinds = [.thread]; $0.from = Instant.at(86_400) } == [late.id.description])
        #expect(try await found { $0.kinds = [.thread]; $0.to = Instant.at(50) } == [early.id.description])
        #expect(try await found { $0.kinds = [.blog] }.count == 1)
    }

    static func pagination(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        var made: Set<String> = []
        for index in 0..<7 {
            let (thread, _) = try await Live.thread(store, "Protokoll \(index)", in: space.id, by: eva.id, at: Instant.at(Double(index)))
            made.insert(thread.id.description)
        }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await find(store, ["protokoll"], as: eva, { $0.kinds = [.thread] }, limit: 3, cursor: cursor)
            seen += ids(page)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen.count == 7 && Set(seen) == made)
    }

    static func newestFirst(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        var made: [String] = []
        for index in 0..<5 {
            let (thread, _) = try await Live.thread(store, "Rapport \(index)", in: space.id, by: eva.id, at: Instant.at(Double(index)))
            made.insert(thread.id.description, at: 0)
        }
        let first = try await find(store, ["rapport"], as: eva, { $0.kinds = [.thread]; $0.order = .newest }, limit: 2)
        let second = try await find(store, ["rapport"], as: eva, { $0.kinds = [.thread]; $0.order = .newest }, limit: 10, cursor: first.nextCursor)
        #expect(ids(first) + ids(second) == made)
        #expect(second.nextCursor == nil)
    }

    static func hostile(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        try await Live.thread(store, "NEAR och AND", in: space.id, by: eva.id)
        for terms in [["\""], ["NEAR("], ["a\"b"], ["*"], ["title:x"], ["^"], ["-"], ["\"\"\""], ["AND"], ["OR", "NOT"]] {
            _ = try await find(store, terms, prefix: true, as: eva)
        }
        #expect(try await find(store, ["NEAR"], as: eva, { $0.kinds = [.thread] }).hits.count == 1)
    }

    static func badCursor(_ store: Live.Store) async throws {
        let (eva, _) = try await Live.world(store)
        for cursor in ["", "x", "r.1.2", "n.abc", "r.5.1.0.1"] {
            #expect(await domainErrorCode { _ = try await find(store, ["ord"], as: eva, cursor: cursor) } == "validation-failed", "\(cursor)")
        }
    }

    static func articles(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gäst", role: .guest))
        let open = try await Fixture.createWorkspace(store, "Öppen", .open, owner: eva.id)
        let inWorkspace = HowTo(workspaceID: open.id, ownerID: eva.id, content: HowToContent(
            title: "Logga in i Procapita", summary: "Inloggning steg för steg", body: "1. Öppna skrivbordet", tags: ["Journalföring"]), createdAt: Instant.t0)
        let organisation = HowTo(workspaceID: nil, ownerID: eva.id, content: HowToContent(title: "Boka konferensrum", body: "Använd Outlook"), createdAt: Instant.t0)
        try await store.createHowTo(inWorkspace)
        try await store.createHowTo(organisation)
        let articles: (inout SearchQuery) -> Void = { $0.kinds = [.article] }
        for term in ["procapita", "inloggning", "skrivbordet", "journalforing"] {
            #expect(ids(try await find(store, [term], as: eva, articles)) == [inWorkspace.id.description], "\(term)")
        }
        #expect(ids(try await find(store, ["procapita"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["konferensrum"], as: olle)) == [organisation.id.description])
        #expect(ids(try await find(store, ["konferensrum"], as: guest)).isEmpty)
        _ = try await store.setHowToStatus(organisation.id, .archived)
        #expect(ids(try await find(store, ["konferensrum"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["konferensrum"], as: olle, { $0.includeArchived = true })) == [organisation.id.description])
        try await store.deleteHowTo(organisation.id)
        #expect(ids(try await find(store, ["konferensrum"], as: olle, { $0.includeArchived = true })).isEmpty)
    }
}

// MARK: Recordings

extension SearchContract {
    static func recording(_ store: Live.Store, _ title: String, in space: Workspace, by person: Person, state: Recording.State = .complete,
                          shared: Bool = false, chapters: [RecordingChapter] = []) async throws -> Recording {
        let meeting = Meeting(workspaceID: space.id, title: title, createdBy: person.id, createdAt: Instant.t0, threadID: ThreadID())
        try await store.createMeeting(meeting)
        let id = RecordingID()
        let recording = Recording(
            id: id, workspaceID: space.id, meetingID: meeting.id, title: title, kind: .guide, startedBy: person.id, startedAt: Instant.at(60),
            state: state, fileName: "\(space.id)/\(id).opus", sharedWithOrganisation: shared, chapters: chapters)
        try await store.insertRecording(recording)
        return recording
    }

    static func recordings(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let running = try await recording(store, "Lathund Procapita", in: space, by: eva, state: .recording)
        _ = try await store.addRecordingChapter(running.id, RecordingChapter(title: "Logga in med e-tjänstekortet", offsetMs: 1500))
        _ = try await store.addRecordingChapter(running.id, RecordingChapter(title: "Välj enhet", offsetMs: 42_160))
        #expect(ids(try await find(store, ["procapita"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["enhet"], as: eva)).isEmpty)
        _ = try await store.finishRecording(running.id, state: .complete, reason: .stopped, endedAt: Instant.at(120), durationMs: 60_000, sizeBytes: 100)
        let byTitle = try await find(store, ["procapita"], as: eva)
        #expect(ids(byTitle) == [running.id.description])
        #expect(byTitle.hits.first?.kind == .recording && byTitle.hits.first?.recordingID == running.id.description)
        #expect(byTitle.hits.first?.workspaceName == "Skolstart" && byTitle.hits.first?.title == "Lathund Procapita")
        let chapter = try #require(try await find(store, ["enhet"], as: eva, { $0.kinds = [.chapter] }).hits.first)
        #expect(chapter.id == "\(running.id)#1" && chapter.parentID == running.id.description && chapter.recordingID == running.id.description)
        #expect(chapter.offsetMs == 42_160 && chapter.title == "Välj enhet")
        // The recording's text holds its chapter titles too.
        #expect(Set(try await find(store, ["tjanstekortet"], as: eva).hits.map(\.kind)) == [.recording, .chapter])
        // Renaming and new chapters follow; a failed recording is not findable; delete removes all.
        _ = try await store.updateRecording(running.id, RecordingChange(title: "Lathund Treserva", chapters: [RecordingChapter(title: "Starta", offsetMs: 0)]))
        #expect(ids(try await find(store, ["procapita"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["enhet"], as: eva)).isEmpty)
        #expect(try await find(store, ["starta"], as: eva, { $0.kinds = [.chapter] }).hits.first?.offsetMs == 0)
        #expect(ids(try await find(store, ["treserva"], as: eva)) == [running.id.description])
        let failed = try await recording(store, "Misslyckad inspelning", in: space, by: eva, state: .recording)
        _ = try await store.finishRecording(failed.id, state: .failed, reason: .writeFailed, endedAt: Instant.at(70), durationMs: 0, sizeBytes: 0)
        #expect(ids(try await find(store, ["misslyckad"], as: eva)).isEmpty)
        try await store.deleteRecording(running.id)
        #expect(ids(try await find(store, ["treserva"], as: eva)).isEmpty)
        #expect(ids(try await find(store, ["starta"], as: eva)).isEmpty)
    }

    static func recordingPermissions(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        let secret = try await Fixture.createWorkspace(store, "Rekrytering", .secret, owner: eva.id)
        let closed = try await Fixture.createWorkspace(store, "Ledningsgrupp", .closed, owner: eva.id)
        let open = try await Fixture.createWorkspace(store, "Fikagruppen", .open, owner: eva.id)
        let chapter = [RecordingChapter(title: "Kandidaterna", offsetMs: 500)]
        let hidden = try await recording(store, "Hemlig intervju", in: secret, by: eva, chapters: chapter)
        // Even shared, a secret workspace's recording stays inside it.
        let hiddenShared = try await recording(store, "Hemlig genomgång", in: secret, by: eva, shared: true, chapters: chapter)
        let closedPrivate = try await recording(store, "Stängd genomgång", in: closed, by: eva)
        let closedShared = try await recording(store, "Delad genomgång", in: closed, by: eva, shared: true, chapters: [RecordingChapter(title: "Budgeten", offsetMs: 900)])
        let openOne = try await recording(store, "Öppen genomgång", in: open, by: eva)
        #expect(Set(ids(try await find(store, ["genomgång"], as: eva))) == [hiddenShared.id.description, closedPrivate.id.description, closedShared.id.description, openOne.id.description])
        #expect(Set(ids(try await find(store, ["genomgång"], as: olle))) == [closedShared.id.description, openOne.id.description])
        #expect(ids(try await find(store, ["hemlig"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["intervju"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["kandidaterna"], as: olle)).isEmpty)
        #expect(ids(try await find(store, ["hemlig"], as: olle, { $0.workspace = secret.id })).isEmpty)
        #expect(try await find(store, ["hemlig"], as: olle, limit: 1).nextCursor == nil)
        #expect(Set(ids(try await find(store, ["budgeten"], as: olle))) == [closedShared.id.description, "\(closedShared.id)#0"])
        // Guests read only their workspaces: shared does not reach them.
        #expect(ids(try await find(store, ["genomgång"], as: guest)).isEmpty)
        try await store.addMember(Membership(workspaceID: closed.id, personID: guest.id, role: .member, joinedAt: Instant.t0))
        #expect(Set(ids(try await find(store, ["genomgång"], as: guest))) == [closedPrivate.id.description, closedShared.id.description])
        _ = hidden
        // Unsharing takes it away from outsiders again.
        _ = try await store.updateRecording(closedShared.id, RecordingChange(sharedWithOrganisation: false))
        #expect(ids(try await find(store, ["genomgång"], as: olle)) == [openOne.id.description])
    }

    static func visibilityChange(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        var space = try await Fixture.createWorkspace(store, "Planering", .closed, owner: eva.id)
        let (thread, opening) = try await Live.thread(store, "Vårplanering", in: space.id, by: eva.id)
        let article = HowTo(workspaceID: space.id, ownerID: eva.id, content: HowToContent(title: "Vårplanering steg för steg", body: "Börja tidigt"), createdAt: Instant.t0)
        try await store.createHowTo(article)
        let everything = Set([thread.id.description, opening.id.description, article.id.description])
        #expect(Set(ids(try await find(store, ["varplanering"], as: eva))) == everything)
        #expect(ids(try await find(store, ["varplanering"], as: olle)).isEmpty)
        space.visibility = .open
        try await store.updateWorkspace(space)
        // Employees now read the discussions, not the workspace's articles; guests still nothing.
        #expect(Set(ids(try await find(store, ["varplanering"], as: olle))) == [thread.id.description, opening.id.description])
        #expect(ids(try await find(store, ["varplanering"], as: guest)).isEmpty)
        #expect(Set(ids(try await find(store, ["varplanering"], as: eva))) == everything)
        // A post written while open is found too, and an edit keeps it readable.
        let later = try await Live.reply(store, to: thread.id, in: space.id, by: eva.id, "Vårplanering del två")
        #expect(Set(ids(try await find(store, ["varplanering"], as: olle))) == [thread.id.description, opening.id.description, later.id.description])
        space.visibility = .secret
        try await store.updateWorkspace(space)
        #expect(ids(try await find(store, ["varplanering"], as: olle)).isEmpty)
        #expect(try await find(store, ["varplanering"], as: olle, limit: 1).nextCursor == nil)
        #expect(Set(ids(try await find(store, ["varplanering"], as: eva))) == everything.union([later.id.description]))
        // Renaming alone changes nothing about who reads it.
        space.visibility = .open
        try await store.updateWorkspace(space)
        space.name = "Planering 2"
        try await store.updateWorkspace(space)
        #expect(ids(try await find(store, ["varplanering"], as: olle, { $0.kinds = [.thread] })) == [thread.id.description])
        try await store.deleteWorkspace(id: space.id)
        #expect(ids(try await find(store, ["varplanering"], as: eva)).isEmpty)
    }

    static func sharingChange(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        var space = try await Fixture.createWorkspace(store, "Ledningsgrupp", .closed, owner: eva.id)
        let made = try await recording(store, "Genomgång av budgeten", in: space, by: eva, chapters: [RecordingChapter(title: "Prognosen", offsetMs: 700)])
        let both = Set([made.id.description, "\(made.id)#0"])
        #expect(ids(try await find(store, ["prognosen"], as: olle)).isEmpty)
        _ = try await store.updateRecording(made.id, RecordingChange(sharedWithOrganisation: true))
        #expect(Set(ids(try await find(store, ["prognosen"], as: olle))) == both)
        #expect(ids(try await find(store, ["prognosen"], as: guest)).isEmpty)
        // Renaming the shared recording and its chapters keeps it shared.
        _ = try await store.updateRecording(made.id, RecordingChange(title: "Genomgång av prognosen", chapters: [RecordingChapter(title: "Prognosen igen", offsetMs: 0)]))
        #expect(Set(ids(try await find(store, ["prognosen"], as: olle))) == both)
        // A workspace turning secret takes even shared recordings away from outsiders.
        space.visibility = .secret
        try await store.updateWorkspace(space)
        #expect(ids(try await find(store, ["prognosen"], as: olle)).isEmpty)
        space.visibility = .closed
        try await store.updateWorkspace(space)
        #expect(Set(ids(try await find(store, ["prognosen"], as: olle))) == both)
        _ = try await store.updateRecording(made.id, RecordingChange(sharedWithOrganisation: false))
        #expect(ids(try await find(store, ["prognosen"], as: olle)).isEmpty)
        #expect(Set(ids(try await find(store, ["prognosen"], as: eva))) == both)
    }

    static func workspaces(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunnar", role: .guest))
        var open = try await Fixture.createWorkspace(store, "Lathundar", .open, owner: eva.id)
        open.description = "Instruktioner om skolgränserna och IT-tips"
        try await store.updateWorkspace(open)
        let closed = try await Fixture.createWorkspace(store, "Skolgränser 2027", .closed, owner: eva.id)
        var secret = try await Fixture.createWorkspace(store, "Skolgränser, förhandling", .secret, owner: eva.id)
        try await store.addMember(Membership(workspaceID: closed.id, personID: guest.id, role: .member, joinedAt: Instant.t0))
        try await Live.thread(store, "Skolgränser i Lathundar", in: open.id, by: eva.id)
        let spaces: (inout SearchQuery) -> Void = { $0.kinds = [.workspace] }

        #expect(Set(ids(try await find(store, ["skolgrans"], prefix: true, as: eva, spaces))) == [open.id, closed.id, secret.id].map(\.description).asSet)
        let olles = try await find(store, ["skolgrans"], prefix: true, as: olle, spaces)
        #expect(Set(ids(olles)) == [open.id, closed.id].map(\.description).asSet, "no secret workspace for outsiders")
        #expect(olles.hits.allSatisfy { $0.kind == .workspace })
        #expect(ids(try await find(store, ["skolgrans"], prefix: true, as: guest, spaces)) == [closed.id.description], "guests: their own only")
        let hit = try #require(try await find(store, ["lathundar"], as: olle, spaces).hits.first)
        #expect(hit.id == open.id.description && hit.title == "Lathundar" && hit.workspaceID == open.id)
        #expect(ids(try await find(store, ["it", "tips"], as: olle, spaces)) == [open.id.description], "the description is searched")
        // Content searches leave workspaces out; a search of every kind has them too.
        #expect(Set(try await find(store, ["lathundar"], as: olle, { $0.kinds = SearchKind.content }).hits.map(\.kind)) == [.thread, .post])
        #expect(Set(try await find(store, ["lathundar"], as: olle).hits.map(\.kind)) == [.thread, .post, .workspace])
        // Renaming, turning secret and deleting are seen at once.
        secret.name = "Förhandling"
        secret.visibility = .closed
        try await store.updateWorkspace(secret)
        #expect(ids(try await find(store, ["forhandling"], as: olle, spaces)) == [secret.id.description])
        secret.visibility = .secret
        try await store.updateWorkspace(secret)
        #expect(ids(try await find(store, ["forhandling"], as: olle, spaces)).isEmpty)
        try await store.deleteWorkspace(id: secret.id)
        #expect(ids(try await find(store, ["forhandling"], as: eva, spaces)).isEmpty)
    }
}

private extension Array where Element == String {
    var asSet: Set<String> { Set(self) }
}
