import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOHTTP1
import NIOPosix

/// A real OpenID Connect provider for tests: `Tests/Fixtures/oidc/provider.py` (the PyPI
/// package oidc-provider-mock with PKCE and nonce required, kid in ID tokens, key rotation)
/// in a child process on a free loopback port, with its log in a temporary folder (removed
/// with this object). `authorize`
/// does what a browser and a person do on the provider's page. The process ends with `stop()`,
/// when this object goes away, or when the test process dies (it watches its stdin pipe).
public final class OIDCProvider: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// `http://127.0.0.1:<port>`, as the provider's discovery document and ID tokens spell it.
    public let issuer: String
    public let port: Int
    /// The provider's log (one line per request, errors with tracebacks).
    public let logFile: URL
    private let process: Process
    private let stdin: Pipe

    private init(issuer: String, port: Int, logFile: URL, process: Process, stdin: Pipe) {
        self.issuer = issuer
        self.port = port
        self.logFile = logFile
        self.process = process
        self.stdin = stdin
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: logFile.deletingLastPathComponent())
    }

    /// The repository's root, found from this file's place in it.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts a provider with these predefined users, each a claims object with a `sub`
    /// (`["sub": "anna", "name": "Anna", "groups": ["staff"]]`).
    /// - Throws: `Failure` with the provider's own output when python3 or the
    ///   oidc-provider-mock package is missing, or when it does not answer within 60 s (with
    ///   every suite running at once on two cores, 30 s was once not enough). Three start at a
    ///   time in one test process.
    public static func start(users: [[String: any Sendable]] = []) async throws -> OIDCProvider {
        try await starting.run { try await startNow(users: users) }
    }

    private static let starting = FixtureLimiter(limit: 3)

    private static func startNow(users: [[String: any Sendable]]) async throws -> OIDCProvider {
        let script = repositoryRoot.appendingPathComponent("Tests/Fixtures/oidc/provider.py").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communis-oidc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let logFile = folder.appendingPathComponent("provider.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        var arguments = ["python3", script, "--port", "0", "--exit-with-stdin"]
        for user in users {
            let json = try JSONSerialization.data(withJSONObject: user as [String: Any], options: [.sortedKeys])
            arguments += ["--user-claims", String(decoding: json, as: UTF8.self)]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logFile)
        try FixtureProcess.spawn(process)

        let line: String
        do {
            line = try await firstLine(of: stdout.fileHandleForReading, process: process, within: .seconds(60))
        } catch {
            process.terminate()
            process.waitUntilExit()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw Failure("""
                the OIDC test provider (\(script)) did not start: \(error). It needs python3 and the PyPI package \
                oidc-provider-mock (pip install oidc-provider-mock). Its output:
                \(log)
                """)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let port = object["port"] as? Int, let issuer = object["issuer"] as? String else {
            process.terminate()
            throw Failure("the OIDC test provider announced something unexpected: \(line)")
        }
        return OIDCProvider(issuer: issuer, port: port, logFile: logFile, process: process, stdin: stdin)
    }

    /// Reads up to the first newline on a thread of its own (a blocking read: not NIO's
    /// shared thread pool, which the code under test uses); the process is ended when it
    /// takes too long, which ends the read too.
    private static func firstLine(of handle: FileHandle, process: Process, within limit: Duration) async throws -> String {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await FixtureProcess.detached {
                    // read(2) itself: FileHandle.availableData ends the process when a
                    // signal (another test's child exiting) interrupts the read.
                    let descriptor = handle.fileDescriptor
                    var bytes: [UInt8] = []
                    var chunk = [UInt8](repeating: 0, count: 512)
                    while !bytes.contains(UInt8(ascii: "\n")) {
                        let count = read(descriptor, &chunk, chunk.count)
                        if count < 0, errno == EINTR { continue }
                        if count < 0 { throw Failure("reading its output failed (errno \(errno))") }
                        if count == 0 { throw Failure("it exited before announcing its port") }
                        bytes += chunk[0..<count]
                    }
                    return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let line = first else {
                process.terminate()
                throw Failure("it did not announce its port within \(limit)")
            }
            return line
        }
    }

    /// Ends the provider (SIGTERM, after 3 s SIGKILL) and waits for it; idempotent.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        // Polling rather than waitUntilExit(), which can wait forever on a run loop when the
        // child never exits; this blocks a test's thread for at most a few seconds.
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<100 where process.isRunning { usleep(10_000) }
    }

    /// The provider's log so far, for failure messages.
    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Sets (replaces) the claims of the user `sub`; the next login of `sub` carries them.
    public func setUser(sub: String, claims: [String: any Sendable]) async throws {
        let body = try JSONSerialization.data(withJSONObject: claims as [String: Any], options: [.sortedKeys])
        let path = "/users/" + (sub.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? sub)
        let answer = try await TestHTTP.send(.PUT, "\(issuer)\(path)", headers: [("Content-Type", "application/json")],
                                             body: String(decoding: body, as: UTF8.self))
        guard answer.status == 204 else { throw Failure("PUT \(path) answered \(answer.status): \(answer.body)") }
    }

    /// Replaces the signing key by a new one with a new kid; the JWKS then holds only the new
    /// key. Returns the new kid.
    @discardableResult
    public func rotateKey() async throws -> String {
        let answer = try await TestHTTP.send(.POST, "\(issuer)/test/rotate-key")
        guard answer.status == 200, let kid = answer.json?["kid"] as? String else {
            throw Failure("POST /test/rotate-key answered \(answer.status): \(answer.body)")
        }
        return kid
    }

    /// How often the JWKS has been fetched from this provider.
    public func jwksFetches() async throws -> Int {
        let answer = try await TestHTTP.send(.GET, "\(issuer)/test/stats")
        guard answer.status == 200, let count = answer.json?["jwks_fetches"] as? Int else {
            throw Failure("GET /test/stats answered \(answer.status): \(answer.body)")
        }
        return count
    }

    /// What a browser and a person do: opens the authorization URL, submits the provider's
    /// form as `sub`, and reads `code` and `state` from the redirect without following it.
    /// - Throws: `Failure` when the provider shows an error or redirects with one (its
    ///   `error` and `error_description`, e.g. a missing PKCE challenge).
    public func authorize(url: String, sub: String) async throws -> (code: String, state: String) {
        let page = try await TestHTTP.send(.GET, url)
        guard page.status == 200 else {
            throw Failure("the authorization page answered \(page.status) (\(page.header("Location") ?? page.body.prefix(300).description))")
        }
        let form = "sub=" + (sub.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sub)
        let answer = try await TestHTTP.send(.POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        guard answer.status == 302, let location = answer.header("Location"),
              let items = URLComponents(string: location)?.queryItems else {
            throw Failure("submitting the authorization form answered \(answer.status): \(answer.body.prefix(300))")
        }
        func item(_ name: String) -> String? { items.first { $0.name == name }?.value }
        if let error = item("error") {
            throw Failure("the provider refused the authorization: \(error) \(item("error_description") ?? "")")
        }
        guard let code = item("code") else { throw Failure("the redirect carries no code: \(location)") }
        return (code, item("state") ?? "")
    }
}

/// One HTTP/1.1 exchange per connection over NIO, without following redirects (the tests need
/// to see them), with a 15 s limit.
enum TestHTTP {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    static func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Answer {
        guard let parts = URLComponents(string: url), let host = parts.host, let port = parts.port else {
            throw OIDCProvider.Failure("not a URL with host and port: \(url)")
        }
        let target = (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath)
            + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        // A provider that never answers must fail the test, not hang it: closing the channel
        // ends the inbound stream.
        let limit = channel.channel.eventLoop.scheduleTask(in: .seconds(15)) { channel.channel.close(promise: nil) }
        defer { limit.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body { head.headers.add(name: "Content-Length", value: "\(body.utf8.count)") }
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
            try await outbound.write(.end(nil))
            var answer = Answer(status: 0, headers: [], body: "")
            var bytes = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head):
                    answer.status = Int(head.status.code)
                    answer.headers = head.headers.map { ($0.name, $0.value) }
                case .body(var chunk):
                    bytes.writeBuffer(&chunk)
                case .end:
                    answer.body = String(buffer: bytes)
                    return answer
                }
            }
            throw OIDCProvider.Failure("\(method) \(url): the connection closed before the answer was complete")
        }
    }
}
