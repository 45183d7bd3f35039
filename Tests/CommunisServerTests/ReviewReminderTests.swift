@testable import CommunisServer
import CommunisModel
import CommunisServices
import CommunisStore
import CommunisStoreSQLite
import Foundation
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

/// A clock the test moves by hand.
final class HandClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date
    init(_ iso: String) { time = HandClock.date(iso) }
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
    func set(_ iso: String) {
        lock.lock()
        time = HandClock.date(iso)
        lock.unlock()
    }
    func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return time
    }
    func advance(_ seconds: TimeInterval) {
        lock.lock()
        time = time.addingTimeInterval(seconds)
        lock.unlock()
    }
    var clock: CommunisServices.Clock { CommunisServices.Clock { [self] in now() } }
}

/// Remembers what was sent live to whom.
actor NotifiedPeople: LivePublisher {
    private(set) var frames: [(person: PersonID, frame: Data)] = []
    func publish(_ event: WorkspaceEvent) async {}
    func notify(person: PersonID, frame: Data) async { frames.append((person, frame)) }
    func membershipEnded(workspace: WorkspaceID, person: PersonID) async {}
    func sessionsEnded(person: PersonID) async {}
    func sessionEnded(tokenHash: String) async {}
    func workspaceDeleted(_ workspace: WorkspaceID) async {}
    var count: Int { frames.count }
}

/// A sent frame's `type` and `data`.
func message(_ frame: Data) -> (type: String?, data: [String: Any]) {
    let json = (try? JSONSerialization.jsonObject(with: frame) as? [String: Any]) ?? [:]
    return (json["type"] as? String, json["data"] as? [String: Any] ?? [:])
}

@Suite("Review reminders of the knowledge bank")
struct ReviewReminderTests {
    static func draft(_ title: String, reviewBy: String) -> HowToDraft {
        HowToDraft(title: title, body: "1. Öppna\n2. Gör", reviewBy: reviewBy)
    }

