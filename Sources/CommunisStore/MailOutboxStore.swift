import CommunisModel
import Foundation

/// A message in the outbox.
public struct OutboxMail: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, sent, failed }

    public var id: MailID
    /// What it is for ("password-reset", "guest-invitation", …), for the admin view.
    public var kind: String
    public var recipient: String
    public var recipientName: String
    public var subject: String
    /// Erased once sent (a reset link must not outlive its use in the database).
    public var text: String
    public var html: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String
    public var createdAt: Date
    public var sentAt: Date?

    public init(id: MailID = MailID(), kind: String, recipient: String, recipientName: String, subject: String, text: String, html: String,
                status: Status = .pending, attempts: Int = 0, nextAttemptAt: Date, lastError: String = "", createdAt: Date, sentAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.recipient = recipient
        self.recipientName = recipientName
        self.subject = subject
        self.text = text
        self.html = html
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// The outgoing mail queue: a message is stored before the request that made it is
/// answered, so a mail server that is down (or a crash) loses nothing. Several senders
/// (cluster nodes) may drain it: a claim leases messages so each is sent by one.
public protocol MailOutboxStore: Sendable {
    func enqueueMail(_ mail: OutboxMail) async throws
    /// Leases up to `limit` pending messages due at `now` (not leased by another sender)
    /// until `now + lease`, counting an attempt on each; oldest first.
    func claimDueMail(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxMail]
    /// Marks sent and erases the bodies.
    func markMailSent(id: MailID, at: Date) async throws
    /// Records the error; `retryAt` nil makes the failure final (`failed`).
    func markMailFailed(id: MailID, error: String, retryAt: Date?) async throws
    /// When the next pending message is due, if any.
    func nextMailDue() async throws -> Date?
    func mailCounts() async throws -> (pending: Int, failed: Int)
    /// Newest first.
    func recentMail(limit: Int) async throws -> [OutboxMail]
    /// Deletes sent and failed messages older than `before`.
    func pruneMail(before: Date) async throws -> Int
}
