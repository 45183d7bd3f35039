import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `HowToStore.recordReviewReminders`: the owner of a current article is told once per
/// review-by day when it comes, in batches, never about archived articles or by a disabled or
/// departed owner.
public enum ReviewReminderContract {
    public static let cases: [ContractCase] = [
        ContractCase("a current article is told once per review-by day, to its owner, with its title and day", oncePerDay),
        ContractCase("archived articles, articles without a day, disabled owners and owners who left are not told", whoIsNotTold),
        ContractCase("a batch holds at most `limit` reminders, oldest day first; the next batch continues", batches),
    ]

    /// A current article owned by `owner`, due for review on `reviewBy` (yyyy-mm-dd) if set.
    public static func article(_ title: String, in workspace: WorkspaceID?, by owner: PersonID, reviewBy: String?) -> HowTo {
        HowTo(workspaceID: workspace, ownerID: owner, content: HowToContent(title: title, body: "1. Gör så här", reviewBy: reviewBy), createdAt: Instant.t0)
    }

    static func oncePerDay(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let skola = try await Fixture.createWorkspace(store, "Skolstart", owner: eva.id)
        var howTo = article("Logga in i Procapita", in: skola.id, by: eva.id, reviewBy: "2027-06-30")
        try await store.createHowTo(howTo)

        #expect(try await store.recordReviewReminders(today: "2027-06-29", at: Instant.t0, limit: 10).isEmpty, "not before its day")
        let told = try await store.recordReviewReminders(today: "2027-06-30", at: Instant.at(1), limit: 10)
        #expect(told.count == 1)
        let reminder = try #require(told.first)
        #expect(reminder.kind == .reviewDue && reminder.personID == eva.id && reminder.howToID == howTo.id)
        #expect(reminder.workspaceID == skola.id && reminder.reviewBy == "2027-06-30" && reminder.excerpt == "Logga in i Procapita")
        #expect(reminder.actorID == nil && reminder.createdAt == Instant.at(1) && reminder.readAt == nil)
        #expect(try await store.notifications(of: eva.id, page: PageRequest()).items == [reminder])

        #expect(try await store.recordReviewReminders(today: "2027-06-30", at: Instant.at(2), limit: 10).isEmpty, "told already")
        #expect(try await store.recordReviewReminders(today: "2027-09-01", at: Instant.at(3), limit: 10).isEmpty, "still the same day")

        // A new review-by day is a new reminder when it comes.
        howTo.content.reviewBy = "2028-01-15"
        _ = try await store.saveHowTo(howTo.id, content: howTo.content, basedOn: 1, by: eva.id, at: Instant.at(4), restoredFrom: nil)
        #expect(try await store.recordReviewReminders(today: "2028-01-14", at: Instant.at(5), limit: 10).isEmpty)
        #expect(try await store.recordReviewReminders(today: "2028-01-15", at: Instant.at(6), limit: 10).map(\.reviewBy) == ["2028-01-15"])
        #expect(try await store.notifications(of: eva.id, page: PageRequest()).total == 2)

        // Deleting the article takes its reminders with it.
        try await store.deleteHowTo(howTo.id)
        #expect(try await store.notifications(of: eva.id, page: PageRequest()).total == 0)
    }

    static func whoIsNotTold(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let gone = try await Fixture.insert(store, Fixture.person("Gunnar", disabled: true))
        let guest = try await Fixture.insert(store, Fixture.person("Lena", role: .guest))
        let skola = try await Fixture.createWorkspace(store, "Skolstart", owner: eva.id)
        try await store.addMember(Membership(workspaceID: skola.id, personID: olle.id, role: .member, joinedAt: Instant.t0))

        let archived = article("Gammal", in: skola.id, by: eva.id, reviewBy: "2027-01-01")
        try await store.createHowTo(archived)
        _ = try await store.setHowToStatus(archived.id, .archived)
        try await store.createHowTo(article("Utan datum", in: skola.id, by: eva.id, reviewBy: nil))
        try await store.createHowTo(article("Avstängd ägare", in: nil, by: gone.id, reviewBy: "2027-01-01"))
        try await store.createHowTo(article("Gästens", in: nil, by: guest.id, reviewBy: "2027-01-01"))
        let olles = article("Olles", in: skola.id, by: olle.id, reviewBy: "2027-01-01")
        try await store.createHowTo(olles)
        try await store.removeMember(workspace: skola.id, person: olle.id)

        #expect(try await store.recordReviewReminders(today: "2027-02-01", at: Instant.t0, limit: 10).isEmpty)

        // Olle comes back while his article is still due: now he is told.
        try await store.addMember(Membership(workspaceID: skola.id, personID: olle.id, role: .member, joinedAt: Instant.at(1)))
        #expect(try await store.recordReviewReminders(today: "2027-02-01", at: Instant.at(2), limit: 10).map(\.howToID) == [olles.id])
        // Unarchiving a due article makes it due again (its day was never told).
        _ = try await store.setHowToStatus(archived.id, .current)
        #expect(try await store.recordReviewReminders(today: "2027-02-01", at: Instant.at(3), limit: 10).map(\.howToID) == [archived.id])
    }

    static func batches(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        for (title, day) in [("C", "2027-03-01"), ("A", "2027-01-01"), ("B", "2027-02-01")] {
            try await store.createHowTo(article(title, in: nil, by: eva.id, reviewBy: day))
        }
        #expect(try await store.recordReviewReminders(today: "2027-12-31", at: Instant.t0, limit: 2).map(\.excerpt) == ["A", "B"])
        #expect(try await store.recordReviewReminders(today: "2027-12-31", at: Instant.t0, limit: 2).map(\.excerpt) == ["C"])
        #expect(try await store.recordReviewReminders(today: "2027-12-31", at: Instant.t0, limit: 2).isEmpty)
    }
}
