import CommunisModel
import CommunisServices
import Foundation

/// Where a connection's meeting commands go when its meeting is relayed by another node of a
/// cluster. Set on a `LiveSession`; without one every meeting is relayed here.
public protocol MeetingForwarder: Sendable {
    /// Sends `text` (a `meeting.*` command for `meeting`) to the node relaying that meeting
    /// and returns true — the answer reaches the connection from there — or returns false
    /// when this node relays it (or nobody does yet and `joining` made it this node's).
    func forward(_ text: Data, meeting: MeetingID, joining: Bool, from sink: any LiveSink, viewer: Viewer, sessionHash: String?) async throws -> Bool
    /// The connection closed: it leaves any meeting it was in on another node.
    func disconnected(_ connection: ConnectionID) async
}
