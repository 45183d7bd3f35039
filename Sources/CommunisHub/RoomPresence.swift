import CommunisModel
import Foundation

/// Whether a person is at their screen.
public enum PresenceStatus: String, Sendable, Codable {
    case online
    case away
    case offline
}

/// Who is in one workspace right now: a pure value the room actor keeps and asks what to
/// announce. A person is present while at least one of their connections is subscribed;
/// their status is the best over their connections (online beats away).
struct RoomPresence: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var connections: [UInt64: PresenceStatus]

        var status: PresenceStatus {
            connections.values.contains(.online) ? .online : connections.isEmpty ? .offline : .away
        }
    }

    private(set) var people: [PersonID: Entry] = [:]

    /// A change to announce, or nil when nobody else needs to know.
    enum Change: Equatable, Sendable {
        case joined(PersonID, name: String, status: PresenceStatus)
        case left(PersonID)
        case status(PersonID, PresenceStatus)
    }

    mutating func add(_ person: PersonID, name: String, connection: UInt64, status: PresenceStatus) -> Change? {
        var entry = people[person] ?? Entry(name: name, connections: [:])
        let before = people[person]?.status
        entry.connections[connection] = status
        people[person] = entry
        if before == nil { return .joined(person, name: name, status: entry.status) }
        return before == entry.status ? nil : .status(person, entry.status)
    }

    mutating func remove(_ person: PersonID, connection: UInt64) -> Change? {
        guard var entry = people[person], entry.connections.removeValue(forKey: connection) != nil else { return nil }
        if entry.connections.isEmpty {
            people[person] = nil
            return .left(person)
        }
        let before = people[person]?.status
        people[person] = entry
        return before == entry.status ? nil : .status(person, entry.status)
    }

    mutating func set(_ person: PersonID, connection: UInt64, status: PresenceStatus) -> Change? {
        guard var entry = people[person], entry.connections[connection] != nil else { return nil }
        let before = entry.status
        entry.connections[connection] = status
        people[person] = entry
        return before == entry.status ? nil : .status(person, entry.status)
    }

    /// Everyone present, by name, for a `presence.state` snapshot.
    var snapshot: [(PersonID, String, PresenceStatus)] {
        people.map { ($0.key, $0.value.name, $0.value.status) }.sorted { $0.1 < $1.1 }
    }
}
