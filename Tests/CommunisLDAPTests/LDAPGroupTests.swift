import CommunisServices
import CommunisTesting
import Foundation
import Testing

@testable import CommunisLDAP

/// Groups and nested groups of the Katrineholm fixture (groupOfNames, resolved by the client).
@Suite(.timeLimit(.minutes(1))) struct LDAPGroupTests {
    static let groupNames: Set<String> = [
        "Alla medarbetare", "IT-enheten", "Communis-administratörer", "Rektorer", "Skolstart 2027-projektet",
        "Kommunledningsförvaltningen", "Bildningsförvaltningen", "Vård- och omsorgsförvaltningen", "Socialförvaltningen",
        "Samhällsbyggnadsförvaltningen", "Service- och teknikförvaltningen", "Kultur- och turismförvaltningen",
    ]

    @Test func aPersonsGroupsIncludeTheNestedOnes() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            let annasGroups = try await directory.groups(of: anna)
            // Communis-administratörer only through IT-enheten; Alla medarbetare through the förvaltning.
            #expect(Set(annasGroups.map(\.name)) == ["IT-enheten", "Kommunledningsförvaltningen", "Communis-administratörer", "Alla medarbetare"])
            let admins = try #require(annasGroups.first { $0.name == "Communis-administratörer" })
            #expect(admins.dn == "cn=Communis-administratörer,ou=groups,dc=katrineholm,dc=se")
            #expect(admins.stableID == (try await slapd.entryUUID(of: admins.dn)).lowercased())

            let erik = try #require(try await directory.authenticate(login: "erijoh", password: Slapd.password))
            #expect(Set(try await directory.groups(of: erik).map(\.name))
                == ["Bildningsförvaltningen", "Alla medarbetare", "Rektorer", "Skolstart 2027-projektet"])
            let tove = try #require(try await directory.authenticate(login: "tovnys", password: Slapd.password))
            #expect(Set(try await directory.groups(of: tove).map(\.name)) == ["Bildningsförvaltningen", "Alla medarbetare", "Skolstart 2027-projektet"])
        }
    }

    @Test func aGroupsMembersIncludeThoseOfNestedGroups() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let groups = try await directory.allGroups()
            #expect(Set(groups.map(\.name)) == Self.groupNames)
            #expect(groups.count == Self.groupNames.count)
            let byName = Dictionary(uniqueKeysWithValues: groups.map { ($0.name, $0) })
            let everyone = try await directory.allAccounts()
            let id = Dictionary(uniqueKeysWithValues: everyone.map { ($0.login, $0.stableID) })

            let admins = try await directory.members(of: try #require(byName["Communis-administratörer"]))
            #expect(admins == [id["annlin"], id["ahmhas"]])
            let all = try await directory.members(of: try #require(byName["Alla medarbetare"]))
            #expect(all == Set(everyone.map(\.stableID)))
            #expect(all.count == 32)
            let project = try await directory.members(of: try #require(byName["Skolstart 2027-projektet"]))
            #expect(project == [id["erijoh"], id["evapet"], id["tovnys"]])
            let kommunledning = try await directory.members(of: try #require(byName["Kommunledningsförvaltningen"]))
            #expect(kommunledning.count == 7)
            #expect(kommunledning.isSuperset(of: [id["annlin"]!, id["ahmhas"]!, id["rebfal"]!]))
        }
    }

    @Test func cyclesBetweenGroupsEnd() async throws {
        try await withSlapd { slapd in
            // IT-enheten ⊂ Communis-administratörer ⊂ IT-enheten, and Alla medarbetare ⊂ Rektorer ⊂ Alla medarbetare.
            try await slapd.modify(ldif: """
                dn: cn=IT-enheten,ou=groups,dc=katrineholm,dc=se
                changetype: modify
                add: member
                member: cn=Communis-administratörer,ou=groups,dc=katrineholm,dc=se

                dn: cn=Rektorer,ou=groups,dc=katrineholm,dc=se
                changetype: modify
                add: member
                member: cn=Alla medarbetare,ou=groups,dc=katrineholm,dc=se

                dn: cn=Alla medarbetare,ou=groups,dc=katrineholm,dc=se
                changetype: modify
                add: member
                member: cn=Rektorer,ou=groups,dc=katrineholm,dc=se

                """)
            let directory = try slapd.directory()
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            #expect(Set(try await directory.groups(of: anna).map(\.name))
                == ["IT-enheten", "Kommunledningsförvaltningen", "Communis-administratörer", "Alla medarbetare", "Rektorer"])
            let groups = try await directory.allGroups()
            let it = try #require(groups.first { $0.name == "IT-enheten" })
            let ahmed = try #require(try await directory.authenticate(login: "ahmhas", password: Slapd.password))
            #expect(try await directory.members(of: it) == [anna.stableID, ahmed.stableID])
            let rektorer = try #require(groups.first { $0.name == "Rektorer" })
            #expect(try await directory.members(of: rektorer).count == 32)
        }
    }
}
