@testable import CommunisServices
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import Testing

/// Remembers what would have been pushed to whom.
actor RecordingPush: PushSending {
    private(set) var sent: [(person: PersonID, message: PushMessage)] = []
    func push(_ message: PushMessage, to person: PersonID) async -> Int {
        sent.append((person, message))
        return 1
    }
    var people: [PersonID] { sent.map { $0.person } }
}

@Suite("Notification router: settings, quiet hours, digests, replies and meetings")
struct NotificationRouterTests {
    struct Setup {
        let world: World
        let time: HandClock
        let publisher: NotifiedPeople
        let push: RecordingPush
        let router: NotificationRouter
        let outbox: Outbox
    }

    static func setUp(at iso: String = "2026-12-07T10:00:00Z") async throws -> Setup {
        let world = try await World.make()
        let time = HandClock(iso)
        let publisher = NotifiedPeople()
        let push = RecordingPush()
        let outbox = Outbox(store: world.store, wakeup: MailWakeup(), clock: time.clock)
        let router = NotificationRouter(store: world.store, publisher: publisher, outbox: outbox, push: push, clock: time.clock,
                                        baseURL: "https://communis.katrineholm.se", logger: quietLogger)
        return Setup(world: world, time: time, publisher: publisher, push: push, router: router, outbox: outbox)
    }

    static func choose(_ store: any CommunisStore, _ person: PersonID, _ kind: PersonalNotification.Kind, app: Bool, email: EmailCadence, push: Bool,
                       quiet: Bool = false, language: String = "sv") async throws {
        var settings = NotificationSettings.defaults
        settings.kinds[kind] = NotificationPreference(app: app, email: email, push: push)
        settings.quietHours.enabled = quiet
        settings.language = language
        try await store.setNotificationSettings(settings, for: person, at: Date())
    }

    static func kinds(_ store: any CommunisStore, _ person: PersonID) async throws -> [PersonalNotification.Kind] {
        try await store.notifications(of: person, page: PageRequest(limit: 50, offset: 0)).items.map(\.kind)
    }

    @Test("quiet hours hold push back on the person's own clock; app and e-mail are unaffected")
    func quietHours() {
        var settings = NotificationSettings.defaults  // 22:00–07:00, Europe/Stockholm
        settings.kinds[.mention] = NotificationPreference(app: true, email: .immediate, push: true)
        let evening = HandClock.date("2026-12-07T21:30:00Z")  // 22:30 in Stockholm (winter time)
        let morning = HandClock.date("2026-12-07T06:30:00Z")  // 07:30 in Stockholm
        #expect(NotificationRouter.decide(.mention, settings: settings, at: evening) == .init(app: true, email: .immediate, push: false))
        #expect(NotificationRouter.decide(.mention, settings: settings, at: morning) == .init(app: true, email: .immediate, push: true))
        settings.timeZone = "America/New_York"  // 16:30 there
        #expect(NotificationRouter.decide(.mention, settings: settings, at: evening).push)
        settings.quietHours = QuietHours(enabled: true, from: "12:00", to: "18:00")
        #expect(!NotificationRouter.decide(.mention, settings: settings, at: evening).push, "a span within one day")
        settings.quietHours.enabled = false
        #expect(NotificationRouter.decide(.mention, settings: settings, at: evening).push)
    }

