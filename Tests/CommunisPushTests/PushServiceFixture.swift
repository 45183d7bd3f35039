import Foundation
import Hummingbird
import Logging
import NIOCore

/// What the in-process push service received: one request per message.
struct ReceivedPush: Sendable {
    var device: String
    /// By lower-case name.
    var headers: [String: String]
    var body: [UInt8]
}

/// The push service's memory and the status it answers per device (201 unless told).
actor PushServiceState {
    var received: [ReceivedPush] = []
    var statuses: [String: Int] = [:]

    func answer(_ device: String, _ status: Int) { statuses[device] = status }

    fileprivate func record(_ push: ReceivedPush) -> Int {
        received.append(push)
        return statuses[push.device] ?? 201
    }
}

/// A push service (RFC 8030's "push resource" side) served over plain HTTP on a free
/// loopback port by Hummingbird: `POST /push/<device>` records the request and answers
/// `201 Created`, or the status the test set for that device.
struct PushServiceFixture: Sendable {
    let base: String
    let state: PushServiceState

    func endpoint(_ device: String) -> String { "\(base)/push/\(device)" }

    static func run(_ body: @Sendable (PushServiceFixture) async throws -> Void) async throws {
        let state = PushServiceState()
        let router = Router()
        router.post("/push/:device") { request, context in
            let bytes = try await request.body.collect(upTo: 1 << 16)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = await state.record(ReceivedPush(device: context.parameters.get("device") ?? "", headers: headers,
                                                         body: Array(bytes.readableBytesView)))
            return Response(status: .init(code: status))
        }
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "push-service") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var next = ports.makeAsyncIterator()
            let port = await next.next() ?? 0
            let fixture = PushServiceFixture(base: "http://127.0.0.1:\(port)", state: state)
            do {
                try await body(fixture)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on loopback that is listened on but never accepted from: connections complete
/// (the kernel's backlog) and requests are never answered, like a push service that hangs.
struct SilentListener: Sendable {
    let fd: Int32
    let port: Int

    static func start() async throws -> SilentListener {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard fd >= 0, bound == 0, listen(fd, 8) == 0 else { throw SilentListenerFailure() }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return SilentListener(fd: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    func stop() async throws { close(fd) }
}

struct SilentListenerFailure: Error {}
