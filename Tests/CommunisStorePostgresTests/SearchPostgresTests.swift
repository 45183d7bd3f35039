import CommunisModel
import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Testing

/// What only the PostgreSQL engine's search can get wrong: its text search configuration
/// (`communis_search`: `unaccent` then `simple`, no Swedish stemming or stop words), its
/// word cutting (letters and digits, as SQLite's tokenizer), the permission words that share
/// the index with the text, and its snippets. The behaviour both engines promise is in
/// `SearchContract`.
@Suite("PostgresStore search", .timeLimit(.minutes(3)))
struct SearchPostgresTests {
    /// A new migrated database of its own (the tests run in parallel).
    static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.createDatabase()
        let store = try PostgresStore.open(try PostgresLocation(url: url), logger: PostgresStoreTests.logger, maximumConnections: 4)
        do {
            try await store.migrate()
            try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    static func find(_ store: PostgresStore, _ terms: [String], prefix: Bool = false, as person: Person,
                     kinds: Set<SearchKind> = [], limit: Int = 50) async throws -> SearchPage {
        let reader = SearchReader(person: person.id, readsOpenWorkspaces: person.role.isEmployee,
                                  readsOrganisation: person.role.isEmployee, findsPeople: person.role.isEmployee)
        return try await store.search(SearchQuery(terms: terms, prefixLast: prefix, kinds: kinds), reader: reader, limit: limit, cursor: nil)
    }

    static func ids(_ page: SearchPage) -> Set<String> { Set(page.hits.map(\.id)) }

    @Test("å, ä and ö fold both ways, also written as o and a combining diaeresis; stop words of Swedish are found")
    func folding() async throws {
        try await Self.withStore { store in
            let (eva, space) = try await Live.world(store)
            let (_, opening) = try await Live.thread(store, "Högskoleprovet", in: space.id, by: eva.id)
            let decomposed = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Vi tar en o\u{308}l efter provet")
            let common = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Man ska vara där vid nio och inte under tio")
            #expect(Self.ids(try await Self.find(store, ["hogskoleprovet"], as: eva, kinds: [.thread])).count == 1)
            #expect(Self.ids(try await Self.find(store, ["HÖGSKOLEPROVET"], as: eva, kinds: [.thread])).count == 1)
            #expect(Self.ids(try await Self.find(store, ["öl"], as: eva)) == [decomposed.id.description])
            #expect(Self.ids(try await Self.find(store, ["ol"], as: eva)) == [decomposed.id.description])
            // The `swedish` configuration drops these as stop words: a search of them would find nothing.
            for word in ["och", "man", "vid", "under", "inte"] {
                #expect(Self.ids(try await Self.find(store, [word], as: eva)) == [common.id.description], "\(word)")
            }
        }
    }

    @Test("no stemming: the word being typed finds longer forms at every letter, a finished word only itself; compounds are not split")
    func prefixesAndCompounds() async throws {
        try await Self.withStore { store in
            let (eva, space) = try await Live.world(store)
            let (_, opening) = try await Live.thread(store, "Idrottsdagen", in: space.id, by: eva.id)
            let balls = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Bollarna ligger i förrådet")
            let nurse = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Skolsköterskan finns på plats")
            // Stemming would index "bollarna" as "boll", and "bollarn" (half typed) would find nothing.
            for typed in ["bol", "boll", "bolla", "bollar", "bollarn", "bollarna"] {
                #expect(Self.ids(try await Self.find(store, [typed], prefix: true, as: eva)) == [balls.id.description], "\(typed)")
            }
            #expect(Self.ids(try await Self.find(store, ["boll"], as: eva)).isEmpty)
            #expect(Self.ids(try await Self.find(store, ["skolskoterskan"], as: eva)) == [nurse.id.description])
            #expect(Self.ids(try await Self.find(store, ["skol"], prefix: true, as: eva, kinds: SearchKind.content)) == [nurse.id.description])
            #expect(Self.ids(try await Self.find(store, ["skoterskan"], prefix: true, as: eva)).isEmpty)
        }
    }

    @Test("words are letters and digits: paths, addresses, numbers and hyphenated words are found by their parts")
    func wordCutting() async throws {
        try await Self.withStore { store in
            let (eva, space) = try await Live.world(store)
            let (_, opening) = try await Live.thread(store, "System", in: space.id, by: eva.id)
            let post = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id,
                                            "Logga in i Procapita/Treserva via www.katrineholm.se med e-tjänstekortet, version 2.5; fråga anna@katrineholm.se")
            for terms in [["treserva"], ["procapita"], ["katrineholm"], ["tjanstekortet"], ["e", "tjanstekortet"], ["e-tjänstekortet"], ["2"], ["5"], ["anna"]] {
                #expect(Self.ids(try await Self.find(store, terms, as: eva)) == [post.id.description], "\(terms)")
            }
            // A term of several words is a phrase, as in SQLite: the words must stand together.
            #expect(Self.ids(try await Self.find(store, ["procapita/treserva"], as: eva)) == [post.id.description])
            #expect(Self.ids(try await Self.find(store, ["treserva/procapita"], as: eva)).isEmpty)
        }
    }

