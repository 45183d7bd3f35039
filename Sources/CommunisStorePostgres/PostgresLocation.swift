import Foundation

/// Where the PostgreSQL database is, from `storage.url`:
/// `postgres://user[:password]@host[:port]/database?sslmode=disable|prefer|require|verify-full&sslrootcert=/path`
/// (`postgresql://` too; a host starting with `/` — percent-encoded — is a Unix socket folder).
/// A password in the URL wins; otherwise `COMMUNIS_STORAGE_PASSWORD` supplies it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        /// Never TLS (a database on this machine or a private network).
        case disable
        /// TLS if the server offers it, certificate not checked.
        case prefer
        /// TLS required, certificate not checked.
        case require
        /// TLS required, certificate checked against the system's or `sslrootcert`'s CAs and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// A PEM file of CAs for `verify-full`; empty: the system's trust store.
    public var rootCertificate: String

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
                tls: TLSMode = .prefer, rootCertificate: String = "") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificate = rootCertificate
    }

    /// Parses `storage.url`; the error says what is wrong with it (never the password).
    public init(url text: String, password fallback: String? = nil) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresStoreError.badURL("storage.url must look like postgres://user@host:5432/communis")
        }
        let host = components.percentEncodedHost?.removingPercentEncoding ?? components.host ?? ""
        guard !host.isEmpty else { throw PostgresStoreError.badURL("storage.url names no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresStoreError.badURL("storage.url names no database (…/communis)") }
        guard let user = components.user, !user.isEmpty else { throw PostgresStoreError.badURL("storage.url names no user (postgres://user@host/…)") }
        var tls = TLSMode.prefer
        var root = ""
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                // libpq's allow/verify-ca fold into the nearest mode this client offers.
                switch item.value ?? "" {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require": tls = .require
                case "verify-ca", "verify-full": tls = .verifyFull
                default: throw PostgresStoreError.badURL("storage.url: sslmode must be disable, prefer, require or verify-full")
                }
            case "sslrootcert": root = item.value ?? ""
            default: throw PostgresStoreError.badURL("storage.url: unknown parameter \(item.name) (sslmode and sslrootcert are known)")
            }
        }
        self.init(host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                  password: components.password?.removingPercentEncoding ?? fallback, database: database, tls: tls, rootCertificate: root)
    }

    /// Whether `storage.url` names PostgreSQL (else the embedded SQLite file).
    public static func isPostgres(_ url: String) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// Without the password.
    public var description: String { "postgres://\(username)@\(isUnixSocket ? "[\(host)]" : host):\(port)/\(database)?sslmode=\(tls.rawValue)" }
}

/// Errors of the PostgreSQL engine that are not domain errors.
public enum PostgresStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    case badURL(String)
    case migration(String)
    case corrupt(String)
    case unreachable(String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .badURL(let why): why
        case .migration(let why): "a PostgreSQL migration failed: \(why)"
        case .corrupt(let what): "unexpected value in the database: \(what)"
        case .unreachable(let why): "the database cannot be reached: \(why)"
        case .tooLarge(let what): "too large: \(what)"
        }
    }
}
