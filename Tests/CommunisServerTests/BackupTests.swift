import CommunisModel
import CommunisServer
import CommunisStoreSQLite
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Backup and restore of an installation")
struct BackupTests {
    @Test("A backup taken while the server serves restores into empty folders with the data and the files")
    func roundTrip() async throws {
        let world = try await World.make()
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("communis-backup-\(UUID())")
        defer { try? FileManager.default.removeItem(at: backup) }
        let first = sampleBytes(40_000, seed: 60)
        let second = sampleBytes(30_000, seed: 61)
        let recording = Data("OggS fake recording".utf8)
        try FileManager.default.createDirectory(atPath: world.configuration.recordingsDirectory, withIntermediateDirectories: true)
        try recording.write(to: URL(fileURLWithPath: world.configuration.recordingsDirectory).appendingPathComponent("m1.opus"))
        let ids = IDs()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let id = try await s.erik.newDocument(first, workspace: s.workspace, name: "Årsredovisning.pdf")
            #expect(try await s.erik.upload(second, metadata: ["filename": "Årsredovisning.pdf", "document": id]).status == .noContent)
            await ids.set(id, s.workspace)
            // An upload in progress is copied too, and resumes after a restore.
            let (location, _) = try await s.erik.createUpload(length: 1000, metadata: ["filename": "Pågår.txt", "workspace": s.workspace])
            #expect(try await s.erik.tus(.patch, try #require(location), headers: [Tus.uploadOffset: "0"], body: sampleBytes(400, seed: 62)).status == .noContent)
            await ids.setUpload(try #require(location))

            // While the server serves: a writer keeps writing during the backup.
            async let writing: Void = {
                for n in 0..<20 {
                    _ = try await s.erik.send(.post, "/api/v1/workspaces/\(s.workspace)/threads", json: ["title": "Tråd \(n)", "body": "Text"])
                }
            }()
            let store = world.store
            let summary = try await InstallationBackup.backup(configuration: world.configuration, to: backup) { try await store.backup(to: $0) }
            try await writing
            #expect(summary.database)
            #expect(summary.documentFiles >= 4, "two blobs and the upload's record and bytes: \(summary)")
            #expect(summary.recordingFiles == 1)
            // A backup never overwrites.
            await #expect(throws: InstallationBackup.Failure.self) {
                _ = try await InstallationBackup.backup(configuration: world.configuration, to: backup) { try await store.backup(to: $0) }
            }
        }

        // Restore into a fresh installation, then serve it.
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("communis-restored-\(UUID())")
        defer { try? FileManager.default.removeItem(at: fresh) }
        var configuration = world.configuration
        configuration.dataDirectory = fresh.appendingPathComponent("data").path
        configuration.documentsDirectory = fresh.appendingPathComponent("documents").path
        configuration.recordingsDirectory = fresh.appendingPathComponent("recordings").path
        let restored = try InstallationBackup.restore(configuration: configuration, from: backup, withDatabase: true)
        #expect(restored.recordingFiles == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: configuration.recordingsDirectory).appendingPathComponent("m1.opus")) == recording)
        #expect(throws: InstallationBackup.Failure.self) { _ = try InstallationBackup.restore(configuration: configuration, from: backup, withDatabase: true) }

        let store = try SQLiteStore.open(path: configuration.databasePath, logger: quietLogger)
        let app = try await buildApplication(configuration: configuration, store: store, logger: quietLogger)
        let (id, workspace) = await ids.values
        let upload = await ids.upload
        try await app.test(.router) { client in
            let erik = try await Browser.loggedIn(client, as: world.erik)
            #expect(try await erik.get("/api/v1/documents/\(id)/content?version=1").bytes == first)
            #expect(try await erik.get("/api/v1/documents/\(id)/content").bytes == second)
            let library = try await erik.get("/api/v1/workspaces/\(workspace)/documents")
            #expect((library.json["documents"] as? [String: Any])?["total"] as? Int == 1)
            #expect(try await erik.tus(.head, upload).headers[Tus.uploadOffset] == "400")
            let rest = try await erik.tus(.patch, upload, headers: [Tus.uploadOffset: "400"], body: sampleBytes(600, seed: 63))
            #expect(rest.status == .noContent, "\(rest.text)")
        }
        try? FileManager.default.removeItem(at: world.directory)
    }

    @Test("Restore refuses a data folder that is not empty, and a folder that is no backup")
    func refusals() async throws {
        let world = try await World.make()
        defer { try? FileManager.default.removeItem(at: world.directory) }
        let notABackup = FileManager.default.temporaryDirectory.appendingPathComponent("communis-nobackup-\(UUID())")
        try FileManager.default.createDirectory(at: notABackup, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: notABackup) }
        #expect(throws: InstallationBackup.Failure.self) {
            _ = try InstallationBackup.restore(configuration: world.configuration, from: notABackup, withDatabase: true)
        }
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("communis-backup-\(UUID())")
        defer { try? FileManager.default.removeItem(at: backup) }
        let store = world.store
        _ = try await InstallationBackup.backup(configuration: world.configuration, to: backup) { try await store.backup(to: $0) }
        // world's data folder holds its database: not empty.
        #expect { _ = try InstallationBackup.restore(configuration: world.configuration, from: backup, withDatabase: true) } throws: { error in
            "\(error)".contains("not empty")
        }
    }
}

/// What the serving part of the round trip hands to the restoring part.
actor IDs {
    var values: (String, String) = ("", "")
    var upload = ""
    func set(_ id: String, _ workspace: String) { values = (id, workspace) }
    func setUpload(_ location: String) { upload = location }
}
