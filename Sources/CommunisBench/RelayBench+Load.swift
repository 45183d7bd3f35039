import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Audio frames as docs/protocol.md ("Audio frames") defines them, from the client's side.
enum AudioWire {
    static let headerBytes = 10
    /// Format version 1, kind 0 (Opus).
    static let versionKind: UInt8 = 0x10
    /// Voice activity set, −30 dBov: what every talker's packets say.
    static let talkingLevel: UInt8 = 0x80 | 30
    /// 20 ms per packet.
    static let periodNanos: Int64 = 20_000_000
    /// A packet this late is skipped rather than sent (see `RelayPeer`).
    static let maxCatchUpNanos: Int64 = 200_000_000
    /// 48 kHz samples per packet.
    static let samplesPerPacket: UInt32 = 960

    /// One client WebSocket frame (FIN, binary, masked with `mask`) around the 10-byte header
    /// and `packet`.
    static func encodeClientFrame(stream: UInt16, seq: UInt16, timestamp: UInt32, level: UInt8, packet: [UInt8], mask: UInt32, into buffer: inout ByteBuffer) {
        let count = headerBytes + packet.count
        WSFrame.writeHeader(opcode: 0x2, count: count, into: &buffer)
        buffer.writeInteger(mask)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            out[0] = versionKind
            out[1] = level
            out[2] = UInt8(stream >> 8)
            out[3] = UInt8(stream & 0xFF)
            out[4] = UInt8(seq >> 8)
            out[5] = UInt8(seq & 0xFF)
            out[6] = UInt8(timestamp >> 24)
            out[7] = UInt8((timestamp >> 16) & 0xFF)
            out[8] = UInt8((timestamp >> 8) & 0xFF)
            out[9] = UInt8(timestamp & 0xFF)
            packet.withUnsafeBytes { bytes in
                (out.baseAddress! + headerBytes).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            let m = (UInt8(mask >> 24), UInt8((mask >> 16) & 0xFF), UInt8((mask >> 8) & 0xFF), UInt8(mask & 0xFF))
            var i = 0
            while i + 4 <= count {
                out[i] ^= m.0
                out[i + 1] ^= m.1
                out[i + 2] ^= m.2
                out[i + 3] ^= m.3
                i += 4
            }
            while i < count {
                out[i] ^= [m.0, m.1, m.2, m.3][i & 3]
                i += 1
            }
            return count
        }
    }
}

/// One participant: a WebSocket in one meeting, on one client event loop. A talker also
/// sends 50 packets a second, paced by scheduled tasks on that loop at fixed due times
/// (start + n × 20 ms, so no drift). A late loop catches up, but a packet more than
/// `AudioWire.maxCatchUpNanos` overdue is skipped (its sequence number is used, nothing is
/// sent, it is counted): a microphone does not deliver seconds of old audio in one burst,
/// and such a burst would only measure the server's rate limit. All state is touched on
/// `loop` only.
final class RelayPeer: @unchecked Sendable {
    /// Participant number across the whole scenario (the connection's index).
    let index: Int
    let meeting: Int
    /// Position within its meeting (0 ..< P); the first T are the talkers.
    let seat: Int
    let loop: any EventLoop
    /// Talker number across the scenario, or -1 for a listener.
    let talker: Int
    var connection: WSConnection!
    /// This participant's stream id (from the join ack, or chosen for the floor).
    var stream: UInt16 = 0

    // Talker state.
    var tone: [[UInt8]] = []
    var sent = 0
    /// Monotonic time at which packet number n was written (index = n); 0: skipped.
    var sendTimes: [Int64] = []
    /// Packets not sent because the client's loop was too late for them.
    var skipped = 0
    /// How late each timer fire was against the packet's due time (client pacing lag).
    var lateness: [Int64] = []
    private var start: Int64 = 0
    private var stopAt: Int64 = 0
    private var done: EventLoopPromise<Void>?
    private var masks: SplitMix

    init(index: Int, meeting: Int, seat: Int, talker: Int, loop: any EventLoop) {
        self.index = index
        self.meeting = meeting
        self.seat = seat
        self.talker = talker
        self.loop = loop
        masks = SplitMix(seed: UInt64(index) &* 7919 &+ 1)
    }

    /// Sends packet n at `start + n × 20 ms` for every such time before `stopAt`. Call on `loop`.
    func startTalking(at start: Int64, until stopAt: Int64, done: EventLoopPromise<Void>) {
        self.start = start
        self.stopAt = stopAt
        self.done = done
        sendTimes.reserveCapacity(Int((stopAt - start) / AudioWire.periodNanos) + 2)
        lateness.reserveCapacity(sendTimes.capacity)
        schedule(now: monotonicNanos())
    }

