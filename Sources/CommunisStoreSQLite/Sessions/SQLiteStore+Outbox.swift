import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// The outgoing mail queue.
extension SQLiteStore {
    public func enqueueMail(_ mail: OutboxMail) async throws {
        try await pool.write { db in try Self.insertMail(mail, db) }
    }

    /// Queues `mail` inside the caller's transaction (a digest marks its items and queues its
    /// message in one commit).
    static func insertMail(_ mail: OutboxMail, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO mail_outbox (id, kind, recipient, recipient_name, subject, text_body, html_body, status, attempts,
                                     next_attempt_at, last_error, created_at, sent_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [mail.id.description, mail.kind, mail.recipient, mail.recipientName, mail.subject, mail.text, mail.html,
                             mail.status.rawValue, mail.attempts, mail.nextAttemptAt.unixSeconds, mail.lastError,
                             mail.createdAt.unixSeconds, mail.sentAt?.unixSeconds])
    }

    public func claimDueMail(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxMail] {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM mail_outbox
                WHERE status = 'pending' AND next_attempt_at <= ?1 AND coalesce(leased_until, 0) <= ?1
                ORDER BY next_attempt_at, created_at LIMIT ?2
                """, arguments: [now.unixSeconds, max(1, limit)])
            var claimed: [OutboxMail] = []
            for row in rows {
                var mail = try Self.mail(row)
                mail.attempts += 1
                try db.execute(sql: "UPDATE mail_outbox SET leased_until = ?, attempts = ? WHERE id = ?",
                               arguments: [now.addingTimeInterval(lease).unixSeconds, mail.attempts, mail.id.description])
                claimed.append(mail)
            }
            return claimed
        }
    }

    public func markMailSent(id: MailID, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE mail_outbox SET status = 'sent', sent_at = ?, leased_until = NULL, text_body = '', html_body = '', last_error = ''
                WHERE id = ?
                """, arguments: [at.unixSeconds, id.description])
        }
    }

    public func markMailFailed(id: MailID, error: String, retryAt: Date?) async throws {
        try await pool.write { db in
            if let retryAt {
                try db.execute(sql: "UPDATE mail_outbox SET leased_until = NULL, last_error = ?, next_attempt_at = ? WHERE id = ?",
                               arguments: [String(error.prefix(1000)), retryAt.unixSeconds, id.description])
            } else {
                // A message that will never be sent keeps no link or text either.
                try db.execute(sql: """
                    UPDATE mail_outbox SET status = 'failed', leased_until = NULL, last_error = ?, text_body = '', html_body = ''
                    WHERE id = ?
                    """, arguments: [String(error.prefix(1000)), id.description])
            }
        }
    }

    public func nextMailDue() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT min(max(next_attempt_at, coalesce(leased_until, 0))) FROM mail_outbox WHERE status = 'pending'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func mailCounts() async throws -> (pending: Int, failed: Int) {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT sum(status = 'pending') AS pending, sum(status = 'failed') AS failed FROM mail_outbox
                """)
            return ((row?["pending"] as Int?) ?? 0, (row?["failed"] as Int?) ?? 0)
        }
    }

    public func recentMail(limit: Int) async throws -> [OutboxMail] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox ORDER BY created_at DESC, id LIMIT ?", arguments: [max(1, limit)]).map(Self.mail)
        }
    }

    public func pruneMail(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM mail_outbox WHERE status <> 'pending' AND created_at < ?", arguments: [before.unixSeconds])
            return db.changesCount
        }
    }

    private static func mail(_ row: Row) throws -> OutboxMail {
        let idText: String = row["id"]
        let statusText: String = row["status"]
        guard let id = MailID(idText), let status = OutboxMail.Status(rawValue: statusText) else {
            throw CorruptRow(table: "mail_outbox", column: "id/status", value: "\(idText)/\(statusText)")
        }
        let sent: Double? = row["sent_at"]
        return OutboxMail(
            id: id, kind: row["kind"], recipient: row["recipient"], recipientName: row["recipient_name"], subject: row["subject"],
            text: row["text_body"], html: row["html_body"], status: status, attempts: row["attempts"],
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), sentAt: sent.map(Date.init(timeIntervalSince1970:)))
    }
}
