import Foundation
import CommunisStoreSQLite

/// `communis bench search`: search latency through the real endpoint on a generated corpus,
/// against raw FTS5 queries on the same file in the same run.
///
/// The corpus is written straight into a fresh database that `communis user add` migrated
/// (the same migrations as a server, so the same triggers fill the index): `workspaces`
/// workspaces (10 % open, 60 % closed, 30 % secret), authors who are members of all of them,
/// threads of 20 posts, words drawn from a Zipf distribution over a generated Swedish-like
/// vocabulary (with å, ä, ö), so the most common word is in nearly every document. The
/// searching person is a member of `memberOf` workspaces and, as an employee, also reads the
/// open ones. Each query runs `repeats` times over HTTP (bearer token, one connection at a
/// time) and as raw FTS5 on a read connection of the same file.
public struct SearchBench: Sendable {
    public struct Options: Sendable {
        public var executable: String
        public var documents = 1_000_000
        public var workspaces = 1000
        public var memberOf = 20
        public var repeats = 200
        public var keepData = false

        public init(executable: String) { self.executable = executable }

        public mutating func makeQuick() {
            documents = 50_000
            workspaces = 200
            repeats = 50
        }
    }

    let options: Options
    let say: @Sendable (String) -> Void
    let dir: String

    public init(options: Options, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.say = say
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("communis-bench-search-\(UUID().uuidString.prefix(8))").path
    }

    static let email = "bench-searcher@bench.invalid"
    static let password = "bench-searcher-password"

    public func run() async throws {
        Children.installSignalHandlers()
        defer {
            Children.killAll()
            if !options.keepData { try? FileManager.default.removeItem(atPath: dir) } else { say("data kept in \(dir)") }
        }
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let add = try ChildProcess(
            name: "user add", executable: options.executable,
            arguments: ["user", "add", "--data-dir", dir + "/data", "--email", Self.email, "--name", "Sökande Person", "--password", Self.password],
            environment: BenchEnvironment.communis, directory: dir, logPath: dir + "/user-add.log")
        add.process.waitUntilExit()
        Children.remove(add)
        guard add.process.terminationStatus == 0 else { throw BenchError("communis user add failed:\n\(add.tail())") }

        let path = dir + "/data/communis.sqlite"
        let corpus = SearchCorpus(documents: options.documents, workspaces: options.workspaces, memberOf: options.memberOf)
        say("corpus: \(options.documents) documents in \(options.workspaces) workspaces (threads of 20 posts); the searcher reads \(options.memberOf) member + the open workspaces")
        let started = monotonicNanos()
        let stats = try corpus.write(path: path, searcher: Self.email) { say($0) }
        say(String(format: "corpus written and indexed in %.0f s (the v6/v9 triggers); %.1f %% of documents readable by the searcher", Double(monotonicNanos() - started) / 1e9, stats.readableShare * 100))

        let queries = corpus.queries()
        let port = try Ports.free()
        let server = try ChildProcess(
            name: "communis serve", executable: options.executable,
            arguments: ["serve", "--data-dir", dir + "/data", "--host", "127.0.0.1", "--port", String(port)],
            environment: BenchEnvironment.communis, directory: dir, logPath: dir + "/server.log")
        defer { server.stop() }
        let api = API(port: port)
        try await api.waitHealthy(timeout: 60) { server.isRunning }
        let token = try await api.token(email: Self.email, password: Self.password)

        let raw = try SQLiteBaselines.FullText(path: path)
        var rows: [[String]] = []
        var common: (Latency, Latency)?
        for query in queries {
            let http = try await measureHTTP(api: api, token: token, query: query)
            let fts = try measureRaw(raw, query: query)
            rows.append([query.label, query.text, "\(http.hits)", Format.number(http.latency.p50, 2), Format.number(http.latency.p99, 2),
                         Format.number(fts.p50, 2), Format.number(fts.p99, 2), Format.ratio(http.latency.p99, fts.p99),
                         http.latency.p99 <= 2 * fts.p99 + 1 ? "yes" : "no"])
            if query.label == "common" { common = (http.latency, fts) }
        }
        let fullRank = try measureFullBM25(raw, word: corpus.commonWord)
        // What any request costs here before search does anything: client, HTTP, bearer token.
        let floor = try await measureHTTP(api: api, token: token, path: "/api/v1/me").latency
        say("")
        say(Format.row(["query", "q", "hits", "HTTP p50 ms", "HTTP p99 ms", "raw p50 ms", "raw p99 ms", "p99 ratio", "≤ 2×raw+1 ms"]))
        for row in rows { say(Format.row(row)) }
        say("")
        say("raw FTS5 = the same MATCH, newest first, LIMIT 21, without permissions (relevance rows) or ORDER BY rowid DESC (newest rows).")
        say(String(format: "reference: the endpoint floor, GET /api/v1/me with the same client and token: p50 %.2f ms, p99 %.2f ms", floor.p50, floor.p99))
        say(String(format: "reference: a full bm25 ranking of '%@' on raw FTS5 (what bounded ranking avoids): %.1f ms", corpus.commonWord, fullRank))
        if let common {
            say(String(format: "target: p99 of the most common word < 50 ms through the endpoint: %.2f ms — %@", common.0.p99, common.0.p99 < 50 ? "met" : "missed"))
        }
    }

    struct HTTPResult { var latency: Latency; var hits: Int }

    func measureHTTP(api: API, token: String, query: SearchCorpus.Query) async throws -> HTTPResult {
        let text = query.text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query.text
        return try await measureHTTP(api: api, token: token, path: "/api/v1/search?q=\(text)&limit=20" + (query.newest ? "&sort=newest" : ""))
    }

    func measureHTTP(api: API, token: String, path: String) async throws -> HTTPResult {
        var hits = 0
        for _ in 0..<5 { _ = try await api.call("GET", path, bearer: token) }
        var nanos: [Int64] = []
        for _ in 0..<options.repeats {
            let start = monotonicNanos()
            let answer = try await api.call("GET", path, bearer: token)
            nanos.append(monotonicNanos() - start)
            hits = ((answer.json as? [String: Any])?["results"] as? [Any])?.count ?? 0
        }
        return HTTPResult(latency: Latency(nanos), hits: hits)
    }

    func measureRaw(_ raw: SQLiteBaselines.FullText, query: SearchCorpus.Query) throws -> Latency {
        Latency(try raw.newest(match: query.match, repeats: options.repeats))
    }

    func measureFullBM25(_ raw: SQLiteBaselines.FullText, word: String) throws -> Double {
        try raw.fullRank(word: word)
    }
}
