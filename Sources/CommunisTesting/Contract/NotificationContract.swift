import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `NotificationStore` and the home feed's follows: notifications with their new fields,
/// settings with defaults, follows, and digests claimed once per period.
public enum NotificationContract {
    public static let cases: [ContractCase] = [
        Live.case("router notifications keep news, meeting and link; digest items wait with them", record),
        Live.case("settings: defaults for who never chose, stored ones replace them, per person", settings),
        Live.case("follows: set, replace, remove; followers of tags and categories are active people", follows),
        Live.case("a digest period is claimed once: the items, the claim and the mail in one write", digestOnce),
        Live.case("the home feed leaves out unfollowed member workspaces and brings in followed people and open workspaces", feed),
    ]

    static func record(_ store: Live.Store) async throws {
        let (eva, space) = try await Live.world(store)
        let meeting = MeetingContract.meeting("Veckomöte", in: space.id, by: eva.id)
        try await store.createMeeting(meeting)
        let news = NewsID()
        let started = PersonalNotification(personID: eva.id, kind: .meetingStarted, workspaceID: space.id, actorID: nil, excerpt: "Veckomöte",
                                           createdAt: Instant.at(1), meetingID: meeting.id, link: "#/meetings/\(meeting.id)")
        let told = PersonalNotification(personID: eva.id, kind: .news, workspaceID: nil, actorID: nil, excerpt: "Nytt om löner",
                                        createdAt: Instant.at(2), newsID: news, link: "#/news/\(news)")
        let item = DigestItem(personID: eva.id, cadence: .daily, kind: .news, actorName: "", excerpt: "Nytt om löner", link: "#/news/\(news)",
                              createdAt: Instant.at(2))
        try await store.recordNotifications([started, told], digest: [item])
        let listed = try await store.notifications(of: eva.id, page: PageRequest(limit: 10, offset: 0))
        #expect(listed.items == [told, started])
        #expect(try await store.unreadNotificationCount(of: eva.id) == 2)
        #expect(try await store.peopleWithPendingDigest(cadence: .daily) == [eva.id])
        #expect(try await store.peopleWithPendingDigest(cadence: .weekly).isEmpty)
    }

    static func settings(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        #expect(try await store.notificationSettings(of: [eva.id, olle.id]).isEmpty, "nobody chose: everyone has the defaults")
        var chosen = NotificationSettings.defaults
        chosen.kinds[.mention] = NotificationPreference(app: false, email: .immediate, push: false)
        chosen.quietHours = QuietHours(enabled: false, from: "21:30", to: "06:45")
        chosen.timeZone = "Europe/Helsinki"
        chosen.language = "en"
        try await store.setNotificationSettings(chosen, for: eva.id, at: Instant.at(5))
        var found = try await store.notificationSettings(of: [eva.id, olle.id])
        #expect(found == [eva.id: chosen])
        chosen.kinds[.mention] = NotificationPreference(app: true, email: .weekly, push: true)
        try await store.setNotificationSettings(chosen, for: eva.id, at: Instant.at(6))
        found = try await store.notificationSettings(of: [eva.id])
        #expect(found[eva.id]?.preference(.mention) == NotificationPreference(app: true, email: .weekly, push: true))
        #expect(await domainErrorCode { try await store.setNotificationSettings(chosen, for: PersonID(), at: Instant.at(7)) } == "not-found")
    }

    static func follows(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let gone = try await Fixture.insert(store, Fixture.person("Gone", disabled: true))
        try await store.setFollow(Follow(personID: eva.id, kind: .tag, target: "lön", createdAt: Instant.at(1)))
        try await store.setFollow(Follow(personID: eva.id, kind: .person, target: olle.id.description, createdAt: Instant.at(2)))
        try await store.setFollow(Follow(personID: olle.id, kind: .category, target: "hr", createdAt: Instant.at(3)))
        try await store.setFollow(Follow(personID: gone.id, kind: .tag, target: "lön", createdAt: Instant.at(3)))
        #expect(try await store.follows(of: eva.id).map(\.target) == ["lön", olle.id.description])
        #expect(try await store.followers(ofTags: ["lön"], categories: []) == [eva.id])
        #expect(try await store.followers(ofTags: ["lön"], categories: ["hr"]) == [eva.id, olle.id])
        #expect(try await store.followers(ofTags: [], categories: []).isEmpty)

        let space = WorkspaceID()
        try await store.setFollow(Follow(personID: eva.id, kind: .workspace, target: space.description, following: false, createdAt: Instant.at(4)))
        try await store.setFollow(Follow(personID: eva.id, kind: .workspace, target: space.description, following: true, createdAt: Instant.at(5)))
        #expect(try await store.follows(of: eva.id).filter { $0.kind == .workspace }.map(\.following) == [true], "replaced, not added")
        try await store.removeFollow(person: eva.id, kind: .tag, target: "lön")
        try await store.removeFollow(person: eva.id, kind: .tag, target: "finns inte")
        #expect(try await store.followers(ofTags: ["lön"], categories: []).isEmpty)
        #expect(await domainErrorCode { try await store.setFollow(Follow(personID: PersonID(), kind: .tag, target: "x", createdAt: Instant.t0)) } == "not-found")
    }

