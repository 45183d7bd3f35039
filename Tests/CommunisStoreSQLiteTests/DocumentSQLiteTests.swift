@testable import CommunisStoreSQLite
import CommunisModel
import CommunisStore
import CommunisTesting
import Foundation
import GRDB
import Testing

/// What only the SQLite engine can show about document libraries: the FTS5 index stays an
/// exact copy of its external content through every kind of change (v14's triggers tell it
/// the old values it needs), the listing reads its index, and `backup(to:)` copies the file
/// consistently while writes go on.
@Suite("SQLiteStore documents")
struct DocumentSQLiteTests {
    static func apply(_ store: SQLiteStore, _ change: DocumentChange, in workspace: WorkspaceID, at: Date = Instant.t0) async throws {
        _ = try await store.apply(.document(change), event: Live.draft(workspace, "document.changed", at: at), notifications: [], idempotency: nil)
    }

    static func version(_ id: DocumentID, _ number: Int, by: PersonID) -> DocumentVersion {
        DocumentVersion(documentID: id, number: number, sha256: String(repeating: "\(number % 10)", count: 64), size: 10,
                        mediaType: "text/plain", fileName: "v\(number).txt", createdBy: by, createdAt: Instant.at(Double(number)))
    }

    @Test("the search index stays in step with its content through versions, texts, renames, trash, restore, purge and workspace deletion")
    func indexIntegrity() async throws {
        try await TemporaryDatabase.with { store, _ in
            let eva = try await Fixture.insert(store, Fixture.person("Eva"))
            let space = try await Fixture.createWorkspace(store, "Skolstart", owner: eva.id)
            let id = DocumentID()
            let document = Document(id: id, workspaceID: space.id, folderID: nil, title: "Plan.txt", current: Self.version(id, 1, by: eva.id),
                                    createdBy: eva.id, createdAt: Instant.t0)
            try await Self.apply(store, .createDocument(document), in: space.id)
            try await store.setDocumentText(id, version: 1, text: "ett två")
            for number in 2...4 {
                try await Self.apply(store, .addVersion(Self.version(id, number, by: eva.id)), in: space.id)
                try await store.setDocumentText(id, version: number, text: "version \(number) tre")
            }
            try await store.setDocumentText(id, version: 2, text: "rättad två")
            try await Self.apply(store, .moveDocument(id, title: "Planen.txt", folderID: nil, at: Instant.at(10)), in: space.id)
            try await Self.apply(store, .trashDocument(id, by: eva.id, at: Instant.at(11)), in: space.id)
            try await Self.apply(store, .restoreDocument(id, at: Instant.at(12)), in: space.id)
            try await Self.checkIndex(store, documents: 4)
            try await Self.apply(store, .trashDocument(id, by: eva.id, at: Instant.at(13)), in: space.id)
            try await Self.checkIndex(store, documents: 0)
            try await Self.apply(store, .restoreDocument(id, at: Instant.at(14)), in: space.id)
            try await store.deleteWorkspace(id: space.id)
            try await Self.checkIndex(store, documents: 0)
        }
    }

    /// FTS5's own check that the index holds exactly the external content, and the number of
    /// document entries.
    static func checkIndex(_ store: SQLiteStore, documents: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO search_index (search_index) VALUES ('integrity-check')")
        }
        let count = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_documents WHERE kind = 'document'") }
        #expect(count == documents, sourceLocation: sourceLocation)
    }

    @Test("a folder is listed through the name index, the trash through its own")
    func queryPlans() async throws {
        try await TemporaryDatabase.with { store, _ in
            let listing = try await store.pool.read { db in
                try Row.fetchAll(db, sql: """
                    EXPLAIN QUERY PLAN SELECT * FROM documents WHERE workspace_id = 'w' AND coalesce(folder_id, '') = '' AND trashed_at IS NULL
                    """).map { $0["detail"] as String }
            }
            #expect(listing.contains { $0.contains("documents_name") }, "\(listing)")
            let trash = try await store.pool.read { db in
                try Row.fetchAll(db, sql: """
                    EXPLAIN QUERY PLAN SELECT * FROM documents WHERE workspace_id = 'w' AND trashed_at IS NOT NULL ORDER BY trashed_at DESC
                    """).map { $0["detail"] as String }
            }
            #expect(trash.contains { $0.contains("documents_trash") } && !trash.contains { $0.contains("TEMP B-TREE") }, "\(trash)")
        }
    }

    @Test("backup(to:) copies one consistent moment while writes go on; the copy opens as a data file; an existing file is refused")
    func backup() async throws {
        try await TemporaryDatabase.with { store, database in
            let eva = try await Fixture.insert(store, Fixture.person("Eva"))
            let space = try await Fixture.createWorkspace(store, "Skolstart", owner: eva.id)
            let (thread, _) = try await Live.thread(store, "Tråd", in: space.id, by: eva.id)
            let id = DocumentID()
            try await Self.apply(store, .createDocument(Document(id: id, workspaceID: space.id, folderID: nil, title: "Plan.txt",
                                                                 current: Self.version(id, 1, by: eva.id), createdBy: eva.id, createdAt: Instant.t0)),
                                 in: space.id)
            let target = database.directory.appendingPathComponent("backup/communis.sqlite")
            // Replies keep arriving while the copy is made.
            let writer = Task {
                for index in 0..<200 {
                    try await Live.reply(store, to: thread.id, in: space.id, by: eva.id, "Svar \(index)")
                }
            }
            try await store.backup(to: target)
            try await writer.value

            let copy = try SQLiteStore.open(path: target.path, logger: TemporaryDatabase.logger)
            #expect(try copy.appliedMigrations() == SQLiteStore.knownMigrations)
            #expect(try await copy.document(id: id)?.title == "Plan.txt")
            // One moment: the thread's count, its posts and the log agree.
            let copied = try #require(try await copy.thread(id: thread.id))
            let posts = try await copy.posts(thread: thread.id, page: PageRequest(limit: 100)).total
            let seq = try await copy.latestSeq(workspace: space.id)
            #expect(copied.postCount == posts && seq == Int64(posts) + 1)
            let integrity = try await copy.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"])
            try await copy.close()

            await #expect(throws: BackupRefused.self) { try await store.backup(to: target) }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
            #expect(leftovers.allSatisfy { !$0.hasSuffix(".partial") }, "\(leftovers)")
        }
    }
}
