import CommunisModel
import CommunisStore
import Foundation
import Testing

/// Group rules: what they give at provisioning, what they take away, and how saving and
/// deleting a rule applies it at once.
public enum GroupRuleContract {
    public static let cases: [ContractCase] = [
        ContractCase("an admin rule makes rules-sourced members admins; never manual-sourced ones, guests or disabled people", roleRule),
        ContractCase("a membership rule adds a rule membership; leaving the group removes only what the rules gave", membershipRule),
        ContractCase("owner beats member when two rules give the same workspace", ownerBeatsMember),
        ContractCase("removing a workspace's last owner through a rule is skipped with a sentence; the other changes happen", lastOwnerSkipped),
        ContractCase("createGroupRule records exactly the given members and applies at once; duplicates and unknown workspaces fail", createRule),
        ContractCase("deleting a rule takes away what only it gave and keeps what another rule gives", deleteRule),
        ContractCase("ruleCandidates are the group's known members and the holders of what the rule grants", candidates),
        ContractCase("applyRulesNow gives the role back to the rules after an administrator handed it back", applyNow),
        ContractCase("deleting a workspace deletes its rules", workspaceCascade),
    ]

    typealias F = IdentityFixture

    /// A directory person (subject = login) in `groups`, at a directory login.
    @discardableResult
    static func person(_ store: any CommunisStore, _ subject: String, _ name: String, groups: [ExternalGroup], at: Date = Instant.at(100)) async throws -> ProvisionResult {
        try await F.provision(store, F.directory(subject, login: subject, name: name, email: "\(subject)@example.se"), groups: groups, at: at)
    }

    static func roleRule(_ store: any CommunisStore) async throws {
        let admins = F.group("g-admins", "IT-administratörer")
        try await F.rule(store, admins, .role(.admin))

        let ada = try await person(store, "ada", "Ada Admin", groups: [admins])
        #expect(ada.person.role == .admin && ada.person.roleSource == .rules)
        #expect(ada.rules.changes.role?.from == .member && ada.rules.changes.role?.to == .admin)
        let entry = try #require(try await store.lastAuditEntry(action: .roleChanged))
        #expect(entry.target?.id == ada.person.id.description && entry.via == .login)
        #expect(entry.details["from"] == "member" && entry.details["to"] == "admin")

        // A linked local employee's role was set by hand: the rules leave it.
        try await Fixture.insert(store, Fixture.person("Lars Lokal", email: "lars@example.se"))
        let lars = try await person(store, "lars", "Lars Lokal", groups: [admins])
        #expect(lars.linked && lars.person.role == .member && lars.person.roleSource == .manual)

        // Disabled people get nothing.
        let dan = try await F.provision(store, F.directory("dan", login: "dan", name: "Dan Dold", email: "dan@example.se", disabled: true), groups: [admins])
        #expect(dan.person.disabled && dan.person.role == .member)

        // A directory person an administrator made a guest stays a guest.
        var gus = try await person(store, "gus", "Gus Gäst", groups: []).person
        gus.role = .guest
        try await store.updatePerson(gus)
        #expect(try await person(store, "gus", "Gus Gäst", groups: [admins], at: Instant.at(200)).person.role == .guest)

        // Leaving the group takes the role away again.
        let left = try await person(store, "ada", "Ada Admin", groups: [], at: Instant.at(200))
        #expect(left.person.role == .member && left.rules.changes.role?.to == .member)
    }

