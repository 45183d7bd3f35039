import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON client for the setup calls (accounts, workspace, members, tokens, threads).
struct API: Sendable {
    let base: String
    let session: URLSession

    init(port: Int) {
        base = "http://127.0.0.1:\(port)"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var json: Any?
        var text: String

        func string(_ path: String...) -> String? {
            var value: Any? = json
            for key in path { value = (value as? [String: Any])?[key] }
            return value as? String
        }
    }

    func call(_ method: String, _ path: String, body: [String: Any]? = nil, bearer: String? = nil,
              cookie: String? = nil, csrf: String? = nil, expect: Set<Int> = [200, 201]) async throws -> Answer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let cookie { request.setValue("communis_session=\(cookie)", forHTTPHeaderField: "Cookie") }
        if let csrf { request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        let answer = Answer(status: http.statusCode, headers: headers, json: try? JSONSerialization.jsonObject(with: data),
                            text: String(decoding: data, as: UTF8.self))
        guard expect.contains(answer.status) else {
            throw BenchError("\(method) \(path) answered \(answer.status): \(answer.text.prefix(300))")
        }
        return answer
    }

    /// Logs in and returns (session cookie value, CSRF token).
    func login(email: String, password: String) async throws -> (String, String) {
        let answer = try await call("POST", "/api/v1/session", body: ["email": email, "password": password])
        guard let setCookie = answer.headers["set-cookie"],
              let range = setCookie.range(of: "communis_session=") else {
            throw BenchError("login of \(email) set no session cookie")
        }
        let value = setCookie[range.upperBound...].prefix { $0 != ";" }
        guard let csrf = answer.string("csrfToken") else { throw BenchError("login of \(email) returned no csrfToken") }
        return (String(value), csrf)
    }

    /// Logs in and creates a personal API token (bearer) for the live connection.
    func token(email: String, password: String) async throws -> String {
        let (cookie, csrf) = try await login(email: email, password: password)
        let answer = try await call("POST", "/api/v1/tokens", body: ["name": "bench"], cookie: cookie, csrf: csrf)
        guard let token = answer.string("token") else { throw BenchError("POST /api/v1/tokens returned no token") }
        return token
    }

    /// Waits until /healthz answers 200.
    func waitHealthy(timeout: TimeInterval, alive: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard alive() else { throw BenchError("the server exited during start-up") }
            if let answer = try? await call("GET", "/healthz", expect: [200]), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("the server did not become healthy within \(Int(timeout)) s")
    }
}

/// What setup made: one workspace, `people` members each with a bearer token, a thread for
/// the fan-out posts and one thread per concurrent writer.
struct Fixture: Sendable {
    var workspaceID: String
    var tokens: [String]
    var fanoutThread: String
    var writerThreads: [String]
    var topic: String { "workspace:\(workspaceID)" }
}

enum Setup {
    static let adminEmail = "bench-admin@bench.invalid"
    static let adminPassword = "bench-admin-password"

    static func make(api: API, people: Int, writerThreads: Int, log: (String) -> Void) async throws -> Fixture {
        let adminToken = try await adminToken(api: api)
        let workspaceID = try await workspace(api: api, adminToken: adminToken, name: "Bench hub", description: "communis bench hub")
        let tokens = try await members(api: api, adminToken: adminToken, workspaceID: workspaceID, count: people, log: log)

        func thread(_ title: String) async throws -> String {
            let answer = try await api.call("POST", "/api/v1/workspaces/\(workspaceID)/threads", body: ["title": title, "body": "Benchmark thread."], bearer: adminToken)
            guard let id = ((answer.json as? [String: Any])?["result"] as? [String: Any]).flatMap({ ($0["thread"] as? [String: Any])?["id"] as? String }) else {
                throw BenchError("thread creation returned no result.thread.id: \(answer.text.prefix(200))")
            }
            return id
        }
        let fanout = try await thread("Fan-out")
        var writers: [String] = []
        for i in 0..<writerThreads { writers.append(try await thread("Writer \(i)")) }
        return Fixture(workspaceID: workspaceID, tokens: tokens, fanoutThread: fanout, writerThreads: writers)
    }
}

extension Setup {
    /// Logs the admin in and makes a bearer token for the setup calls.
    static func adminToken(api: API) async throws -> String {
        let (cookie, csrf) = try await api.login(email: adminEmail, password: adminPassword)
        guard let token = try await api.call("POST", "/api/v1/tokens", body: ["name": "bench-admin"], cookie: cookie, csrf: csrf).string("token") else {
            throw BenchError("POST /api/v1/tokens returned no token")
        }
        return token
    }

    /// A closed workspace owned by the admin; returns its id.
    static func workspace(api: API, adminToken: String, name: String, description: String) async throws -> String {
        let workspace = try await api.call("POST", "/api/v1/workspaces", body: ["name": name, "description": description, "visibility": "closed"], bearer: adminToken)
        guard let workspaceID = workspace.string("id") else { throw BenchError("POST /api/v1/workspaces returned no id") }
        return workspaceID
    }

    /// `count` people (`bench<i>@bench.invalid`), each made a member of the workspace and
    /// given a bearer token, 16 at a time; returns the tokens in order.
    static func members(api: API, adminToken: String, workspaceID: String, count people: Int, log: (String) -> Void) async throws -> [String] {
        let started = Date()
        var tokens = [String](repeating: "", count: people)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask {
                    let email = "bench\(i)@bench.invalid"
                    let password = "bench-password-\(i)"
                    let person = try await api.call("POST", "/api/v1/admin/users", body: [
                        "email": email, "name": "Bench Person \(i)", "password": password, "role": "member",
                    ], bearer: adminToken)
                    guard let personID = person.string("id") else { throw BenchError("POST /api/v1/admin/users returned no id") }
                    _ = try await api.call("POST", "/api/v1/workspaces/\(workspaceID)/members", body: ["personId": personID], bearer: adminToken)
                    return (i, try await api.token(email: email, password: password))
                }
            }
            for _ in 0..<min(16, people) { add() }
            while let (i, token) = try await group.next() {
                tokens[i] = token
                if next < people { add() }
                let done = tokens.lazy.filter { !$0.isEmpty }.count
                if done % 250 == 0 { log("  \(done)/\(people) members ready (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)") }
            }
        }
        return tokens
    }
}
