import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `IdentityStore.applyDirectorySync`: everything the directory says, applied in one
/// transaction (or, dry, not at all), refused when it would disable too many.
public enum DirectorySyncContract {
    public static let cases: [ContractCase] = [
        ContractCase("a sync creates, updates and disables people the directory no longer lists, with one directory.sync entry", createsUpdatesDisables),
        ContractCase("a dry run reports what would change and changes nothing", dryRun),
        ContractCase("a sync that would disable more than the allowed share is refused and changes nothing", refused),
        ContractCase("the rule groups' members given to the sync drive memberships and roles", ruleGroupMembers),
        ContractCase("known groups are refreshed: a vanished group goes unless a rule uses it", knownGroups),
    ]

    typealias F = IdentityFixture

    static func entry(_ subject: String, _ name: String, disabled: Bool = false) -> ExternalProfile {
        F.directory(subject, login: subject, name: name, email: "\(subject)@example.se", disabled: disabled)
    }

    static func input(
        _ accounts: [ExternalProfile], groups: [ExternalGroup] = [], members: [String: Set<String>] = [:], maxDisable: Double = 0.5,
        dryRun: Bool = false, at: Date = Instant.at(1000)
    ) -> DirectorySyncInput {
        DirectorySyncInput(accounts: accounts, groups: groups, ruleGroupMembers: members, linkByEmail: true, maxDisableFraction: maxDisable,
                           dryRun: dryRun, at: at, actor: F.admin, address: "10.9.9.9")
    }

    static func id(_ store: any CommunisStore, _ subject: String) async throws -> PersonID {
        try #require(try await store.person(provider: "directory", subject: subject)?.id, "\(subject)")
    }

    static func createsUpdatesDisables(_ store: any CommunisStore) async throws {
        let lisa = try await Fixture.insert(store, Fixture.person("Lisa Lokal"))
        let kim = try await Fixture.insert(store, Fixture.person("Kim Kvist", email: "kim@example.se"))
        var offByAdmin = try await F.provision(store, entry("adm-off", "Avstängd av admin")).person
        offByAdmin.disabled = true
        try await store.updatePerson(offByAdmin)
        offByAdmin = try #require(try await store.person(id: offByAdmin.id))
        for (subject, name) in [("anna", "Anna Ask"), ("bert", "Bert Björk"), ("cecil", "Cecil Ceder"), ("dina", "Dina Dal"), ("erik", "Erik Ek")] {
            try await F.provision(store, entry(subject, name))
        }

        let listed = [entry("anna", "Anna Al"), entry("bert", "Bert Björk"), entry("cecil", "Cecil Ceder"),
                      entry("dina", "Dina Dal", disabled: true), entry("frans", "Frans Fur"), entry("kim", "Kim Kvist")]
        let outcome = try await store.applyDirectorySync(input(listed))
        #expect(outcome.created == 1 && outcome.updated == 2 && outcome.disabled == 2 && outcome.enabled == 0 && outcome.errors == 0,
                "Anna renamed, Kim linked")
        #expect(try await store.person(provider: "directory", subject: "kim")?.id == kim.id)
        #expect(try await store.person(id: kim.id)?.managedBy == .directory)
        let dina = try await id(store, "dina"), erik = try await id(store, "erik")
        #expect(Set(outcome.disabledPeople) == [dina, erik])
        for person in [dina, erik] {
            let stored = try await store.person(id: person)
            #expect(stored?.disabled == true && stored?.disabledBy == .directory)
        }
        #expect(try await store.person(id: try await id(store, "anna"))?.name == "Anna Al")
        #expect(try await store.person(provider: "directory", subject: "frans")?.lastLoginAt == nil, "a sync is no login")
        #expect(try await store.person(id: offByAdmin.id) == offByAdmin, "an administrator's decision stays")
        #expect(try await store.person(id: lisa.id) == lisa, "local accounts are not the directory's")

        let sync = try #require(try await store.lastAuditEntry(action: .directorySync))
        #expect(sync.details["created"] == "1" && sync.details["updated"] == "2" && sync.details["disabled"] == "2" && sync.details["enabled"] == "0")
        #expect(sync.actor == F.admin && sync.via == .sync && sync.at == Instant.at(1000) && sync.address == "10.9.9.9")
        let erikEntries = try await F.audit(store, about: erik.description)
        #expect(erikEntries.last?.action == .accountDisabled && erikEntries.last?.via == .sync && erikEntries.last?.actor == F.admin)

