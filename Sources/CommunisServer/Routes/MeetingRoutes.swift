import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Web meetings over HTTP: creating and listing them, a meeting's page, ending one, guest
/// links and attendance, and the server's meeting metrics. What happens inside a meeting
/// travels over the live connection (docs/protocol.md, "Meetings"); who is in one now and
/// telling its room it ended are the `Meetings` service's business, not the routes'.
struct MeetingRoutes {
    let services: Services
    /// The relay's counters (in memory, never stored); nil renders zeros.
    let audio: AudioMetrics?
    /// This node's own counters (cluster, periodic jobs); nil leaves them out.
    let node: NodeMetrics?
    let live: LiveMetrics?

    init(services: Services, audio: AudioMetrics? = nil, node: NodeMetrics? = nil, live: LiveMetrics? = nil) {
        self.live = live
        self.services = services
        self.audio = audio
        self.node = node
    }

    /// `scheduledFor` is read as text so that a bad time is a field error (422), not malformed JSON.
    struct CreateBody: Decodable { var title: String; var scheduledFor: String? }
    struct InviteBody: Decodable { var name: String; var email: String?; var language: String? }

    func register(on api: RouterGroup<AppRequestContext>) {
        let meetings = services.meetings

        api.get("workspaces/:id/meetings") { request, context in
            let viewer = try context.requireViewer()
            let includeEnded = try Self.flag(request, "includeEnded")
            let views = try await meetings.views(viewer: viewer, workspace: try context.parameters.id("id"), includeEnded: includeEnded)
            return try ItemsJSON(items: views.map(MeetingJSON.init)).response()
        }
        api.post("workspaces/:id/meetings") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CreateBody.self, context: context)
            let view = try await meetings.schedule(
                viewer: viewer, workspace: try context.parameters.id("id"), title: body.title, scheduledFor: try Self.time(body.scheduledFor, field: "scheduledFor"))
            context.logger.info("meeting created", metadata: ["meeting.id": "\(view.meeting.id)", "workspace.id": "\(view.meeting.workspaceID)"])
            return try MeetingJSON(view).response(.created)
        }
        api.get("meetings") { request, context in
            let viewer = try context.requireViewer()
            guard request.uri.queryParameters.get("state") == "live" else {
                throw DomainError.validation([FieldError(field: "state", message: "must be live")])
            }
            return try ItemsJSON(items: try await meetings.goingOn(viewer: viewer).map(MeetingJSON.init)).response()
        }
        api.get("meetings/:id") { _, context in
            try MeetingJSON(try await meetings.view(viewer: try context.requireViewer(), id: try context.parameters.id("id"))).response()
        }
        api.post("meetings/:id/end") { _, context in
            let viewer = try context.requireViewer()
            let id: MeetingID = try context.parameters.id("id")
            let view = try await meetings.endForEveryone(viewer: viewer, meeting: id)
            context.logger.info("meeting ended", metadata: ["meeting.id": "\(id)", "person.id": "\(viewer.id)"])
            return try MeetingJSON(view).response()
        }
        api.get("meetings/:id/attendance") { _, context in
            let entries = try await meetings.attendance(viewer: try context.requireViewer(), meeting: try context.parameters.id("id"))
            return try ItemsJSON(items: entries.map(AttendanceJSON.init)).response()
        }

        api.post("meetings/:id/invitations") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(InviteBody.self, context: context)
            let issued = try await meetings.invite(viewer: viewer, meeting: try context.parameters.id("id"), name: body.name, email: body.email,
                                                   language: AuthRoutes.language(body.language), baseURL: services.baseURL(request))
            let url = "\(services.baseURL(request))/#/meeting-invitation/\(issued.token)"
            context.logger.info("meeting guest invited", metadata: ["meeting.id": "\(issued.invitation.meetingID)", "invitation.id": "\(issued.invitation.id)"])
            return try MeetingInvitationJSON(
                id: issued.invitation.id, url: url, token: issued.token, expiresAt: issued.invitation.expiresAt,
                guestName: issued.invitation.guestName, guestEmail: issued.invitation.guestEmail, emailed: issued.emailed
            ).response(.created)
        }
        api.get("meeting-invitations/:token") { _, context in
            try MeetingInvitationInfoJSON(try await meetings.invitation(token: context.parameters.get("token") ?? "")).response()
        }
        api.post("meeting-invitations/:token/accept") { request, context in
            let (guest, meeting) = try await meetings.accept(token: context.parameters.get("token") ?? "")
            // The same kind of session as a login: cookie plus CSRF token.
            let started = try await services.accounts.startSession(for: guest, method: .invitation, origin: context.loginOrigin)
            context.logger.info("meeting guest signed in", metadata: ["meeting.id": "\(meeting)", "person.id": "\(guest.id)"])
            var response = try MeetingGuestSessionJSON(
                meetingId: meeting, user: PersonJSON(started.person, meetingId: meeting), csrfToken: started.record.csrfToken, expiresAt: started.record.expiresAt
            ).response()
            response.setCookie(SessionRoutes(services: services).cookie(for: started, request: request))
            return response
        }

        api.get("admin/metrics") { _, context in
            let gauges = try await meetings.gauges(viewer: try context.requireViewer())
            let text = PrometheusText.render(PrometheusText.meetings(gauges, audio: audio?.snapshot() ?? AudioMetrics.Snapshot()) + (live?.metrics ?? []) + (node?.metrics ?? []))
            return Response(
                status: .ok, headers: [.contentType: PrometheusText.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// An RFC 3339 time (with or without fractional seconds); nil for null or an empty string.
    static func time(_ text: String?, field: String) throws -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw Problem.badParameter(field, "must be a date and time like 2026-12-01T09:00:00+01:00")
        }
        return date
    }

    /// A boolean query parameter: absent is false; `true`/`1` and `false`/`0` are accepted.
    static func flag(_ request: Request, _ name: String) throws -> Bool {
        switch request.query(name)?.lowercased() {
        case nil, "false", "0": false
        case "true", "1": true
        default: throw Problem.badParameter(name, "must be true or false")
        }
    }
}
