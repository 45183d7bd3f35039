import CommunisModel
import CommunisServer
import CommunisServices
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// A World whose server logs people in through a real slapd (the fixture directory of the
/// demo organisation, StartTLS with its own CA), built through the same configuration keys
/// and adapters as production.
struct DirectoryWorld {
    let world: World
    let slapd: Slapd
    let adapters: IdentityAdapters

    static func make(_ configure: (inout Configuration) -> Void = { _ in }) async throws -> DirectoryWorld {
        let slapd = try await Slapd.start()
        let world = try await World.make { configuration in
            configuration.directory.url = slapd.url
            configuration.directory.kind = "openldap"
            configuration.directory.startTLS = true
            configuration.directory.caFile = slapd.caFile
            configuration.directory.bindDN = slapd.serviceDN
            configuration.directory.bindPassword = slapd.servicePassword
            configuration.directory.userBase = slapd.peopleBase
            configuration.directory.groupBase = slapd.groupsBase
            configuration.directory.syncIntervalMinutes = 0
            configuration.directory.timeoutSeconds = 3
            configure(&configuration)
        }
        let adapters = try await IdentityAdapters.make(world.configuration, check: true, logger: quietLogger)
        return DirectoryWorld(world: world, slapd: slapd, adapters: adapters)
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        do { try await world.test(adapters: adapters, body) } catch {
            await slapd.stop()
            throw error
        }
        await slapd.stop()
    }
}

extension Browser {
    /// Logs in with a login name or e-mail (the directory's password by default).
    static func loggedIn(_ client: any TestClientProtocol, login: String, password: String = Slapd.password) async throws -> Browser {
        var browser = Browser(client)
        let response = try await browser.send(.post, "/api/v1/session", json: ["login": login, "password": password])
        #expect(response.status == .ok, "login of \(login) failed: \(String(buffer: response.body))")
        browser.take(response)
        return browser
    }

    /// The id of the logged-in person.
    func myID() async throws -> String {
        try #require(try await get("/api/v1/me").json["id"] as? String)
    }
}

extension TestResponse {
    var items: [[String: Any]] { (json["items"] as? [[String: Any]]) ?? [] }
}

extension Slapd {
    /// Kills slapd as a crash or a power cut would (its data stays for `restart()`).
    func crash() throws {
        let files = FileManager.default.enumerator(atPath: directory)
        while let file = files?.nextObject() as? String {
            guard file.hasSuffix("slapd.pid"),
                  let text = try? String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            kill(pid, SIGKILL)
            return
        }
        Issue.record("no slapd.pid under \(directory)")
    }
}
