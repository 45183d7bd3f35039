import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// Web meetings over HTTP: creating and listing them, a meeting's page, ending one, guest
/// links and attendance, and the server's meeting metrics. What happens inside a meeting
/// travels over the live connection (docs/protocol.md, "Meetings"); `live` is the hub's view
/// of who is in one now (nil in tools without a hub: nobody is).
struct MeetingRoutes {
    let services: Services
    let live: (any MeetingLive)?
    /// The relay's counters; nil renders zeros (the lead wires the shared instance).
    let audio: AudioMetrics?

    init(services: Services, live: (any MeetingLive)?, audio: AudioMetrics? = nil) {
        self.services = services
        self.live = live
        self.audio = audio
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
            var items: [MeetingJSON] = []
            for view in views { items.append(MeetingJSON(view, participants: await roster(view.meeting))) }
            return try ItemsJSON(items: items).response()
        }
        api.post("workspaces/:id/meetings") { request, context in
            var request = request
            let viewer = try context.requireViewer()
            let body = try await request.json(CreateBody.self, context: context)
            let meeting = try await meetings.create(viewer: viewer, workspace: try context.parameters.id("id"), title: body.title, scheduledFor: try Self.time(body.scheduledFor, field: "scheduledFor"))
            context.logger.info("meeting created", metadata: ["meeting.id": "\(meeting.id)", "workspace.id": "\(meeting.workspaceID)"])
            await live?.created(meeting)
            return try MeetingJSON(try await meetings.view(viewer: viewer, id: meeting.id), participants: []).response(.created)
        }
        api.get("meetings/:id") { _, context in
            let view = try await meetings.view(viewer: try context.requireViewer(), id: try context.parameters.id("id"))
            return try MeetingJSON(view, participants: await roster(view.meeting)).response()
        }
        api.post("meetings/:id/end") { _, context in
            let viewer = try context.requireViewer()
            let id: MeetingID = try context.parameters.id("id")
            _ = try await meetings.end(viewer: viewer, meeting: id)
            // The stored end comes first (persist, then publish); telling the hub again for a
            // meeting that had already ended is harmless: its room is gone.
            await live?.ended(id, by: LiveJSON.PersonRef(id: viewer.id, name: viewer.person.name))
            context.logger.info("meeting ended", metadata: ["meeting.id": "\(id)", "person.id": "\(viewer.id)"])
            return try MeetingJSON(try await meetings.view(viewer: viewer, id: id), participants: []).response()
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
                meetingId: meeting, user: PersonJSON(started.person), csrfToken: started.record.csrfToken, expiresAt: started.record.expiresAt
            ).response()
            response.setCookie(SessionRoutes(services: services).cookie(for: started, request: request))
            return response
        }

        api.get("admin/metrics") { _, context in
            let viewer = try context.requireViewer()
            guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators read the server's metrics.") }
            let gauges = await live?.gauges() ?? MeetingGauges()
            let text = PrometheusText.render(PrometheusText.meetings(gauges, audio: audio?.snapshot() ?? AudioMetrics.Snapshot()))
            return Response(
                status: .ok, headers: [.contentType: PrometheusText.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    private func roster(_ meeting: Meeting) async -> [LiveJSON.PersonRef] {
        guard meeting.state == .live, let live else { return [] }
        return await live.roster(of: meeting.id)
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
