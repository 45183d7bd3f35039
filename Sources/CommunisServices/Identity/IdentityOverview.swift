import CommunisModel
import CommunisStore
import Foundation

/// What the administrators' "Katalog och grupper" page shows: which outside systems are
/// configured, the last directory sync, and the outbox; and a test mail to oneself.
public struct IdentityOverview: Sendable {
    public struct Status: Sendable {
        public var directoryKind: String?
        public var directoryURL: String?
        public var syncIntervalMinutes: Int
        public var lastSync: AuditEntry?
        public var oidcIssuer: String?
        public var oidcDisplayName: String?
        public var mailConfigured: Bool
        public var mailPending: Int
        public var mailFailed: Int
    }

    let store: any CommunisStore
    let directoryKind: String?
    let directoryURL: String?
    let syncIntervalMinutes: Int
    let provider: (any IdentityProvider)?
    let outbox: Outbox?

    public init(store: any CommunisStore, directoryKind: String?, directoryURL: String?, syncIntervalMinutes: Int,
                provider: (any IdentityProvider)?, outbox: Outbox?) {
        self.store = store
        self.directoryKind = directoryKind
        self.directoryURL = directoryURL
        self.syncIntervalMinutes = syncIntervalMinutes
        self.provider = provider
        self.outbox = outbox
    }

    public func status(viewer: Viewer) async throws -> Status {
        try requireAdmin(viewer)
        let counts = try await store.mailCounts()
        return Status(
            directoryKind: directoryKind, directoryURL: directoryURL, syncIntervalMinutes: syncIntervalMinutes,
            lastSync: try await store.lastAuditEntry(action: .directorySync), oidcIssuer: provider?.issuer,
            oidcDisplayName: provider?.displayName, mailConfigured: outbox != nil, mailPending: counts.pending, mailFailed: counts.failed)
    }

    /// Queues a short test message to the administrator's own address.
    public func sendTestMail(viewer: Viewer, language: MailTemplates.Language) async throws {
        try requireAdmin(viewer)
        guard let outbox else { throw DomainError.conflict("No mail server is configured (mail.smtp_host).") }
        guard !viewer.person.email.isEmpty else {
            throw DomainError.conflict("Your account has no e-mail address to send the test to.")
        }
        let subject = language == .sv ? "Testmejl från Communis" : "Test message from Communis"
        let text = language == .sv
            ? "Hej \(viewer.person.name)!\n\nDet här är ett testmejl från Communis. E-posten fungerar.\n"
            : "Hello \(viewer.person.name),\n\nThis is a test message from Communis. E-mail works.\n"
        let html = "<!DOCTYPE html><html lang=\"\(language.rawValue)\"><body><p>\(Self.escape(text).replacingOccurrences(of: "\n", with: "<br>"))</p></body></html>"
        try await outbox.enqueue(MailMessage(to: viewer.person.email, toName: viewer.person.name, subject: subject, text: text, html: html), kind: "test")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func requireAdmin(_ viewer: Viewer) throws {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators see the directory and mail settings.") }
    }
}
