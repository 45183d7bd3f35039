import CommunisFiles
import CommunisModel
import CommunisServices
import Foundation
import Testing

/// The hourly cleaning, run by hand on a real SQLite file with a clock the test moves.
@Suite("Document housekeeping: the trash, unreferenced files, expired uploads")
struct DocumentHousekeepingTests {
    /// Makes a file look last written `hours` ago (the cleaning spares younger files).
    static func age(_ file: URL, hours: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-hours * 3600)], ofItemAtPath: file.path)
    }

    @Test("Past the trash days a document goes for good with its now unreferenced file; shared and fresh files stay")
    func purge() async throws {
        let world = try await World.make { $0.documents.trashDays = 30 }
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let time = HandClock("2026-12-07T08:00:00Z")
        let blobs = try BlobStore(root: URL(fileURLWithPath: world.configuration.documentsDirectory))
        let documents = Documents(store: world.store, publisher: NoLivePublisher(), blobs: blobs, settings: world.configuration.documentSettings,
                                  clock: time.clock)
        let uploads = DocumentUploads(documents: documents, clock: time.clock)
        let housekeeping = DocumentHousekeeping(documents: documents, clock: time.clock)
        let erik = Viewer(person: world.erik)
        let workspace = Workspace(name: "Arkivet", description: "", visibility: .closed, createdBy: world.erik.id)
        try await world.store.createWorkspace(workspace, owner: world.erik.id)

        func file(_ bytes: [UInt8]) throws -> URL {
            let url = blobs.temporaryFile()
            try Data(bytes).write(to: url)
            return url
        }
        let shared = sampleBytes(500, seed: 70)
        let only = sampleBytes(600, seed: 71)
        let gone = try await documents.create(erik, workspace: workspace.id, folder: nil, title: "Gammal.pdf", file: try file(only), mediaType: nil, comment: "")
        _ = try await documents.addVersion(erik, gone.id, file: try file(shared), mediaType: nil, fileName: nil, comment: "", lockToken: nil)
        let kept = try await documents.create(erik, workspace: workspace.id, folder: nil, title: "Kvar.pdf", file: try file(shared), mediaType: nil, comment: "")
        try await documents.trash(erik, gone.id)
        // A file no row names (a crash between adopting and storing): removed once it is old.
        let orphan = try await blobs.adopt(try file(sampleBytes(700, seed: 72)))
        await blobs.unpin(orphan.sha256)
        // An upload started long ago.
        let stale = try await uploads.create(erik, length: 10, metadata: ["filename": "Glömd.txt", "workspace": "\(workspace.id)"])
        for hash in [sha256Hex(shared), sha256Hex(only), orphan.sha256] { try Self.age(blobs.url(of: hash), hours: 2) }

        // Within the trash days only the orphan goes.
        time.advance(29 * 86_400)
        var report = try await housekeeping.run()
        #expect(report.purgedDocuments == 0)
        #expect(report.removedFiles == 1)
        #expect(!blobs.contains(orphan.sha256))
        #expect(report.removedUploads == 1, "older than documents.upload_expiry_hours")
        #expect(try await blobs.upload(stale.id) == nil)

        time.advance(2 * 86_400)
        report = try await housekeeping.run()
        #expect(report.purgedDocuments == 1)
        #expect(report.removedFiles == 1, "its own file goes; the one another document uses stays")
        #expect(!blobs.contains(sha256Hex(only)))
        #expect(blobs.contains(sha256Hex(shared)))
        #expect(try await world.store.document(id: gone.id) == nil)
        #expect(try await documents.open(erik, kept.id, version: .current).file == blobs.url(of: sha256Hex(shared)))

        // A file adopted a moment ago and not yet named (another node's upload) stays.
        let fresh = try await blobs.adopt(try file(sampleBytes(800, seed: 73)))
        await blobs.unpin(fresh.sha256)
        report = try await housekeeping.run()
        #expect(report.removedFiles == 0)
        #expect(blobs.contains(fresh.sha256))
    }
}
