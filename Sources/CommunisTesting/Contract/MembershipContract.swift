import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `WorkspaceStore`'s members: adding and removing, owners, join requests and guest invitations.
public enum MembershipContract {
    public static let cases: [ContractCase] = [
        ContractCase("adding a member removes their pending request; adding twice is a conflict", addMember),
        ContractCase("members are listed owners first, then by name", membersOrder),
        ContractCase("the last owner can be neither demoted nor removed", lastOwner),
        ContractCase("two owners leaving at once leave one owner", concurrentOwnersLeaving),
        ContractCase("shareWorkspace tells whether two people meet in a workspace", shareWorkspace),
        ContractCase("join requests: one pending per person, oldest first", joinRequests),
        ContractCase("an invitation is accepted once and makes the guest a member", acceptInvitation),
        ContractCase("an expired or unknown invitation is invalid", invalidInvitations),
    ]

    /// `person`'s membership of `workspace`, joined `seconds` after `Instant.t0`.
    public static func member(_ workspace: Workspace, _ person: Person, _ role: MembershipRole = .member, at seconds: TimeInterval = 1) -> Membership {
        Membership(workspaceID: workspace.id, personID: person.id, role: role, joinedAt: Instant.at(seconds))
    }

    static func addMember(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let workspace = try await Fixture.createWorkspace(store, "Stängd", .closed, owner: eva.id)
        try await store.insertJoinRequest(workspace: workspace.id, person: olle.id, at: Instant.t0)

        try await store.addMember(member(workspace, olle))
        #expect(try await store.membership(workspace: workspace.id, person: olle.id) == .member)
        #expect(try await store.member(workspace: workspace.id, person: olle.id)?.joinedAt == Instant.at(1))
        #expect(try await store.hasJoinRequest(workspace: workspace.id, person: olle.id) == false)

        #expect(await domainErrorCode { try await store.addMember(member(workspace, olle, .owner)) } == "conflict")
        #expect(try await store.membership(workspace: workspace.id, person: olle.id) == .member, "unchanged")

        let stranger = Fixture.person("Okänd")
        #expect(await domainErrorCode { try await store.addMember(member(workspace, stranger)) } == "not-found")
        let nowhere = Fixture.workspace("Finns inte", by: eva.id)
        #expect(await domainErrorCode { try await store.addMember(member(nowhere, olle)) } == "not-found")
    }

    static func membersOrder(_ store: any CommunisStore) async throws {
        let örjan = try await Fixture.insert(store, Fixture.person("Örjan"))
        let anna = try await Fixture.insert(store, Fixture.person("Anna"))
        let bo = try await Fixture.insert(store, Fixture.person("Bo"))
        let ärla = try await Fixture.insert(store, Fixture.person("Ärla"))
        let workspace = try await Fixture.createWorkspace(store, "Gruppen", owner: örjan.id)
        try await store.addMember(member(workspace, bo))
        try await store.addMember(member(workspace, ärla, .owner))
        try await store.addMember(member(workspace, anna))

        let all = try await store.members(of: workspace.id, page: PageRequest())
        #expect(all.total == 4)
        #expect(all.items.map(\.person.name) == ["Ärla", "Örjan", "Anna", "Bo"])
        #expect(all.items.map(\.role) == [.owner, .owner, .member, .member])
        #expect(all.items.last?.person == bo)

        let page = try await store.members(of: workspace.id, page: PageRequest(limit: 2, offset: 2))
        #expect(page.total == 4)
        #expect(page.items.map(\.person.id) == [anna.id, bo.id])
    }

    static func lastOwner(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let workspace = try await Fixture.createWorkspace(store, "Gruppen", owner: eva.id)
        try await store.addMember(member(workspace, olle))

        #expect(await domainErrorCode { try await store.setMemberRole(workspace: workspace.id, person: eva.id, role: .member) } == "conflict")
        #expect(await domainErrorCode { try await store.removeMember(workspace: workspace.id, person: eva.id) } == "conflict")
        #expect(try await store.membership(workspace: workspace.id, person: eva.id) == .owner)

        try await store.setMemberRole(workspace: workspace.id, person: olle.id, role: .owner)
        try await store.setMemberRole(workspace: workspace.id, person: olle.id, role: .owner) // no change, no error
        try await store.setMemberRole(workspace: workspace.id, person: eva.id, role: .member)
        #expect(try await store.overview(id: workspace.id)?.ownerCount == 1)
        #expect(await domainErrorCode { try await store.removeMember(workspace: workspace.id, person: olle.id) } == "conflict")

        try await store.removeMember(workspace: workspace.id, person: eva.id)
        #expect(try await store.membership(workspace: workspace.id, person: eva.id) == nil)
        #expect(await domainErrorCode { try await store.removeMember(workspace: workspace.id, person: eva.id) } == "not-found")
        #expect(await domainErrorCode { try await store.setMemberRole(workspace: workspace.id, person: eva.id, role: .owner) } == "not-found")
        #expect(try await store.overview(id: workspace.id)?.memberCount == 1)
    }

