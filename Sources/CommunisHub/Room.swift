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
    private let store: any LiveStore
    /// How many missed events a resuming client may be sent; past that it must reload.
    private let replayLimit: Int
    private let logger: Logger

    private struct Subscriber {
        let sink: any LiveSink
        let person: PersonID
        /// While the backlog of a resuming client is being read, live events wait here.
        var catchingUp: Bool
        var buffered: [(seq: Int64, frame: ByteBuffer)] = []
        /// The highest seq this subscriber has been sent.
        var lastSent: Int64
    }

    private var subscribers: [ConnectionID: Subscriber] = [:]
    private var presence = RoomPresence()
    /// The seq of the last event sent out.
    private var lastPublished: Int64
    /// Events that arrived before an earlier one (two writers committing close together).
    private var early: [Int64: WorkspaceEvent] = [:]
    private var filling = false

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
    /// first) is filled from the store: SQLite commits writers one at a time, so every lower
    /// seq is already stored when a higher one is published.
    func publish(_ event: WorkspaceEvent) async {
        guard event.seq > lastPublished else { return }
        early[event.seq] = event
        while !early.isEmpty {
            if let next = early.removeValue(forKey: lastPublished + 1) {
                broadcast(next)
                continue
            }
            guard !filling else { return }
            filling = true
            let missing = (try? await store.events(workspace: workspaceID, after: lastPublished, limit: replayLimit)) ?? []
            filling = false
            let arrived = missing.filter { $0.seq > lastPublished }
            if arrived.isEmpty, let lowest = early.keys.min(), lowest > lastPublished + 1 {
                logger.warning("event log gap skipped", metadata: ["workspace.id": "\(workspaceID)", "from": "\(lastPublished)", "to": "\(lowest)"])
                lastPublished = lowest - 1
            }
            for event in arrived { early[event.seq] = event }
        }
    }

    private func broadcast(_ event: WorkspaceEvent) {
        lastPublished = event.seq
        let frame = ByteBuffer(bytes: Wire.frame(type: event.kind, topic: topic, seq: event.seq, data: event.payload))
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
    /// (or `reload` if those are no longer kept), then live events. Returns the current seq.
    func subscribe(sink: any LiveSink, person: PersonID, name: String, status: PresenceStatus, lastSeq: Int64?) async -> Int64 {
        let id = sink.connectionID
        let resumeFrom = lastSeq.map { min($0, lastPublished) }
        subscribers[id] = Subscriber(sink: sink, person: person, catchingUp: resumeFrom.map { $0 < lastPublished } ?? false, lastSent: resumeFrom ?? lastPublished)
        if let change = presence.add(person, name: name, connection: id, status: status) { announce(change, except: id) }
        sink.send(presenceState())
        guard let from = resumeFrom, from < lastPublished else { return lastPublished }

        let oldest = (try? await store.oldestSeq(workspace: workspaceID)) ?? nil
        let tooOld = (oldest.map { from + 1 < $0 } ?? false) || lastPublished - from > Int64(replayLimit)
        var backlog: [WorkspaceEvent] = []
        if !tooOld {
            backlog = (try? await store.events(workspace: workspaceID, after: from, limit: replayLimit)) ?? []
        }
        guard var subscriber = subscribers[id] else { return lastPublished }  // left meanwhile
        if tooOld {
            struct Reload: Encodable { var reason: String; var seq: Int64 }
            subscriber.sink.send(ByteBuffer(bytes: Wire.frame(type: "reload", topic: topic, value: Reload(reason: "too-far-behind", seq: lastPublished))))
            subscriber.lastSent = lastPublished
        } else {
            for event in backlog where event.seq > subscriber.lastSent {
                subscriber.sink.send(ByteBuffer(bytes: Wire.frame(type: event.kind, topic: topic, seq: event.seq, data: event.payload)))
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
        return lastPublished
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
        subscribers[id]?.sink.send(ByteBuffer(bytes: Wire.frame(type: "unsubscribed", topic: topic, value: Ended(reason: reason))))
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
        let frame = ByteBuffer(bytes: Wire.frame(type: "typing", topic: topic, value: Typing(personId: person, name: name, threadId: thread, expiresInMs: expiresInMs)))
        for (other, subscriber) in subscribers where subscriber.person != person && other != id {
            subscriber.sink.send(frame)
        }
    }

    // MARK: Presence messages

    private struct PresentJSON: Encodable { var personId: PersonID; var name: String; var status: PresenceStatus }

    private func presenceState() -> ByteBuffer {
        struct State: Encodable { var present: [PresentJSON] }
        let present = presence.snapshot.map { PresentJSON(personId: $0.0, name: $0.1, status: $0.2) }
        return ByteBuffer(bytes: Wire.frame(type: "presence.state", topic: topic, value: State(present: present)))
    }

    private func announce(_ change: RoomPresence.Change, except: ConnectionID?) {
        struct Diff: Encodable { var joins: [PresentJSON] = []; var leaves: [PersonID] = []; var changes: [PresentJSON] = [] }
        var diff = Diff()
        switch change {
        case .joined(let person, let name, let status): diff.joins = [PresentJSON(personId: person, name: name, status: status)]
        case .left(let person): diff.leaves = [person]
        case .status(let person, let status):
            diff.changes = [PresentJSON(personId: person, name: presence.people[person]?.name ?? "", status: status)]
        }
        let frame = ByteBuffer(bytes: Wire.frame(type: "presence.diff", topic: topic, value: diff))
        for (id, subscriber) in subscribers where id != except { subscriber.sink.send(frame) }
    }
}