    private func schedule(now: Int64) {
        let due = start + Int64(sent) * AudioWire.periodNanos
        guard due < stopAt else {
            done?.succeed(())
            done = nil
            return
        }
        loop.scheduleTask(in: .nanoseconds(max(0, due - now))) { self.tick() }
    }

    private func tick() {
        let now = monotonicNanos()
        var due = start + Int64(sent) * AudioWire.periodNanos
        if due <= now && due < stopAt { lateness.append(now - due) }
        var wrote = false
        while due <= now && due < stopAt {
            if now - due > AudioWire.maxCatchUpNanos {
                sent += 1
                skipped += 1
                sendTimes.append(0)
            } else {
                sendOne()
                wrote = true
            }
            due += AudioWire.periodNanos
        }
        if wrote { connection.flush() }
        schedule(now: monotonicNanos())
    }

    private func sendOne() {
        let n = sent
        sent += 1
        let packet = tone[n % tone.count]
        var buffer = connection.channel.allocator.buffer(capacity: 14 + AudioWire.headerBytes + packet.count)
        AudioWire.encodeClientFrame(stream: stream, seq: UInt16(truncatingIfNeeded: n),
                                    timestamp: UInt32(truncatingIfNeeded: n) &* AudioWire.samplesPerPacket,
                                    level: AudioWire.talkingLevel, packet: packet,
                                    mask: UInt32(truncatingIfNeeded: masks.next()), into: &buffer)
        sendTimes.append(monotonicNanos())
        connection.writeFrames(buffer)
    }
}

/// The receiving side of one client event loop: every connection on that loop reports here,
/// so nothing is locked per packet. A received audio frame is recorded as (talker, sequence
/// number, receive time); the send time comes afterwards from the talker's own table, so no
/// clock travels in the payload. Read and reset through `loop.submit`.
final class RelayRecorder: WSDelegate, @unchecked Sendable {
    let loop: any EventLoop
    let peers: [RelayPeer]
    /// talkerOf[meeting][stream] = talker number, or -1. Set once the streams are known.
    var talkerOf: [[Int32]] = []
    var recording = false

    var rTalker: [Int32] = []
    var rSeq: [UInt16] = []
    var rTime: [Int64] = []
    /// Frames that came back to their own sender, from streams of no talker, or malformed.
    var selfEcho = 0
    var unknown = 0
    var malformed = 0
    /// Text frames while recording (Communis: meeting.speaking and other events).
    var textFrames = 0
    var closes: [Int: Int] = [:]
    var joinWaiters: [Int: EventLoopPromise<UInt16>] = [:]

    init(loop: any EventLoop, peers: [RelayPeer]) {
        self.loop = loop
        self.peers = peers
    }

    func binary(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) {
        guard recording else { return }
        let now = monotonicNanos()
        guard payload.count > AudioWire.headerBytes, payload[0] == AudioWire.versionKind else {
            malformed += 1
            return
        }
        let stream = Int(payload[2]) << 8 | Int(payload[3])
        let seq = UInt16(payload[4]) << 8 | UInt16(payload[5])
        let peer = peers[connection.index]
        if stream == Int(peer.stream) {
            selfEcho += 1
            return
        }
        let table = talkerOf[peer.meeting]
        guard stream < table.count, table[stream] >= 0 else {
            unknown += 1
            return
        }
        rTalker.append(table[stream])
        rSeq.append(seq)
        rTime.append(now)
    }

    func text(_ connection: WSConnection, _ payload: UnsafeRawBufferPointer) {
        if recording { textFrames += 1 }
        guard !joinWaiters.isEmpty, let waiter = joinWaiters[connection.index] else { return }
        if Scan.typeIs(payload, "ack"), Scan.ref(payload) == "j" {
            joinWaiters[connection.index] = nil
            let json = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
            let data = json?["data"] as? [String: Any]
            guard let state = data?["state"] as? String, state == "joined", let stream = (data?["streamId"] as? NSNumber)?.intValue,
                  (1...65535).contains(stream) else {
                waiter.fail(BenchError("meeting.join was not answered with a joined stream: \(Scan.text(payload))"))
                return
            }
            waiter.succeed(UInt16(stream))
        } else if Scan.typeIs(payload, "error"), Scan.ref(payload) == "j" {
            joinWaiters[connection.index] = nil
            waiter.fail(BenchError("meeting.join refused: \(Scan.text(payload))"))
        }
    }

