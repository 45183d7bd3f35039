import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `PeopleStore`: people, their credentials, the directory's search and facets, and login delays.
public enum PeopleContract {
    public static let cases: [ContractCase] = [
        ContractCase("a person reads back as inserted, with credentials", insertAndFetch),
        ContractCase("a taken e-mail is a conflict on insert and update", emailConflict),
        ContractCase("updatePerson replaces profile fields and keeps credentials", updatePerson),
        ContractCase("text search is case-insensitive for å, ä and ö", searchText),
        ContractCase("text search treats % and _ literally", searchWildcards),
        ContractCase("department, workplace and competence filters are exact and AND-ed", searchFilters),
        ContractCase("search pages are stable, ordered the Swedish way, with a total", searchPaging),
        ContractCase("guests and disabled people are left out unless asked for", searchRolesAndDisabled),
        ContractCase("facets count active employees only, most used first", facets),
        ContractCase("failed logins delay further attempts from that address only, growing; clearing forgets them", failedLogins),
        ContractCase("failed logins from one address over many accounts make that address wait", addressFailures),
        ContractCase("a successful login records the time", successfulLogin),
    ]

    static func insertAndFetch(_ store: any CommunisStore) async throws {
        let åsa = Fixture.person("Åsa Öberg", email: "asa.oberg@example.se", title: "Socionom",
                                 department: "Socialtjänsten", workplace: "Stadshuset", competences: ["Excel", "Teckenspråk"])
        try await store.insertPerson(åsa, passwordHash: "$2b$12$abc")

        #expect(try await store.person(id: åsa.id) == åsa)
        let byEmail = try #require(try await store.credentials(email: "asa.oberg@example.se"))
        #expect(byEmail.person == åsa)
        #expect(byEmail.passwordHash == "$2b$12$abc")
        #expect(try await store.credentials(id: åsa.id) == byEmail)
        #expect(try await store.person(id: PersonID()) == nil)
        #expect(try await store.credentials(email: "nobody@example.se") == nil)
        #expect(try await store.countPeople() == 1)

        let guest = Fixture.person("Gäst Gästsson", role: .guest)
        try await store.insertPerson(guest, passwordHash: nil)
        #expect(try await store.credentials(id: guest.id)?.passwordHash == nil)
        #expect(try await store.countPeople() == 2)
    }

    static func emailConflict(_ store: any CommunisStore) async throws {
        let anna = try await Fixture.insert(store, Fixture.person("Anna", email: "anna@example.se"))
        let code = await domainErrorCode {
            try await store.insertPerson(Fixture.person("Annan Anna", email: "anna@example.se"), passwordHash: nil)
        }
        #expect(code == "conflict")
        #expect(try await store.countPeople() == 1)

        var bo = try await Fixture.insert(store, Fixture.person("Bo", email: "bo@example.se"))
        bo.email = anna.email
        #expect(await domainErrorCode { try await store.updatePerson(bo) } == "conflict")
        #expect(try await store.person(id: bo.id)?.email == "bo@example.se")

        #expect(await domainErrorCode { try await store.updatePerson(Fixture.person("Ingen")) } == "not-found")
    }

    static func updatePerson(_ store: any CommunisStore) async throws {
        var person = try await Fixture.insert(store, Fixture.person("Karl", competences: ["Excel", "Budget"]), passwordHash: "h1")
        person.name = "Karl Åkesson"
        person.email = "karl.akesson@example.se"
        person.role = .admin
        person.disabled = true
        person.disabledBy = .admin
        person.profile = Profile(title: "Chef", department: "Kultur", workplace: "Biblioteket", phone: "1",
                                 presentation: "Ny", competences: ["Ledarskap"])
        try await store.updatePerson(person)

        #expect(try await store.person(id: person.id) == person)
        let credentials = try #require(try await store.credentials(email: "karl.akesson@example.se"))
        #expect(credentials.passwordHash == "h1")
        let found = try await store.searchPeople(PeopleQuery(competence: "excel", includeDisabled: true), page: PageRequest())
        #expect(found.total == 0)
        let leaders = try await store.searchPeople(PeopleQuery(text: "ÅKESSON", includeDisabled: true), page: PageRequest())
        #expect(leaders.items.map(\.id) == [person.id])

        try await store.setPasswordHash("h2", for: person.id)
        #expect(try await store.credentials(id: person.id)?.passwordHash == "h2")
    }

