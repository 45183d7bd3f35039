import CommunisModel
import CommunisStore
import CommunisWire
import Foundation
import Logging
import NIOCore

/// One workspace's live room. Owns the workspace's subscribers, who is present, and the
/// order in which events go out: strictly by seq, each encoded once and the same bytes sent
/// to every subscriber. It never waits for a peer: sinks queue without blocking.
actor Room {
    let workspaceID: WorkspaceID
    let topic: String
    let store: any LiveStore
    /// How many missed events a resuming client may be sent; past that it must reload.
    let replayLimit: Int
    let logger: Logger

    struct Subscriber {
        let sink: any LiveSink
        let person: PersonID
        /// While the backlog of a resuming client is being read, live events wait here.
        var catchingUp: Bool
        var buffered: [(seq: Int64, frame: ByteBuffer)] = []
        /// The highest seq this subscriber has been sent.
        var lastSent: Int64
    }

    var subscribers: [ConnectionID: Subscriber] = [:]
    var presence = RoomPresence()
    /// The people other nodes of a cluster have subscribed here, per node (each node is one
    /// connection of `presence`, numbered from `Hub.remoteConnectionBase`).
    var remote: [ConnectionID: [PersonID: PresenceStatus]] = [:]
    /// The seq of the last event sent out.
    private(set) var lastPublished: Int64
    /// Events that arrived before an earlier one (two writers committing close together).
    private var early: [Int64: WorkspaceEvent] = [:]
    private(set) var filling = false

    init(workspaceID: WorkspaceID, store: any LiveStore, latestSeq: Int64, replayLimit: Int, logger: Logger) {
        self.workspaceID = workspaceID
        self.topic = Topic.workspace(workspaceID.description)
        self.store = store
        self.lastPublished = latestSeq
        self.startSeq = latestSeq
        self.replayLimit = replayLimit
        self.logger = logger
    }

    /// The seq the room started from (the answer to a connection that left while subscribing).
    nonisolated let startSeq: Int64

    // MARK: Events

    /// Sends a stored event to the subscribers, in seq order. A gap (a later event published
    /// first: two writers committing close together, or a publish that never came) is filled
    /// from the log: `LiveStore` guarantees that once event n of a workspace is readable, every
    /// lower seq of it is too, so the missing events are there to read.
    ///
    /// A gap is never skipped. If the log cannot be read, every subscriber is told `reload`
    /// (`store-unavailable`) and `lastPublished` stays where it was: the events above it wait
    /// in `early` and the next publish tries again, so a later subscriber (or the next event)
    /// still gets them in order. There is deliberately no retry loop here: sleeping in the room
    /// would hold back every later event of the workspace for everyone (the room never waits),
    /// the store's own connections already retry what is transient, and `reload` is always
    /// correct and bounded (one HTTP reload per tab). If the log answers but the missing events
    /// are gone (pruned), the subscribers are told `reload` (`too-far-behind`) and the room
    /// moves on, since no later read can bring them back.
    func publish(_ event: WorkspaceEvent) async {
        guard event.seq > lastPublished else { return }
        early[event.seq] = event
        // Only one drain at a time: a publish arriving while the log is being read leaves its
        // event in `early`, and the running drain sends it in order.
        guard !filling else { return }
        filling = true
        defer { filling = false }
        while let lowest = early.keys.min() {
            if lowest <= lastPublished {
                early[lowest] = nil
                continue
            }
            if lowest == lastPublished + 1 {
                broadcast(early.removeValue(forKey: lowest)!)
                continue
            }
            let missing: [WorkspaceEvent]
            do {
                missing = try await store.events(workspace: workspaceID, after: lastPublished, limit: replayLimit)
            } catch {
                logger.error("event log unreadable while filling a gap; subscribers told to reload, the gap stays open until the next event", metadata: [
                    "workspace.id": "\(workspaceID)", "from": "\(lastPublished)", "to": "\(lowest)", "error": "\(error)",
                ])
                reloadEveryone(reason: Self.storeUnavailable)
                return
            }
            for event in missing where event.seq > lastPublished { early[event.seq] = event }
            if early[lastPublished + 1] == nil, let next = early.keys.min() {
                // The log answered without the next seq: those events were pruned (a room that
                // missed publishes for longer than the retention), or an engine broke the
                // readability guarantee. No later read brings them back.
                logger.error("event log gap: events no longer stored; subscribers told to reload", metadata: [
                    "workspace.id": "\(workspaceID)", "from": "\(lastPublished)", "to": "\(next)",
                ])
                reloadEveryone(reason: Self.tooFarBehind)
                lastPublished = next - 1
            }
        }
    }

    /// `reload` `data.reason` values (docs/protocol.md, "Subscription control").
    private static let tooFarBehind = "too-far-behind"
    private static let storeUnavailable = "store-unavailable"
    /// `lastSeq` is above the workspace's newest event: not a seq of this workspace's log.
    private static let ahead = "ahead"

    /// The highest seq known to be committed: the last one sent, or one waiting behind a gap.
    /// An HTTP read made after a `reload` carrying it sees every event up to it (commit order).
    private var highestKnown: Int64 { max(lastPublished, early.keys.max() ?? lastPublished) }

    private func reloadFrame(reason: String, seq: Int64) -> ByteBuffer {
        struct Reload: Encodable { var reason: String; var seq: Int64 }
        return ByteBuffer(bytes: Wire.frame(type: .reload, topic: topic, value: Reload(reason: reason, seq: seq)))
    }

    /// Tells every subscriber (catching up or not) to reload and continue from `highestKnown`;
    /// nothing at or below it is sent to them afterwards, whatever the room sends later.
    private func reloadEveryone(reason: String) {
        let seq = highestKnown
        let frame = reloadFrame(reason: reason, seq: seq)
        for (id, subscriber) in subscribers {
            subscriber.sink.send(frame)
            subscribers[id]?.lastSent = max(subscriber.lastSent, seq)
        }
    }

    private func broadcast(_ event: WorkspaceEvent) {
        lastPublished = event.seq
        let frame = ByteBuffer(bytes: Wire.frame(event, topic: topic))
        // One hop per event loop, not one per connection: the loop then writes the same
        // bytes to each of its connections and flushes them together.
        var batches: [ObjectIdentifier: (group: any LiveSinkGroup, sinks: [any LiveSink])] = [:]
        for (id, subscriber) in subscribers {
            if subscriber.catchingUp {
                subscribers[id]?.buffered.append((event.seq, frame))
                continue
            }
            guard event.seq > subscriber.lastSent else { continue }
            subscribers[id]?.lastSent = event.seq
            if let group = subscriber.sink.group {
                batches[ObjectIdentifier(group), default: (group, [])].sinks.append(subscriber.sink)
            } else {
                subscriber.sink.send(frame)
            }
        }
        for batch in batches.values { batch.group.send(frame, to: batch.sinks) }
    }

    /// A frame that is not stored and has no seq (`meeting.roster`), to every subscriber,
    /// like presence: encoded once by the caller, one hop per event loop.
    func broadcast(_ frame: ByteBuffer) {
        var batches: [ObjectIdentifier: (group: any LiveSinkGroup, sinks: [any LiveSink])] = [:]
        for subscriber in subscribers.values {
            if let group = subscriber.sink.group {
                batches[ObjectIdentifier(group), default: (group, [])].sinks.append(subscriber.sink)
            } else {
                subscriber.sink.send(frame)
            }
        }
        for batch in batches.values { batch.group.send(frame, to: batch.sinks) }
    }

    // MARK: Subscribers

    /// Adds a subscriber. Sends them who is present; with `lastSeq`, the events they missed
    /// (or `reload` if those are no longer kept, are too many, or cannot be read now; or if
    /// `lastSeq` is ahead of the log), then live events. The subscription stays active after
    /// a `reload`: live events after its seq follow. Returns the current seq.
    func subscribe(sink: any LiveSink, person: PersonID, name: String, status: PresenceStatus, lastSeq: Int64?) async -> Int64 {
        let id = sink.connectionID
        let behind = lastSeq.map { $0 < lastPublished } ?? false
        let ahead = lastSeq.map { $0 > lastPublished } ?? false
        subscribers[id] = Subscriber(sink: sink, person: person, catchingUp: behind || ahead, lastSent: behind ? lastSeq! : lastPublished)
        if let change = presence.add(person, name: name, connection: id, status: status) { announce(change, except: id) }
        sink.send(presenceState())
        guard let lastSeq, behind || ahead else { return lastPublished }

        var reloadReason: String?
        var reloadSeq: Int64 = 0
        var backlog: [WorkspaceEvent] = []
        if ahead {
            // The client says it has seen more than this room sent. In a cluster the room may
            // lag the log by a doorbell: then the client has those events and continues after
            // its own seq. Beyond the log's head the seq is not this workspace's (a restored
            // database, another server): it must reload.
            do {
                let head = try await store.latestSeq(workspace: workspaceID)
                if lastSeq > head {
                    reloadReason = Self.ahead
                    reloadSeq = max(head, highestKnown)
                }
            } catch {
                logger.error("event log unreadable while checking a subscriber's seq; told to reload", metadata: [
                    "workspace.id": "\(workspaceID)", "lastSeq": "\(lastSeq)", "error": "\(error)",
                ])
                reloadReason = Self.storeUnavailable
            }
        } else if lastPublished - lastSeq > Int64(replayLimit) {
            reloadReason = Self.tooFarBehind
        } else {
            // The backlog itself says whether it is whole: seqs are gapless and pruning removes
            // only a prefix, so the first event read is `lastSeq + 1` exactly when nothing missed
            // was pruned (no separate `oldestSeq` read, which a prune between the two reads could
            // contradict). A read that fails is never taken for an empty backlog.
            do {
                backlog = try await store.events(workspace: workspaceID, after: lastSeq, limit: replayLimit)
                if backlog.first?.seq != lastSeq + 1 { reloadReason = Self.tooFarBehind }
            } catch {
                logger.error("event log unreadable while resuming a subscriber; told to reload", metadata: [
                    "workspace.id": "\(workspaceID)", "from": "\(lastSeq)", "error": "\(error)",
                ])
                reloadReason = Self.storeUnavailable
            }
        }
        guard var subscriber = subscribers[id] else { return lastPublished }  // left meanwhile
        if let reloadReason {
            let seq = max(reloadSeq, highestKnown, subscriber.lastSent)
            subscriber.sink.send(reloadFrame(reason: reloadReason, seq: seq))
            subscriber.lastSent = seq
        } else if ahead {
            subscriber.lastSent = max(lastSeq, subscriber.lastSent)
        } else {
            for event in backlog where event.seq > subscriber.lastSent {
                subscriber.sink.send(ByteBuffer(bytes: Wire.frame(event, topic: topic)))
                subscriber.lastSent = event.seq
            }
        }
        for (seq, frame) in subscriber.buffered where seq > subscriber.lastSent {
            subscriber.sink.send(frame)
            subscriber.lastSent = seq
        }
        subscriber.buffered = []
        subscriber.catchingUp = false
        subscribers[id] = subscriber
        return max(lastPublished, subscriber.lastSent)
    }

    func unsubscribe(_ id: ConnectionID) {
        guard let subscriber = subscribers.removeValue(forKey: id) else { return }
        if let change = presence.remove(subscriber.person, connection: id) { announce(change, except: id) }
    }

    /// Ends every subscription of `person` at once (removed from the workspace). Returns the
    /// connections that were subscribed.
    func remove(person: PersonID, reason: String) -> [ConnectionID] {
        let ids = subscribers.filter { $0.value.person == person }.map(\.key)
        for id in ids { end(id, reason: reason) }
        return ids
    }

    /// Ends all subscriptions (the workspace was deleted).
    func removeAll(reason: String) -> [ConnectionID] {
        let ids = Array(subscribers.keys)
        for id in ids { end(id, reason: reason) }
        return ids
    }

    private func end(_ id: ConnectionID, reason: String) {
        struct Ended: Encodable { var reason: String }
        subscribers[id]?.sink.send(ByteBuffer(bytes: Wire.frame(type: .unsubscribed, topic: topic, value: Ended(reason: reason))))
        unsubscribe(id)
    }

    func setStatus(_ id: ConnectionID, _ status: PresenceStatus) {
        guard let person = subscribers[id]?.person else { return }
        if let change = presence.set(person, connection: id, status: status) { announce(change, except: nil) }
    }

    /// "Someone is writing" in a thread, to everyone else; clients hide it after `expiresInMs`
    /// unless it is repeated, so nothing needs to be cleared on the server.
    func typing(from id: ConnectionID, name: String, thread: ThreadID, expiresInMs: Int) {
        guard let person = subscribers[id]?.person else { return }
        struct Typing: Encodable { var personId: PersonID; var name: String; var threadId: ThreadID; var expiresInMs: Int }
        let frame = ByteBuffer(bytes: Wire.frame(type: .typing, topic: topic, value: Typing(personId: person, name: name, threadId: thread, expiresInMs: expiresInMs)))
        for (other, subscriber) in subscribers where subscriber.person != person && other != id {
            subscriber.sink.send(frame)
        }
    }

    // MARK: Presence messages

    struct PresentJSON: Encodable { var personId: PersonID; var name: String; var status: PresenceStatus }

    private func presenceState() -> ByteBuffer {
        struct State: Encodable { var present: [PresentJSON] }
        let present = presence.snapshot.map { PresentJSON(personId: $0.0, name: $0.1, status: $0.2) }
        return ByteBuffer(bytes: Wire.frame(type: .presenceState, topic: topic, value: State(present: present)))
    }

    func announce(_ change: RoomPresence.Change, except: ConnectionID?) {
        struct Diff: Encodable { var joins: [PresentJSON] = []; var leaves: [PersonID] = []; var changes: [PresentJSON] = [] }
        var diff = Diff()
        switch change {
        case .joined(let person, let name, let status): diff.joins = [PresentJSON(personId: person, name: name, status: status)]
        case .left(let person): diff.leaves = [person]
        case .status(let person, let status):
            diff.changes = [PresentJSON(personId: person, name: presence.people[person]?.name ?? "", status: status)]
        }
        let frame = ByteBuffer(bytes: Wire.frame(type: .presenceDiff, topic: topic, value: diff))
        for (id, subscriber) in subscribers where id != except { subscriber.sink.send(frame) }
    }
}
