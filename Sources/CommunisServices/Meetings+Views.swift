import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// The meeting calls the HTTP API makes: each stores, tells the hub and answers with the view
/// in one call, so a route decodes, calls one of these and encodes.
extension Meetings {
    /// `create`, answered as the creator sees the new meeting.
    public func schedule(viewer: Viewer, workspace: WorkspaceID, title: String, scheduledFor: Date?) async throws -> MeetingView {
        let meeting = try await create(viewer: viewer, workspace: workspace, title: title, scheduledFor: scheduledFor)
        return try await view(viewer: viewer, id: meeting.id)
    }

    /// `end`, answered as the moderator now sees the ended meeting.
    public func endForEveryone(viewer: Viewer, meeting id: MeetingID) async throws -> MeetingView {
        _ = try await end(viewer: viewer, meeting: id)
        return try await view(viewer: viewer, id: id)
    }

    /// The meetings going on now (someone is in them) in the viewer's workspaces, the most
    /// recently started first: the start page's "Pågår nu".
    public func goingOn(viewer: Viewer) async throws -> [MeetingView] {
        var views: [MeetingView] = []
        for meeting in try await store.liveMeetings(of: viewer.id) {
            let participants = await live.roster(of: meeting.id)
            guard !participants.isEmpty, let access = try? await access(viewer: viewer, meeting: meeting.id, hidden: true) else { continue }
            var view = try await view(of: access, participants: participants)
            view.workspaceName = try await store.workspace(id: meeting.workspaceID)?.name
            views.append(view)
        }
        return views
    }

    /// Live meetings, participants and people in lobbies now, for the server's metrics
    /// (administrators only).
    public func gauges(viewer: Viewer) async throws -> MeetingGauges {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators read the server's metrics.") }
        return await live.gauges()
    }
}
