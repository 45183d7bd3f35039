// swift-tools-version:6.1
// Communis: a real-time collaboration and web meeting server.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "communis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "communis", targets: ["communis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        /// Domain values and rules: typed ids, people, roles, workspaces, visibility and
        /// membership policy, validation and domain errors. Foundation only, no I/O.
        .target(name: "CommunisModel", swiftSettings: swiftSettings),

        /// The safe Markdown subset of discussions and blogs, rendered to HTML exactly as
        /// web/lib/markdown.js renders it (shared golden cases), plus plain text and mentions.
        .target(name: "CommunisMarkdown", swiftSettings: swiftSettings),

        /// The live protocol (docs/protocol.md): envelope, event kinds and payload shapes,
        /// error and close codes. No I/O.
        .target(name: "CommunisWire", dependencies: ["CommunisModel"], swiftSettings: swiftSettings),

        /// Storage interfaces, each with its guarantees in doc comments. Every engine
        /// (SQLite now, PostgreSQL later) implements these and passes the same contract tests.
        .target(name: "CommunisStore", dependencies: ["CommunisModel"], swiftSettings: swiftSettings),

        /// The embedded default engine: GRDB on the system libsqlite3, WAL, foreign keys,
        /// versioned append-only migrations. The only target that contains SQL.
        .target(
            name: "CommunisStoreSQLite",
            dependencies: [
                "CommunisModel", "CommunisStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The engine for installations that outgrow one machine and for a cluster of nodes:
        /// PostgreSQL through postgres-nio (a connection pool), append-only migrations under an
        /// advisory lock, gapless per-workspace seqs with row locks, Swedish full-text search
        /// with unaccent. Passes the same contract suite as the SQLite engine.
        .target(
            name: "CommunisStorePostgres",
            dependencies: [
                "CommunisModel", "CommunisStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The use cases: accounts and login, the people directory, workspaces and their
        /// members. Applies the rules of CommunisModel over the CommunisStore protocols.
        /// No HTTP and no SQL: the live hub (later) calls the same services.
        .target(
            name: "CommunisServices",
            dependencies: [
                "CommunisModel", "CommunisStore", "CommunisWire", "CommunisMarkdown", "CommunisFiles",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The files of document libraries: the content-addressed blob store (SHA-256 names,
        /// written to a temporary file, fsynced and renamed; stored once), text extraction
        /// (pdftotext, the XML of OOXML and ODF files, LibreOffice for the rest) and previews
        /// (LibreOffice headless, poppler). Never the store, never HTTP.
        .target(
            name: "CommunisFiles",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),

        /// libopus (Debian's libopus-dev), with wrappers for the variadic ctl calls.
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),

        /// libogg (Debian's libogg-dev): Ogg pages for Opus packets muxed without re-encoding.
        .systemLibrary(name: "COgg", pkgConfig: "ogg", providers: [.apt(["libogg-dev"])]),

        /// The meeting media plane: one relay actor per meeting forwards each participant's Opus
        /// packets unchanged to the others (per-listener bounded queues, drop-oldest), tracks
        /// who is speaking and per-stream statistics; Opus encode/decode and Ogg Opus muxing for
        /// tests and recordings. Never the store, never the hub.
        .target(
            name: "CommunisMedia",
            dependencies: [
                "COpus", "COgg",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        /// libldap (Debian's libldap-dev): the system OpenLDAP client library, with wrappers
        /// for what Swift cannot call directly.
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),

        /// The organisation's directory over libldap: simple and search-then-bind, ldaps:// and
        /// StartTLS with a CA file, paged results, timeouts, reconnects, RFC 4515 filter
        /// escaping; OpenLDAP and Active Directory attribute sets and nested groups.
        /// Implements `DirectorySource` of CommunisServices.
        .target(
            name: "CommunisLDAP",
            dependencies: [
                "CLDAP", "CommunisServices",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// libcurl (Debian's libcurl4-openssl-dev), used for its SMTP client only.
        /// zlib and the brotli encoder (Debian's zlib1g-dev and libbrotli-dev): the browser
        /// client's files are compressed once, when the server starts.
        .systemLibrary(name: "CCompression", providers: [.apt(["zlib1g-dev", "libbrotli-dev"])]),

        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        /// Outgoing e-mail: MIME composition (text and HTML, UTF-8) and an SMTP transport with
        /// STARTTLS or TLS and authentication. Implements `MailTransport` of CommunisServices.
        .target(
            name: "CommunisMail",
            dependencies: [
                "CCurl", "CommunisServices",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// OpenID Connect login: discovery, authorization code flow with PKCE, state and nonce,
        /// ID token validation against the provider's JWKS with key rotation (jwt-kit), the
        /// provider calls through async-http-client. Implements `IdentityProvider`.
        .target(
            name: "CommunisOIDC",
            dependencies: [
                "CommunisServices",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// Web Push: message encryption (RFC 8291, aes128gcm of RFC 8188), the installation's
        /// VAPID key and tokens (RFC 8292), delivery to each device's push service (RFC 8030)
        /// through async-http-client, removing devices whose service answers 404/410.
        /// Implements `PushSending` of CommunisServices.
        .target(
            name: "CommunisPush",
            dependencies: [
                "CommunisModel", "CommunisStore", "CommunisServices",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The live hub: connections, one actor per workspace room, presence, typing, ordered
        /// fan-out of stored events with resume, and each connection's command session.
        /// Knows sinks, not sockets: the WebSocket itself lives in CommunisServer.
        .target(
            name: "CommunisHub",
            dependencies: [
                "CommunisModel", "CommunisStore", "CommunisServices", "CommunisWire", "CommunisMedia",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The HTTP shell: typed configuration, authentication (sessions, CSRF, bearer tokens,
        /// login delays, OIDC redirects, trusted proxies), the `/api/v1` routes, problem+json
        /// errors, static `web/`, the demo organisation, the outside systems built from the
        /// configuration (directory, OIDC provider, SMTP) and `buildApplication`, used by the
        /// executable and tests alike.
        .target(
            name: "CommunisServer",
            dependencies: [
                "CommunisModel", "CommunisStore", "CommunisServices", "CommunisWire", "CommunisHub", "CommunisMarkdown", "CommunisMedia",
                "CommunisLDAP", "CommunisMail", "CommunisOIDC", "CCompression", "CommunisFiles", "CommunisPush",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        /// `communis bench hub|relay|search|recording`: the live hub and the meeting audio relay
        /// under load (load client on NIO, server as a child process; libwebsockets, raw SQLite
        /// and a bare NIO WebSocket relay as baselines measured in the same run), search through
        /// the endpoint against raw FTS5, and the recorder's CPU time against bare libopus.
        .target(
            name: "CommunisBench",
            dependencies: [
                "COpus", "CommunisMedia", "CommunisModel", "CommunisStoreSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        /// The `communis` executable: argument parsing and `@main` only.
        .executableTarget(
            name: "communis",
            dependencies: [
                "CommunisServer", "CommunisBench", "CommunisStoreSQLite", "CommunisStorePostgres", "CommunisModel", "CommunisStore",
                "CommunisServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        /// Test support, not a product: a WebSocket client for tests (text and binary frames),
        /// Opus tone fixtures and helpers shared by the test targets.
        .target(
            name: "CommunisTesting",
            dependencies: [
                "CommunisMedia", "CommunisModel", "CommunisStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "CommunisMediaTests",
            dependencies: [
                "CommunisMedia", "CommunisTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisLDAPTests",
            dependencies: [
                "CommunisLDAP", "CommunisServices", "CommunisTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisMailTests",
            dependencies: ["CommunisMail", "CCurl", "CommunisServices", "CommunisTesting", .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisOIDCTests",
            dependencies: [
                "CommunisOIDC", "CommunisServices", "CommunisTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisStorePostgresTests",
            dependencies: ["CommunisStorePostgres", "CommunisStoreSQLite", "CommunisStore", "CommunisModel", "CommunisTesting",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisFilesTests",
            dependencies: [
                "CommunisFiles", "CommunisServices", "CommunisStore", "CommunisModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisPushTests",
            dependencies: [
                "CommunisPush", "CommunisServices", "CommunisStoreSQLite", "CommunisStore", "CommunisModel", "CommunisTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CommunisModelTests", dependencies: ["CommunisModel"], swiftSettings: swiftSettings),
        .testTarget(name: "CommunisMarkdownTests", dependencies: ["CommunisMarkdown"], swiftSettings: swiftSettings),
        .testTarget(name: "CommunisWireTests", dependencies: ["CommunisWire", "CommunisModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CommunisHubTests",
            dependencies: [
                "CommunisHub", "CommunisServices", "CommunisStoreSQLite", "CommunisStore", "CommunisModel", "CommunisWire",
                "CommunisMedia",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisStoreSQLiteTests",
            dependencies: [
                "CommunisStoreSQLite", "CommunisStore", "CommunisModel", "CommunisTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommunisServerTests",
            dependencies: [
                "CommunisServer", "CommunisServices", "CommunisStoreSQLite", "CommunisStore", "CommunisModel",
                "CommunisMedia", "CommunisTesting", "CommunisFiles",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
