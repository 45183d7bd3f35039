import CommunisModel
import Foundation

/// Where the services announce what they have committed. The live hub implements it; the
/// command line uses `NoLivePublisher`. Every call comes after the change is stored
/// ("persist, then publish"), so nothing announced can be taken back by a crash.
public protocol LivePublisher: Sendable {
    /// A workspace event, already stored with its seq.
    func publish(_ event: WorkspaceEvent) async
    /// A personal notification (already stored) for one person's open connections; `frame`
    /// is its encoded message.
    func notify(person: PersonID, frame: Data) async
    /// The person is no longer a member: their live subscription to the workspace ends now.
    func membershipEnded(workspace: WorkspaceID, person: PersonID) async
    /// The person's sessions ended (logout everywhere, disabled account): close their connections.
    func sessionsEnded(person: PersonID) async
    /// One session was logged out: the live connections opened with it close.
    func sessionEnded(tokenHash: String) async
    /// The workspace was deleted: everyone's subscription ends.
    func workspaceDeleted(_ workspace: WorkspaceID) async
}

/// For tools that change data without a running hub.
public struct NoLivePublisher: LivePublisher {
    public init() {}
    public func publish(_ event: WorkspaceEvent) async {}
    public func notify(person: PersonID, frame: Data) async {}
    public func membershipEnded(workspace: WorkspaceID, person: PersonID) async {}
    public func sessionsEnded(person: PersonID) async {}
    public func sessionEnded(tokenHash: String) async {}
    public func workspaceDeleted(_ workspace: WorkspaceID) async {}
}