    static func digestOnce(_ store: Live.Store) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let items = (0..<3).map { DigestItem(personID: eva.id, cadence: .daily, kind: .mention, actorName: "Olle", excerpt: "Hej \($0)",
                                             link: "#/x/\($0)", createdAt: Instant.at(Double($0) * 10)) }
        try await store.recordNotifications([], digest: items)
        let mail: @Sendable ([DigestItem]) -> OutboxMail? = { taken in
            OutboxMail(kind: "notification-digest", recipient: eva.email, recipientName: eva.name, subject: "\(taken.count) nya",
                       text: "…", html: "…", nextAttemptAt: Instant.at(100), createdAt: Instant.at(100))
        }
        // Before the first item: nothing to take, nothing claimed.
        #expect(try await store.claimDigest(person: eva.id, cadence: .daily, period: "2026-01-01", before: Instant.at(0), at: Instant.at(100), compose: mail).isEmpty)
        let taken = try await store.claimDigest(person: eva.id, cadence: .daily, period: "2026-01-01", before: Instant.at(15), at: Instant.at(100), compose: mail)
        #expect(taken == Array(items.prefix(2)), "oldest first, only those made before the period began")
        #expect(try await store.recentMail(limit: 10).map(\.subject) == ["2 nya"])
        #expect(try await store.claimDigest(person: eva.id, cadence: .daily, period: "2026-01-01", before: Instant.at(99), at: Instant.at(101), compose: mail).isEmpty,
                "the same period never twice")
        #expect(try await store.peopleWithPendingDigest(cadence: .daily) == [eva.id])
        let next = try await store.claimDigest(person: eva.id, cadence: .daily, period: "2026-01-02", before: Instant.at(99), at: Instant.at(102), compose: mail)
        #expect(next == [items[2]])
        #expect(try await store.peopleWithPendingDigest(cadence: .daily).isEmpty)
        #expect(try await store.recentMail(limit: 10).count == 2)
    }

    /// A thread whose event names its author (the feed's "people I follow" reads the actor).
    static func thread(_ store: Live.Store, in workspace: WorkspaceID, by author: PersonID, at seconds: TimeInterval) async throws {
        let thread = DiscussionThread(workspaceID: workspace, title: "Tråd \(seconds)", authorID: author, createdAt: Instant.at(seconds))
        let opening = Post(workspaceID: workspace, threadID: thread.id, authorID: author, body: "Hej!", createdAt: Instant.at(seconds))
        _ = try await store.apply(.createThread(thread, opening: opening), event: Live.draft(workspace, "thread.created", at: Instant.at(seconds), actor: author),
                                  notifications: [], idempotency: nil)
    }

    static func feed(_ store: Live.Store) async throws {
        let (eva, mine) = try await Live.world(store, "Eva", workspace: "Min")
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gäst", role: .guest))
        let open = try await Fixture.createWorkspace(store, "Öppen", .open, owner: olle.id)
        let closed = try await Fixture.createWorkspace(store, "Stängd", .closed, owner: olle.id)
        try await store.addMember(Membership(workspaceID: mine.id, personID: guest.id, role: .member, joinedAt: Instant.t0))
        try await thread(store, in: mine.id, by: eva.id, at: 1)
        try await thread(store, in: open.id, by: olle.id, at: 2)
        try await thread(store, in: closed.id, by: olle.id, at: 3)
        let kinds: Set<String> = ["thread.created"]
        func feed(_ person: PersonID) async throws -> [WorkspaceID] {
            try await store.feed(for: person, kinds: kinds, before: nil, limit: 10).map(\.workspaceID)
        }
        #expect(try await feed(eva.id) == [mine.id])
        try await store.setFollow(Follow(personID: eva.id, kind: .person, target: olle.id.description, createdAt: Instant.t0))
        #expect(try await feed(eva.id) == [open.id, mine.id], "Olle's post in the open workspace, not in the closed one")
        try await store.setFollow(Follow(personID: eva.id, kind: .workspace, target: mine.id.description, following: false, createdAt: Instant.t0))
        #expect(try await feed(eva.id) == [open.id], "an unfollowed member workspace leaves the feed")
        let older = try await store.feed(for: eva.id, kinds: kinds, before: FeedCursor(createdAt: Instant.at(2), workspaceID: open.id, seq: 1), limit: 10)
        #expect(older.isEmpty)
        try await store.setFollow(Follow(personID: guest.id, kind: .person, target: olle.id.description, createdAt: Instant.t0))
        #expect(try await feed(guest.id) == [mine.id], "a guest reads no open workspace they are not in")
        let kim = try await Fixture.insert(store, Fixture.person("Kim"))
        try await store.setFollow(Follow(personID: kim.id, kind: .workspace, target: open.id.description, createdAt: Instant.t0))
        try await store.setFollow(Follow(personID: kim.id, kind: .workspace, target: closed.id.description, createdAt: Instant.t0))
        #expect(try await feed(kim.id) == [open.id], "an open workspace one follows without being a member; never a closed one")
    }
}
