import CommunisServices
import CommunisTesting
import Foundation
import Testing

@testable import CommunisLDAP

/// Paged results (RFC 2696) where the directory, like Active Directory, refuses to return more
/// than 1000 entries to one unpaged search.
@Suite(.timeLimit(.minutes(1))) struct LDAPPagingTests {
    @Test func everyoneIsReadInPagesWhereAnUnpagedSearchIsRefused() async throws {
        try await withSlapd(bulk: 1500) { slapd in
            // The same search without paging stops at the limit.
            let (status, output) = try await ExternalTool.run("/usr/bin/env", [
                "ldapsearch", "-x", "-H", slapd.url, "-D", slapd.serviceDN, "-w", slapd.servicePassword,
                "-b", slapd.peopleBase, "(objectClass=inetOrgPerson)", "1.1",
            ])
            #expect(status == 4, "ldapsearch: \(output.suffix(300))")
            #expect(output.contains("Size limit exceeded"))

            let directory = try slapd.directory { $0.pageSize = 500 }
            let everyone = try await directory.allAccounts()
            #expect(everyone.count == 1532)
            #expect(Set(everyone.map(\.stableID)).count == 1532)
            #expect(everyone.contains { $0.login == "bulk01500" && $0.department == "Bulkförvaltningen" })
            #expect(everyone.contains { $0.login == "annlin" })
            // Four pages of at most 500.
            let pages = slapd.log().components(separatedBy: "\n").filter { $0.contains("SEARCH RESULT") && $0.contains("nentries=500 ") }
            #expect(pages.count >= 3)

            // Members of a group with everyone in it go through the same paged read.
            try await slapd.modify(ldif: """
                dn: cn=Alla medarbetare,ou=groups,dc=katrineholm,dc=se
                changetype: modify
                add: member
                member: uid=bulk00001,ou=people,dc=katrineholm,dc=se
                member: uid=bulk01500,ou=people,dc=katrineholm,dc=se

                """)
            let all = try #require(try await directory.allGroups().first { $0.name == "Alla medarbetare" })
            #expect(try await directory.members(of: all).count == 34)
        }
    }
}
