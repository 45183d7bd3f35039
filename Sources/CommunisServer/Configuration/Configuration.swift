import Foundation
import Yams

/// The whole configuration of a Communis server, typed. Built from, in rising precedence:
/// the defaults in `keys`, the YAML file, `COMMUNIS_…` environment variables, and flags.
public struct Configuration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var publicURL: String
    public var allowedOrigins: [String]
    /// Proxies whose X-Forwarded-For is believed (IPs or CIDR ranges).
    public var trustedProxies: [String]
    public var webRoot: String
    /// `server.web_bundle`: bundle `webRoot` with esbuild at start and serve the bundle.
    public var webBundle: Bool
    /// `server.web_build_dir`: where bundles are built and kept (empty: `<data_dir>/web-build`).
    public var webBuildDirectory: String
    public var openAPIFile: String
    public var dataDirectory: String
    public var recordingsDirectory: String
    /// `storage.documents_dir`: the document libraries' files.
    public var documentsDirectory: String
    /// `storage.url`: empty (or `sqlite:`) for SQLite, a `postgres://` URL for PostgreSQL.
    public var storageURL: String
    public var storagePassword: String
    public var storagePoolSize: Int
    /// `cluster.node_id`: this node's name among the nodes of one PostgreSQL database
    /// (empty: host name and port).
    public var clusterNodeID: String
    /// `cluster.address`: where the other nodes reach this one (empty: http://host:port).
    public var clusterAddress: String
    public var maxBodyBytes: Int
    public var sessionLifetimeHours: Int
    public var freeAttempts: Int
    public var maxDelaySeconds: Int
    public var loginAttemptsPerAddress: Int
    public var loginWindowSeconds: Int
    public var passwordResetMinutes: Int
    public var bcryptCost: Int
    public var invitationLifetimeHours: Int
    public var logLevel: String
    public var silenceTimeoutSeconds: Int
    public var liveMaxFrameBytes: Int
    public var liveMaxMessageBytes: Int
    public var liveMaxQueuedBytes: Int
    public var livePingIntervalSeconds: Int
    public var liveIdleTimeoutSeconds: Int
    public var liveCommandBurst: Int
    public var liveCommandsPerSecond: Int
    public var liveReplayLimit: Int
    public var eventRetentionDays: Int
    public var meetingMaxParticipants: Int
    public var meetingMaxPacketBytes: Int
    public var meetingMaxPacketsPerSecond: Int
    public var meetingListenerQueuePackets: Int
    /// `meeting.audio_max_age_ms`: audio queued for a listener longer than this is dropped.
    public var meetingAudioMaxAgeMs: Int
    /// `meeting.rejoin_grace_seconds`: how long a lost participant may take their place back.
    public var meetingRejoinGraceSeconds: Int
    public var meetingInvitationLifetimeHours: Int
    public var recordingMinFreeMB: Int
    public var recordingKeepParticipantStreams: Bool
    public var recordingBitrate: Int
    public var directory: DirectoryConfiguration
    public var oidc: OIDCConfiguration
    public var mail: MailConfiguration
    public var auditRetentionDays: Int
    public var documents: DocumentsConfiguration
    /// Web Push (`push.*`).
    public var push: PushConfiguration
    /// `news.*` (issue 14).
    public var news: NewsConfiguration

    /// Every key, with type, default, range and meaning. `config/communis.yaml` lists the same.
    public static let keys: [ConfigurationKey] = [
        .init(name: "server.host", kind: .string, defaultValue: .string("127.0.0.1"),
              help: "Address to listen on; 0.0.0.0 for all interfaces."),
        .init(name: "server.port", kind: .integer(0...65535), defaultValue: .integer(8080),
              help: "TCP port (0 picks a free one)."),
        .init(name: "server.public_url", kind: .string, defaultValue: .string(""),
              help: "The address people use, e.g. https://communis.katrineholm.se; used in invitation links and as the server's own origin. Empty: taken from each request's Host."),
        .init(name: "server.allowed_origins", kind: .stringList, defaultValue: .stringList([]),
              help: "Further origins (scheme://host[:port]) whose browser requests and WebSocket upgrades are accepted."),
        .init(name: "server.trusted_proxies", kind: .stringList, defaultValue: .stringList([]),
              help: "Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For gives the client's address; from anyone else the header is ignored."),
        .init(name: "server.web_root", kind: .string, defaultValue: .string("web"),
              help: "Folder with the browser client."),
        .init(name: "server.web_bundle", kind: .boolean, defaultValue: .boolean(true),
              help: "Bundle and minify the browser client with esbuild (Debian's esbuild) when the server starts, and serve the content-hashed, precompressed bundle; false, or no esbuild installed, serves web_root's modules as they are (development)."),
        .init(name: "server.web_build_dir", kind: .string, defaultValue: .string(""),
              help: "Folder where bundles are built and kept between starts; empty: web-build inside storage.data_dir."),
        .init(name: "server.openapi_file", kind: .string, defaultValue: .string("docs/openapi.yaml"),
              help: "The OpenAPI document served at /api/openapi.yaml."),
        .init(name: "storage.data_dir", kind: .string, defaultValue: .string("./data"),
              help: "Folder of the SQLite database (communis.sqlite)."),
        .init(name: "storage.recordings_dir", kind: .string, defaultValue: .string("./recordings"),
              help: "Folder of meeting and guide recordings; in a cluster, storage every node shares."),
        .init(name: "storage.url", kind: .string, defaultValue: .string(""),
              help: "The database: empty or sqlite: for the embedded SQLite file in storage.data_dir; postgres://user@host:5432/communis?sslmode=verify-full for PostgreSQL."),
        .init(name: "storage.password", kind: .string, defaultValue: .string(""),
              help: "PostgreSQL password when it is not in storage.url; usually given as COMMUNIS_STORAGE_PASSWORD."),
        .init(name: "storage.pool_size", kind: .integer(2...500), defaultValue: .integer(20),
              help: "Most PostgreSQL connections this node opens."),
        .init(name: "cluster.node_id", kind: .string, defaultValue: .string(""),
              help: "This node's name in a cluster (nodes on one PostgreSQL database); empty: the host name and port. Shown by /healthz and the metrics."),
        .init(name: "cluster.address", kind: .string, defaultValue: .string(""),
              help: "Where the other nodes of a cluster reach this one directly (http://10.0.0.5:8080); empty: http://<server.host>:<server.port>."),
        .init(name: "http.max_body_bytes", kind: .integer(1024...1_073_741_824), defaultValue: .integer(1_048_576),
              help: "Largest accepted request body; larger ones get 413."),
        .init(name: "http.silence_timeout_seconds", kind: .integer(1...3600), defaultValue: .integer(30),
              help: "A connection that sends and receives nothing this long is closed (unfinished handshakes, idle keep-alive)."),
        .init(name: "live.max_frame_bytes", kind: .integer(125...16_777_216), defaultValue: .integer(65536),
              help: "Largest WebSocket frame a client may send; larger ones close the connection with 1009."),
        .init(name: "live.max_message_bytes", kind: .integer(125...16_777_216), defaultValue: .integer(65536),
              help: "Largest live message (all fragments together); larger ones close with 1009."),
        .init(name: "live.max_queued_bytes", kind: .integer(1024...1_073_741_824), defaultValue: .integer(1_048_576),
              help: "Outgoing bytes that may wait for a slow client before it is closed with 4008."),
        .init(name: "live.ping_interval_seconds", kind: .integer(1...3600), defaultValue: .integer(25),
              help: "How often the server pings a live connection."),
        .init(name: "live.idle_timeout_seconds", kind: .integer(2...7200), defaultValue: .integer(60),
              help: "A live connection that sends nothing (not even a pong) this long is closed with 4000."),
        .init(name: "live.command_burst", kind: .integer(1...10000), defaultValue: .integer(40),
              help: "Commands a connection may send at once before rate limiting ..."),
        .init(name: "live.commands_per_second", kind: .integer(1...10000), defaultValue: .integer(10),
              help: "... and the sustained rate after that."),
        .init(name: "live.replay_limit", kind: .integer(1...1_000_000), defaultValue: .integer(1000),
              help: "Missed events a reconnecting client is sent; further behind, it is told to reload."),
        .init(name: "live.event_retention_days", kind: .integer(1...3650), defaultValue: .integer(30),
              help: "Events older than this are pruned from the resume log (the newest replay_limit per workspace are kept)."),
        .init(name: "meeting.max_participants", kind: .integer(2...1000), defaultValue: .integer(50),
              help: "Participants in one meeting (people in the lobby not counted); more get meeting-full."),
        .init(name: "meeting.max_packet_bytes", kind: .integer(16...1275), defaultValue: .integer(1000),
              help: "Largest Opus packet in an audio frame (after the 10-byte header); larger frames are counted and dropped."),
        .init(name: "meeting.max_packets_per_second", kind: .integer(10...1000), defaultValue: .integer(60),
              help: "Audio packets per second one participant may send (bursts of one second allowed); more are counted and dropped."),
        .init(name: "meeting.listener_queue_packets", kind: .integer(4...4096), defaultValue: .integer(64),
              help: "Audio frames held for a listener whose connection cannot keep up; beyond that the oldest are dropped and counted."),
        .init(name: "meeting.audio_max_age_ms", kind: .integer(100...60000), defaultValue: .integer(1000),
              help: "Audio held for such a listener is sent when their connection takes it again only if it waited less than this; older audio is dropped and counted (droppedStale)."),
        .init(name: "meeting.rejoin_grace_seconds", kind: .integer(0...300), defaultValue: .integer(15),
              help: "How long a participant whose connection was lost keeps their place (shown as reconnecting) and may rejoin with the same stream; 0: they leave at once."),
        .init(name: "meeting.invitation_lifetime_hours", kind: .integer(1...8760), defaultValue: .integer(168),
              help: "How long a meeting invitation link for a guest is valid (it also stops working when the meeting ends)."),
        .init(name: "recording.min_free_mb", kind: .integer(0...1_000_000), defaultValue: .integer(200),
              help: "Free space (MiB) the recordings folder's disk must keep; below it a recording stops with disk-full while the meeting goes on."),
        .init(name: "recording.keep_participant_streams", kind: .boolean, defaultValue: .boolean(true),
              help: "Also keep each participant's own Opus packets, muxed into Ogg without re-encoding, beside the mixed recording."),
        .init(name: "recording.bitrate", kind: .integer(8000...256_000), defaultValue: .integer(32000),
              help: "Bits per second of the mixed recording's Opus encoding."),
        .init(name: "auth.session_lifetime_hours", kind: .integer(1...8760), defaultValue: .integer(336),
              help: "How long a login lasts without use; each use in its second half renews it."),
        .init(name: "auth.free_attempts", kind: .integer(1...100), defaultValue: .integer(5),
              help: "Failed logins in a row for one account from one address before each further attempt from there must wait (1, 2, 4 … seconds). Other addresses are never affected."),
        .init(name: "auth.max_delay_seconds", kind: .integer(1...86400), defaultValue: .integer(900),
              help: "The longest such wait."),
        .init(name: "auth.login_attempts_per_address", kind: .integer(1...100_000), defaultValue: .integer(100),
              help: "Failed logins allowed from one client address (all accounts together) per window."),
        .init(name: "auth.login_window_seconds", kind: .integer(1...86400), defaultValue: .integer(600),
              help: "The window of login_attempts_per_address."),
        .init(name: "auth.password_reset_minutes", kind: .integer(5...1440), defaultValue: .integer(60),
              help: "How long a password reset link sent by e-mail works."),
        .init(name: "auth.bcrypt_cost", kind: .integer(4...16), defaultValue: .integer(12),
              help: "bcrypt work factor of new password hashes (each step doubles the time)."),
        .init(name: "auth.invitation_lifetime_hours", kind: .integer(1...8760), defaultValue: .integer(168),
              help: "How long a guest's invitation link is valid."),
    ] + documentKeys + newsKeys + identityKeys + pushKeys + [
        .init(name: "log.level", kind: .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
              defaultValue: .string("info"), help: "Least severe log level written."),
    ]

    /// The defaults alone.
    public static var defaults: Configuration {
        // The table's defaults are valid by construction; a failure here is a programming error.
        try! Configuration(values: [:])
    }

    init(values: [String: ConfigurationValue]) throws {
        func value(_ name: String) -> ConfigurationValue {
            values[name] ?? Self.keys.first { $0.name == name }!.defaultValue
        }
        func string(_ name: String) -> String { if case .string(let v) = value(name) { v } else { "" } }
        func int(_ name: String) -> Int { if case .integer(let v) = value(name) { v } else { 0 } }
        func list(_ name: String) -> [String] { if case .stringList(let v) = value(name) { v } else { [] } }
        func bool(_ name: String) -> Bool { if case .boolean(let v) = value(name) { v } else { false } }
        host = string("server.host")
        port = int("server.port")
        publicURL = string("server.public_url").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        allowedOrigins = list("server.allowed_origins")
        trustedProxies = list("server.trusted_proxies")
        webRoot = string("server.web_root")
        webBundle = bool("server.web_bundle")
        webBuildDirectory = string("server.web_build_dir")
        openAPIFile = string("server.openapi_file")
        dataDirectory = string("storage.data_dir")
        recordingsDirectory = string("storage.recordings_dir")
        documentsDirectory = string("storage.documents_dir")
        storageURL = string("storage.url").trimmingCharacters(in: .whitespaces)
        storagePassword = string("storage.password")
        storagePoolSize = int("storage.pool_size")
        clusterNodeID = string("cluster.node_id").trimmingCharacters(in: .whitespaces)
        clusterAddress = string("cluster.address").trimmingCharacters(in: .whitespaces)
        maxBodyBytes = int("http.max_body_bytes")
        sessionLifetimeHours = int("auth.session_lifetime_hours")
        freeAttempts = int("auth.free_attempts")
        maxDelaySeconds = int("auth.max_delay_seconds")
        loginAttemptsPerAddress = int("auth.login_attempts_per_address")
        loginWindowSeconds = int("auth.login_window_seconds")
        passwordResetMinutes = int("auth.password_reset_minutes")
        bcryptCost = int("auth.bcrypt_cost")
        invitationLifetimeHours = int("auth.invitation_lifetime_hours")
        logLevel = string("log.level")
        silenceTimeoutSeconds = int("http.silence_timeout_seconds")
        liveMaxFrameBytes = int("live.max_frame_bytes")
        liveMaxMessageBytes = int("live.max_message_bytes")
        liveMaxQueuedBytes = int("live.max_queued_bytes")
        livePingIntervalSeconds = int("live.ping_interval_seconds")
        liveIdleTimeoutSeconds = int("live.idle_timeout_seconds")
        liveCommandBurst = int("live.command_burst")
        liveCommandsPerSecond = int("live.commands_per_second")
        liveReplayLimit = int("live.replay_limit")
        eventRetentionDays = int("live.event_retention_days")
        meetingMaxParticipants = int("meeting.max_participants")
        meetingMaxPacketBytes = int("meeting.max_packet_bytes")
        meetingMaxPacketsPerSecond = int("meeting.max_packets_per_second")
        meetingListenerQueuePackets = int("meeting.listener_queue_packets")
        meetingAudioMaxAgeMs = int("meeting.audio_max_age_ms")
        meetingRejoinGraceSeconds = int("meeting.rejoin_grace_seconds")
        meetingInvitationLifetimeHours = int("meeting.invitation_lifetime_hours")
        recordingMinFreeMB = int("recording.min_free_mb")
        recordingKeepParticipantStreams = bool("recording.keep_participant_streams")
        recordingBitrate = int("recording.bitrate")
        directory = Self.directory(string, int, bool)
        oidc = Self.oidc(string, list)
        mail = Self.mail(string, int, bool)
        auditRetentionDays = int("audit.retention_days")
        documents = Self.documents(string, int, bool, list)
        push = Self.push(string, int, bool)
        news = Self.news(string, int, list)
        if liveMaxFrameBytes > liveMaxMessageBytes {
            throw ConfigurationError("live.max_frame_bytes (\(liveMaxFrameBytes)) must not exceed live.max_message_bytes (\(liveMaxMessageBytes))")
        }
        for origin in allowedOrigins where URL(string: origin)?.host == nil {
            throw ConfigurationError("server.allowed_origins: \"\(origin)\" is not an origin like https://intranet.example.se")
        }
        if !publicURL.isEmpty && URL(string: publicURL)?.host == nil {
            throw ConfigurationError("server.public_url: \"\(publicURL)\" is not a URL like https://communis.example.se")
        }
        try validateIdentity()
        try validatePush()
    }

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: a YAML file; if nil, `config/communis.yaml` is read when it exists.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - overrides: values from command-line flags, by key name.
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String] = [:]
    ) throws -> Configuration {
        var values: [String: ConfigurationValue] = [:]
        let path = file ?? environment["COMMUNIS_CONFIG"] ?? (FileManager.default.fileExists(atPath: "config/communis.yaml") ? "config/communis.yaml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("cannot read the configuration file \(path)")
            }
            for (name, raw) in try flatten(yaml: text, source: path) {
                guard let key = keys.first(where: { $0.name == name }) else {
                    throw ConfigurationError("\(path): unknown key \(name) (known keys: \(keys.map(\.name).joined(separator: ", ")))")
                }
                values[name] = try key.parse(raw, source: path)
            }
        }
        // Environment variables that are not keys are someone else's (a deployment script's,
        // the tests'): `unknownEnvironmentVariables` lists them for a warning, never a refusal.
        for key in keys {
            if let raw = environment[key.environmentName] { values[key.name] = try key.parse(raw, source: key.environmentName) }
        }
        for (name, raw) in overrides {
            guard let key = keys.first(where: { $0.name == name }) else { throw ConfigurationError("unknown key \(name)") }
            values[name] = try key.parse(raw, source: "command line")
        }
        return try Configuration(values: values)
    }

    /// The `COMMUNIS_…` environment variables that name no key, sorted: the server warns
    /// about them at start-up (a misspelt key is then visible in the log) and starts anyway.
    /// Unknown keys in the configuration file, in contrast, stop start-up (`load`).
    public static func unknownEnvironmentVariables(_ environment: [String: String]) -> [String] {
        let known = Set(keys.map(\.environmentName) + ["COMMUNIS_CONFIG"])
        return environment.keys.filter { $0.hasPrefix("COMMUNIS_") && !known.contains($0) }.sorted()
    }

    /// Turns nested YAML mappings into dotted keys; an empty file is no keys.
    static func flatten(yaml: String, source: String) throws -> [(String, Any)] {
        let document: Any?
        do { document = try Yams.load(yaml: yaml) } catch {
            throw ConfigurationError("\(source) is not valid YAML: \(error)")
        }
        guard let document else { return [] }
        guard let root = document as? [String: Any] else { throw ConfigurationError("\(source): the top level must be a mapping") }
        var result: [(String, Any)] = []
        func walk(_ mapping: [String: Any], prefix: String) {
            for (name, value) in mapping {
                let path = prefix.isEmpty ? name : "\(prefix).\(name)"
                if let nested = value as? [String: Any] { walk(nested, prefix: path) } else { result.append((path, value)) }
            }
        }
        walk(root, prefix: "")
        return result
    }

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("communis.sqlite") }
    /// Where web bundles are built: `server.web_build_dir`, or `web-build` in the data folder.
    public var webBuildPath: String {
        webBuildDirectory.isEmpty ? (dataDirectory as NSString).appendingPathComponent("web-build") : webBuildDirectory
    }

    /// Whether the database is the embedded SQLite file (`storage.url` empty or `sqlite:`).
    /// This node's id: `cluster.node_id`, else the host name and port.
    public var nodeID: String {
        clusterNodeID.isEmpty ? "\(ProcessInfo.processInfo.hostName):\(port)" : clusterNodeID
    }

    /// Where other nodes reach this one: `cluster.address`, else http://host:port (the host
    /// name when listening on every address).
    public var nodeAddress: String {
        guard clusterAddress.isEmpty else { return clusterAddress }
        let reachable = ["0.0.0.0", "::", ""].contains(host) ? ProcessInfo.processInfo.hostName : host
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)"
    }

    public var usesSQLite: Bool { storageURL.isEmpty || storageURL.lowercased().hasPrefix("sqlite:") }
}