    static func membershipRule(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let ettan = try await Fixture.createWorkspace(store, "Ettan", .closed, owner: olga.id)
        let tvåan = try await Fixture.createWorkspace(store, "Tvåan", .closed, owner: olga.id)
        let trean = try await Fixture.createWorkspace(store, "Trean", .secret, owner: olga.id)
        let fyran = try await Fixture.createWorkspace(store, "Fyran", .closed, owner: olga.id)
        let staff = F.group("g-staff", "Personal")
        for space in [ettan, tvåan, trean] { try await F.rule(store, staff, .membership(space.id, .member)) }

        // Before the rule reaches her, Pia asked to join Ettan and was added to Fyran by hand.
        let pia = try await person(store, "pia", "Pia Pil", groups: []).person.id
        try await store.insertJoinRequest(workspace: ettan.id, person: pia, at: Instant.at(101))
        try await store.addMember(Membership(workspaceID: fyran.id, personID: pia, role: .member, joinedAt: Instant.at(102)))
        try await F.rule(store, staff, .membership(fyran.id, .member))

        let joined = try await person(store, "pia", "Pia Pil", groups: [staff], at: Instant.at(200))
        #expect(Set(joined.rules.changes.memberships.map(\.workspace)) == [ettan.id, tvåan.id, trean.id])
        #expect(joined.rules.changes.memberships.allSatisfy { $0.from == nil && $0.to == .member })
        var held = try await F.held(store, pia)
        for space in [ettan, tvåan, trean] { #expect(held[space.id] == HeldMembership(role: .member, origin: .rule), "\(space.name)") }
        #expect(held[fyran.id] == HeldMembership(role: .member, origin: .manual), "a hand membership stays the hand's")
        #expect(try await store.hasJoinRequest(workspace: ettan.id, person: pia) == false)
        #expect(try await store.member(workspace: ettan.id, person: pia)?.joinedAt == Instant.at(200))

        // Her role in Tvåan is changed by hand: from now on that membership is no rule's.
        try await store.setMemberRole(workspace: tvåan.id, person: pia, role: .owner)
        held = try await F.held(store, pia)
        #expect(held[tvåan.id] == HeldMembership(role: .owner, origin: .manual))

        let left = try await person(store, "pia", "Pia Pil", groups: [], at: Instant.at(300))
        #expect(Set(left.rules.changes.memberships.filter { $0.to == nil }.map(\.workspace)) == [ettan.id, trean.id])
        #expect(try await store.membership(workspace: ettan.id, person: pia) == nil)
        #expect(try await store.membership(workspace: trean.id, person: pia) == nil)
        #expect(try await store.membership(workspace: tvåan.id, person: pia) == .owner)
        #expect(try await store.membership(workspace: fyran.id, person: pia) == .member)

        let entries = try await F.audit(store, about: pia.description)
        let added = entries.filter { $0.action == .membershipAdded }
        let removed = entries.filter { $0.action == .membershipRemoved }
        #expect(Set(added.compactMap(\.workspace?.name)) == ["Ettan", "Tvåan", "Trean"])
        #expect(Set(removed.compactMap(\.workspace?.name)) == ["Ettan", "Trean"])
        #expect((added + removed).allSatisfy { $0.via == .login })
    }

    static func ownerBeatsMember(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Projekt", owner: olga.id)
        let members = F.group("g-members", "Projektgrupp"), leads = F.group("g-leads", "Projektledare")
        try await F.rule(store, members, .membership(space.id, .member))
        try await F.rule(store, leads, .membership(space.id, .owner))

        let li = try await person(store, "li", "Li Lund", groups: [members, leads]).person.id
        let max = try await person(store, "max", "Max Mark", groups: [leads, members]).person.id
        #expect(try await store.membership(workspace: space.id, person: li) == .owner)
        #expect(try await store.membership(workspace: space.id, person: max) == .owner)

        let stepped = try await person(store, "li", "Li Lund", groups: [members], at: Instant.at(200))
        #expect(try await store.membership(workspace: space.id, person: li) == .member)
        let change = try #require(stepped.rules.changes.memberships.first)
        #expect(stepped.rules.changes.memberships.count == 1 && change.workspace == space.id && change.from == .owner && change.to == .member)
        let entry = try #require(try await store.lastAuditEntry(action: .membershipRoleChanged))
        #expect(entry.target?.id == li.description && entry.workspace?.id == space.id.description)
        #expect(entry.details["from"] == "owner" && entry.details["to"] == "member")
    }

    static func lastOwnerSkipped(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let fältet = try await Fixture.createWorkspace(store, "Fältet", owner: olga.id)
        let bredvid = try await Fixture.createWorkspace(store, "Bredvid", owner: olga.id)
        let leads = F.group("g-leads", "Ledare"), admins = F.group("g-admins", "Administratörer")
        try await F.rule(store, leads, .membership(fältet.id, .owner))
        try await F.rule(store, leads, .membership(bredvid.id, .member))
        try await F.rule(store, admins, .role(.admin))

        let profile = F.directory("rut", login: "rut", name: "Rut Ros", email: "rut@example.se")
        let rut = try await F.provision(store, profile, groups: [leads, admins]).person.id
        #expect(try await store.membership(workspace: fältet.id, person: rut) == .owner)
        try await store.removeMember(workspace: fältet.id, person: olga.id) // Rut is its only owner now

        let left = try await F.provision(store, profile, groups: [], at: Instant.at(200))
        #expect(left.rules.skipped.count == 1)
        #expect(left.rules.skipped.first?.contains("Fältet") == true, "\(left.rules.skipped)")
        #expect(try await store.membership(workspace: fältet.id, person: rut) == .owner)
        #expect(try await store.membership(workspace: bredvid.id, person: rut) == nil)
        #expect(left.rules.changes.memberships.map(\.workspace) == [bredvid.id])
        #expect(left.person.role == .member && left.rules.changes.role?.to == .member)

        // A sync reports it once, as one error with its sentence.
        let sync = try await store.applyDirectorySync(DirectorySyncInput(
            accounts: [profile], groups: [leads, admins], ruleGroupMembers: [:], linkByEmail: true, maxDisableFraction: 0.5,
            dryRun: false, at: Instant.at(300)))
        #expect(sync.errors == 1, "\(sync.messages)")
        #expect(sync.messages.filter { $0.contains("Fältet") }.count == 1, "\(sync.messages)")
        #expect(try await store.membership(workspace: fältet.id, person: rut) == .owner)
    }

    static func createRule(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Skolstart", owner: olga.id)
        let teachers = F.group("g-teachers", "Lärare")
        let ann = try await person(store, "ann", "Ann Alm", groups: [teachers]).person.id
        let bo = try await person(store, "bo", "Bo Bok", groups: [teachers]).person.id
        let cia = try await person(store, "cia", "Cia Ced", groups: []).person.id

        // The directory says now: Ann and Cia (Bo left the group since his last login).
        let (rule, outcomes) = try await F.rule(store, teachers, .membership(space.id, .member), members: [ann, cia], at: Instant.at(500))
        #expect(Set(outcomes.map(\.person.id)) == [ann, cia])
        #expect(outcomes.allSatisfy { outcome in
            outcome.skipped.isEmpty && outcome.changes.memberships.map(\.workspace) == [space.id]
                && outcome.changes.memberships.allSatisfy { $0.from == nil && $0.to == .member }
        })
        #expect(try await store.membership(workspace: space.id, person: ann) == .member)
        #expect(try await store.membership(workspace: space.id, person: cia) == .member)
        #expect(try await store.membership(workspace: space.id, person: bo) == nil)
        #expect(try await store.groups(of: bo).isEmpty)
        #expect(try await store.groups(of: cia).map(\.key) == [teachers.key])
        #expect(try await store.groupRules() == [rule])
        #expect(try await store.groupRule(id: rule.id) == rule)

