import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `IdentityStore.provisionExternalPerson`: people from the directory and OpenID Connect
/// providers, found again by (provider, subject), linked, kept up to date and disabled.
public enum IdentityContract {
    public static let cases: [ContractCase] = [
        ContractCase("a new directory person is a member whose role the rules decide, managed by the directory, without a password", created),
        ContractCase("a directory person is found again by subject after their login name, name and e-mail changed", foundAgain),
        ContractCase("a local employee with the same e-mail is linked: memberships stay, the local password goes", linkLocalEmployee),
        ContractCase("a guest with the same e-mail is never linked; the new account goes without the address", guestNeverLinked),
        ContractCase("without linkByEmail a new account is made without the address another account holds", noLinkByEmail),
        ContractCase("several people without an e-mail address coexist, and none logs in with an empty one", peopleWithoutEmail),
        ContractCase("an address held by another directory person moves to the new holder", emailMoves),
        ContractCase("a login name held by another directory person moves to the new holder", loginMoves),
        ContractCase("disabled in the directory disables; enabled again re-enables only what the directory disabled", disabledFollowsDirectory),
        ContractCase("an OIDC login neither overwrites what the directory manages nor re-enables whom it disabled", oidcBesideDirectory),
        ContractCase("an OIDC person is created from the ID token; later tokens update name and e-mail only", oidcPerson),
        ContractCase("a directory entry takes over an account first seen through OIDC: its fields, and a sync disables it when gone", directoryAfterOIDC),
        ContractCase("unreadable OIDC groups keep what the rules gave and mark the person; readable groups clear the mark", unreadableGroups),
        ContractCase("provisioning logs created, updated, disabled and enabled, via login or sync", auditTrail),
    ]

    typealias F = IdentityFixture

    static func created(_ store: any CommunisStore) async throws {
        let teachers = F.group("0A1B2C3D-lärare", "Lärare")
        let profile = F.directory("e1f7a0c2-anna", login: "Anna.Andersson", name: "Anna Andersson", email: " Anna.Andersson@Example.SE ")
        let result = try await F.provision(store, profile, groups: [teachers], at: Instant.at(100))
        #expect(result.created && !result.linked && !result.updated && !result.disabledNow && !result.enabledNow)

        let anna = result.person
        #expect(anna.role == .member && anna.roleSource == .rules && anna.managedBy == .directory)
        #expect(anna.login == "anna.andersson")
        #expect(anna.email == "anna.andersson@example.se")
        #expect(anna.name == "Anna Andersson")
        #expect(anna.profile.title == "Handläggare" && anna.profile.department == "Socialtjänsten")
        #expect(anna.profile.workplace == "Stadshuset" && anna.profile.phone == "08-555 00 00")
        #expect(!anna.disabled && anna.disabledBy == nil && !anna.groupsUnreadable)
        #expect(anna.createdAt == Instant.at(100) && anna.lastLoginAt == Instant.at(100))
        #expect(try await store.person(id: anna.id) == anna)
        #expect(try await store.credentials(id: anna.id)?.passwordHash == nil, "the password lives in the directory")

        #expect(try await store.person(provider: "directory", subject: profile.subject) == anna)
        #expect(try await store.person(provider: F.issuer, subject: profile.subject) == nil)
        #expect(try await store.identities(of: anna.id) == ["directory": profile.subject])
        #expect(try await store.people(provider: "directory", subjects: [profile.subject, "nobody"]) == [profile.subject: anna.id])
        #expect(try await store.credentials(login: "ANNA.ANDERSSON")?.person.id == anna.id)
        #expect(try await store.credentials(login: "Anna.Andersson@example.se")?.person.id == anna.id)
        #expect(try await store.groups(of: anna.id) == [teachers])
        #expect(try await store.knownGroup(key: teachers.key) == teachers)
        #expect(try await store.searchPeople(PeopleQuery(text: "andersson"), page: PageRequest()).items.map(\.id) == [anna.id])

        let entry = try #require(try await store.lastAuditEntry(action: .accountCreated))
        #expect(entry.target?.id == anna.id.description && entry.target?.name == "Anna Andersson")
        #expect(entry.via == .login && entry.address == "10.1.2.3" && entry.at == Instant.at(100) && entry.actor == nil)
    }

