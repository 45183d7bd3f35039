import CommunisServices
import CommunisTesting
import Foundation
import Testing

@testable import CommunisLDAP

/// The Active Directory kind against slapd with an AD-like schema (slapd.py --flavor ad).
/// slapd has no LDAP_MATCHING_RULE_IN_CHAIN, so AD's nested groups are checked as filter text
/// only (LDAPFilterTests), never against a server.
@Suite(.timeLimit(.minutes(1))) struct LDAPActiveDirectoryTests {
    @Test func peopleReadAsActiveDirectoryDescribesThem() async throws {
        try await withSlapd(flavor: .activeDirectory) { slapd in
            let directory = try slapd.directory()
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            // Stored objectGUID bytes: 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff.
            #expect(anna == DirectoryAccount(
                stableID: "00112233-4455-6677-8899-aabbccddeeff", dn: "cn=Anna Lindqvist,ou=people,dc=katrineholm,dc=se",
                login: "annlin", name: "Anna Lindqvist", email: "anna.lindqvist@katrineholm.se", title: "IT-strateg",
                department: "Kommunledningsförvaltningen", workplace: "Stadshuset", phone: "0150-57100", disabled: false))
            #expect(try await directory.authenticate(login: "annlin@katrineholm.se", password: Slapd.password) == anna)
            #expect(try await directory.authenticate(login: "anna.lindqvist@katrineholm.se", password: Slapd.password) == anna)
            #expect(try await directory.authenticate(login: "annlin", password: "fel") == nil)
            // Found again by the GUID, which becomes escaped bytes in the filter.
            #expect(try await directory.account(stableID: "00112233-4455-6677-8899-AABBCCDDEEFF") == anna)

            let asa = try #require(try await directory.authenticate(login: "asaobe", password: Slapd.password))
            #expect(asa.name == "Åsa Öberg")
            #expect(asa.department == "Bildningsförvaltningen")
            #expect(UUID(uuidString: asa.stableID) != nil && asa.stableID == asa.stableID.lowercased())
        }
    }

    @Test func userAccountControl514IsDisabled() async throws {
        try await withSlapd(flavor: .activeDirectory) { slapd in
            let directory = try slapd.directory()
            let gunnel = try #require(try await directory.authenticate(login: "gunek", password: Slapd.password))
            #expect(gunnel.disabled)
            let everyone = try await directory.allAccounts()
            #expect(everyone.count == 32)
            #expect(everyone.filter(\.disabled).map(\.login) == ["gunek"])
            #expect(try await directory.account(stableID: gunnel.stableID)?.disabled == true)
        }
    }

    @Test func groupsHaveGUIDsAndNestedQueriesAskTheServer() async throws {
        try await withSlapd(flavor: .activeDirectory, bulk: 1100) { slapd in
            let directory = try slapd.directory { $0.pageSize = 400 }
            let groups = try await directory.allGroups()
            #expect(Set(groups.map(\.name)) == LDAPGroupTests.groupNames)
            #expect(groups.allSatisfy { UUID(uuidString: $0.stableID) != nil })
            // Paged past AD's 1000.
            #expect(try await directory.allAccounts().count == 1132)
            // The in-chain searches reach the server (slapd cannot evaluate the matching rule
            // and answers with nothing; AD follows the nesting).
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            #expect(try await directory.groups(of: anna).isEmpty)
            #expect(slapd.log().contains("SRCH base=\"ou=groups,dc=katrineholm,dc=se\" scope=2 deref=0 filter=\"(&(objectClass=group)(?=undefined))\""))
        }
    }
}
