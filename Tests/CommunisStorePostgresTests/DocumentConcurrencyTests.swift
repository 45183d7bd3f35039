import CommunisModel
import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Testing

/// A document library under writers racing through two nodes, on a real PostgreSQL: the
/// checks a change makes (name free, version number, lock) hold until its commit, because
/// every change of one library waits for the workspace's head row.
@Suite("PostgresStore documents under concurrent writers", .timeLimit(.minutes(3)))
struct DocumentConcurrencyTests {
    static func apply(_ store: PostgresStore, _ change: DocumentChange, in workspace: WorkspaceID) async -> Result<Void, any Error> {
        do {
            _ = try await store.apply(.document(change), event: Live.draft(workspace, "document.changed"), notifications: [], idempotency: nil)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    static func conflicts(_ results: [Result<Void, any Error>]) -> Int {
        results.filter { if case .failure(let error) = $0 { (error as? DomainError)?.code == "conflict" } else { false } }.count
    }

    @Test("8 uploads of one name at once: one document; 8 new versions on one base: one version 2; 8 locks: one holder")
    func racing() async throws {
        try await LiveConcurrencyTests.withTwoNodes { nodeA, nodeB in
            let people = try await (0..<8).asyncMap { try await Fixture.insert(nodeA, Fixture.person("Person \($0)")) }
            let space = try await Fixture.createWorkspace(nodeA, "Skolstart", owner: people[0].id)
            let nodes = [nodeA, nodeB]

            let creates = await withTaskGroup(of: Result<Void, any Error>.self) { group in
                for (index, person) in people.enumerated() {
                    group.addTask {
                        await Self.apply(nodes[index % 2], .createDocument(DocumentContract.newDocument(index.isMultiple(of: 2) ? "Plan.pdf" : "PLAN.pdf",
                                                                                                    in: space.id, by: person.id)), in: space.id)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.conflicts(creates) == 7 && creates.count { if case .success = $0 { true } else { false } } == 1)
            let listed = try await nodeB.documents(workspace: space.id, folder: nil, page: PageRequest())
            #expect(listed.total == 1)
            let document = try #require(listed.items.first)

            let versions = await withTaskGroup(of: Result<Void, any Error>.self) { group in
                for (index, person) in people.enumerated() {
                    group.addTask {
                        await Self.apply(nodes[index % 2], .addVersion(DocumentContract.version(document.id, 2, file: 10 + index, by: person.id, at: Instant.at(60))),
                                    in: space.id)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.conflicts(versions) == 7)
            #expect(try await nodeA.documentVersions(document.id).map(\.number) == [2, 1])

            let locks = await withTaskGroup(of: Result<Void, any Error>.self) { group in
                for (index, person) in people.enumerated() {
                    group.addTask {
                        await Self.apply(nodes[index % 2], .lock(document.id, DocumentLock(holderID: person.id, lockedAt: Instant.at(100), expiresAt: Instant.at(900))),
                                    in: space.id)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.conflicts(locks) == 7)
            #expect(try await nodeB.document(id: document.id)?.lock != nil)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
