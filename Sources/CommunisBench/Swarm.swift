import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Byte-level helpers for the few things the client reads out of a message.
enum Scan {
    static let marker = Array("bench k=".utf8)
    static let timeMarker = Array(" t=".utf8)
    static let typePrefix = Array(#""type":""#.utf8)
    static let refPrefix = Array(#""ref":""#.utf8)

    static func find(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8], from: Int = 0, limit: Int = Int.max) -> Int? {
        let end = min(haystack.count, limit)
        guard end - from >= needle.count, let base = haystack.baseAddress else { return nil }
        // memmem is a GNU extension that Glibc's module does not export: memchr for the
        // first byte, then memcmp.
        return needle.withUnsafeBytes { n -> Int? in
            let first = Int32(n[0])
            var at = from
            let last = end - n.count
            while at <= last {
                guard let hit = memchr(base + at, first, last - at + 1) else { return nil }
                let offset = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(hit, n.baseAddress!, n.count) == 0 { return offset }
                at = offset + 1
            }
            return nil
        }
    }

    /// A decimal number starting at `at`; returns it and the index after it.
    static func number(_ bytes: UnsafeRawBufferPointer, at: Int) -> (Int64, Int)? {
        var i = at
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            value = value * 10 + Int64(bytes[i] - 48)
            i += 1
        }
        return i > at ? (value, i) : nil
    }

    /// Whether the envelope's "type" (searched in the first 40 bytes) starts with `name` + quote.
    static func typeIs(_ bytes: UnsafeRawBufferPointer, _ name: String) -> Bool {
        guard let at = find(bytes, typePrefix, limit: 40) else { return false }
        let start = at + typePrefix.count
        let wanted = Array(name.utf8) + [UInt8(ascii: "\"")]
        guard start + wanted.count <= bytes.count else { return false }
        for (offset, byte) in wanted.enumerated() where bytes[start + offset] != byte { return false }
        return true
    }

    /// The `ref` of an answer (searched in the first 80 bytes).
    static func ref(_ bytes: UnsafeRawBufferPointer) -> Substring? {
        guard let at = find(bytes, refPrefix, limit: 80) else { return nil }
        var end = at + refPrefix.count
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
        return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(at + refPrefix.count)..<end]), as: UTF8.self))
    }

    static func text(_ bytes: UnsafeRawBufferPointer, max: Int = 300) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<min(max, bytes.count)]), as: UTF8.self)
    }
}

/// The receiving side of one event loop: every connection on that loop reports here, so no
/// lock is taken per message. Read and reset through `loop.submit`.
final class Recorder: WSDelegate, @unchecked Sendable {
    let loop: any EventLoop
    var ks: [Int32] = []
    var latencies: [Int64] = []
    var frames = 0
    var bytes = 0
    var closes: [Int: Int] = [:]
    var subscribeWaiters: [Int: EventLoopPromise<Void>] = [:]

    init(loop: any EventLoop) {
        self.loop = loop
        ks.reserveCapacity(1 << 16)
        latencies.reserveCapacity(1 << 16)
    }

    func text(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) {
        frames += 1
        bytes += payload.count
        if payload.count < 16384, let at = Scan.find(payload, Scan.marker) {
            let now = monotonicNanos()
            guard let (k, afterK) = Scan.number(payload, at: at + Scan.marker.count),
                  let t = Scan.find(payload, Scan.timeMarker, from: afterK, limit: afterK + 3),
                  let (sent, _) = Scan.number(payload, at: t + Scan.timeMarker.count) else { return }
            if Scan.typeIs(payload, "ack") { return }
            ks.append(Int32(k))
            latencies.append(now - sent)
            return
        }
        if !subscribeWaiters.isEmpty, let waiter = subscribeWaiters[connection.index] {
            if Scan.typeIs(payload, "ack"), Scan.ref(payload) == "s" {
                subscribeWaiters[connection.index] = nil
                waiter.succeed(())
            } else if Scan.typeIs(payload, "error") {
                subscribeWaiters[connection.index] = nil
                waiter.fail(BenchError("subscribe refused: \(Scan.text(payload))"))
            }
        }
    }

    func closed(_ connection: WSConnection, code: UInt16?) {
        closes[code.map(Int.init) ?? -1, default: 0] += 1
        if let waiter = subscribeWaiters.removeValue(forKey: connection.index) {
            waiter.fail(BenchError("closed before the subscription was acknowledged (code \(code.map(String.init) ?? "none"))"))
        }
    }
}