    func closed(_ connection: WSConnection, code: UInt16?) {
        closes[code.map(Int.init) ?? -1, default: 0] += 1
        if let waiter = joinWaiters.removeValue(forKey: connection.index) {
            waiter.fail(BenchError("closed before meeting.join was answered (code \(code.map(String.init) ?? "none"))"))
        }
    }
}

/// The shape of one scenario: M meetings × P participants, T of them talking.
public struct RelayShape: Sendable, Hashable, CustomStringConvertible {
    public var meetings: Int
    public var participants: Int
    public var talkers: Int

    public init(meetings: Int, participants: Int, talkers: Int) {
        self.meetings = meetings
        self.participants = participants
        self.talkers = talkers
    }

    /// "MxP/T", e.g. "1x50/10"; "MxP" means everyone talks.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "/")
        guard (1...2).contains(parts.count) else { return nil }
        let mp = parts[0].split(separator: "x")
        guard mp.count == 2, let m = Int(mp[0]), let p = Int(mp[1]), m >= 1, p >= 2 else { return nil }
        let t = parts.count == 2 ? Int(parts[1]) : p
        guard let t, t >= 1, t <= p else { return nil }
        self.init(meetings: m, participants: p, talkers: t)
    }

    public var description: String { "\(meetings)×\(participants)/\(talkers)" }
    var connections: Int { meetings * participants }
    var totalTalkers: Int { meetings * talkers }
    /// Packets per second the listeners should receive in all: each talker's 50/s to P−1 others.
    var expectedPerSecond: Double { Double(totalTalkers * (participants - 1)) * 1e9 / Double(AudioWire.periodNanos) }
}

/// The load client of one scenario run: its own event loops, one connection per participant,
/// a recorder per loop.
final class RelayLoad: @unchecked Sendable {
    let shape: RelayShape
    let group: MultiThreadedEventLoopGroup
    let loops: [any EventLoop]
    let peers: [RelayPeer]
    let recorders: [RelayRecorder]

    init(shape: RelayShape, threads: Int) {
        self.shape = shape
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        var loops: [any EventLoop] = []
        var iterator = group.makeIterator()
        while let loop = iterator.next() { loops.append(loop) }
        self.loops = loops
        var peers: [RelayPeer] = []
        var talker = 0
        for m in 0..<shape.meetings {
            for seat in 0..<shape.participants {
                let index = peers.count
                let isTalker = seat < shape.talkers
                peers.append(RelayPeer(index: index, meeting: m, seat: seat, talker: isTalker ? talker : -1, loop: loops[index % loops.count]))
                if isTalker { talker += 1 }
            }
        }
        self.peers = peers
        recorders = loops.map { RelayRecorder(loop: $0, peers: peers) }
    }

    func recorder(of peer: RelayPeer) -> RelayRecorder { recorders[peer.index % recorders.count] }

    func shutdown() {
        try? group.syncShutdownGracefully()
    }

