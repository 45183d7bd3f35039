import CommunisModel
import CommunisServer
import CommunisServices
import CommunisStoreSQLite
import CommunisTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` while recording, with the real `communis` executable as a child process: the
/// file on disk is playable right after the crash (at most the last second or so is lost),
/// and the next start finalises it and completes its record as `interrupted`.
@Suite("Recording survives kill -9")
struct RecordingCrashTests {
    /// The `communis` executable built beside this test bundle (or `COMMUNIS_BIN`).
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["COMMUNIS_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("communis").path
    }

    /// A port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw WebSocketTestClient.Failure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `communis serve` on the world's files; returns once it accepts live connections.
    static func start(_ world: MeetingWorld, port: Int, log: String) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COMMUNIS_") }
        environment["COMMUNIS_STORAGE_DATA_DIR"] = world.world.configuration.dataDirectory
        environment["COMMUNIS_STORAGE_RECORDINGS_DIR"] = world.world.configuration.recordingsDirectory
        environment["COMMUNIS_SERVER_PORT"] = String(port)
        environment["COMMUNIS_SERVER_PUBLIC_URL"] = "http://localhost:\(port)"
        environment["COMMUNIS_MEETING_MAX_PACKETS_PER_SECOND"] = "1000"
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let socket = try? await WebSocketTestClient.connect(host: "127.0.0.1", port: port, headers: [("Authorization", "Bearer \(world.tokens[world.erik.id]!)")]) {
                await socket.disconnect()
                return process
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw WebSocketTestClient.Failure("communis did not start: \(output.suffix(2000))")
    }

    @Test("kill -9 during a recording leaves a playable file; the next start finalises it (valid Ogg Opus, interrupted, the length that was written)")
    func killDuringRecording() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable), "build the executable first (swift build --build-tests builds it): \(Self.executable)")
        let world = try await MeetingWorld.make()
        try await world.world.store.close()
        let port = try Self.freePort()
        let log = world.world.directory.appendingPathComponent("server.log").path
        var server = try await Self.start(world, port: port, log: log)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }

        func connect(_ person: Person) async throws -> WebSocketTestClient {
            let socket = try await WebSocketTestClient.connect(host: "127.0.0.1", port: port, headers: [("Authorization", "Bearer \(world.tokens[person.id]!)")])
            _ = try await socket.next("welcome")
            return socket
        }
        let erik = try await connect(world.erik)
        let sara = try await connect(world.sara)
        _ = try await erik.join(world)
        let stream = try #require(try await sara.join(world).streamId)
        let started = try await erik.command("meeting.recording.start", topic: world.topic)
        let id = try #require(started.recordingID)
        let t0 = ContinuousClock.now
        try await MeetingRecordingTests.talk(sara, stream: stream, frequency: 700, seconds: 3)
        try await Task.sleep(for: .milliseconds(1500))
        let recorded = (ContinuousClock.now - t0) / .seconds(1)

        // Crash.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        await erik.disconnect()
        await sara.disconnect()

        // The file as the crash left it is playable and holds nearly everything.
        let path = world.world.configuration.recordingsDirectory + "/\(world.workspace)/\(id).opus"
        let copy = path + ".as-left.opus"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let asLeft = try MeetingRecordingTests.decode(copy)
        let kept = Double(asLeft.count) / 48_000
        #expect(kept > recorded - 2.0, "\(kept) s kept after \(recorded) s of recording")
        #expect(DominantFrequency.detect(Array(asLeft.prefix(48_000 * 3)), candidates: MeetingRecordingTests.talkers) == 700)

        // The next start finalises it before accepting anyone.
        server = try await Self.start(world, port: port, log: log)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        let store = try SQLiteStore.open(path: world.world.configuration.databasePath, logger: quietLogger)
        let recordings = Recordings(store: store, directory: world.world.configuration.recordingsDirectory, clock: Clock())
        let view = try await recordings.get(viewer: Viewer(person: world.erik), id: id)
        #expect(view.recording.state == .complete && view.recording.stopReason == .interrupted)
        let storedSeconds = Double(view.recording.durationMs) / 1000
        let playableSeconds = Double(asLeft.count) / 48_000
        #expect(abs(storedSeconds - playableSeconds) < 0.1, "stored \(storedSeconds) s, playable \(playableSeconds) s")
        #expect(view.recording.sizeBytes > 0)
        let info = try MeetingRecordingTests.run("opusinfo", [path])
        #expect(info.status == 0 && !info.output.contains("WARNING"), "opusinfo: \(info.output)")
        try await store.close()
        try? FileManager.default.removeItem(at: world.world.directory)
    }
}