        let created = try #require(try await store.lastAuditEntry(action: .groupRuleCreated))
        #expect(created.target?.id == rule.id.description && created.workspace?.id == space.id.description && created.workspace?.name == "Skolstart")
        #expect(created.actor == F.admin && created.via == .hand && created.address == "10.9.9.9" && created.at == Instant.at(500))
        let added = try await F.audit(store, about: ann.description).filter { $0.action == .membershipAdded }
        #expect(added.count == 1 && added.first?.via == .rule && added.first?.actor == F.admin)

        // The same rule again (another id) is a conflict and changes nothing.
        let duplicate = GroupRule(groupKey: teachers.key, groupName: "Lärare", grant: .membership(space.id, .member), createdBy: nil, createdAt: Instant.at(600))
        #expect(await domainErrorCode { _ = try await store.createGroupRule(duplicate, members: [bo], actor: nil, address: "") } == "conflict")
        #expect(try await store.groupRules().count == 1)
        #expect(try await store.membership(workspace: space.id, person: bo) == nil)
        #expect(try await store.groups(of: bo).isEmpty)

        let nowhere = GroupRule(groupKey: teachers.key, groupName: "Lärare", grant: .membership(WorkspaceID(), .member), createdBy: nil, createdAt: Instant.at(600))
        #expect(await domainErrorCode { _ = try await store.createGroupRule(nowhere, members: nil, actor: nil, address: "") } == "not-found")
        #expect(try await store.groupRules().count == 1)
    }

    static func deleteRule(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Gemensam", owner: olga.id)
        let one = F.group("g-one", "Grupp Ett"), two = F.group("g-two", "Grupp Två")
        let (membershipRule, _) = try await F.rule(store, one, .membership(space.id, .member))
        try await F.rule(store, two, .membership(space.id, .member))
        let (adminRule, _) = try await F.rule(store, one, .role(.admin))
        let pia = try await person(store, "pia", "Pia Pil", groups: [one, two]).person.id
        let quinn = try await person(store, "quinn", "Quinn Qvist", groups: [one]).person.id

        let outcomes = try await store.deleteGroupRule(id: membershipRule.id, at: Instant.at(700), actor: F.admin, address: "10.9.9.9")
        #expect(outcomes.map(\.person.id) == [quinn])
        #expect(try await store.membership(workspace: space.id, person: pia) == .member, "another rule still gives it")
        #expect(try await store.membership(workspace: space.id, person: quinn) == nil)

        let demoted = try await store.deleteGroupRule(id: adminRule.id, at: Instant.at(710), actor: F.admin, address: "10.9.9.9")
        #expect(Set(demoted.map(\.person.id)) == [pia, quinn])
        #expect(try await store.person(id: pia)?.role == .member)
        #expect(try await store.person(id: quinn)?.role == .member)

        #expect(try await store.groupRules().count == 1)
        #expect(try await store.groupRule(id: membershipRule.id) == nil)
        #expect(await domainErrorCode { _ = try await store.deleteGroupRule(id: membershipRule.id, at: Instant.at(720), actor: nil, address: "") } == "not-found")
        let deleted = try await store.auditEntries(AuditFilter(actions: [.groupRuleDeleted]), afterID: 0, limit: 10)
        #expect(deleted.map(\.target?.id) == [membershipRule.id.description, adminRule.id.description])
        #expect(deleted.first?.workspace?.id == space.id.description && deleted.first?.actor == F.admin)
    }

    static func candidates(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Rummet", owner: olga.id)
        let group = F.group("g-new", "Ny grupp"), other = F.group("g-other", "Annan grupp"), admins = F.group("g-admins", "Admins")
        try await F.rule(store, other, .membership(space.id, .member))
        try await F.rule(store, admins, .role(.admin))
        let inGroup = try await person(store, "in", "Inga Inne", groups: [group]).person.id
        let holder = try await person(store, "holder", "Hugo Håller", groups: [other]).person.id
        let admin = try await person(store, "adm", "Adam Admin", groups: [admins]).person.id
        let byHand = try await Fixture.insert(store, Fixture.person("Hanna Hand"))
        try await store.addMember(Membership(workspaceID: space.id, personID: byHand.id, role: .member, joinedAt: Instant.at(1)))

        let membership = GroupRule(groupKey: group.key, groupName: group.name, grant: .membership(space.id, .member), createdBy: nil, createdAt: Instant.at(900))
        #expect(Set(try await store.ruleCandidates(membership)) == [inGroup, holder])
        let role = GroupRule(groupKey: group.key, groupName: group.name, grant: .role(.admin), createdBy: nil, createdAt: Instant.at(900))
        #expect(Set(try await store.ruleCandidates(role)) == [inGroup, admin])

        let subjects = try await store.ruleSubjects([holder, byHand.id, PersonID()])
        #expect(subjects.count == 2, "an unknown person is left out")
        #expect(subjects.first?.groups == [other.key])
        #expect(subjects.first?.subject.roleSource == .rules && subjects.last?.subject.roleSource == .manual)
        #expect(subjects.last?.subject.memberships[space.id] == HeldMembership(role: .member, origin: .manual))
    }

    static func applyNow(_ store: any CommunisStore) async throws {
        let admins = F.group("g-admins", "Admins")
        try await F.rule(store, admins, .role(.admin))
        var tove = try await person(store, "tove", "Tove Tall", groups: [admins]).person
        #expect(tove.role == .admin)

        // An administrator takes the role into their own hands …
        tove.role = .member
        tove.roleSource = .manual
        try await store.updatePerson(tove)
        #expect(try await person(store, "tove", "Tove Tall", groups: [admins], at: Instant.at(200)).person.role == .member)
        #expect(try await store.applyRulesNow(to: tove.id, actor: F.admin, address: "10.9.9.9", at: Instant.at(250)) == nil)

        // … and hands it back to the rules.
        tove.roleSource = .rules
        try await store.updatePerson(tove)
        let outcome = try #require(try await store.applyRulesNow(to: tove.id, actor: F.admin, address: "10.9.9.9", at: Instant.at(300)))
        #expect(outcome.person.role == .admin && outcome.changes.role?.from == .member && outcome.changes.role?.to == .admin)
        #expect(try await store.person(id: tove.id)?.role == .admin)
        #expect(try await store.applyRulesNow(to: tove.id, actor: F.admin, address: "10.9.9.9", at: Instant.at(310)) == nil, "nothing left to change")
        let entry = try #require(try await store.lastAuditEntry(action: .roleChanged))
        #expect(entry.actor == F.admin && entry.via == .rule && entry.at == Instant.at(300) && entry.target?.id == tove.id.description)
    }

    static func workspaceCascade(_ store: any CommunisStore) async throws {
        let olga = try await Fixture.insert(store, Fixture.person("Olga Ägare"))
        let space = try await Fixture.createWorkspace(store, "Tillfällig", owner: olga.id)
        let group = F.group("g-temp", "Tillfälliga")
        try await F.rule(store, group, .membership(space.id, .member))
        try await F.rule(store, group, .role(.admin))
        try await store.deleteWorkspace(id: space.id)
        #expect(try await store.groupRules().map(\.grant) == [.role(.admin)])
    }
}
