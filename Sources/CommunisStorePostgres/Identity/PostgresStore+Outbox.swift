import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func enqueueMail(_ mail: OutboxMail) async throws {
        try await client.query("""
            INSERT INTO mail_outbox (id, kind, recipient, recipient_name, subject, text_body, html_body, status, attempts, next_attempt_at,
                                     last_error, created_at, sent_at)
            VALUES (\(mail.id.uuid), \(mail.kind), \(mail.recipient), \(mail.recipientName), \(mail.subject), \(mail.text), \(mail.html),
                    \(mail.status.rawValue), \(mail.attempts), \(mail.nextAttemptAt), \(mail.lastError), \(mail.createdAt), \(mail.sentAt))
            """, logger: logger).run()
    }

    /// `FOR UPDATE SKIP LOCKED`: two nodes claiming at once take different messages.
    public func claimDueMail(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxMail] {
        try await client.query("""
            UPDATE mail_outbox SET leased_until = \(now.addingTimeInterval(lease)), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM mail_outbox
                WHERE status = 'pending' AND next_attempt_at <= \(now) AND coalesce(leased_until, '-infinity') <= \(now)
                ORDER BY next_attempt_at, created_at LIMIT \(max(1, limit)) FOR UPDATE SKIP LOCKED)
            RETURNING *
            """, logger: logger).all().map(Self.mail).sorted { ($0.nextAttemptAt, $0.createdAt) < ($1.nextAttemptAt, $1.createdAt) }
    }

    public func markMailSent(id: MailID, at: Date) async throws {
        try await client.query("""
            UPDATE mail_outbox SET status = 'sent', sent_at = \(at), leased_until = NULL, text_body = '', html_body = '', last_error = ''
            WHERE id = \(id.uuid)
            """, logger: logger).run()
    }

    public func markMailFailed(id: MailID, error: String, retryAt: Date?) async throws {
        let message = String(error.prefix(1000))
        if let retryAt {
            try await client.query("""
                UPDATE mail_outbox SET leased_until = NULL, last_error = \(message), next_attempt_at = \(retryAt) WHERE id = \(id.uuid)
                """, logger: logger).run()
        } else {
            // A message that will never be sent keeps no link or text either.
            try await client.query("""
                UPDATE mail_outbox SET status = 'failed', leased_until = NULL, last_error = \(message), text_body = '', html_body = ''
                WHERE id = \(id.uuid)
                """, logger: logger).run()
        }
    }

    public func nextMailDue() async throws -> Date? {
        try await client.query("""
            SELECT min(greatest(next_attempt_at, coalesce(leased_until, '-infinity'))) AS due FROM mail_outbox WHERE status = 'pending'
            """, logger: logger).first()?.get("due")
    }

    public func mailCounts() async throws -> (pending: Int, failed: Int) {
        let row = try await client.query("""
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'failed') AS failed FROM mail_outbox
            """, logger: logger).first()
        return (try row?.get("pending", as: Int.self) ?? 0, try row?.get("failed", as: Int.self) ?? 0)
    }

    public func recentMail(limit: Int) async throws -> [OutboxMail] {
        try await client.query("SELECT * FROM mail_outbox ORDER BY created_at DESC, id LIMIT \(max(1, limit))", logger: logger).all().map(Self.mail)
    }

    public func pruneMail(before: Date) async throws -> Int {
        try await client.query("DELETE FROM mail_outbox WHERE status <> 'pending' AND created_at < \(before) RETURNING 1", logger: logger).all().count
    }

    private static func mail(_ row: PostgresRandomAccessRow) throws -> OutboxMail {
        OutboxMail(
            id: try row.id("id"), kind: try row.get("kind"), recipient: try row.get("recipient"), recipientName: try row.get("recipient_name"),
            subject: try row.get("subject"), text: try row.get("text_body"), html: try row.get("html_body"), status: try row.enum("status"),
            attempts: try row.get("attempts"), nextAttemptAt: try row.get("next_attempt_at"), lastError: try row.get("last_error"),
            createdAt: try row.get("created_at"), sentAt: try row.get("sent_at"))
    }
}