/// Many receiving connections spread over the loops of one group, plus their recorders.
final class Swarm: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let loops: [any EventLoop]
    let recorders: [Recorder]
    private let lock = NIOLock()
    private var _connections: [WSConnection] = []
    var connections: [WSConnection] { lock.withLock { _connections } }

    init(threads: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var loops: [any EventLoop] = []
        var iterator = group.makeIterator()
        while let loop = iterator.next() { loops.append(loop) }
        self.loops = loops
        recorders = loops.map { Recorder(loop: $0) }
    }

    func shutdown() {
        try? group.syncShutdownGracefully()
    }

    /// Opens `count` connections, `window` at a time; with `subscribe`, each sends the
    /// subscribe command right after the upgrade and counts as open once it is acknowledged.
    func connect(count: Int, connector: WSConnector, path: String, window: Int = 100,
                 headers: @escaping @Sendable (Int) -> [(String, String)], subscribe topic: String?,
                 progress: (@Sendable (Int) -> Void)? = nil) async throws {
        let base = connections.count
        try await withThrowingTaskGroup(of: WSConnection.self) { tasks in
            var next = 0
            var done = 0
            func add() {
                let index = base + next
                next += 1
                let recorder = recorders[index % recorders.count]
                tasks.addTask {
                    let connection = try await connector.connect(index: index, loop: recorder.loop, path: path, headers: headers(index), delegate: recorder).get()
                    if let topic {
                        try await recorder.loop.flatSubmit { () -> EventLoopFuture<Void> in
                            let promise = recorder.loop.makePromise(of: Void.self)
                            recorder.subscribeWaiters[index] = promise
                            connection.send(#"{"v":1,"type":"subscribe","ref":"s","topic":"\#(topic)","data":{}}"#)
                            return promise.futureResult
                        }.get()
                    }
                    return connection
                }
            }
            for _ in 0..<min(window, count) { add() }
            while let connection = try await tasks.next() {
                lock.withLock { _connections.append(connection) }
                done += 1
                progress?(done)
                if next < count { add() }
            }
        }
    }

    /// Subscribes every open connection to `topic`, `window` at a time.
    func subscribeAll(topic: String, window: Int = 100) async throws {
        let all = connections
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            var next = 0
            func add() {
                let connection = all[next]
                next += 1
                let recorder = recorders[connection.index % recorders.count]
                tasks.addTask {
                    try await recorder.loop.flatSubmit { () -> EventLoopFuture<Void> in
                        let promise = recorder.loop.makePromise(of: Void.self)
                        recorder.subscribeWaiters[connection.index] = promise
                        connection.send(#"{"v":1,"type":"subscribe","ref":"s","topic":"\#(topic)","data":{}}"#)
                        return promise.futureResult
                    }.get()
                }
            }
            for _ in 0..<min(window, all.count) { add() }
            while try await tasks.next() != nil {
                if next < all.count { add() }
            }
        }
    }

    func closeAll() async {
        let all = lock.withLock { () -> [WSConnection] in
            let all = _connections
            _connections = []
            return all
        }
        for connection in all { connection.close() }
        // Let the closes go out before the next scenario; closes we made are not counted.
        try? await Task.sleep(for: .milliseconds(300))
        for recorder in recorders { _ = try? await recorder.loop.submit { recorder.closes = [:] }.get() }
    }

    /// Deliveries recorded so far (all loops).
    func deliveryCount() async -> Int {
        var total = 0
        for recorder in recorders { total += (try? await recorder.loop.submit { recorder.ks.count }.get()) ?? 0 }
        return total
    }

    /// Every recorded (k, latency) pair, then cleared.
    func drain() async -> (ks: [Int32], latencies: [Int64]) {
        var ks: [Int32] = []
        var latencies: [Int64] = []
        for recorder in recorders {
            let (k, l) = (try? await recorder.loop.submit { () -> ([Int32], [Int64]) in
                let result = (recorder.ks, recorder.latencies)
                recorder.ks.removeAll(keepingCapacity: true)
                recorder.latencies.removeAll(keepingCapacity: true)
                return result
            }.get()) ?? ([], [])
            ks += k
            latencies += l
        }
        return (ks, latencies)
    }

    /// Close codes seen so far (code → count; -1 = closed without a close frame).
    func closes() async -> [Int: Int] {
        var all: [Int: Int] = [:]
        for recorder in recorders {
            let closes = (try? await recorder.loop.submit { recorder.closes }.get()) ?? [:]
            all.merge(closes) { $0 + $1 }
        }
        return all
    }

    /// Waits until `expected` deliveries are recorded or `timeout` passes; returns the count.
    func waitFor(_ expected: Int, timeout: Duration) async -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var count = await deliveryCount()
        while count < expected && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            count = await deliveryCount()
        }
        return count
    }
}