    @Test("permission and kind words share the index but can never be typed; tsquery syntax is plain text")
    func scopeWordsCannotBeTyped() async throws {
        try await Self.withStore { store in
            let eva = try await Fixture.insert(store, Fixture.person("Eva"))
            let olle = try await Fixture.insert(store, Fixture.person("Olle"))
            let secret = try await Fixture.createWorkspace(store, "Hemligt", .secret, owner: eva.id)
            try await Live.thread(store, "Lönelistan", in: secret.id, by: eva.id)
            for terms in [["scope"], ["open"], ["scope", "open"], ["scope open"], ["kind"], ["thread"], ["kind thread"], ["people"], ["org"], ["archived"],
                          ["w" + secret.id.uuid.uuidString.lowercased()], ["scope w" + secret.id.description]] {
                #expect(try await Self.find(store, terms, prefix: true, as: olle).hits.isEmpty, "\(terms)")
                #expect(try await Self.find(store, terms, prefix: true, as: eva).hits.isEmpty, "\(terms)")
            }
            for hostile in [["'"], ["\\"], ["&"], ["|"], ["!"], [":*"], ["<->"], ["lönelistan'|'x"], ["lönelistan\\"], ["lönelistan:*"], ["(lönelistan"]] {
                let page = try await Self.find(store, hostile, prefix: true, as: eva)
                #expect(page.hits.allSatisfy { $0.title == "Lönelistan" }, "\(hostile)")
                #expect(try await Self.find(store, hostile, prefix: true, as: olle).hits.isEmpty, "\(hostile)")
            }
            #expect(try await Self.find(store, ["lönelistan:*"], as: eva, kinds: [.thread]).hits.count == 1)
        }
    }

    @Test("snippets mark the matched words, cut long text around them with …, and show text as written")
    func snippets() async throws {
        try await Self.withStore { store in
            let (eva, space) = try await Live.world(store)
            let (_, opening) = try await Live.thread(store, "Protokoll", in: space.id, by: eva.id)
            let words = (1...40).map { "ord\($0)" }
            let long = words[0..<20].joined(separator: " ") + " Högskolans budget, äntligen! " + words[20...].joined(separator: " ")
            try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, long)
            let hit = try #require(try await Self.find(store, ["hogskolans", "budg"], prefix: true, as: eva).hits.first)
            #expect(hit.snippet.hasPrefix("…") && hit.snippet.hasSuffix("…"))
            #expect(hit.snippet.contains("\u{E000}Högskolans\u{E001} \u{E000}budget\u{E001}, äntligen!"))
            let shown = hit.snippet.split(separator: " ").filter { $0.hasPrefix("ord") || $0.hasPrefix("…ord") }
            #expect(shown.count == 14 - 3, "\(hit.snippet)")
            let short = try await Live.reply(store, to: opening.threadID, in: space.id, by: eva.id, "Kort: om skolans mat?")
            let shortHit = try #require(try await Self.find(store, ["mat"], as: eva).hits.first)
            #expect(shortHit.id == short.id.description && shortHit.snippet == "Kort: om skolans \u{E000}mat\u{E001}?")
            // The markers never come from stored text.
            let (thread, _) = try await Live.thread(store, "Falsk \u{E000}markering\u{E001}", in: space.id, by: eva.id)
            let marked = try #require(try await Self.find(store, ["falsk"], as: eva, kinds: [.thread]).hits.first)
            #expect(marked.id == thread.id.description && marked.snippet == "\u{E000}Falsk\u{E001} markering")
        }
    }
}
