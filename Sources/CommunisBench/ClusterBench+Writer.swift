import Foundation
import NIOCore
import NIOPosix

// MARK: - Writer

/// A writer that posts `bench k=<k> t=<monotonic ns>` with `post.create` and an idempotency
/// key, the next one as soon as the previous one is answered (closed loop). k = writer index ×
/// `stride` + the writer's post number, so the receivers' records tell whose post and which.
/// Loop-bound to its channel.
final class ClusterWriter: WSDelegate, @unchecked Sendable {
    static let stride = 10_000_000

    let index: Int
    let thread: String
    let tag: String
    var connection: WSConnection?
    var sent = 0
    var acked = 0
    var errors = 0
    var firstError: String?
    var sendTimes: [Int64] = []
    var ackTimes: [Int64] = []
    var running = false

    init(index: Int, thread: String, tag: String) {
        self.index = index
        self.thread = thread
        self.tag = tag
        sendTimes.reserveCapacity(1 << 14)
        ackTimes.reserveCapacity(1 << 14)
    }

    func sendNext() {
        guard let connection, sent < Self.stride - 1 else { return }
        let n = sent
        let k = index * Self.stride + n
        let t = monotonicNanos()
        sendTimes.append(t)
        ackTimes.append(0)
        sent += 1
        connection.send(#"{"v":1,"type":"post.create","ref":"p\#(n)","data":{"threadId":"\#(thread)","body":"bench k=\#(k) t=\#(t)","idempotencyKey":"\#(tag)-\#(k)"}}"#)
    }

    func text(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) {
        if Scan.typeIs(payload, "ack"), let ref = Scan.ref(payload), ref.first == "p", let n = Int(ref.dropFirst()), n < ackTimes.count {
            ackTimes[n] = monotonicNanos()
            acked += 1
            if running { sendNext() }
        } else if Scan.typeIs(payload, "error") {
            errors += 1
            if firstError == nil { firstError = Scan.text(payload) }
            if running { sendNext() }
        }
    }

    func closed(_ connection: WSConnection, code: UInt16?) {
        if running {
            errors += 1
            if firstError == nil { firstError = "writer \(index): connection closed (code \(code.map(String.init) ?? "none"))" }
            running = false
        }
    }

    private var loop: any EventLoop { connection!.channel.eventLoop }

    func start() async throws {
        try await loop.submit {
            self.running = true
            self.sendNext()
        }.get()
    }

    func stop() async throws {
        try await loop.submit { self.running = false }.get()
    }

    struct Counts: Sendable {
        var sent: Int
        var acked: Int
        var errors: Int
    }

    func counts() async throws -> Counts {
        try await loop.submit { Counts(sent: self.sent, acked: self.acked, errors: self.errors) }.get()
    }

    struct Snapshot: Sendable {
        var acked: Int
        var firstError: String?
        var sendTimes: [Int64]
        var ackTimes: [Int64]
    }

    func snapshot() async throws -> Snapshot {
        try await loop.submit { Snapshot(acked: self.acked, firstError: self.firstError, sendTimes: self.sendTimes, ackTimes: self.ackTimes) }.get()
    }

    static func open(index: Int, thread: String, tag: String, connector: WSConnector, loop: any EventLoop, headers: [(String, String)]) async throws -> ClusterWriter {
        let writer = ClusterWriter(index: index, thread: thread, tag: tag)
        let connection = try await connector.connect(index: -1 - index, loop: loop, path: "/api/v1/live", headers: headers, delegate: writer).get()
        try await loop.submit { writer.connection = connection }.get()
        return writer
    }
}