    static func foundAgain(_ store: any CommunisStore) async throws {
        let first = try await F.provision(store, F.directory("s-bjorn", login: "bjorn", name: "Björn Berg", email: "bjorn.berg@example.se"))
        let id = first.person.id
        let renamed = F.directory("s-bjorn", login: "Bjorn.Lind", name: "Björn Lind", email: "bjorn.lind@example.se", department: "Kultur")
        let again = try await F.provision(store, renamed, at: Instant.at(200), isLogin: false)
        #expect(!again.created && again.updated && !again.linked)
        #expect(again.person.id == id)
        #expect(again.person.name == "Björn Lind" && again.person.email == "bjorn.lind@example.se" && again.person.login == "bjorn.lind")
        #expect(again.person.profile.department == "Kultur")
        #expect(again.person.lastLoginAt == Instant.at(100), "a sync is no login")
        #expect(try await store.countPeople() == 1)
        #expect(try await store.credentials(login: "bjorn") == nil)
        #expect(try await store.credentials(email: "bjorn.berg@example.se") == nil)
        #expect(try await store.credentials(login: "bjorn.lind")?.person.id == id)
        #expect(try await store.searchPeople(PeopleQuery(text: "lind"), page: PageRequest()).items.map(\.id) == [id])
        #expect(try await store.searchPeople(PeopleQuery(text: "berg"), page: PageRequest()).total == 0)

        let updates = try await F.audit(store, about: id.description).filter { $0.action == .accountUpdated }
        #expect(updates.count == 1)
        let fields = Set((updates.first?.details["fields"] ?? "").split(separator: ",").map(String.init))
        #expect(fields.isSuperset(of: ["name", "email", "login"]))
        #expect(updates.first?.via == .sync)

        // The same entry again changes nothing and logs nothing.
        let logged = try await F.allAudit(store).count
        let same = try await F.provision(store, renamed, at: Instant.at(300), isLogin: false)
        #expect(!same.created && !same.updated && same.person == again.person)
        #expect(try await F.allAudit(store).count == logged)
    }

    static func linkLocalEmployee(_ store: any CommunisStore) async throws {
        let karin = try await Fixture.insert(store, Fixture.person("Karin K", email: "karin.k@example.se", competences: ["Excel"]), passwordHash: "$2b$12$local")
        let eva = try await Fixture.insert(store, Fixture.person("Eva"))
        let evas = try await Fixture.createWorkspace(store, "Evas grupp", .closed, owner: eva.id)
        try await store.addMember(MembershipContract.member(evas, karin))
        let karins = try await Fixture.createWorkspace(store, "Karins grupp", owner: karin.id)
        try await store.insertApiToken(ApiTokenRecord(personID: karin.id, name: "Skript", tokenHash: "karin-token", createdAt: Instant.t0))

        let result = try await F.provision(store, F.directory("s-karin", login: "karkar", name: "Karin Karlsson", email: "KARIN.K@example.se"))
        #expect(result.linked && !result.created)
        let linked = result.person
        #expect(linked.id == karin.id)
        #expect(linked.managedBy == .directory && linked.login == "karkar" && linked.name == "Karin Karlsson")
        #expect(linked.roleSource == .manual, "the role an administrator gave stays theirs")
        #expect(linked.profile.competences == ["Excel"] && linked.profile.presentation == karin.profile.presentation, "her own fields stay")
        #expect(linked.createdAt == karin.createdAt)
        #expect(try await store.credentials(id: karin.id)?.passwordHash == nil, "no second way in that nobody manages")
        #expect(try await store.membership(workspace: evas.id, person: karin.id) == .member)
        #expect(try await store.membership(workspace: karins.id, person: karin.id) == .owner)
        #expect(try await store.apiToken(tokenHash: "karin-token") != nil)
        #expect(try await store.countPeople() == 2)
        #expect(try await store.person(provider: "directory", subject: "s-karin")?.id == karin.id)

        let entry = try #require(try await store.lastAuditEntry(action: .accountUpdated))
        #expect(entry.target?.id == karin.id.description && entry.details["linked"] == "directory")
    }

    static func guestNeverLinked(_ store: any CommunisStore) async throws {
        let guest = try await Fixture.insert(store, Fixture.person("Gösta Gäst", email: "gosta@example.se", role: .guest), passwordHash: "$2b$12$guest")
        let result = try await F.provision(store, F.directory("s-gosta", login: "gosta", name: "Gösta Gran", email: "gosta@example.se"))
        #expect(result.created && !result.linked && result.person.id != guest.id)
        #expect(result.person.email == "")
        #expect(try await store.credentials(email: "gosta@example.se")?.person.id == guest.id)
        #expect(try await store.credentials(id: guest.id)?.passwordHash == "$2b$12$guest")
        #expect(try await store.person(id: guest.id) == guest)
        #expect(try await store.identities(of: guest.id).isEmpty)
    }

