import AsyncHTTPClient
import CommunisLDAP
import CommunisMail
import CommunisOIDC
import CommunisServices
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// The outside systems the configuration names, built once: the directory (libldap), the
/// OpenID Connect provider (async-http-client, jwt-kit) and the SMTP server (libcurl).
/// Each is nil when its configuration is empty.
public struct IdentityAdapters: Sendable {
    public var directory: (any DirectorySource)?
    public var identityProvider: (any IdentityProvider)?
    public var mailTransport: (any MailTransport)?
    /// The HTTP client of the OIDC provider calls; shut down by `HTTPClientService`.
    var httpClient: HTTPClient?
    /// The threads of the blocking libldap and libcurl calls; stopped by `ThreadPoolService`.
    var threadPools: [NIOThreadPool] = []

    public init(directory: (any DirectorySource)? = nil, identityProvider: (any IdentityProvider)? = nil, mailTransport: (any MailTransport)? = nil) {
        self.directory = directory
        self.identityProvider = identityProvider
        self.mailTransport = mailTransport
    }

    /// Builds what the configuration asks for; a setting that cannot work stops start-up
    /// with a message naming it. `check` also reaches the directory and the provider once.
    public static func make(_ configuration: Configuration, check: Bool, logger: Logger) async throws -> IdentityAdapters {
        var adapters = IdentityAdapters()
        let directory = configuration.directory
        if directory.isEnabled {
            let settings = LDAPDirectorySettings(
                url: directory.url, kind: directory.kind == "active-directory" ? .activeDirectory : .openLDAP, startTLS: directory.startTLS,
                caFile: directory.caFile, verifyCertificates: directory.verifyCertificates, bindDN: directory.bindDN,
                bindPassword: directory.bindPassword, userBase: directory.userBase, userFilter: directory.userFilter,
                groupBase: directory.groupBase, groupFilter: directory.groupFilter, attributes: directory.attributes,
                pageSize: directory.pageSize, timeoutSeconds: directory.timeoutSeconds)
            // Threads of its own: a directory that hangs holds a thread for a whole timeout, and
            // must not starve bcrypt and the other users of NIO's shared pool (2 threads on 2 cores).
            let threads = NIOThreadPool(numberOfThreads: 4)
            threads.start()
            let ldap: LDAPDirectory
            do { ldap = try LDAPDirectory(settings: settings, logger: logger, threadPool: threads) } catch {
                try? await threads.shutdownGracefully()
                throw ConfigurationError("directory: \(error)")
            }
            adapters.threadPools.append(threads)
            if check {
                do { try await ldap.check() } catch {
                    throw ConfigurationError("directory.url \(directory.url): \(error)")
                }
            }
            adapters.directory = ldap
        }
        let oidc = configuration.oidc
        if oidc.isEnabled {
            // No redirects (a token request must never be re-sent elsewhere), and a short connect
            // timeout: async-http-client retries a refused connection until it expires, so a
            // provider that is down would otherwise hold each login for ten seconds.
            var http = HTTPClient.Configuration(redirectConfiguration: .disallow)
            http.timeout.connect = .seconds(3)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
            adapters.httpClient = client
            let settings = OIDCSettings(issuer: oidc.issuer, clientID: oidc.clientID, clientSecret: oidc.clientSecret, scopes: oidc.scopes,
                                        groupsClaim: oidc.groupsClaim, displayName: oidc.displayName)
            do {
                let provider = try OIDCClient(settings: settings, httpClient: client, logger: logger)
                if check { try await provider.check() }
                adapters.identityProvider = provider
            } catch {
                // Start-up fails anyway; a client that does not shut down cleanly changes nothing.
                try? await client.shutdown()
                throw ConfigurationError("oidc.issuer \(oidc.issuer): \(error)")
            }
        }
        let mail = configuration.mail
        if mail.isEnabled {
            let security: SMTPSettings.Security = switch mail.security {
            case "tls": .tls
            case "none": .none
            default: .startTLS
            }
            // The dispatcher sends one message at a time; a second thread serves a test mail or
            // a second node's lease while the first waits for a slow server.
            let threads = NIOThreadPool(numberOfThreads: 2)
            threads.start()
            adapters.threadPools.append(threads)
            adapters.mailTransport = SMTPTransport(settings: SMTPSettings(
                host: mail.smtpHost, port: mail.smtpPort, security: security, username: mail.username, password: mail.password,
                fromAddress: mail.fromAddress, fromName: mail.fromName, caFile: mail.caFile, verifyCertificates: mail.verifyCertificates,
                timeoutSeconds: mail.timeoutSeconds), logger: logger, threadPool: threads)
        }
        return adapters
    }
}

/// Stops the directory's and the mail transport's threads when the server stops.
struct ThreadPoolService: Service {
    let pool: NIOThreadPool

    func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}

/// Shuts the OIDC provider's HTTP client down when the server stops.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
