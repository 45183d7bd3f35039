import CommunisModel
import CommunisStore
import CommunisWire
import Foundation

/// Guest links (extranet, C9): a moderator invites one named person from outside into one
/// meeting. The link holds a random token (only its SHA-256 is stored); it works until it
/// expires or the meeting ends, as often as needed (another device signs in as the same guest).
/// The guest account it makes has no password and sees that meeting only: no workspace,
/// no directory; in the meeting it waits in the lobby until a moderator admits it.
extension Meetings {
    /// Issues a guest link; with an e-mail address and e-mail configured, it is also mailed
    /// (in `language`) with `baseURL` in front.
    public func invite(viewer: Viewer, meeting id: MeetingID, name rawName: String, email rawEmail: String?,
                       language: MailTemplates.Language = .sv, baseURL: String = "") async throws -> MeetingInvitationIssued {
        let access = try await access(viewer: viewer, meeting: id, hidden: true)
        guard access.moderator else { throw DomainError.forbidden("Only the meeting's moderators can invite guests.") }
        guard access.meeting.state != .ended else { throw DomainError.conflict("The meeting has ended.") }
        var validator = Validator()
        let name = validator.text(rawName, field: "name", required: true, max: Self.guestNameLength)
        var email: String?
        if let rawEmail, !rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            email = validator.email(rawEmail)
        }
        try validator.check()
        let token = Secrets.newToken()
        let now = clock.now()
        let invitation = MeetingInvitation(
            meetingID: id, guestName: name, guestEmail: email, tokenHash: Secrets.hash(token), createdBy: viewer.id,
            createdAt: now, expiresAt: now.addingTimeInterval(invitationLifetime))
        try await store.insertMeetingInvitation(invitation)
        var issued = MeetingInvitationIssued(invitation: invitation, token: token)
        if let email, let outbox, !baseURL.isEmpty {
            try await outbox.enqueue(MailTemplates.meetingGuestInvitation(
                to: email, name: name, inviterName: viewer.person.name, meetingTitle: access.meeting.title,
                link: "\(baseURL)/#/meeting-invitation/\(token)", expiresAt: invitation.expiresAt, language: language), kind: "meeting-invitation")
            issued.emailed = true
        }
        return issued
    }

    /// The meeting a guest from an invitation link came in for (nil for everyone else).
    public func invitedTo(viewer: Viewer) async throws -> MeetingID? {
        guard !viewer.role.isEmployee else { return nil }
        return try await store.meetingInvitation(guest: viewer.id)?.meetingID
    }

    /// What the landing page shows. An unknown, expired or ended link: `invitationInvalid`.
    public func invitation(token: String) async throws -> MeetingInvitationInfo {
        let (invitation, meeting) = try await valid(token)
        guard let workspace = try await store.workspace(id: meeting.workspaceID) else { throw DomainError.invitationInvalid }
        let inviter = LiveJSON.PersonRef(id: invitation.createdBy, name: try await store.person(id: invitation.createdBy)?.name ?? "")
        return MeetingInvitationInfo(
            meetingID: meeting.id, meetingTitle: meeting.title, scheduledFor: meeting.scheduledFor, workspaceName: workspace.name,
            inviter: inviter, guestName: invitation.guestName, expiresAt: invitation.expiresAt)
    }

    /// Follows the link: returns the guest account (made on first use, reused afterwards) and
    /// the meeting it leads to. The caller starts a session for that person.
    public func accept(token: String) async throws -> (guest: Person, meeting: MeetingID) {
        let (invitation, meeting) = try await valid(token)
        // The e-mail column is unique and login looks people up by it: a guest account of a
        // link gets an address of its own in the reserved `.invalid` domain (RFC 2606), so it
        // can never clash with a real account or be used to log in with a password.
        let newGuest = Person(
            email: "gast-\(invitation.id)@moten.invalid", name: invitation.guestName, role: .guest, createdAt: clock.now())
        let guest = try await store.bindMeetingGuest(invitation: invitation.id, newGuest: newGuest)
        guard guest.role == .guest, !guest.disabled else { throw DomainError.invitationInvalid }
        return (guest, meeting.id)
    }

    private func valid(_ token: String) async throws -> (MeetingInvitation, Meeting) {
        guard !token.isEmpty, let invitation = try await store.meetingInvitation(tokenHash: Secrets.hash(token)),
              invitation.expiresAt > clock.now(),
              let meeting = try await store.meeting(id: invitation.meetingID), meeting.state != .ended else {
            throw DomainError.invitationInvalid
        }
        return (invitation, meeting)
    }
}