    static func noLinkByEmail(_ store: any CommunisStore) async throws {
        let olle = try await Fixture.insert(store, Fixture.person("Olle Olsson", email: "olle@example.se"), passwordHash: "$2b$12$olle")
        let profile = F.directory("s-olle", login: "oolsson", name: "Olle Olsson", email: "olle@example.se")
        let result = try await F.provision(store, profile, linkByEmail: false)
        #expect(result.created && !result.linked && result.person.id != olle.id)
        #expect(result.person.email == "")
        #expect(try await store.credentials(email: "olle@example.se")?.person.id == olle.id)
        #expect(try await store.credentials(id: olle.id)?.passwordHash == "$2b$12$olle")

        // A sync tells the administrator in a sentence, and still takes nothing.
        let sync = try await store.applyDirectorySync(DirectorySyncInput(
            accounts: [profile], groups: [], ruleGroupMembers: [:], linkByEmail: false, maxDisableFraction: 0.5, dryRun: false, at: Instant.at(200)))
        #expect(sync.messages.contains { $0.contains("olle@example.se") }, "\(sync.messages)")
        #expect(try await store.person(id: olle.id) == olle)
        #expect(try await store.person(id: result.person.id)?.email == "")
    }

    static func peopleWithoutEmail(_ store: any CommunisStore) async throws {
        for number in 1...3 {
            let result = try await F.provision(store, F.directory("s-\(number)", login: "u\(number)", name: "Utan Adress \(number)", email: ""))
            #expect(result.created && result.person.email == "")
        }
        let implausible = try await F.provision(store, F.directory("s-4", login: "u4", name: "Fel Adress", email: "inte en adress"))
        #expect(implausible.created && implausible.person.email == "")
        try await store.insertPerson(Fixture.person("Lokal Ett", email: ""), passwordHash: nil)
        try await store.insertPerson(Fixture.person("Lokal Två", email: ""), passwordHash: nil)
        #expect(try await store.countPeople() == 6)
        #expect(try await store.credentials(email: "") == nil)
        #expect(try await store.credentials(login: "") == nil)
        #expect(try await store.credentials(login: "u2")?.person.name == "Utan Adress 2")
        #expect(try await store.searchPeople(PeopleQuery(text: "utan adress"), page: PageRequest()).total == 3)
    }

    static func emailMoves(_ store: any CommunisStore) async throws {
        let first = try await F.provision(store, F.directory("s-a", login: "aahl", name: "Anders Ahl", email: "ekonomi@example.se"))
        let second = try await F.provision(store, F.directory("s-b", login: "bahl", name: "Berit Ahl", email: "ekonomi@example.se"))
        #expect(second.created && !second.linked, "a directory person is never linked to another directory identity")
        #expect(second.person.email == "ekonomi@example.se")
        #expect(try await store.person(id: first.person.id)?.email == "")
        #expect(try await store.credentials(email: "ekonomi@example.se")?.person.id == second.person.id)
    }

    static func loginMoves(_ store: any CommunisStore) async throws {
        let first = try await F.provision(store, F.directory("s-a", login: "kalle", name: "Kalle Ek", email: "kalle.ek@example.se"))
        let second = try await F.provision(store, F.directory("s-b", login: "KALLE", name: "Kalle Ås", email: "kalle.as@example.se"))
        #expect(second.created && second.person.login == "kalle")
        #expect(try await store.person(id: first.person.id)?.login == nil)
        #expect(try await store.credentials(login: "kalle")?.person.id == second.person.id)
        // The first gets their new name at their next update.
        let renamed = try await F.provision(store, F.directory("s-a", login: "kalle.ek", name: "Kalle Ek", email: "kalle.ek@example.se"))
        #expect(renamed.person.id == first.person.id && renamed.person.login == "kalle.ek")
        #expect(try await store.credentials(login: "kalle.ek")?.person.id == first.person.id)
        // A login name is one person's: inserting another with it is a conflict.
        let taken = Person(email: "annan.kalle@example.se", name: "Annan Kalle", role: .member, createdAt: Instant.t0, login: "Kalle")
        #expect(await domainErrorCode { try await store.insertPerson(taken, passwordHash: nil) } == "conflict")
    }

