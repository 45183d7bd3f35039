import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `MeetingStore`: meetings of a workspace, their start and end, guest links, attendance.
public enum MeetingContract {
    public static let cases: [ContractCase] = [
        ContractCase("a meeting is stored and read back as it was", roundTrip),
        ContractCase("a meeting needs an existing workspace; an id is used once", createRefused),
        ContractCase("meetings list live, then scheduled, newest first; ended ones only when asked", listOrder),
        ContractCase("a meeting starts once and never after it ended", startOnce),
        ContractCase("live meetings are those started and not ended in a person's workspaces, newest start first", liveOfPerson),
        ContractCase("a meeting is found by its chat thread", byChatThread),
        ContractCase("a meeting ends once and the first end stays", endOnce),
        ContractCase("an invitation is found by its token hash and by its bound guest", invitations),
        ContractCase("binding a guest makes the account once; later binds return it", bindGuest),
        ContractCase("attendance opens and closes stays, oldest first; closing twice keeps the first", attendance),
        ContractCase("deleting the workspace deletes its meetings, invitations and attendance", cascade),
    ]

    static func meeting(_ title: String, in workspace: WorkspaceID, by person: PersonID, at seconds: TimeInterval = 0, scheduledFor: Date? = nil) -> Meeting {
        Meeting(workspaceID: workspace, title: title, scheduledFor: scheduledFor, createdBy: person, createdAt: Instant.at(seconds), threadID: ThreadID())
    }

    static func world(_ store: any CommunisStore) async throws -> (Person, Workspace) {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let space = try await Fixture.createWorkspace(store, "IT-avdelningen", owner: eva.id)
        return (eva, space)
    }

    static func invitation(_ meeting: MeetingID, by person: PersonID, hash: String = "hash-\(UUID().uuidString)", expires: TimeInterval = 3600) -> MeetingInvitation {
        MeetingInvitation(
            meetingID: meeting, guestName: "Gunnar Gäst", guestEmail: "gunnar@partner.se", tokenHash: hash, createdBy: person,
            createdAt: Instant.t0, expiresAt: Instant.at(expires))
    }

    static func roundTrip(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let planned = meeting("Veckomöte IT", in: space.id, by: eva.id, scheduledFor: Instant.at(86_400))
        try await store.createMeeting(planned)
        #expect(try await store.meeting(id: planned.id) == planned)
        #expect(try await store.meeting(id: planned.id)?.state == .scheduled)
        let adHoc = meeting("Snabbt möte", in: space.id, by: eva.id)
        try await store.createMeeting(adHoc)
        #expect(try await store.meeting(id: adHoc.id)?.scheduledFor == nil)
        #expect(try await store.meeting(id: MeetingID()) == nil)
    }

    static func createRefused(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let nowhere = meeting("Ingenstans", in: WorkspaceID(), by: eva.id)
        #expect(await domainErrorCode { try await store.createMeeting(nowhere) } == "not-found")
        let first = meeting("Ett", in: space.id, by: eva.id)
        try await store.createMeeting(first)
        var again = first
        again.title = "Två"
        #expect(await domainErrorCode { try await store.createMeeting(again) } == "conflict")
        #expect(try await store.meeting(id: first.id)?.title == "Ett")
    }

    static func listOrder(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let other = try await Fixture.createWorkspace(store, "Annan", owner: eva.id)
        let old = meeting("Gammalt", in: space.id, by: eva.id, at: 1)
        let new = meeting("Nytt", in: space.id, by: eva.id, at: 3)
        let live = meeting("Pågår", in: space.id, by: eva.id, at: 2)
        let ended = meeting("Slut", in: space.id, by: eva.id, at: 4)
        for item in [old, new, live, ended] { try await store.createMeeting(item) }
        try await store.createMeeting(meeting("Annat", in: other.id, by: eva.id))
        #expect(try await store.markMeetingStarted(live.id, at: Instant.at(10)))
        #expect(try await store.markMeetingEnded(ended.id, at: Instant.at(11), by: eva.id))

        #expect(try await store.meetings(workspace: space.id, includeEnded: false).map(\.title) == ["Pågår", "Nytt", "Gammalt"])
        #expect(try await store.meetings(workspace: space.id, includeEnded: true).map(\.title) == ["Pågår", "Nytt", "Gammalt", "Slut"])
        #expect(try await store.meetings(workspace: WorkspaceID(), includeEnded: true).isEmpty)
    }

