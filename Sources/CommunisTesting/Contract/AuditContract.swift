import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `AuditStore`: the append-only log an administrator reads, filters and exports.
public enum AuditContract {
    public static let cases: [ContractCase] = [
        ContractCase("audit entries are appended in order, with growing ids, and read back as written", appendInOrder),
        ContractCase("audit filters: time range, actions, actor, target (a workspace too), all together", filters),
        ContractCase("the audit text filter ignores case, å, ä and ö included, and treats % and _ literally", textFilter),
        ContractCase("audit pages are newest first with a total; the export reads oldest first after an id", paging),
        ContractCase("lastAuditEntry gives the newest entry of an action", lastEntry),
        ContractCase("pruneAudit deletes only entries older than the limit", prune),
    ]

    static func person(_ name: String) -> AuditRef { AuditRef.person(id: PersonID(), name: name) }
    static func workspace(_ name: String) -> AuditRef { AuditRef(type: "workspace", id: WorkspaceID().description, name: name) }

    /// The actions of the entries `filter` selects, newest first, checking the total.
    static func actions(_ store: any CommunisStore, _ filter: AuditFilter, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [AuditAction] {
        let page = try await store.auditEntries(filter, page: PageRequest(limit: 100))
        #expect(page.total == page.items.count, sourceLocation: sourceLocation)
        return page.items.map(\.action)
    }

    static func appendInOrder(_ store: any CommunisStore) async throws {
        let åsa = person("Åsa Öberg"), eva = person("Eva Ek"), space = workspace("Skolstart")
        let written = [
            AuditEntry(at: Instant.at(10), action: .loginSucceeded, actor: åsa, target: åsa, via: .login, address: "10.0.0.1", details: ["method": "directory"]),
            AuditEntry(at: Instant.at(10), action: .membershipAdded, actor: eva, target: åsa, workspace: space, via: .hand, address: "10.0.0.2",
                       details: ["role": "member"]),
            // Appended after, though it happened before: the log keeps the order of appending.
            AuditEntry(at: Instant.at(5), action: .directorySync, via: .sync, details: ["created": "3", "ok": "true"]),
        ]
        try await store.appendAudit(written)
        try await store.appendAudit([])
        try await store.appendAudit([AuditEntry(at: Instant.at(20), action: .logout, actor: åsa, target: åsa)])

        let all = try await store.auditEntries(AuditFilter(), afterID: 0, limit: 100)
        #expect(all.map(\.action) == [.loginSucceeded, .membershipAdded, .directorySync, .logout])
        #expect(all.allSatisfy { $0.id > 0 })
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.id < $1.id })
        for (read, wrote) in zip(all, written) {
            var expected = wrote
            expected.id = read.id
            #expect(read == expected)
        }
        let newestFirst = try await store.auditEntries(AuditFilter(), page: PageRequest())
        #expect(newestFirst.items == all.reversed() && newestFirst.total == 4)
    }

    static func filters(_ store: any CommunisStore) async throws {
        let eva = person("Eva Ek"), olle = person("Olle Olsson"), space = workspace("Elevhälsan"), other = workspace("Kultur")
        try await store.appendAudit([
            AuditEntry(at: Instant.at(100), action: .loginSucceeded, actor: eva, target: eva, via: .login, address: "10.0.0.1"),
            AuditEntry(at: Instant.at(200), action: .membershipAdded, actor: eva, target: olle, workspace: space, via: .hand, address: "10.0.0.1"),
            AuditEntry(at: Instant.at(300), action: .membershipRemoved, actor: olle, target: olle, workspace: other, via: .hand, address: "10.0.0.2"),
            AuditEntry(at: Instant.at(400), action: .workspaceDeleted, actor: eva, target: space, via: .hand, address: "10.0.0.1"),
            AuditEntry(at: Instant.at(500), action: .loginFailed, target: olle, via: .login, address: "192.0.2.7"),
        ])
        #expect(try await actions(store, AuditFilter(from: Instant.at(200), to: Instant.at(400))) == [.membershipRemoved, .membershipAdded],
                "from is inclusive, to exclusive")
        #expect(try await actions(store, AuditFilter(actions: [.loginSucceeded, .loginFailed])) == [.loginFailed, .loginSucceeded])
        #expect(try await actions(store, AuditFilter(actorID: eva.id)) == [.workspaceDeleted, .membershipAdded, .loginSucceeded])
        #expect(try await actions(store, AuditFilter(targetID: olle.id)) == [.loginFailed, .membershipRemoved, .membershipAdded])
        #expect(try await actions(store, AuditFilter(targetID: space.id)) == [.workspaceDeleted, .membershipAdded],
                "what happened in the workspace and to it")
        #expect(try await actions(store, AuditFilter(text: "192.0.2")) == [.loginFailed], "the address")
        #expect(try await actions(store, AuditFilter(text: "kultur")) == [.membershipRemoved], "the workspace's name")
        let all = AuditFilter(from: Instant.at(150), actions: [.membershipAdded, .membershipRemoved, .loginSucceeded], actorID: eva.id, targetID: olle.id, text: "olle")
        #expect(try await actions(store, all) == [.membershipAdded])
        #expect(try await actions(store, AuditFilter(actorID: PersonID().description)).isEmpty)
        #expect(try await actions(store, AuditFilter(actions: [.passwordReset])).isEmpty)
        let exported = try await store.auditEntries(AuditFilter(actorID: eva.id), afterID: 0, limit: 10).map(\.action)
        #expect(exported == [.loginSucceeded, .membershipAdded, .workspaceDeleted], "the export filters the same way")
    }

    static func textFilter(_ store: any CommunisStore) async throws {
        let åsa = person("Åsa Öberg")
        try await store.appendAudit([
            AuditEntry(at: Instant.at(1), action: .loginSucceeded, actor: åsa, target: åsa, via: .login),
            AuditEntry(at: Instant.at(2), action: .membershipAdded, target: person("Bo Ek"), workspace: workspace("Ängens förskola"), via: .rule),
            AuditEntry(at: Instant.at(3), action: .accountDisabled, target: person("Per 100% Nöjd"), via: .sync, details: ["reason": "Borttagen ur katalogen"]),
            AuditEntry(at: Instant.at(4), action: .accountCreated, target: person("Karl_Karlsson"), via: .sync),
        ])
        #expect(try await actions(store, AuditFilter(text: "ÅSA")) == [.loginSucceeded])
        #expect(try await actions(store, AuditFilter(text: "öBERG")) == [.loginSucceeded])
        #expect(try await actions(store, AuditFilter(text: "a\u{030A}sa")) == [.loginSucceeded], "a decomposed å")
        #expect(try await actions(store, AuditFilter(text: "ÄNGENS")) == [.membershipAdded])
        #expect(try await actions(store, AuditFilter(text: "KATALOGEN")) == [.accountDisabled], "a detail")
        #expect(try await actions(store, AuditFilter(text: "%")) == [.accountDisabled])
        #expect(try await actions(store, AuditFilter(text: "_")) == [.accountCreated])
        #expect(try await actions(store, AuditFilter(text: "asa")).isEmpty, "å is not a")
        #expect(try await actions(store, AuditFilter(text: "  ")).count == 4, "a blank text filters nothing")
    }

    static func paging(_ store: any CommunisStore) async throws {
        var entries: [AuditEntry] = []
        for number in 1...7 {
            entries.append(AuditEntry(at: Instant.at(TimeInterval(number)), action: .loginFailed, details: ["n": "\(number)"]))
            if number.isMultiple(of: 2) { entries.append(AuditEntry(at: Instant.at(TimeInterval(number)), action: .logout, details: ["n": "x\(number)"])) }
        }
        try await store.appendAudit(entries)
        let failures = AuditFilter(actions: [.loginFailed])

        let first = try await store.auditEntries(failures, page: PageRequest(limit: 3))
        #expect(first.total == 7 && first.items.map { $0.details["n"] } == ["7", "6", "5"])
        let last = try await store.auditEntries(failures, page: PageRequest(limit: 3, offset: 6))
        #expect(last.total == 7 && last.items.map { $0.details["n"] } == ["1"])
        let beyond = try await store.auditEntries(failures, page: PageRequest(limit: 3, offset: 10))
        #expect(beyond.total == 7 && beyond.items.isEmpty)

        // The export walks the log oldest first, a batch at a time, without repeats.
        var exported: [String] = []
        var after: Int64 = 0
        while true {
            let batch = try await store.auditEntries(failures, afterID: after, limit: 3)
            #expect(batch.count <= 3)
            guard let lastID = batch.last?.id else { break }
            exported += batch.compactMap { $0.details["n"] }
            after = lastID
        }
        #expect(exported == ["1", "2", "3", "4", "5", "6", "7"])
        let everything = try await store.auditEntries(AuditFilter(), afterID: 0, limit: 100)
        #expect(everything.count == 10)
    }

    static func lastEntry(_ store: any CommunisStore) async throws {
        #expect(try await store.lastAuditEntry(action: .directorySync) == nil)
        try await store.appendAudit([
            AuditEntry(at: Instant.at(10), action: .directorySync, via: .sync, details: ["created": "1"]),
            AuditEntry(at: Instant.at(20), action: .directorySync, via: .sync, details: ["created": "2"]),
            AuditEntry(at: Instant.at(30), action: .loginSucceeded),
        ])
        let last = try #require(try await store.lastAuditEntry(action: .directorySync))
        #expect(last.details["created"] == "2" && last.at == Instant.at(20))
        #expect(try await store.lastAuditEntry(action: .loginSucceeded)?.at == Instant.at(30))
        #expect(try await store.lastAuditEntry(action: .mailFailed) == nil)
    }

    static func prune(_ store: any CommunisStore) async throws {
        try await store.appendAudit([10, 20, 30, 40].map { AuditEntry(at: Instant.at($0), action: .loginSucceeded) })
        #expect(try await store.pruneAudit(before: Instant.at(30)) == 2)
        #expect(try await store.auditEntries(AuditFilter(), afterID: 0, limit: 10).map(\.at) == [Instant.at(30), Instant.at(40)])
        #expect(try await store.pruneAudit(before: Instant.at(30)) == 0)
        #expect(try await store.auditEntries(AuditFilter(), page: PageRequest()).total == 2)
    }
}