    static func disabledFollowsDirectory(_ store: any CommunisStore) async throws {
        let profile = F.directory("s-dora", login: "dora", name: "Dora Dahl", email: "dora@example.se")
        var gone = profile
        gone.disabled = true
        let id = try await F.provision(store, profile).person.id

        let off = try await F.provision(store, gone, at: Instant.at(200))
        #expect(off.disabledNow && !off.enabledNow && off.person.disabled && off.person.disabledBy == .directory)
        #expect(try await F.provision(store, gone, at: Instant.at(250)).disabledNow == false, "already disabled")
        let on = try await F.provision(store, profile, at: Instant.at(300))
        #expect(on.enabledNow && !on.disabledNow && !on.person.disabled && on.person.disabledBy == nil)

        // An administrator's decision is theirs: the directory neither lifts nor takes it over.
        var byAdmin = on.person
        byAdmin.disabled = true
        byAdmin.disabledBy = .admin
        try await store.updatePerson(byAdmin)
        for (at, entry) in [(400.0, profile), (500, gone), (600, profile)] {
            let result = try await F.provision(store, entry, at: Instant.at(at))
            #expect(!result.enabledNow && !result.disabledNow)
            #expect(result.person.disabled && result.person.disabledBy == .admin)
        }

        // Someone the directory lists as disabled from the start is created disabled.
        var never = F.directory("s-never", login: "never", name: "Nils Aldrig", email: "")
        never.disabled = true
        let created = try await F.provision(store, never)
        #expect(created.created && created.person.disabled && created.person.disabledBy == .directory)

        let actions: Set<AuditAction> = [.accountDisabled, .accountEnabled]
        let entries = try await store.auditEntries(AuditFilter(actions: actions, targetID: id.description), afterID: 0, limit: 100)
        #expect(entries.map(\.action) == [.accountDisabled, .accountEnabled])
    }

    static func oidcBesideDirectory(_ store: any CommunisStore) async throws {
        let erik = try await F.provision(store, F.directory("s-erik", login: "erik", name: "Erik Ek", email: "erik.ek@example.se", title: "Rektor")).person
        let viaOIDC = try await store.provisionExternalPerson(F.request(F.oidc("sub-erik", name: "E. Ek (extern)", email: "erik.ek@example.se"), at: Instant.at(200)))
        #expect(viaOIDC.linked && !viaOIDC.created && !viaOIDC.updated)
        #expect(viaOIDC.person.id == erik.id)
        #expect(viaOIDC.person.name == "Erik Ek" && viaOIDC.person.profile.title == "Rektor" && viaOIDC.person.login == "erik")
        #expect(viaOIDC.person.managedBy == .directory)
        #expect(try await store.identities(of: erik.id) == ["directory": "s-erik", F.issuer: "sub-erik"])
        let later = try await store.provisionExternalPerson(F.request(F.oidc("sub-erik", name: "Annat Namn", email: "annan@example.se"), at: Instant.at(300)))
        #expect(!later.linked && later.person.id == erik.id && later.person.name == "Erik Ek" && later.person.email == "erik.ek@example.se")

        // The directory disabled Frida; a login through the identity provider does not undo it.
        let frida = F.directory("s-frida", login: "frida", name: "Frida Fors", email: "frida@example.se")
        var fridaGone = frida
        fridaGone.disabled = true
        let fridaID = try await F.provision(store, frida).person.id
        try await F.provision(store, fridaGone, at: Instant.at(200))
        let fridaViaOIDC = try await store.provisionExternalPerson(F.request(F.oidc("sub-frida", name: "Frida Fors", email: "frida@example.se"), at: Instant.at(300)))
        #expect(fridaViaOIDC.person.id == fridaID)
        #expect(!fridaViaOIDC.enabledNow, "only the directory re-enables what it disabled")
        #expect(fridaViaOIDC.person.disabled && fridaViaOIDC.person.disabledBy == .directory)
    }

    static func oidcPerson(_ store: any CommunisStore) async throws {
        let first = try await store.provisionExternalPerson(F.request(F.oidc("sub-hanna", name: "Hanna Holm", email: "Hanna.Holm@Example.se")))
        #expect(first.created)
        var hanna = first.person
        #expect(hanna.managedBy == .oidc && hanna.roleSource == .rules && hanna.role == .member && hanna.login == nil)
        #expect(hanna.email == "hanna.holm@example.se" && hanna.name == "Hanna Holm")
        #expect(try await store.credentials(id: hanna.id)?.passwordHash == nil)
        #expect(try await store.person(provider: F.issuer, subject: "sub-hanna")?.id == hanna.id)

        // Job fields are hers to keep: an ID token carries none.
        hanna.profile.title = "Kurator"
        try await store.updatePerson(hanna)
        let later = try await store.provisionExternalPerson(F.request(F.oidc("sub-hanna", name: "Hanna Holm Berg", email: "hanna.berg@example.se"), at: Instant.at(300)))
        #expect(later.updated && later.person.id == hanna.id)
        #expect(later.person.name == "Hanna Holm Berg" && later.person.email == "hanna.berg@example.se" && later.person.profile.title == "Kurator")
        #expect(later.person.lastLoginAt == Instant.at(300))
    }

