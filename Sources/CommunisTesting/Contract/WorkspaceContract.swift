import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `WorkspaceStore`: workspaces created with their owner in one transaction, changed, listed,
/// discovered (never a secret one), counted and deleted with what hangs on them.
public enum WorkspaceContract {
    public static let cases: [ContractCase] = [
        ContractCase("creating a workspace makes the creator its owner", createMakesOwner),
        ContractCase("creating a workspace for an unknown owner leaves nothing behind", createIsOneTransaction),
        ContractCase("updateWorkspace replaces name, description and visibility", updateWorkspace),
        ContractCase("workspaces(of:) lists mine by name, with my role and a name filter", myWorkspaces),
        ContractCase("discoverable lists open and closed ones I am not in, never secret ones", discoverable),
        ContractCase("counts include owners and guests", counts),
        ContractCase("deleting a workspace deletes its members, requests and invitations", deleteCascades),
    ]

    static func createMakesOwner(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let workspace = try await Fixture.createWorkspace(store, "Skolstart 2026", .closed, owner: eva.id)

        #expect(try await store.workspace(id: workspace.id) == workspace)
        #expect(try await store.membership(workspace: workspace.id, person: eva.id) == .owner)
        let member = try #require(try await store.member(workspace: workspace.id, person: eva.id))
        #expect(member.person == eva)
        #expect(member.role == .owner)
        #expect(try await store.overview(id: workspace.id) == WorkspaceOverview(workspace: workspace, memberCount: 1, ownerCount: 1, guestCount: 0))
        #expect(try await store.workspace(id: WorkspaceID()) == nil)
        #expect(try await store.overview(id: WorkspaceID()) == nil)
        #expect(try await store.member(workspace: workspace.id, person: PersonID()) == nil)
    }

    static func createIsOneTransaction(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let orphan = Fixture.workspace("Föräldralös", by: eva.id)
        let code = await domainErrorCode { try await store.createWorkspace(orphan, owner: PersonID()) }
        #expect(code == "not-found")
        #expect(try await store.workspace(id: orphan.id) == nil)
    }

    static func updateWorkspace(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        var workspace = try await Fixture.createWorkspace(store, "Gammalt namn", owner: eva.id)
        workspace.name = "Nytt namn"
        workspace.description = "Ny beskrivning"
        workspace.visibility = .secret
        try await store.updateWorkspace(workspace)
        #expect(try await store.workspace(id: workspace.id) == workspace)
        let listed = try await store.workspaces(of: eva.id, text: "NYTT", page: PageRequest())
        #expect(listed.items.map(\.overview.workspace) == [workspace])

        let unknown = Fixture.workspace("Finns inte", by: eva.id)
        #expect(await domainErrorCode { try await store.updateWorkspace(unknown) } == "not-found")
    }

    static func myWorkspaces(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let örat = try await Fixture.createWorkspace(store, "Örat", .secret, owner: eva.id)
        let bygg = try await Fixture.createWorkspace(store, "bygglov", .closed, owner: olle.id)
        let alfa = try await Fixture.createWorkspace(store, "Alfa", .open, owner: eva.id)
        try await Fixture.createWorkspace(store, "Olles egen", .open, owner: olle.id)
        try await store.addMember(Membership(workspaceID: bygg.id, personID: eva.id, role: .member, joinedAt: Instant.t0))

        let mine = try await store.workspaces(of: eva.id, text: nil, page: PageRequest())
        #expect(mine.total == 3)
        #expect(mine.items.map(\.overview.workspace.name) == ["Alfa", "bygglov", "Örat"])
        #expect(mine.items.map(\.myRole) == [.owner, .member, .owner])
        #expect(mine.items.allSatisfy { !$0.myRequestPending })
        #expect(mine.items.first?.overview.workspace == alfa)

        let filtered = try await store.workspaces(of: eva.id, text: "ÖR", page: PageRequest())
        #expect(filtered.items.map(\.overview.workspace.id) == [örat.id])
        #expect(filtered.total == 1)

        let second = try await store.workspaces(of: eva.id, text: nil, page: PageRequest(limit: 1, offset: 1))
        #expect(second.total == 3)
        #expect(second.items.map(\.overview.workspace.id) == [bygg.id])
    }