    @Test("the owner is told once per review-by day (Stockholm), across restarts, and catches up on start")
    func oncePerDayAcrossRestarts() async throws {
        let world = try await World.make()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let erik = Viewer(person: world.erik)
        let workspaces = Workspaces(store: world.store, publisher: NoLivePublisher())
        let it = try await workspaces.create(viewer: erik, name: "IT-avdelningen", description: "", visibility: .closed).overview.workspace
        let howTos = HowTos(store: world.store)
        let procapita = try await howTos.create(viewer: erik, workspace: it.id, draft: Self.draft("Logga in i Procapita", reviewBy: "2027-06-30"))
        let outlook = try await howTos.create(viewer: erik, workspace: nil, draft: Self.draft("Boka rum i Outlook", reviewBy: "2027-07-15"))
        let old = try await howTos.create(viewer: erik, workspace: it.id, draft: Self.draft("Gamla skrivaren", reviewBy: "2027-06-01"))
        _ = try await howTos.setStatus(viewer: erik, id: old.howTo.id, .archived)

        let time = HandClock("2027-06-29T21:59:00Z")  // 23:59 in Stockholm (summer time)
        let publisher = NotifiedPeople()
        let reminders = ReviewReminders(store: world.store, publisher: publisher, clock: time.clock)
        #expect(try await reminders.run() == 0, "the day has not come in Stockholm")

        time.set("2027-06-29T22:00:00Z")  // midnight in Stockholm: 2027-06-30
        #expect(try await reminders.run() == 1)
        #expect(try await reminders.run() == 0, "told already")
        let sent = try #require(await publisher.frames.first)
        #expect(sent.person == world.erik.id)
        let first = message(sent.frame)
        #expect(first.type == "notification")
        #expect(first.data["kind"] as? String == "review-due")
        #expect(first.data["howToId"] as? String == procapita.howTo.id.description)
        #expect(first.data["title"] as? String == "Logga in i Procapita")
        #expect(first.data["reviewBy"] as? String == "2027-06-30")
        #expect(first.data["workspaceId"] as? String == it.id.description)
        #expect(first.data["actor"] == nil)

        // A restart: a new store and service on the same file, after the server was down on
        // the organisation-wide article's day. Nothing is told twice; what was missed is told.
        try await world.store.close()
        let reopened = try SQLiteStore.open(path: world.configuration.databasePath, logger: quietLogger)
        defer { Task { try? await reopened.close() } }
        time.set("2027-07-20T08:00:00Z")
        let afterRestart = ReviewReminders(store: reopened, publisher: publisher, clock: time.clock)
        #expect(try await afterRestart.run() == 1)
        let orgWide = message(try #require(await publisher.frames.last).frame)
        #expect(orgWide.data["howToId"] as? String == outlook.howTo.id.description)
        #expect(orgWide.data["workspaceId"] == nil, "an organisation-wide article has no workspace")
        #expect(try await afterRestart.run() == 0)

        // A new review-by day yields a new reminder when it comes; the archived one never does.
        let current = try #require(try await reopened.howTo(id: procapita.howTo.id))
        var content = current.content
        content.reviewBy = "2027-08-01"
        _ = try await reopened.saveHowTo(procapita.howTo.id, content: content, basedOn: current.revision, by: world.erik.id, at: time.clock.now(), restoredFrom: nil)
        #expect(try await afterRestart.run() == 0)
        time.set("2027-08-01T06:00:00Z")
        #expect(try await afterRestart.run() == 1)
        #expect(message(try #require(await publisher.frames.last).frame).data["reviewBy"] as? String == "2027-08-01")
        time.set("2030-01-01T12:00:00Z")
        #expect(try await afterRestart.run() == 0)

        let stored = try await reopened.notifications(of: world.erik.id, page: PageRequest())
        #expect(stored.items.map(\.reviewBy) == ["2027-08-01", "2027-07-15", "2027-06-30"])
        #expect(!stored.items.contains { $0.howToID == old.howTo.id })
        #expect(await publisher.frames.allSatisfy { $0.person == world.erik.id })
    }

    @Test("the service checks at start, then every interval, and stops on shutdown")
    func serviceRunsPeriodically() async throws {
        let world = try await World.make()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let erik = Viewer(person: world.erik)
        let howTos = HowTos(store: world.store)
        _ = try await howTos.create(viewer: erik, workspace: nil, draft: Self.draft("Boka rum i Outlook", reviewBy: "2027-01-01"))
        let time = HandClock("2027-01-01T12:00:00Z")
        let publisher = NotifiedPeople()
        let service = ReviewReminderService.job(
            reminders: ReviewReminders(store: world.store, publisher: publisher, clock: time.clock), interval: .milliseconds(20),
            jobs: JobRunner(store: world.store, node: "test"), logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [service], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Self.waitUntil { await publisher.count == 1 }
            _ = try await howTos.create(viewer: erik, workspace: nil, draft: Self.draft("Byt lösenord", reviewBy: "2027-01-01"))
            try await Self.waitUntil { await publisher.count == 2 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await publisher.count == 2)
        try await world.store.close()
    }

    @Test("over HTTP the owner sees the reminder in their notifications, and nobody else does")
    func ownerSeesItOverHTTP() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await HowToTests.setUp(client, world)
            let created = try await HowToTests.create(s.erik, HowToTests.article("Logga in i Procapita", workspace: s.workspace, reviewBy: "2027-06-30"))
            let id = try #require(created["id"] as? String)
            let orgWide = try await HowToTests.create(s.erik, HowToTests.article("Boka rum", workspace: nil, reviewBy: "2027-06-01"))
            let time = HandClock("2027-06-30T10:00:00Z")
            #expect(try await ReviewReminders(store: world.store, publisher: NoLivePublisher(), clock: time.clock).run() == 2)

            let mine = try await s.erik.get("/api/v1/notifications")
            #expect(mine.status == .ok)
            #expect(mine.json["unread"] as? Int == 2)
            let items = (mine.json["items"] as? [[String: Any]]) ?? []
            let reminder = try #require(items.first { $0["howToId"] as? String == id })
            #expect(reminder["kind"] as? String == "review-due")
            #expect(reminder["title"] as? String == "Logga in i Procapita")
            #expect(reminder["reviewBy"] as? String == "2027-06-30")
            #expect(reminder["workspaceId"] as? String == s.workspace)
            #expect(reminder["actor"] == nil && reminder["threadId"] == nil)
            #expect(reminder["read"] as? Bool == false)
            let org = try #require(items.first { $0["howToId"] as? String == orgWide["id"] as? String })
            #expect(org["workspaceId"] == nil && org["reviewBy"] as? String == "2027-06-01")

            for other in [s.anna, s.sara, s.lena] {
                let theirs = try await other.get("/api/v1/notifications")
                #expect(theirs.status == .ok)
                #expect(theirs.json["total"] as? Int == 0)
            }
            // (The reminders were made at the test's clock, in 2027: mark up to after that.)
            #expect(try await s.erik.send(.post, "/api/v1/notifications/read", json: ["upTo": "2030-01-01T00:00:00Z"]).status == .noContent)
            #expect(try await s.erik.get("/api/v1/notifications").json["unread"] as? Int == 0)
        }
    }

    static func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        // A deadline, not a speed target: CI runs ~95 suites at once on two cores.
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