/// A writing connection: sends posts carrying `bench k=<k> t=<monotonic ns>` and counts the
/// acknowledgements (Communis) or ignores the echo (libwebsockets). Loop-bound to its channel.
final class Writer: WSDelegate, @unchecked Sendable {
    enum Style: Sendable {
        /// `post.create` in `thread`, ref `p<k>`; acked.
        case communis(thread: String)
        /// The bare text, mirrored by lws-mirror-protocol to every client.
        case mirror
    }

    let style: Style
    var connection: WSConnection!
    var sent = 0
    var acked = 0
    var errors = 0
    var firstError: String?
    var sendTimes: [Int64] = []
    var ackTimes: [Int64] = []
    /// Closed loop: send the next post as soon as the previous one is acknowledged.
    var closedLoop = false
    var closes: [Int: Int] = [:]

    init(style: Style) {
        self.style = style
    }

    func message(k: Int, t: Int64) -> String {
        switch style {
        case .communis(let thread):
            return #"{"v":1,"type":"post.create","ref":"p\#(k)","data":{"threadId":"\#(thread)","body":"bench k=\#(k) t=\#(t)"}}"#
        case .mirror:
            return "bench k=\(k) t=\(t)"
        }
    }

    /// Sends post number `sent` now (call on the connection's loop).
    func sendNext() {
        let k = sent
        let t = monotonicNanos()
        sendTimes.append(t)
        ackTimes.append(0)
        sent += 1
        connection.send(message(k: k, t: t))
    }

    func text(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) {
        guard case .communis = style else { return }
        if Scan.typeIs(payload, "ack"), let ref = Scan.ref(payload), ref.first == "p", let k = Int(ref.dropFirst()), k < ackTimes.count {
            ackTimes[k] = monotonicNanos()
            acked += 1
            if closedLoop { sendNext() }
        } else if Scan.typeIs(payload, "error") {
            errors += 1
            if firstError == nil { firstError = Scan.text(payload) }
            if closedLoop { sendNext() }
        }
    }

    func closed(_ connection: WSConnection, code: UInt16?) {
        closes[code.map(Int.init) ?? -1, default: 0] += 1
    }

    /// Open loop: sends posts until `sent == until`, at `rate` per second, from now.
    func run(rate: Double, until: Int) async throws {
        let loop = connection.channel.eventLoop
        let promise = loop.makePromise(of: Void.self)
        let first = try await loop.submit { self.sent }.get()
        let start = monotonicNanos()
        let period = max(1_000_000, Int64(1e9 / rate / 2))
        loop.scheduleRepeatedTask(initialDelay: .zero, delay: .nanoseconds(period)) { task in
            let due = min(until, first + Int(Double(monotonicNanos() - start) * rate / 1e9) + 1)
            while self.sent < due { self.sendNext() }
            if self.sent >= until {
                task.cancel()
                promise.succeed(())
            }
        }
        try await promise.futureResult.get()
    }

    struct Snapshot: Sendable {
        var sent: Int
        var acked: Int
        var errors: Int
        var firstError: String?
        var sendTimes: [Int64]
        var ackTimes: [Int64]
    }

    func snapshot() async throws -> Snapshot {
        try await connection.channel.eventLoop.submit {
            Snapshot(sent: self.sent, acked: self.acked, errors: self.errors, firstError: self.firstError, sendTimes: self.sendTimes, ackTimes: self.ackTimes)
        }.get()
    }

    /// Opens a writer's connection (on `loop`).
    static func open(style: Style, connector: WSConnector, loop: any EventLoop, path: String, headers: [(String, String)], index: Int) async throws -> Writer {
        let writer = Writer(style: style)
        let connection = try await connector.connect(index: index, loop: loop, path: path, headers: headers, delegate: writer).get()
        try await loop.submit { writer.connection = connection }.get()
        return writer
    }
}