    /// Opens every participant's connection, `window` at a time. With `join`, each sends the
    /// text it returns (meeting.join with ref "j") and takes its stream id from the ack;
    /// without, the stream id is the seat + 1.
    func connect(port: Int, path: @escaping @Sendable (RelayPeer) -> String, headers: @escaping @Sendable (RelayPeer) -> [(String, String)],
                 join: (@Sendable (RelayPeer) -> String)?, window: Int = 64) async throws {
        let connector = WSConnector(group: group, host: "127.0.0.1", port: port)
        let peers = self.peers
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            var next = 0
            func add() {
                let peer = peers[next]
                next += 1
                let recorder = self.recorder(of: peer)
                tasks.addTask {
                    let connection = try await connector.connect(index: peer.index, loop: peer.loop, path: path(peer), headers: headers(peer), delegate: recorder).get()
                    if let join {
                        let message = join(peer)
                        let stream = try await peer.loop.flatSubmit { () -> EventLoopFuture<UInt16> in
                            peer.connection = connection
                            let promise = peer.loop.makePromise(of: UInt16.self)
                            recorder.joinWaiters[peer.index] = promise
                            connection.send(message)
                            return promise.futureResult
                        }.get()
                        try await peer.loop.submit { peer.stream = stream }.get()
                    } else {
                        try await peer.loop.submit {
                            peer.connection = connection
                            peer.stream = UInt16(peer.seat + 1)
                        }.get()
                    }
                }
            }
            for _ in 0..<min(window, peers.count) { add() }
            while try await tasks.next() != nil {
                if next < peers.count { add() }
            }
        }
        // Who is who: (meeting, stream) → talker, handed to every recorder on its loop.
        var table = [[Int32]](repeating: [], count: shape.meetings)
        var streams: [(Int, Int, Int)] = []
        for peer in peers where peer.talker >= 0 {
            let stream = try await peer.loop.submit { Int(peer.stream) }.get()
            streams.append((peer.meeting, stream, peer.talker))
        }
        for (m, stream, talker) in streams {
            if table[m].count <= stream { table[m] += [Int32](repeating: -1, count: stream + 1 - table[m].count) }
            table[m][stream] = Int32(talker)
        }
        let final = table
        for recorder in recorders { try await recorder.loop.submit { recorder.talkerOf = final }.get() }
    }

    /// Gives every talker its packets (talker k gets `tones[k % tones.count]`).
    func load(tones: [[[UInt8]]]) async throws {
        for peer in peers where peer.talker >= 0 {
            let tone = tones[peer.talker % tones.count]
            try await peer.loop.submit { peer.tone = tone }.get()
        }
    }

    func setRecording(_ on: Bool) async {
        for recorder in recorders { _ = try? await recorder.loop.submit { recorder.recording = on }.get() }
    }

    /// Starts every talker at `base` plus its phase (spread evenly over one 20 ms period so
    /// that the packets of all talkers are evenly spaced, not bursts); each sends every packet
    /// due before `stopAt`. Completes when the last talker has stopped.
    func talk(base: Int64, stopAt: Int64) -> EventLoopFuture<Void> {
        let talkers = peers.filter { $0.talker >= 0 }
        let total = max(1, shape.totalTalkers)
        var futures: [EventLoopFuture<Void>] = []
        for peer in talkers {
            // Spread talkers' phases so that neighbours in a meeting are far apart: with
            // t = talker number, its phase is (t × 7919 mod total) / total × 20 ms.
            let slot = Int64((peer.talker &* 7919) % total)
            let phase = slot * AudioWire.periodNanos / Int64(total)
            let promise = peer.loop.makePromise(of: Void.self)
            peer.loop.execute { peer.startTalking(at: base + phase, until: stopAt, done: promise) }
            futures.append(promise.futureResult)
        }
        return EventLoopFuture.andAllSucceed(futures, on: loops[0])
    }

    /// Receipts recorded so far (all loops).
    func receiptCount() async -> Int {
        var total = 0
        for recorder in recorders { total += (try? await recorder.loop.submit { recorder.rTime.count }.get()) ?? 0 }
        return total
    }

    /// Waits until no receipt arrived for `quiet`, at most `limit`: long enough for a backlog
    /// to drain, so that what is still missing afterwards was lost, not late.
    func settle(quiet: Duration = .milliseconds(500), limit: Duration = .seconds(30)) async {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var last = await receiptCount()
        while clock.now < deadline {
            try? await Task.sleep(for: quiet)
            let now = await receiptCount()
            if now == last { return }
            last = now
        }
    }

    struct Collected: Sendable {
        var rTalker: [Int32] = []
        var rSeq: [UInt16] = []
        var rTime: [Int64] = []
        /// Per talker: send time of packet n at [n].
        var sendTimes: [[Int64]] = []
        var lateness: [Int64] = []
        var skipped = 0
        var selfEcho = 0
        var unknown = 0
        var malformed = 0
        var textFrames = 0
        var closes: [Int: Int] = [:]
    }

    /// Everything recorded on all loops.
    func collect() async throws -> Collected {
        var c = Collected()
        c.sendTimes = [[Int64]](repeating: [], count: shape.totalTalkers)
        for recorder in recorders {
            let part = try await recorder.loop.submit { () -> Collected in
                var p = Collected()
                p.rTalker = recorder.rTalker
                p.rSeq = recorder.rSeq
                p.rTime = recorder.rTime
                p.selfEcho = recorder.selfEcho
                p.unknown = recorder.unknown
                p.malformed = recorder.malformed
                p.textFrames = recorder.textFrames
                p.closes = recorder.closes
                return p
            }.get()
            c.rTalker += part.rTalker
            c.rSeq += part.rSeq
            c.rTime += part.rTime
            c.selfEcho += part.selfEcho
            c.unknown += part.unknown
            c.malformed += part.malformed
            c.textFrames += part.textFrames
            c.closes.merge(part.closes) { $0 + $1 }
        }
        for peer in peers where peer.talker >= 0 {
            let (times, late, skipped) = try await peer.loop.submit { (peer.sendTimes, peer.lateness, peer.skipped) }.get()
            c.sendTimes[peer.talker] = times
            c.lateness += late
            c.skipped += skipped
        }
        return c
    }

    /// Closes every connection and waits a moment for the closes to go out.
    func closeAll() async {
        for peer in peers {
            _ = try? await peer.loop.submit { peer.connection?.close() }.get()
        }
        try? await Task.sleep(for: .milliseconds(200))
    }
}