    static func startOnce(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let item = meeting("Start", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        #expect(try await store.markMeetingStarted(item.id, at: Instant.at(5)))
        #expect(try await store.markMeetingStarted(item.id, at: Instant.at(6)) == false)
        #expect(try await store.meeting(id: item.id)?.startedAt == Instant.at(5))
        #expect(try await store.meeting(id: item.id)?.state == .live)

        let never = meeting("Aldrig", in: space.id, by: eva.id)
        try await store.createMeeting(never)
        #expect(try await store.markMeetingEnded(never.id, at: Instant.at(7), by: nil))
        #expect(try await store.markMeetingStarted(never.id, at: Instant.at(8)) == false)
        #expect(try await store.meeting(id: never.id)?.startedAt == nil)
        #expect(try await store.markMeetingStarted(MeetingID(), at: Instant.at(8)) == false)
    }

    static func liveOfPerson(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let hers = try await Fixture.createWorkspace(store, "Bara Olles", owner: olle.id)
        let early = meeting("Tidigt", in: space.id, by: eva.id)
        let late = meeting("Sent", in: space.id, by: eva.id)
        let planned = meeting("Planerat", in: space.id, by: eva.id)
        let over = meeting("Över", in: space.id, by: eva.id)
        let elsewhere = meeting("Någon annanstans", in: hers.id, by: olle.id)
        for item in [early, late, planned, over, elsewhere] { try await store.createMeeting(item) }
        #expect(try await store.markMeetingStarted(early.id, at: Instant.at(10)))
        #expect(try await store.markMeetingStarted(late.id, at: Instant.at(20)))
        #expect(try await store.markMeetingStarted(over.id, at: Instant.at(5)))
        #expect(try await store.markMeetingEnded(over.id, at: Instant.at(30), by: eva.id))
        #expect(try await store.markMeetingStarted(elsewhere.id, at: Instant.at(15)))

        #expect(try await store.liveMeetings(of: eva.id).map(\.title) == ["Sent", "Tidigt"])
        #expect(try await store.liveMeetings(of: olle.id).map(\.title) == ["Någon annanstans"])
        #expect(try await store.liveMeetings(of: PersonID()).isEmpty)
    }

    static func byChatThread(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let first = meeting("Ett", in: space.id, by: eva.id)
        let second = meeting("Två", in: space.id, by: eva.id)
        for item in [first, second] { try await store.createMeeting(item) }
        let found = try await store.meetings(chatThreads: [first.threadID, second.threadID, ThreadID()])
        #expect(found.count == 2)
        #expect(found[first.threadID]?.id == first.id)
        #expect(found[second.threadID]?.title == "Två")
        #expect(try await store.meetings(chatThreads: []).isEmpty)
    }

    static func endOnce(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let item = meeting("Slut", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        #expect(try await store.markMeetingEnded(item.id, at: Instant.at(9), by: eva.id))
        #expect(try await store.markMeetingEnded(item.id, at: Instant.at(12), by: olle.id) == false)
        let stored = try #require(try await store.meeting(id: item.id))
        #expect(stored.endedAt == Instant.at(9))
        #expect(stored.endedBy == eva.id)
        #expect(stored.state == .ended)
        #expect(await domainErrorCode { _ = try await store.markMeetingEnded(MeetingID(), at: Instant.t0, by: nil) } == "not-found")
    }

    static func invitations(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let item = meeting("Med gäst", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        let link = invitation(item.id, by: eva.id, hash: "abc")
        try await store.insertMeetingInvitation(link)
        #expect(try await store.meetingInvitation(tokenHash: "abc") == link)
        #expect(try await store.meetingInvitation(tokenHash: "other") == nil)
        #expect(await domainErrorCode { try await store.insertMeetingInvitation(invitation(item.id, by: eva.id, hash: "abc")) } == "conflict")
        #expect(await domainErrorCode { try await store.insertMeetingInvitation(invitation(MeetingID(), by: eva.id)) } == "not-found")

        let guest = try await store.bindMeetingGuest(invitation: link.id, newGuest: Fixture.person("Gunnar Gäst", role: .guest))
        #expect(try await store.meetingInvitation(meeting: item.id, guest: guest.id)?.id == link.id)
        #expect(try await store.meetingInvitation(tokenHash: "abc")?.guestID == guest.id)
        #expect(try await store.meetingInvitation(meeting: item.id, guest: eva.id) == nil)
        #expect(try await store.meetingInvitation(guest: guest.id)?.meetingID == item.id)
        #expect(try await store.meetingInvitation(guest: eva.id) == nil)
        let other = meeting("Annat", in: space.id, by: eva.id)
        try await store.createMeeting(other)
        #expect(try await store.meetingInvitation(meeting: other.id, guest: guest.id) == nil)
    }

    static func bindGuest(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let item = meeting("Med gäst", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        let link = invitation(item.id, by: eva.id)
        try await store.insertMeetingInvitation(link)
        let first = Fixture.person("Gunnar Gäst", role: .guest)
        #expect(try await store.bindMeetingGuest(invitation: link.id, newGuest: first) == first)
        #expect(try await store.credentials(id: first.id)?.passwordHash == nil)

        let second = Fixture.person("Gunnar Gäst", role: .guest)
        #expect(try await store.bindMeetingGuest(invitation: link.id, newGuest: second).id == first.id)
        #expect(try await store.person(id: second.id) == nil, "no second account")

        // Two devices opening the link at once still get one account.
        let link2 = invitation(item.id, by: eva.id)
        try await store.insertMeetingInvitation(link2)
        let ids = try await withThrowingTaskGroup(of: PersonID.self) { group in
            for _ in 0..<4 {
                group.addTask { try await store.bindMeetingGuest(invitation: link2.id, newGuest: Fixture.person("Två", role: .guest)).id }
            }
            return try await group.reduce(into: Set<PersonID>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(await domainErrorCode { _ = try await store.bindMeetingGuest(invitation: MeetingInvitationID(), newGuest: second) } == "not-found")
    }

    static func attendance(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let item = meeting("Närvaro", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        let evaStay = try await store.openAttendance(MeetingAttendance(meetingID: item.id, personID: eva.id, joinedAt: Instant.at(10)))
        let olleStay = try await store.openAttendance(MeetingAttendance(meetingID: item.id, personID: olle.id, joinedAt: Instant.at(5)))
        #expect(evaStay != olleStay)
        try await store.closeAttendance(olleStay, at: Instant.at(20))
        try await store.closeAttendance(olleStay, at: Instant.at(30))
        try await store.closeAttendance(999_999, at: Instant.at(30))

        #expect(try await store.attendance(meeting: item.id) == [
            MeetingAttendance(meetingID: item.id, personID: olle.id, joinedAt: Instant.at(5), leftAt: Instant.at(20)),
            MeetingAttendance(meetingID: item.id, personID: eva.id, joinedAt: Instant.at(10), leftAt: nil),
        ])
        #expect(try await store.attendance(meeting: MeetingID()).isEmpty)
        // A meeting whose node died: its open stays end, another meeting's stay stays open.
        let other = meeting("Annat", in: space.id, by: eva.id)
        try await store.createMeeting(other)
        let otherStay = try await store.openAttendance(MeetingAttendance(meetingID: other.id, personID: olle.id, joinedAt: Instant.at(12)))
        #expect(try await store.meetingsWithOpenAttendance() == [item.id, other.id])
        #expect(try await store.closeOpenAttendance(of: other.id, at: Instant.at(3)) == 1)
        #expect(try await store.closeOpenAttendance(of: other.id, at: Instant.at(60)) == 0)
        #expect(try await store.attendance(meeting: other.id).map(\.leftAt) == [Instant.at(12)], "never before the stay began")
        #expect(try await store.meetingsWithOpenAttendance() == [item.id])
        _ = otherStay
        // After a crash, the stays still open end at the restart (never before they began).
        #expect(try await store.closeOpenAttendance(at: Instant.at(40)) == 1)
        #expect(try await store.closeOpenAttendance(at: Instant.at(50)) == 0)
        #expect(try await store.attendance(meeting: item.id).map(\.leftAt) == [Instant.at(20), Instant.at(40)])
        #expect(await domainErrorCode {
            _ = try await store.openAttendance(MeetingAttendance(meetingID: MeetingID(), personID: eva.id, joinedAt: Instant.t0))
        } == "not-found")
        #expect(await domainErrorCode {
            _ = try await store.openAttendance(MeetingAttendance(meetingID: item.id, personID: PersonID(), joinedAt: Instant.t0))
        } == "not-found")
    }

    static func cascade(_ store: any CommunisStore) async throws {
        let (eva, space) = try await world(store)
        let item = meeting("Borta", in: space.id, by: eva.id)
        try await store.createMeeting(item)
        let link = invitation(item.id, by: eva.id, hash: "gone")
        try await store.insertMeetingInvitation(link)
        _ = try await store.openAttendance(MeetingAttendance(meetingID: item.id, personID: eva.id, joinedAt: Instant.t0))
        try await store.deleteWorkspace(id: space.id)
        #expect(try await store.meeting(id: item.id) == nil)
        #expect(try await store.meetingInvitation(tokenHash: "gone") == nil)
        #expect(try await store.attendance(meeting: item.id).isEmpty)
    }
}
