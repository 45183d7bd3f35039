import CommunisModel
import CommunisStore
import CommunisWire
import Foundation
import NIOCore

/// What a room of one node of a cluster learns from the others: that the log moved on (a
/// doorbell or the periodic check of the log's heads), who is subscribed on other nodes, and
/// who is typing there.
extension Room {
    /// Reads the events up to `seq` that other nodes wrote and sends them like its own, in seq
    /// order. A read that fails changes nothing: the next doorbell or check reads again, so no
    /// event is skipped. While a gap is being filled the running drain reads the log anyway.
    func catchUp(to seq: Int64) async {
        guard seq > lastPublished, !filling else { return }
        let missing: [WorkspaceEvent]
        do {
            missing = try await store.events(workspace: workspaceID, after: lastPublished, limit: replayLimit)
        } catch {
            logger.warning("event log unreadable while catching up with another node; the next check reads again", metadata: [
                "workspace.id": "\(workspaceID)", "from": "\(lastPublished)", "to": "\(seq)", "error": "\(error)",
            ])
            return
        }
        for event in missing { await publish(event) }
    }

    /// Replaces who the node behind `connection` has subscribed here, announcing joins,
    /// status changes and leaves to this node's subscribers as for local ones.
    func setRemote(_ connection: ConnectionID, people: [(PersonID, String, PresenceStatus)]) {
        let before = remote[connection] ?? [:]
        var after: [PersonID: PresenceStatus] = [:]
        for (person, name, status) in people {
            after[person] = status
            let change: RoomPresence.Change? = switch before[person] {
            case nil: presence.add(person, name: name, connection: connection, status: status)
            case status: nil
            default: presence.set(person, connection: connection, status: status)
            }
            if let change { announce(change, except: nil) }
        }
        for person in before.keys where after[person] == nil {
            if let change = presence.remove(person, connection: connection) { announce(change, except: nil) }
        }
        remote[connection] = after.isEmpty ? nil : after
    }

    /// Who is subscribed here on this node, with their status over this node's connections.
    func localPeople() -> [(PersonID, String, PresenceStatus)] {
        presence.people.compactMap { person, entry in
            let local = entry.connections.filter { $0.key < Hub.remoteConnectionBase }.values
            guard !local.isEmpty else { return nil }
            return (person, entry.name, local.contains(.online) ? .online : .away)
        }
    }

    /// Someone typing on another node: to everyone here but them.
    func remoteTyping(person: PersonID, name: String, thread: ThreadID, expiresInMs: Int) {
        struct Typing: Encodable { var personId: PersonID; var name: String; var threadId: ThreadID; var expiresInMs: Int }
        let frame = ByteBuffer(bytes: Wire.frame(type: .typing, topic: topic, value: Typing(personId: person, name: name, threadId: thread, expiresInMs: expiresInMs)))
        for subscriber in subscribers.values where subscriber.person != person { subscriber.sink.send(frame) }
    }
}
