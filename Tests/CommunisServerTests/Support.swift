import CommunisModel
import CommunisServer
import CommunisServices
import CommunisStore
import CommunisStoreSQLite
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// A fresh Communis on a real SQLite file in a temporary folder, with a small cast:
/// an administrator, two employees in different departments, and a guest.
struct World {
    static let password = "Katrineholm2026"
    let directory: URL
    let store: SQLiteStore
    var configuration: Configuration
    let admin: Person
    let erik: Person
    let sara: Person
    let guest: Person

    static func make(_ configure: (inout Configuration) -> Void = { _ in }) async throws -> World {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("communis-test-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration.defaults
        configuration.dataDirectory = directory.path
        configuration.recordingsDirectory = directory.appendingPathComponent("recordings").path
        configuration.documentsDirectory = directory.appendingPathComponent("documents").path
        configuration.bcryptCost = 4  // the minimum: these tests check behaviour, not hash strength
        configuration.loginAttemptsPerAddress = 1000
        configure(&configuration)
        let store = try SQLiteStore.open(path: configuration.databasePath, logger: quietLogger)
        let administration = Administration(store: store, hasher: BcryptPasswordHasher(cost: 4))
        func add(_ email: String, _ name: String, _ role: Role, _ department: String) async throws -> Person {
            try await administration.createAccount(NewAccount(
                email: email, name: name, password: password, role: role,
                profile: Profile(title: "Titel", department: department, workplace: "Stadshuset", competences: ["GIS"])))
        }
        return World(
            directory: directory, store: store, configuration: configuration,
            admin: try await add("anna@katrineholm.se", "Anna Lindqvist", .admin, "Kommunledningsförvaltningen"),
            erik: try await add("erik@katrineholm.se", "Erik Johansson", .member, "Bildningsförvaltningen"),
            sara: try await add("sara@katrineholm.se", "Sara Nilsson", .member, "Vård- och omsorgsförvaltningen"),
            guest: try await add("lena@konsult.se", "Lena Berg", .guest, "Konsultbolaget"))
    }

    /// Runs `body` against the real router, then removes the folder.
    func test(adapters: IdentityAdapters = IdentityAdapters(), _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try await buildApplication(configuration: configuration, store: store, logger: quietLogger, adapters: adapters)
        try await app.test(.router) { client in try await body(client) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` against the real server on a loopback socket (so the peer address is
    /// 127.0.0.1, and `X-Forwarded-For` counts when 127.0.0.1 is a trusted proxy).
    func testLive(adapters: IdentityAdapters = IdentityAdapters(), clock: CommunisServices.Clock = CommunisServices.Clock(),
                  _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try await buildApplication(configuration: configuration, store: store, clock: clock, logger: quietLogger, adapters: adapters)
        try await app.test(.live) { client in try await body(client) }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A browser's view of the API: keeps the session cookie and CSRF token like the web client.
struct Browser: Sendable {
    let client: any TestClientProtocol
    var cookie: String?
    var csrf: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    static func loggedIn(_ client: any TestClientProtocol, as person: Person, password: String = World.password, headers: HTTPFields = [:]) async throws -> Browser {
        var browser = Browser(client)
        let response = try await browser.send(.post, "/api/v1/session", json: ["email": person.email, "password": password], headers: headers)
        #expect(response.status == .ok, "login of \(person.email) failed: \(String(buffer: response.body))")
        browser.take(response)
        return browser
    }

    mutating func take(_ response: TestResponse) {
        if let setCookie = response.headers[.setCookie], let pair = setCookie.split(separator: ";").first {
            cookie = String(pair)
        }
        if let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
           let token = json["csrfToken"] as? String {
            csrf = token
        }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, json: Any? = nil, raw: String? = nil, headers extra: HTTPFields = [:], csrf sendCSRF: Bool = true) async throws -> TestResponse {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        if sendCSRF, let csrf, method != .get { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    func get(_ uri: String) async throws -> TestResponse { try await send(.get, uri) }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    /// The body as text.
    var text: String { String(buffer: body) }

    /// The problem code of an error answer.
    var problemCode: String? { json["code"] as? String }

    var itemNames: [String] {
        ((json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }
}

/// Tests log only what would be worth a person's attention.
let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()
