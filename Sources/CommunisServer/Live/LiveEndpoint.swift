import CommunisHub
import CommunisMedia
import CommunisServices
import CommunisWire
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Puts the live connection together: who may open one (Origin, then session cookie or
/// bearer token) and what runs while it is open (a `LiveSession` fed by the frame handler).
struct LiveEndpoint: Sendable {
    let services: Services
    let hub: Hub
    let configuration: Configuration
    let origins: OriginMiddleware<AppRequestContext>
    /// Audio counters; pass the hub's shared instance once meetings are wired.
    var audioMetrics = AudioMetrics()
    /// How live connections ended (`/api/v1/admin/metrics`).
    var liveMetrics = LiveMetrics()
    /// In a cluster: sends meeting commands to the node relaying the meeting.
    var forwarder: (any MeetingForwarder)?

    var settings: LiveServerChannel.Settings {
        LiveServerChannel.Settings(
            maxFrameBytes: configuration.liveMaxFrameBytes,
            maxMessageBytes: configuration.liveMaxMessageBytes,
            maxQueuedBytes: configuration.liveMaxQueuedBytes,
            pingInterval: .seconds(Int64(configuration.livePingIntervalSeconds)),
            idleTimeout: .seconds(Int64(configuration.liveIdleTimeoutSeconds)),
            silenceTimeout: .seconds(Int64(configuration.silenceTimeoutSeconds)),
            commandLimits: .init(burst: configuration.liveCommandBurst, perSecond: Double(configuration.liveCommandsPerSecond)),
            audioQueuePackets: configuration.meetingListenerQueuePackets,
            audioMetrics: audioMetrics,
            liveMetrics: liveMetrics)
    }

    func authorize(_ head: HTTPRequestHead) async -> Result<LiveServerChannel.Admitted, LiveServerChannel.Refusal> {
        if let origin = head.headers.first(name: "origin"),
           !origins.accepts(origin: origin, host: head.headers.first(name: "host"), forwardedProto: head.headers.first(name: "x-forwarded-proto")) {
            return .failure(.originRefused(origin))
        }
        do {
            if let authorization = head.headers.first(name: "authorization") {
                guard authorization.lowercased().hasPrefix("bearer "),
                      let viewer = try await services.accounts.authenticate(bearer: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                    return .failure(.unauthenticated)
                }
                return .success(.init(viewer: viewer, sessionHash: nil))
            }
            if let token = Self.cookie(SessionCookie.name, in: head.headers[canonicalForm: "cookie"].map(String.init)),
               let (viewer, session, _) = try await services.accounts.authenticate(sessionToken: token) {
                return .success(.init(viewer: viewer, sessionHash: session.tokenHash))
            }
        } catch {
            return .failure(.unauthenticated)
        }
        return .failure(.unauthenticated)
    }

    static func cookie(_ name: String, in headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// The whole life of one live connection, in one scope.
    func run(_ admitted: LiveServerChannel.Admitted, channel: any Channel, messages: AsyncStream<Data>, logger: Logger) async {
        let viewer = admitted.viewer
        var logger = logger
        logger[metadataKey: "person.id"] = "\(viewer.id)"
        let sink = ChannelSink(
            channel: channel, maxQueuedBytes: configuration.liveMaxQueuedBytes,
            audioQueueCapacity: configuration.meetingListenerQueuePackets, audioMaxAge: .milliseconds(Int64(configuration.meetingAudioMaxAgeMs)),
            audioMetrics: audioMetrics,
            logger: logger)
        logger[metadataKey: "connection.id"] = "\(sink.connectionID)"
        let session = LiveSession(
            viewer: viewer, sink: sink, hub: hub, workspaces: services.workspaces, discussions: services.discussions, blogs: services.blogs,
            meetings: services.meetings, limits: settings.commandLimits, forwarder: forwarder, logger: logger)
        await session.start(limits: [
            "maxMessageBytes": configuration.liveMaxMessageBytes,
            "maxBodyCharacters": ContentLimits.bodyLength,
            "commandBurst": configuration.liveCommandBurst,
            "commandsPerSecond": configuration.liveCommandsPerSecond,
            "pingIntervalMs": configuration.livePingIntervalSeconds * 1000,
        ], sessionHash: admitted.sessionHash)
        logger.debug("live connection opened")
        // On SIGTERM the server waits for its connections: live ones are told to come back
        // later (1001) so shutdown does not hang on them.
        await withGracefulShutdownHandler {
            for await message in messages {
                await session.handle(message)
            }
        } onGracefulShutdown: {
            sink.close(.goingAway, reason: "server shutting down")
        }
        await session.finish()
        try? await channel.close()
        logger.debug("live connection closed")
    }
}