    static func directoryAfterOIDC(_ store: any CommunisStore) async throws {
        let first = try await store.provisionExternalPerson(F.request(F.oidc("sub-ines", name: "Ines Ivarsson", email: "ines@example.se")))
        #expect(first.person.managedBy == .oidc)
        // The municipality connects its directory later; Ines is in it.
        let entry = F.directory("s-ines", login: "ines", name: "Ines Ivarsson", email: "ines@example.se", title: "Bibliotekarie", department: "Kultur")
        let linked = try await F.provision(store, entry, at: Instant.at(200))
        #expect(linked.linked && linked.person.id == first.person.id)
        #expect(linked.person.managedBy == .directory, "the directory owns what it manages, as it does for accounts made by hand")
        #expect(linked.person.login == "ines" && linked.person.profile.title == "Bibliotekarie" && linked.person.profile.department == "Kultur")

        // She leaves: the directory no longer lists her, so she must not keep her access.
        let sync = try await store.applyDirectorySync(DirectorySyncInput(
            accounts: [], groups: [], ruleGroupMembers: [:], linkByEmail: true, maxDisableFraction: 0.5, dryRun: false, at: Instant.at(300)))
        #expect(sync.disabledPeople == [first.person.id])
        #expect(try await store.person(id: first.person.id)?.disabled == true)
    }

    static func unreadableGroups(_ store: any CommunisStore) async throws {
        let owner = try await Fixture.insert(store, Fixture.person("Ägare"))
        let space = try await Fixture.createWorkspace(store, "Elevhälsan", .closed, owner: owner.id)
        let staff = F.oidcGroup("personal"), admins = F.oidcGroup("it-admin")
        try await F.rule(store, staff, .membership(space.id, .member))
        try await F.rule(store, admins, .role(.admin))
        let profile = F.oidc("sub-greta", name: "Greta Gran", email: "greta@example.se")

        let first = try await store.provisionExternalPerson(F.request(profile, groups: [staff, admins], scope: .all(.oidc), at: Instant.at(100)))
        let id = first.person.id
        #expect(first.person.role == .admin && !first.person.groupsUnreadable)
        #expect(try await F.held(store, id)[space.id] == HeldMembership(role: .member, origin: .rule))

        let overage = try await store.provisionExternalPerson(F.request(profile, groups: [], scope: .unknown, at: Instant.at(200)))
        #expect(overage.person.groupsUnreadable && overage.person.role == .admin)
        #expect(overage.rules.changes.isEmpty)
        #expect(overage.person.lastLoginAt == Instant.at(200))
        #expect(try await F.held(store, id)[space.id] == HeldMembership(role: .member, origin: .rule))
        #expect(Set(try await store.groups(of: id).map(\.key)) == [staff.key, admins.key])

        let readable = try await store.provisionExternalPerson(F.request(profile, groups: [staff], scope: .all(.oidc), at: Instant.at(300)))
        #expect(!readable.person.groupsUnreadable && readable.person.role == .member)
        #expect(readable.rules.changes.role?.from == .admin && readable.rules.changes.role?.to == .member)
        #expect(try await F.held(store, id)[space.id] == HeldMembership(role: .member, origin: .rule))
        #expect(try await store.groups(of: id).map(\.key) == [staff.key])
    }

    static func auditTrail(_ store: any CommunisStore) async throws {
        var profile = F.directory("s-hans", login: "hans", name: "Hans Hed", email: "hans@example.se")
        let id = try await F.provision(store, profile, at: Instant.at(100), isLogin: true).person.id
        profile.name = "Hans Holm"
        try await F.provision(store, profile, at: Instant.at(200), isLogin: false)
        profile.disabled = true
        try await F.provision(store, profile, at: Instant.at(300), isLogin: false)
        profile.disabled = false
        try await F.provision(store, profile, at: Instant.at(400), isLogin: true)

        let entries = try await F.audit(store, about: id.description)
        #expect(entries.map(\.action) == [.accountCreated, .accountUpdated, .accountDisabled, .accountEnabled])
        #expect(entries.map(\.via) == [.login, .sync, .sync, .login])
        #expect(entries.map(\.at) == [Instant.at(100), Instant.at(200), Instant.at(300), Instant.at(400)])
        #expect(entries.allSatisfy { $0.actor == nil && $0.target?.type == "person" && $0.address == "10.1.2.3" })
        #expect(entries.dropFirst().allSatisfy { $0.target?.name == "Hans Holm" })
    }
}