    static func searchText(_ store: any CommunisStore) async throws {
        let åsa = try await Fixture.insert(store, Fixture.person("Åsa Öberg", title: "Skolsköterska", competences: ["Första hjälpen"]))
        try await Fixture.insert(store, Fixture.person("Asa Berg"))
        try await Fixture.insert(store, Fixture.person("Örjan Älv", email: "orjan@example.se"))

        func names(_ text: String) async throws -> [String] {
            try await store.searchPeople(PeopleQuery(text: text), page: PageRequest()).items.map(\.name)
        }
        #expect(try await names("åsa") == ["Åsa Öberg"])
        #expect(try await names("ÅSA") == ["Åsa Öberg"])
        #expect(try await names("öBERG") == ["Åsa Öberg"])
        #expect(try await names("asa") == ["Asa Berg"])
        #expect(try await names("skolskÖ") == ["Åsa Öberg"], "title")
        #expect(try await names("FÖRSTA HJ") == ["Åsa Öberg"], "competence")
        #expect(try await names("orjan@") == ["Örjan Älv"], "e-mail")
        #expect(try await names("berg") == ["Asa Berg", "Åsa Öberg"])
        #expect(try await names("  ") == ["Asa Berg", "Åsa Öberg", "Örjan Älv"], "a blank text filters nothing")
        // A decomposed "å" (a + combining ring), as some keyboards send it, still matches.
        #expect(try await names("a\u{030A}sa") == ["Åsa Öberg"])
        _ = åsa
    }

    static func searchWildcards(_ store: any CommunisStore) async throws {
        try await Fixture.insert(store, Fixture.person("Ann 100% Nöjd", email: "ann@example.se"))
        try await Fixture.insert(store, Fixture.person("Bengt Bengtsson", email: "bengt_b@example.se"))
        try await Fixture.insert(store, Fixture.person("Cecilia", email: "cecilia@example.se"))

        func names(_ text: String) async throws -> [String] {
            try await store.searchPeople(PeopleQuery(text: text), page: PageRequest()).items.map(\.name)
        }
        #expect(try await names("%") == ["Ann 100% Nöjd"])
        #expect(try await names("_") == ["Bengt Bengtsson"])
        #expect(try await names("c_c") == [])
        #expect(try await names("\\") == [])
    }

    static func searchFilters(_ store: any CommunisStore) async throws {
        let a = try await Fixture.insert(store, Fixture.person("Alva", department: "Socialtjänsten", workplace: "Stadshuset", competences: ["Excel", "Samtal"]))
        let b = try await Fixture.insert(store, Fixture.person("Björn", department: "Socialtjänsten", workplace: "Öppenvården", competences: ["Samtal"]))
        let c = try await Fixture.insert(store, Fixture.person("Cilla", department: "Socialtjänst", workplace: "Stadshuset", competences: ["Excel"]))
        let d = try await Fixture.insert(store, Fixture.person("David", department: "Kultur", workplace: "ÖPPENVÅRDEN", competences: ["Excel-makron"]))

        func ids(_ query: PeopleQuery) async throws -> [PersonID] {
            try await store.searchPeople(query, page: PageRequest()).items.map(\.id)
        }
        #expect(try await ids(PeopleQuery(department: "SOCIALTJÄNSTEN")) == [a.id, b.id])
        #expect(try await ids(PeopleQuery(department: "Social")) == [], "exact, not a prefix")
        #expect(try await ids(PeopleQuery(workplace: "öppenvården")) == [b.id, d.id])
        #expect(try await ids(PeopleQuery(competence: "excel")) == [a.id, c.id], "exact, so not Excel-makron")
        #expect(try await ids(PeopleQuery(department: "Socialtjänsten", competence: "Excel")) == [a.id])
        #expect(try await ids(PeopleQuery(text: "alva", department: "Kultur")) == [])
        #expect(try await ids(PeopleQuery(text: "makron", workplace: "Öppenvården", competence: "excel-MAKRON")) == [d.id])
        let page = try await store.searchPeople(PeopleQuery(competence: "Samtal"), page: PageRequest(limit: 1))
        #expect(page.total == 2)
        #expect(page.items.map(\.id) == [a.id])
    }