    @Test("each recipient gets what they chose; the actor and disabled accounts get nothing")
    func routesPerPerson() async throws {
        let s = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: s.world.directory) }
        let store = s.world.store
        let gone = try await Fixture.insert(store, Fixture.person("Borta", disabled: true))
        try await Self.choose(store, s.world.sara.id, .news, app: false, email: .immediate, push: true, language: "en")
        try await Self.choose(store, s.world.erik.id, .news, app: true, email: .weekly, push: false)
        let news = NewsID()
        await s.router.notify(NotificationRequest(
            kind: .news, recipients: [s.world.erik.id, s.world.sara.id, s.world.admin.id, gone.id, s.world.erik.id], actorID: s.world.admin.id,
            newsID: news, excerpt: "Ny lönerevision", link: "#/news/\(news)", createdAt: s.time.now()))

        let eriksList = try await store.notifications(of: s.world.erik.id, page: PageRequest(limit: 10, offset: 0)).items
        #expect(eriksList.map(\.kind) == [.news], "once, though listed twice")
        #expect(eriksList.first?.newsID == news && eriksList.first?.link == "#/news/\(news)")
        #expect(try await Self.kinds(store, s.world.sara.id).isEmpty, "Sara turned news off in the app")
        #expect(try await Self.kinds(store, s.world.admin.id).isEmpty, "the actor is not told of their own news")
        #expect(try await Self.kinds(store, gone.id).isEmpty)
        #expect(await s.publisher.frames.map { $0.person } == [s.world.erik.id])
        #expect(await s.push.people == [s.world.sara.id])
        let pushed = try #require(await s.push.sent.first?.message)
        #expect(pushed.title == "News: Ny lönerevision" && pushed.url == "/#/news/\(news)")
        let mail = try await store.recentMail(limit: 10)
        #expect(mail.map(\.recipient) == [s.world.sara.email])
        #expect(mail.first?.subject == "News: Ny lönerevision")
        #expect(mail.first?.text.contains("https://communis.katrineholm.se/#/news/\(news)") == true, "an absolute link")
        #expect(try await store.peopleWithPendingDigest(cadence: .weekly) == [s.world.erik.id])
    }

    @Test("a daily digest goes out once after 07:00 where the person lives, with every item and link, never twice")
    func digestOncePerDay() async throws {
        let s = try await Self.setUp(at: "2026-12-06T10:00:00Z")  // Sunday 11:00 in Stockholm
        defer { try? FileManager.default.removeItem(at: s.world.directory) }
        let store = s.world.store
        let erik = s.world.erik.id
        try await Self.choose(store, erik, .mention, app: true, email: .daily, push: false)
        let workspace = WorkspaceID()
        for text in ["Kan du titta på schemat?", "Och budgeten?"] {
            await s.router.notifyOutsideApp(NotificationRequest(
                kind: .mention, recipients: [erik], actorID: s.world.sara.id, workspaceID: workspace, excerpt: text,
                link: "#/workspaces/\(workspace)", createdAt: s.time.now()))
        }
        let digests = Digests(store: store, wakeup: nil, clock: s.time.clock, baseURL: "https://communis.katrineholm.se", logger: quietLogger)
        #expect(try await digests.run() == 0, "today's period began at 07:00, before the items")
        s.time.set("2026-12-07T05:59:00Z")  // 06:59 on Monday
        #expect(try await digests.run() == 0)
        s.time.set("2026-12-07T06:01:00Z")  // 07:01
        #expect(try await digests.run() == 1)
        #expect(try await digests.run() == 0, "the period is claimed")
        let restarted = Digests(store: store, wakeup: nil, clock: s.time.clock, baseURL: "https://communis.katrineholm.se", logger: quietLogger)
        #expect(try await restarted.run() == 0, "also after a restart")
        let mail = try #require(try await store.recentMail(limit: 10).first)
        #expect(mail.kind == "notification-digest" && mail.recipient == s.world.erik.email)
        #expect(mail.subject == "Dagens aviseringar från Communis (2)")
        #expect(mail.text.contains("Sara Nilsson nämnde dig") && mail.text.contains("https://communis.katrineholm.se/#/workspaces/\(workspace)"))
        #expect(mail.html.contains("<a href=\"https://communis.katrineholm.se/#/workspaces/\(workspace)\""))
        s.time.set("2026-12-14T06:01:00Z")
        #expect(try await digests.run() == 0, "nothing new waits")
    }

    @Test("the weekly digest period starts on Monday 07:00")
    func weeklyPeriod() {
        let zone = TimeZone(identifier: "Europe/Stockholm")!
        let sunday = DigestSchedule.period(.weekly, at: HandClock.date("2026-12-13T20:00:00Z"), timeZone: zone)
        #expect(sunday?.key == "W2026-12-07" && sunday?.start == HandClock.date("2026-12-07T06:00:00Z"))
        let mondayEarly = DigestSchedule.period(.weekly, at: HandClock.date("2026-12-14T05:00:00Z"), timeZone: zone)
        #expect(mondayEarly?.key == "W2026-12-07")
        #expect(DigestSchedule.period(.weekly, at: HandClock.date("2026-12-14T06:00:00Z"), timeZone: zone)?.key == "W2026-12-14")
        #expect(DigestSchedule.period(.immediate, at: Date(), timeZone: zone) == nil)
    }

    @Test("a reply tells the thread's starter and writers who are members, not the author and not those it mentions")
    func replies() async throws {
        let s = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: s.world.directory) }
        let store = s.world.store
        let erik = Viewer(person: s.world.erik), sara = Viewer(person: s.world.sara), anna = Viewer(person: s.world.admin)
        let workspaces = Workspaces(store: store, publisher: NoLivePublisher())
        let space = try await workspaces.create(viewer: erik, name: "Skolstart", description: "", visibility: .closed).overview.workspace
        _ = try await workspaces.addMember(viewer: erik, id: space.id, person: sara.id)
        _ = try await workspaces.addMember(viewer: erik, id: space.id, person: anna.id)
        let discussions = Discussions(store: store, publisher: s.publisher, clock: s.time.clock, notifications: s.router)
        let thread = try await discussions.createThread(viewer: erik, workspace: space.id, title: "Schema", body: "Hur blir schemat?", idempotencyKey: nil)
        let threadID = thread.value.thread.id
        _ = try await discussions.reply(viewer: sara, thread: threadID, body: "Som förra året.", parent: nil, idempotencyKey: nil)
        #expect(try await Self.kinds(store, erik.id) == [.reply])
        #expect(try await Self.kinds(store, sara.id).isEmpty, "not told of her own reply")
        _ = try await discussions.reply(viewer: anna, thread: threadID, body: "Vad tycker @[Erik](person:\(erik.id)) om det?", parent: nil, idempotencyKey: nil)
        #expect(try await Self.kinds(store, erik.id) == [.mention, .reply], "mentioned: the mention, not a reply too")
        #expect(try await Self.kinds(store, sara.id) == [.reply])
        let reply = try #require(try await store.notifications(of: sara.id, page: PageRequest(limit: 1, offset: 0)).items.first)
        #expect(reply.threadID == threadID && reply.link == "#/workspaces/\(space.id)?thread=\(threadID)" && reply.actorID == anna.id)

        try await workspaces.removeMember(viewer: erik, id: space.id, person: sara.id)
        _ = try await discussions.reply(viewer: erik, thread: threadID, body: "Tack!", parent: nil, idempotencyKey: nil)
        #expect(try await Self.kinds(store, sara.id) == [.reply], "a former member is not told")
        #expect(try await Self.kinds(store, anna.id) == [.reply])
    }

    @Test("mentions follow the settings: off in the app keeps them out of the list, e-mail at once still comes")
    func mentionSettings() async throws {
        let s = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: s.world.directory) }
        let store = s.world.store
        let erik = Viewer(person: s.world.erik), sara = Viewer(person: s.world.sara)
        let workspaces = Workspaces(store: store, publisher: NoLivePublisher())
        let space = try await workspaces.create(viewer: erik, name: "Skolstart", description: "", visibility: .closed).overview.workspace
        _ = try await workspaces.addMember(viewer: erik, id: space.id, person: sara.id)
        try await Self.choose(store, sara.id, .mention, app: false, email: .immediate, push: false)
        let discussions = Discussions(store: store, publisher: s.publisher, clock: s.time.clock, notifications: s.router)
        _ = try await discussions.createThread(viewer: erik, workspace: space.id, title: "Fråga", body: "@[Sara](person:\(sara.id)) kan du?", idempotencyKey: nil)
        #expect(try await Self.kinds(store, sara.id).isEmpty)
        #expect(await s.publisher.frames.isEmpty)
        let mail = try await store.recentMail(limit: 5)
        #expect(mail.map(\.subject) == ["Erik Johansson nämnde dig"])
        #expect(mail.first?.text.contains("https://communis.katrineholm.se/#/workspaces/\(space.id)?thread=") == true)
    }

    @Test("a meeting's start tells every other member once, with the meeting and its page")
    func meetingStarted() async throws {
        let s = try await Self.setUp()
        defer { try? FileManager.default.removeItem(at: s.world.directory) }
        let store = s.world.store
        let erik = Viewer(person: s.world.erik), sara = Viewer(person: s.world.sara)
        let workspaces = Workspaces(store: store, publisher: NoLivePublisher())
        let space = try await workspaces.create(viewer: erik, name: "Skolstart", description: "", visibility: .closed).overview.workspace
        _ = try await workspaces.addMember(viewer: erik, id: space.id, person: sara.id)
        let meetings = Meetings(store: store, publisher: s.publisher, clock: s.time.clock, notifications: s.router)
        let meeting = try await meetings.create(viewer: erik, workspace: space.id, title: "Veckomöte", scheduledFor: nil)
        try await meetings.markStarted(meeting.id, by: erik.id)
        try await meetings.markStarted(meeting.id, by: sara.id)
        let told = try await store.notifications(of: sara.id, page: PageRequest(limit: 10, offset: 0)).items
        #expect(told.map(\.kind) == [.meetingStarted])
        #expect(told.first?.meetingID == meeting.id && told.first?.link == "#/meetings/\(meeting.id)" && told.first?.excerpt == "Veckomöte")
        #expect(try await Self.kinds(store, erik.id).isEmpty, "the one who started it")
        #expect(try await Self.kinds(store, s.world.admin.id).isEmpty, "not a member")
        #expect(await s.push.people == [sara.id], "push by default (outside quiet hours)")
        let frame = try #require(await s.publisher.frames.first { $0.person == sara.id }?.frame)
        let sent = message(frame)
        #expect(sent.type == "notification" && sent.data["kind"] as? String == "meeting-started")
        #expect(sent.data["meetingId"] as? String == meeting.id.description && sent.data["link"] as? String == "#/meetings/\(meeting.id)")
    }
}