    static func discoverable(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let open = try await Fixture.createWorkspace(store, "Öppen", .open, owner: olle.id)
        let closed = try await Fixture.createWorkspace(store, "Stängd", .closed, owner: olle.id)
        try await Fixture.createWorkspace(store, "Hemlig", .secret, owner: olle.id)
        try await Fixture.createWorkspace(store, "Evas egen", .open, owner: eva.id)
        try await store.insertJoinRequest(workspace: closed.id, person: eva.id, at: Instant.at(5))

        let found = try await store.discoverableWorkspaces(for: eva.id, text: nil, page: PageRequest())
        #expect(found.total == 2)
        #expect(found.items.map(\.overview.workspace.id) == [closed.id, open.id], "Stängd before Öppen")
        #expect(found.items.map(\.myRole) == [nil, nil])
        #expect(found.items.map(\.myRequestPending) == [true, false])
        #expect(found.items.first?.overview.memberCount == 1)

        let filtered = try await store.discoverableWorkspaces(for: eva.id, text: "öpp", page: PageRequest())
        #expect(filtered.items.map(\.overview.workspace.id) == [open.id])
        let secret = try await store.discoverableWorkspaces(for: eva.id, text: "hemlig", page: PageRequest())
        #expect(secret.total == 0)
        #expect(secret.items.isEmpty)
    }

    static func counts(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let kim = try await Fixture.insert(store, Fixture.person("Kim"))
        let guest = try await Fixture.insert(store, Fixture.person("Gunilla Gäst", role: .guest))
        let workspace = try await Fixture.createWorkspace(store, "Samverkan", .closed, owner: eva.id)
        try await Fixture.createWorkspace(store, "Annan", .closed, owner: kim.id)
        try await store.addMember(Membership(workspaceID: workspace.id, personID: olle.id, role: .owner, joinedAt: Instant.at(1)))
        try await store.addMember(Membership(workspaceID: workspace.id, personID: guest.id, role: .member, joinedAt: Instant.at(2)))

        let expected = WorkspaceOverview(workspace: workspace, memberCount: 3, ownerCount: 2, guestCount: 1)
        #expect(try await store.overview(id: workspace.id) == expected)
        #expect(try await store.overview(id: workspace.id)?.hasGuests == true)
        #expect(try await store.workspaces(of: eva.id, text: nil, page: PageRequest()).items.map(\.overview) == [expected])
        let seenByKim = try await store.discoverableWorkspaces(for: kim.id, text: nil, page: PageRequest())
        #expect(seenByKim.items.map(\.overview) == [expected])
    }

    static func deleteCascades(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle"))
        let guest = try await Fixture.insert(store, Fixture.person("Gäst", role: .guest), passwordHash: nil)
        let workspace = try await Fixture.createWorkspace(store, "Kortlivad", .closed, owner: eva.id)
        let kept = try await Fixture.createWorkspace(store, "Kvar", .closed, owner: eva.id)
        try await store.insertJoinRequest(workspace: workspace.id, person: olle.id, at: Instant.t0)
        try await store.insertInvitation(GuestInvitationRecord(
            tokenHash: "inv", workspaceID: workspace.id, personID: guest.id, invitedBy: eva.id,
            createdAt: Instant.t0, expiresAt: Instant.at(86400)
        ))

        try await store.deleteWorkspace(id: workspace.id)
        #expect(try await store.workspace(id: workspace.id) == nil)
        #expect(try await store.membership(workspace: workspace.id, person: eva.id) == nil)
        #expect(try await store.joinRequests(of: workspace.id).isEmpty)
        #expect(try await store.hasJoinRequest(workspace: workspace.id, person: olle.id) == false)
        #expect(try await store.invitation(tokenHash: "inv") == nil)
        #expect(try await store.workspaces(of: eva.id, text: nil, page: PageRequest()).items.map(\.overview.workspace.id) == [kept.id])
        #expect(try await store.person(id: eva.id) != nil, "people stay")
        #expect(await domainErrorCode { try await store.deleteWorkspace(id: workspace.id) } == "not-found")
    }
}