    static func concurrentOwnersLeaving(_ store: any CommunisStore) async throws {
        for round in 0..<10 {
            let a = try await Fixture.insert(store, Fixture.person("A", email: "a\(round)@example.se"))
            let b = try await Fixture.insert(store, Fixture.person("B", email: "b\(round)@example.se"))
            let workspace = try await Fixture.createWorkspace(store, "Runda \(round)", owner: a.id)
            try await store.addMember(member(workspace, b, .owner))

            async let first: Bool = succeeds { try await store.removeMember(workspace: workspace.id, person: a.id) }
            async let second: Bool = succeeds { try await store.setMemberRole(workspace: workspace.id, person: b.id, role: .member) }
            let outcomes = await [first, second]
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.overview(id: workspace.id)?.ownerCount == 1)
        }
    }

    private static func succeeds(_ body: @Sendable () async throws -> Void) async -> Bool {
        do {
            try await body()
            return true
        } catch let error as DomainError {
            #expect(error.code == "conflict")
            return false
        } catch {
            Issue.record(error)
            return false
        }
    }

    static func shareWorkspace(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gäst", role: .guest))
        let shared = try await Fixture.createWorkspace(store, "Delad", owner: eva.id)
        try await Fixture.createWorkspace(store, "Olles", owner: olle.id)

        #expect(try await store.shareWorkspace(eva.id, guest.id) == false)
        try await store.addMember(member(shared, guest))
        #expect(try await store.shareWorkspace(eva.id, guest.id) == true)
        #expect(try await store.shareWorkspace(guest.id, eva.id) == true)
        #expect(try await store.shareWorkspace(olle.id, guest.id) == false)
        #expect(try await store.shareWorkspace(olle.id, eva.id) == false)
    }

    static func joinRequests(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let anna = try await Fixture.insert(store, Fixture.person("Anna"))
        let workspace = try await Fixture.createWorkspace(store, "Stängd", .closed, owner: eva.id)

        try await store.insertJoinRequest(workspace: workspace.id, person: olle.id, at: Instant.at(10))
        try await store.insertJoinRequest(workspace: workspace.id, person: anna.id, at: Instant.at(20))
        #expect(await domainErrorCode {
            try await store.insertJoinRequest(workspace: workspace.id, person: olle.id, at: Instant.at(30))
        } == "conflict")

        let requests = try await store.joinRequests(of: workspace.id)
        #expect(requests == [
            JoinRequest(workspaceID: workspace.id, person: olle, requestedAt: Instant.at(10)),
            JoinRequest(workspaceID: workspace.id, person: anna, requestedAt: Instant.at(20)),
        ])
        #expect(try await store.hasJoinRequest(workspace: workspace.id, person: olle.id))
        #expect(try await store.hasJoinRequest(workspace: workspace.id, person: eva.id) == false)
        #expect(try await store.deleteJoinRequest(workspace: workspace.id, person: olle.id) == true)
        #expect(try await store.deleteJoinRequest(workspace: workspace.id, person: olle.id) == false)
        #expect(try await store.joinRequests(of: workspace.id).map(\.person.id) == [anna.id])
    }

    static func invitation(_ token: String, _ workspace: Workspace, guest: Person, by inviter: Person, expiresAt: Date = Instant.at(86400)) -> GuestInvitationRecord {
        GuestInvitationRecord(
            tokenHash: token, workspaceID: workspace.id, personID: guest.id, invitedBy: inviter.id,
            createdAt: Instant.t0, expiresAt: expiresAt
        )
    }

    static func acceptInvitation(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let guest = try await Fixture.insert(store, Fixture.person("Gösta Gäst", role: .guest), passwordHash: nil)
        let workspace = try await Fixture.createWorkspace(store, "Samverkan", .secret, owner: eva.id)
        let record = invitation("inv-1", workspace, guest: guest, by: eva)
        try await store.insertInvitation(record)
        #expect(try await store.invitation(tokenHash: "inv-1") == record)
        #expect(try await store.invitation(tokenHash: "unknown") == nil)

        let accepted = try await store.acceptInvitation(tokenHash: "inv-1", passwordHash: "$2b$guest", at: Instant.at(100))
        #expect(accepted == guest.id)
        #expect(try await store.membership(workspace: workspace.id, person: guest.id) == .member)
        #expect(try await store.credentials(id: guest.id)?.passwordHash == "$2b$guest")
        #expect(try await store.invitation(tokenHash: "inv-1")?.acceptedAt == Instant.at(100))
        #expect(try await store.overview(id: workspace.id)?.guestCount == 1)

        let again = await domainErrorCode { _ = try await store.acceptInvitation(tokenHash: "inv-1", passwordHash: "$2b$other", at: Instant.at(200)) }
        #expect(again == "invitation-invalid")
        #expect(try await store.credentials(id: guest.id)?.passwordHash == "$2b$guest", "a used link changes nothing")

        // A second invitation to a workspace the guest is already in: accepted, no duplicate
        // membership, and without a password the existing one stays.
        try await store.insertInvitation(invitation("inv-2", workspace, guest: guest, by: eva))
        #expect(try await store.acceptInvitation(tokenHash: "inv-2", passwordHash: nil, at: Instant.at(300)) == guest.id)
        #expect(try await store.overview(id: workspace.id)?.memberCount == 2)
        #expect(try await store.credentials(id: guest.id)?.passwordHash == "$2b$guest")
    }

    static func invalidInvitations(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let guest = try await Fixture.insert(store, Fixture.person("Gösta Gäst", role: .guest), passwordHash: nil)
        let workspace = try await Fixture.createWorkspace(store, "Samverkan", .closed, owner: eva.id)
        try await store.insertInvitation(invitation("old", workspace, guest: guest, by: eva, expiresAt: Instant.at(60)))

        let expired = await domainErrorCode { _ = try await store.acceptInvitation(tokenHash: "old", passwordHash: "h", at: Instant.at(60)) }
        #expect(expired == "invitation-invalid")
        #expect(try await store.membership(workspace: workspace.id, person: guest.id) == nil)
        #expect(try await store.credentials(id: guest.id)?.passwordHash == nil)
        #expect(try await store.invitation(tokenHash: "old")?.acceptedAt == nil)

        let unknown = await domainErrorCode { _ = try await store.acceptInvitation(tokenHash: "never", passwordHash: nil, at: Instant.t0) }
        #expect(unknown == "invitation-invalid")
    }
}