        // Erik is back in the directory: enabled again.
        let back = try await store.applyDirectorySync(input(listed + [entry("erik", "Erik Ek")], at: Instant.at(2000)))
        #expect(back.enabled == 1 && back.disabled == 0 && back.created == 0)
        #expect(try await store.person(id: erik)?.disabled == false)
        #expect(try await store.person(id: dina)?.disabled == true)
    }

    static func dryRun(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Synkrummet", owner: olga.id)
        let group = F.group("g-sync", "Synkgrupp")
        try await F.rule(store, group, .membership(space.id, .member))
        let anna = try await F.provision(store, entry("anna", "Anna Ask")).person
        let bert = try await F.provision(store, entry("bert", "Bert Björk")).person
        let people = try await store.countPeople()
        let logged = try await F.allAudit(store)
        let known = try await store.knownGroups(text: nil, limit: 100)

        let outcome = try await store.applyDirectorySync(input(
            [entry("anna", "Anna Al"), entry("cecil", "Cecil Ceder")], groups: [group, F.group("g-x", "Annan grupp")],
            members: [group.key: ["anna", "cecil"]], dryRun: true))
        #expect(outcome.created == 1 && outcome.updated == 1 && outcome.disabled == 1 && outcome.membershipsAdded == 2)
        #expect(outcome.disabledPeople == [bert.id])

        #expect(try await store.countPeople() == people)
        #expect(try await store.person(id: anna.id) == anna)
        #expect(try await store.person(id: bert.id) == bert)
        #expect(try await store.person(provider: "directory", subject: "cecil") == nil)
        #expect(try await store.membership(workspace: space.id, person: anna.id) == nil)
        #expect(try await store.groups(of: anna.id).isEmpty)
        #expect(try await F.allAudit(store) == logged)
        #expect(try await store.lastAuditEntry(action: .directorySync) == nil)
        #expect(try await store.knownGroups(text: nil, limit: 100) == known)
    }

    static func refused(_ store: any CommunisStore) async throws {
        for subject in ["a1", "a2", "a3", "a4"] { try await F.provision(store, entry(subject, "Person \(subject)")) }
        let logged = try await F.allAudit(store)
        let listed = [entry("a1", "Ändrad Ett"), entry("n1", "Ny Person")]

        await #expect(throws: DirectorySyncRefused.self) { _ = try await store.applyDirectorySync(input(listed, maxDisable: 0.5)) }
        for subject in ["a1", "a2", "a3", "a4"] {
            let person = try await store.person(provider: "directory", subject: subject)
            #expect(person?.disabled == false && person?.name == "Person \(subject)")
        }
        #expect(try await store.person(provider: "directory", subject: "n1") == nil)
        #expect(try await F.allAudit(store) == logged)

        // A wider limit (the administrator's --force) lets the same sync through.
        let forced = try await store.applyDirectorySync(input(listed, maxDisable: 1.0))
        #expect(forced.disabled == 3 && forced.created == 1 && forced.updated == 1)
    }

    static func ruleGroupMembers(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Synkat rum", .closed, owner: olga.id)
        let staff = F.group("g-staff", "Personal"), admins = F.group("g-admins", "Administratörer")
        try await F.rule(store, staff, .membership(space.id, .member))
        try await F.rule(store, admins, .role(.admin))
        let accounts = [entry("ann", "Ann Alm"), entry("ben", "Ben Berg")]

        let first = try await store.applyDirectorySync(input(accounts, groups: [staff, admins], members: [staff.key: ["ann"], admins.key: ["ben"]]))
        let ann = try await id(store, "ann"), ben = try await id(store, "ben")
        #expect(first.created == 2 && first.membershipsAdded == 1 && first.membershipsRemoved == 0 && first.roleChanges == [ben])
        #expect(try await F.held(store, ann)[space.id] == HeldMembership(role: .member, origin: .rule))
        #expect(try await store.person(id: ben)?.role == .admin)
        #expect(try await store.groups(of: ann).map(\.key) == [staff.key])
        #expect(try await store.lastAuditEntry(action: .directorySync)?.details["membershipsAdded"] == "1")

        let second = try await store.applyDirectorySync(input(accounts, groups: [staff, admins], members: [staff.key: ["ben"]], at: Instant.at(2000)))
        #expect(second.membershipsAdded == 1 && second.membershipsRemoved == 1)
        #expect(second.removedMemberships.map(\.personID) == [ann] && second.removedMemberships.map(\.workspaceID) == [space.id])
        #expect(second.roleChanges == [ben])
        #expect(try await store.membership(workspace: space.id, person: ann) == nil)
        #expect(try await store.membership(workspace: space.id, person: ben) == .member)
        #expect(try await store.person(id: ben)?.role == .member)
        #expect(try await store.groups(of: ann).isEmpty)
    }

    static func knownGroups(_ store: any CommunisStore) async throws {
        let lärare = F.group("g1", "Lärare"), rektorer = F.group("g2", "Rektorer"), kök = F.group("g3", "Kökspersonal")
        _ = try await store.applyDirectorySync(input([], groups: [lärare, rektorer, kök]))
        #expect(try await store.knownGroups(text: nil, limit: 10) == [kök, lärare, rektorer])
        // An OIDC group is known from a login, not from the directory.
        let oidcStaff = F.oidcGroup("personal")
        _ = try await store.provisionExternalPerson(F.request(F.oidc("sub-1", name: "Olle Oidc", email: ""), groups: [oidcStaff]))
        try await F.rule(store, rektorer, .role(.admin))

        var renamed = lärare
        renamed.name = "Lärare Norr"
        _ = try await store.applyDirectorySync(input([], groups: [renamed], at: Instant.at(2000)))
        #expect(Set(try await store.knownGroups(text: nil, limit: 10)) == [renamed, rektorer, oidcStaff])
        #expect(try await store.knownGroup(key: kök.key) == nil)
        #expect(try await store.knownGroup(key: rektorer.key) == rektorer, "a rule uses it")
        #expect(try await store.knownGroups(text: "LÄRARE", limit: 10) == [renamed])
        #expect(try await store.knownGroups(text: "norr", limit: 10) == [renamed])
        #expect(try await store.knownGroups(text: "finns inte", limit: 10).isEmpty)
    }
}
