import AsyncHTTPClient
import CommunisTesting
import CommunisServices
import Foundation
import Logging
import Synchronization
import Testing
@testable import CommunisOIDC


enum OIDCTest {
    static let redirectURI = "http://127.0.0.1:8080/api/v1/auth/oidc/callback"

    /// Configured as the server's should be: async-http-client retries a refused connection
    /// until the connect timeout, so that timeout is how long "the provider is down" takes to
    /// show; redirects are not followed (a token request must not be re-sent elsewhere).
    /// Never shut down: it lives as long as the test process.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func client(issuer: String, clientID: String = "communis", secret: String = "s3cret:with space&more",
                       groupsClaim: String = "groups", timing: OIDCClient.Timing = .init(), logger: Logger = LogCapture().logger) throws -> OIDCClient {
        try OIDCClient(
            settings: OIDCSettings(issuer: issuer, clientID: clientID, clientSecret: secret, groupsClaim: groupsClaim),
            httpClient: httpClient, logger: logger, timing: timing)
    }

    /// Runs `body`, which must fail with `OIDCError.rejected`, and returns the message.
    static func rejection(_ body: () async throws -> some Any, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
        do {
            _ = try await body()
            Issue.record("expected the login to be rejected, and it succeeded", sourceLocation: sourceLocation)
        } catch OIDCError.rejected(let why) {
            return why
        } catch {
            Issue.record("expected OIDCError.rejected, got \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }

    /// The query parameters of a URL, by name.
    static func query(of url: String) throws -> [String: String] {
        let items = try #require(URLComponents(string: url)?.queryItems)
        return Dictionary(items.map { ($0.name, $0.value ?? "") }) { first, _ in first }
    }
}