    static func searchPaging(_ store: any CommunisStore) async throws {
        // Swedish order: z before å, ä, ö; case does not matter; equal names by id.
        let names = ["Östen", "anders", "Åke", "Zelda", "Ärla", "Bertil", "Anna", "Bertil"]
        for (index, name) in names.enumerated() {
            try await Fixture.insert(store, Fixture.person(name, email: "p\(index)@example.se"))
        }
        var seen: [Person] = []
        var offset = 0
        while true {
            let page = try await store.searchPeople(PeopleQuery(), page: PageRequest(limit: 3, offset: offset))
            #expect(page.total == names.count)
            #expect(page.limit == 3)
            #expect(page.offset == offset)
            #expect(page.items.count <= 3)
            seen += page.items
            if page.items.isEmpty { break }
            offset += 3
        }
        #expect(seen.map(\.name) == ["anders", "Anna", "Bertil", "Bertil", "Zelda", "Åke", "Ärla", "Östen"])
        #expect(Set(seen.map(\.id)).count == names.count, "no one twice")
        let bertils = seen.filter { $0.name == "Bertil" }.map(\.id)
        #expect(bertils == bertils.sorted(), "ties broken by id")

        let again = try await store.searchPeople(PeopleQuery(), page: PageRequest(limit: 3, offset: 3))
        #expect(again.items == Array(seen[3..<6]), "the same page twice is the same")
        let beyond = try await store.searchPeople(PeopleQuery(), page: PageRequest(limit: 3, offset: 100))
        #expect(beyond.items.isEmpty)
        #expect(beyond.total == names.count)
    }

    static func searchRolesAndDisabled(_ store: any CommunisStore) async throws {
        let admin = try await Fixture.insert(store, Fixture.person("Admin Adminsson", role: .admin))
        let member = try await Fixture.insert(store, Fixture.person("Maja Medarbetare"))
        let guest = try await Fixture.insert(store, Fixture.person("Gustav Gäst", role: .guest))
        let gone = try await Fixture.insert(store, Fixture.person("Frida Före detta", disabled: true))

        func ids(_ query: PeopleQuery) async throws -> Set<PersonID> {
            let page = try await store.searchPeople(query, page: PageRequest())
            #expect(page.total == page.items.count)
            return Set(page.items.map(\.id))
        }
        #expect(try await ids(PeopleQuery()) == [admin.id, member.id])
        #expect(try await ids(PeopleQuery(text: "gäst")) == [])
        #expect(try await ids(PeopleQuery(roles: [.guest])) == [guest.id])
        #expect(try await ids(PeopleQuery(roles: Set(Role.allCases))) == [admin.id, member.id, guest.id])
        #expect(try await ids(PeopleQuery(roles: Set(Role.allCases), includeDisabled: true)) == [admin.id, member.id, guest.id, gone.id])
        #expect(try await ids(PeopleQuery(roles: [])) == [])
    }

