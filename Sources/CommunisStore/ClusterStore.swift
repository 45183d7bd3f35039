import CommunisModel
import Foundation

/// Periodic jobs (pruning, sweeping, reminders, directory sync) that must run once per period
/// however many nodes share the database.
public protocol JobStore: Sendable {
    /// Runs `body` when no node ran the job `name` during the last `interval` and none runs it
    /// now; returns whether it ran. The claim is recorded before `body` starts (a job that fails
    /// waits for the next period like one that succeeded), and while `body` runs no other node
    /// starts the same job even when it outlasts `interval`.
    func runJob(_ name: String, every interval: TimeInterval, node: String, at now: Date,
                _ body: @Sendable () async throws -> Void) async throws -> Bool
}

/// A Communis process of a cluster, as the others see it.
public struct ClusterNode: Sendable, Equatable, Codable {
    /// Chosen at start (`cluster.node_id`, else host name and process id); unique while it runs.
    public var id: String
    /// Where other nodes reach it (`http://10.0.0.5:8080`), for forwarding meeting audio.
    public var address: String
    public var startedAt: Date
    /// Its last heartbeat.
    public var seenAt: Date
    /// The SHA-256 (hex) of the key another node presents to open a link to it.
    public var linkKeyHash: String

    public init(id: String, address: String, startedAt: Date, seenAt: Date, linkKeyHash: String = "") {
        self.id = id
        self.address = address
        self.startedAt = startedAt
        self.seenAt = seenAt
        self.linkKeyHash = linkKeyHash
    }
}

/// One person subscribed to a workspace on one node, as the other nodes see them.
public struct ClusterPresence: Sendable, Equatable {
    public var node: String
    public var person: PersonID
    public var name: String
    /// `online` or `away`.
    public var status: String

    public init(node: String, person: PersonID, name: String, status: String) {
        self.node = node
        self.person = person
        self.name = name
        self.status = status
    }
}

/// What arrives from the other nodes through the database.
public enum ClusterSignal: Sendable, Equatable {
    /// Listening (again): doorbells rung while not listening were missed, so read the log's heads.
    case listening
    /// A doorbell: a committed batch took `workspace`'s log to `seq` (the payload stays in the log).
    case logAdvanced(WorkspaceID, seq: Int64)
    /// A note one node sent to all (presence and typing), as that node wrote it.
    case note(String)
}

/// The engine for a cluster: the database is the log and the meeting point of the nodes.
/// After each committed batch of live changes the store rings a doorbell (workspace, seq) that
/// every node hears; a node reads what it lacks from the log (`events(after:)`), so a missed
/// doorbell costs latency, never an event.
public protocol ClusterStore: JobStore {
    /// Records this node's heartbeat and returns the nodes seen within `window` (itself included).
    func heartbeat(_ node: ClusterNode, window: TimeInterval) async throws -> [ClusterNode]
    /// The last seq of each workspace's log (0 for a workspace without events; unknown ones left out).
    func logHeads(_ workspaces: [WorkspaceID]) async throws -> [WorkspaceID: Int64]
    /// Doorbells and notes from every node (this one's too), until the task is cancelled. Starts
    /// with `.listening`, and again after a lost database connection was re-established.
    func clusterSignals() -> AsyncStream<ClusterSignal>
    /// Sends `note` (at most 7 000 bytes) to every node, this one included.
    func sendNote(_ note: String) async throws

    /// Replaces who `node` has subscribed to `workspace` (an empty list removes them all).
    func setPresence(node: String, workspace: WorkspaceID, people: [ClusterPresence]) async throws
    /// Who the other nodes (not `excluding`) alive within `window` have subscribed to each of
    /// `workspaces`; workspaces nobody else is in are left out.
    func presence(in workspaces: [WorkspaceID], excluding node: String, window: TimeInterval, at now: Date) async throws -> [WorkspaceID: [ClusterPresence]]
    /// Forgets every presence row of `node` (at its start: what a crashed run left).
    func clearPresence(node: String) async throws

    /// Makes `node` the relay of `meeting` unless another node holds an unexpired lease; returns
    /// the holder afterwards (`node` itself when it won or already held it).
    func claimMeeting(_ meeting: MeetingID, node: String, until: Date, at now: Date) async throws -> String
    /// Extends every lease `node` holds among `meetings`; returns the ones it still holds.
    func renewMeetings(_ meetings: [MeetingID], node: String, until: Date) async throws -> Set<MeetingID>
    /// Gives a lease up (the meeting ended or the node stops).
    func releaseMeeting(_ meeting: MeetingID, node: String) async throws
    /// The node holding an unexpired lease on `meeting`, if any.
    func meetingHolder(_ meeting: MeetingID, at now: Date) async throws -> ClusterNode?
    /// Records who is in `meeting` now (opaque JSON), if `node` holds its lease.
    func setMeetingRoster(_ meeting: MeetingID, node: String, roster: Data) async throws
    /// The roster the holder of an unexpired lease on `meeting` recorded last, if any.
    func meetingRoster(_ meeting: MeetingID, at now: Date) async throws -> Data?
    /// The node `id` as its last heartbeat left it, if it ever beat.
    func clusterNode(_ id: String) async throws -> ClusterNode?
}
