import CommunisServices
import CommunisTesting
import Foundation
import Testing

@testable import CommunisLDAP

/// Search-then-bind logins and account reads against a real slapd with the Katrineholm people.
@Suite(.timeLimit(.minutes(1))) struct LDAPLoginTests {
    @Test func aPersonLogsInByLoginNameOrEMail() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            #expect(anna == DirectoryAccount(
                stableID: anna.stableID, dn: "uid=annlin,ou=people,dc=katrineholm,dc=se", login: "annlin", name: "Anna Lindqvist",
                email: "anna.lindqvist@katrineholm.se", title: "IT-strateg", department: "Kommunledningsförvaltningen",
                workplace: "Stadshuset", phone: "0150-57100", disabled: false))
            // The stable id is the entry's entryUUID, in lowercase.
            #expect(anna.stableID == (try await slapd.entryUUID(of: anna.dn)).lowercased())
            let byMail = try await directory.authenticate(login: "  Anna.Lindqvist@katrineholm.se ", password: Slapd.password)
            #expect(byMail == anna)
        }
    }

    @Test func swedishLettersRoundTrip() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let asa = try #require(try await directory.authenticate(login: "asaobe", password: Slapd.password))
            #expect(asa.name == "Åsa Öberg")
            #expect(asa.email == "asa.oberg@katrineholm.se")
            #expect(asa.department == "Bildningsförvaltningen")
            #expect(asa.workplace == "Skogsborgsskolan")
            let sara = try #require(try await directory.authenticate(login: "sara.nilsson@katrineholm.se", password: Slapd.password))
            #expect(sara.department == "Vård- och omsorgsförvaltningen")
            #expect(sara.workplace == "Järvenhemmet")
            // A value written now comes back byte for byte.
            try await slapd.modify(ldif: """
                dn: uid=tovnys,ou=people,dc=katrineholm,dc=se
                changetype: modify
                replace: title
                title: Förstelärare i engelska, årskurs 7–9 (Ängsskolan)

                """)
            let tove = try #require(try await directory.account(stableID: try await slapd.entryUUID(of: "uid=tovnys,ou=people,dc=katrineholm,dc=se")))
            #expect(tove.name == "Tove Nyström")
            #expect(tove.title == "Förstelärare i engelska, årskurs 7–9 (Ängsskolan)")
        }
    }

    @Test func wrongPasswordsUnknownLoginsAndInjectionsAreRefused() async throws {
        try await withSlapd { slapd in
            let logs = LogCapture()
            let directory = try slapd.directory(logs: logs)
            #expect(try await directory.authenticate(login: "annlin", password: "Fel-lösenord-2026") == nil)
            #expect(try await directory.authenticate(login: "annlin", password: "katrineholm2026") == nil)
            #expect(try await directory.authenticate(login: "okand", password: Slapd.password) == nil)
            for injection in ["*", "ann*", "*)(uid=*))(|(uid=*", "annlin)(|(uid=*", "*)(objectClass=*", "annlin\u{0}", "\\2a"] {
                #expect(try await directory.authenticate(login: injection, password: Slapd.password) == nil, "login \(injection)")
            }
            // The service account is not a person under the user base.
            #expect(try await directory.authenticate(login: "communis-service", password: slapd.servicePassword) == nil)
            #expect(!logs.text.contains("Fel-lösenord-2026"))
            #expect(!logs.text.contains(Slapd.password))
            #expect(!logs.text.contains(slapd.servicePassword))
        }
    }

    @Test func anEmptyPasswordOrLoginIsRefusedWithoutAskingTheDirectory() async throws {
        // Any contact with this port hangs until the timeout and then throws.
        let silent = try SilentPort()
        let directory = try LDAPDirectory(
            settings: LDAPDirectorySettings(url: "ldap://127.0.0.1:\(silent.port)", bindDN: "cn=x", bindPassword: "y",
                                            userBase: "dc=katrineholm,dc=se", timeoutSeconds: 3),
            logger: LogCapture().logger)
        let elapsed = try await seconds { () async throws -> Void in
            #expect(try await directory.authenticate(login: "annlin", password: "") == nil)
            #expect(try await directory.authenticate(login: "   ", password: "Katrineholm2026") == nil)
            #expect(try await directory.authenticate(login: "", password: "") == nil)
        }
        // Well under the 3 s timeout a directory call on the silent port would take.
        #expect(elapsed < 2.5)
    }

    @Test func anEmptyPasswordIsRefusedWhereTheDirectoryWouldAcceptIt() async throws {
        try await withSlapd { slapd in
            // This slapd answers a bind with a DN and an empty password as a successful
            // anonymous bind, as some directories do.
            let (status, output) = try await ExternalTool.run(
                "/usr/bin/env", ["ldapwhoami", "-x", "-H", slapd.url, "-D", "uid=annlin,ou=people,dc=katrineholm,dc=se", "-w", ""])
            #expect(status == 0, "\(output)")
            #expect(output.contains("anonymous"))
            let directory = try slapd.directory()
            let binds = slapd.log().components(separatedBy: " BIND ").count
            #expect(try await directory.authenticate(login: "annlin", password: "") == nil)
            #expect(slapd.log().components(separatedBy: " BIND ").count == binds)
        }
    }

    @Test func severalMatchesAreRefused() async throws {
        try await withSlapd { slapd in
            try await slapd.modify(ldif: """
                dn: uid=annlin2,ou=people,dc=katrineholm,dc=se
                changetype: add
                objectClass: inetOrgPerson
                uid: annlin2
                cn: Anna Lindqvist
                sn: Lindqvist
                mail: anna.lindqvist@katrineholm.se
                userPassword: Katrineholm2026

                """)
            let directory = try slapd.directory()
            #expect(try await directory.authenticate(login: "anna.lindqvist@katrineholm.se", password: Slapd.password) == nil)
            #expect(try await directory.authenticate(login: "annlin", password: Slapd.password)?.login == "annlin")
        }
    }

    @Test func aRenamedPersonIsFoundByTheSameStableID() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let anna = try #require(try await directory.authenticate(login: "annlin", password: Slapd.password))
            try await slapd.modify(ldif: """
                dn: uid=annlin,ou=people,dc=katrineholm,dc=se
                changetype: modrdn
                newrdn: uid=annber
                deleteoldrdn: 1

                dn: uid=annber,ou=people,dc=katrineholm,dc=se
                changetype: modify
                replace: cn
                cn: Anna Lindqvist Berg
                -
                replace: mail
                mail: anna.berg@katrineholm.se

                """)
            let renamed = try #require(try await directory.account(stableID: anna.stableID))
            #expect(renamed.stableID == anna.stableID)
            #expect(renamed.dn == "uid=annber,ou=people,dc=katrineholm,dc=se")
            #expect(renamed.login == "annber")
            #expect(renamed.name == "Anna Lindqvist Berg")
            #expect(renamed.email == "anna.berg@katrineholm.se")
            #expect(try await directory.authenticate(login: "annlin", password: Slapd.password) == nil)
            #expect(try await directory.authenticate(login: "annber", password: Slapd.password)?.stableID == anna.stableID)
            // The same id in capitals is the same entry (UUIDs compare without case).
            #expect(try await directory.account(stableID: anna.stableID.uppercased())?.login == "annber")
        }
    }

    @Test func anAccountThatIsGoneOrNoUUIDIsNil() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let fatima = try #require(try await directory.authenticate(login: "fatali", password: Slapd.password))
            try await slapd.modify(ldif: "dn: \(fatima.dn)\nchangetype: delete\n\n")
            #expect(try await directory.account(stableID: fatima.stableID) == nil)
            #expect(try await directory.account(stableID: "*") == nil)
            #expect(try await directory.account(stableID: "") == nil)
            #expect(try await directory.account(stableID: UUID().uuidString) == nil)
            // The service account has an entryUUID too, but does not match the user filter.
            let service = try await slapd.entryUUID(of: slapd.serviceDN)
            #expect(try await directory.account(stableID: service) == nil)
        }
    }

    @Test func aLockedPersonIsDisabled() async throws {
        try await withSlapd { slapd in
            let directory = try slapd.directory()
            let gunnel = try #require(try await directory.authenticate(login: "gunek", password: Slapd.password))
            #expect(gunnel.disabled)
            #expect(gunnel.name == "Gunnel Ek")
            #expect(try await directory.account(stableID: gunnel.stableID)?.disabled == true)
            let everyone = try await directory.allAccounts()
            #expect(everyone.count == 32)
            #expect(everyone.filter(\.disabled).map(\.login) == ["gunek"])
            #expect(Set(everyone.map(\.login)).isSuperset(of: ["annlin", "tovnys", "asaobe", "gusek", "rebfal"]))
            #expect(!everyone.contains { $0.login == "lenber" })
            // Unlocked by an administrator: enabled again.
            try await slapd.modify(ldif: "dn: \(gunnel.dn)\nchangetype: modify\ndelete: pwdAccountLockedTime\n\n")
            #expect(try await directory.account(stableID: gunnel.stableID)?.disabled == false)
        }
    }
}