    static func facets(_ store: any CommunisStore) async throws {
        try await Fixture.insert(store, Fixture.person("A", department: "Skola", workplace: "Ekskolan", competences: ["Excel", "Matte"]))
        try await Fixture.insert(store, Fixture.person("B", department: "skola", workplace: "Ekskolan", competences: ["excel"]))
        try await Fixture.insert(store, Fixture.person("C", department: "Kultur", workplace: "Biblioteket", competences: ["Matte"]))
        try await Fixture.insert(store, Fixture.person("D", department: "Äldreomsorg", workplace: "", competences: []))
        try await Fixture.insert(store, Fixture.person("E", department: "Bygg", workplace: "Stadshuset"))
        try await Fixture.insert(store, Fixture.person("G", role: .guest, department: "Kultur", workplace: "Extern", competences: ["Gästkunskap"]))
        try await Fixture.insert(store, Fixture.person("X", department: "Kultur", workplace: "Biblioteket", competences: ["Matte"], disabled: true))

        let facets = try await store.directoryFacets()
        #expect(facets.departments.map(\.count) == [2, 1, 1, 1])
        #expect(facets.departments.first.map { Email.normalize($0.name) } == "skola", "one group whatever the case")
        #expect(facets.departments.dropFirst().map(\.name) == ["Bygg", "Kultur", "Äldreomsorg"])
        #expect(facets.workplaces == [
            FacetCount(name: "Ekskolan", count: 2), FacetCount(name: "Biblioteket", count: 1),
            FacetCount(name: "Stadshuset", count: 1),
        ])
        #expect(facets.competences.map(\.count) == [2, 2])
        #expect(Set(facets.competences.map { $0.name.lowercased() }) == ["excel", "matte"])
    }

    static func failedLogins(_ store: any CommunisStore) async throws {
        let person = try await Fixture.insert(store, Fixture.person("Lisa"))
        let policy = LoginDelayPolicy(freeAttempts: 3, maxDelay: 60, addressFailures: 100, addressWindow: 600)
        let scope = "account:\(person.id)"
        #expect(try await store.recordLoginFailure(scope: scope, address: "10.0.0.1", person: person.id, at: Instant.at(1), policy: policy) == nil)
        #expect(try await store.recordLoginFailure(scope: scope, address: "10.0.0.1", person: person.id, at: Instant.at(2), policy: policy) == nil)
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.1", now: Instant.at(2)) == nil)

        // The third failure from the address starts the delays there: 1 s, then 2 s, 4 s …
        #expect(try await store.recordLoginFailure(scope: scope, address: "10.0.0.1", person: person.id, at: Instant.at(3), policy: policy) == Instant.at(4))
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.1", now: Instant.at(3)) == Instant.at(4))
        #expect(try await store.recordLoginFailure(scope: scope, address: "10.0.0.1", person: person.id, at: Instant.at(5), policy: policy) == Instant.at(7))
        // Another address is not delayed, and the admin view sees the account's delay.
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.2", now: Instant.at(5)) == nil)
        #expect(try await store.loginDelays(of: [person.id], now: Instant.at(5)) == [person.id: Instant.at(7)])
        #expect(try await store.loginDelays(of: [person.id], now: Instant.at(8)).isEmpty)

        // A correct password from the address forgets its count; "unlock" forgets them all.
        try await store.clearLoginFailures(scope: scope, address: "10.0.0.1")
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.1", now: Instant.at(5)) == nil)
        for second in 10..<14 {
            _ = try await store.recordLoginFailure(scope: scope, address: "10.0.0.3", person: person.id, at: Instant.at(TimeInterval(second)), policy: policy)
        }
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.3", now: Instant.at(13)) != nil)
        try await store.clearLoginFailures(person: person.id)
        #expect(try await store.loginBlockedUntil(scope: scope, address: "10.0.0.3", now: Instant.at(13)) == nil)
    }

    static func addressFailures(_ store: any CommunisStore) async throws {
        let policy = LoginDelayPolicy(freeAttempts: 100, maxDelay: 60, addressFailures: 3, addressWindow: 600)
        // Three failures for three different logins from one address: the address waits
        // until its window ends, for any login; another address does not.
        for (index, login) in ["a", "b", "c"].enumerated() {
            _ = try await store.recordLoginFailure(scope: "login:\(login)", address: "192.0.2.9", person: nil,
                                                   at: Instant.at(TimeInterval(index)), policy: policy)
        }
        #expect(try await store.loginBlockedUntil(scope: "login:d", address: "192.0.2.9", now: Instant.at(3)) == Instant.at(600))
        #expect(try await store.loginBlockedUntil(scope: "login:d", address: "192.0.2.10", now: Instant.at(3)) == nil)
        #expect(try await store.pruneLoginFailures(before: Instant.at(700)) == 4)
    }

    static func successfulLogin(_ store: any CommunisStore) async throws {
        let person = try await Fixture.insert(store, Fixture.person("Nils"))
        try await store.recordSuccessfulLogin(id: person.id, at: Instant.at(10))
        let credentials = try #require(try await store.credentials(id: person.id))
        #expect(credentials.person.lastLoginAt == Instant.at(10))
        let unknown = await domainErrorCode { try await store.recordSuccessfulLogin(id: PersonID(), at: Instant.t0) }
        #expect(unknown == "not-found")
    }
}
