import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Wakes the mail sender when a message is queued, so it goes out at once rather than at
/// the next poll. Holds only a stream continuation, which is Sendable.
public struct MailWakeup: Sendable {
    public let signals: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    public init() {
        // One pending signal is enough: the sender drains everything due when it wakes.
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func wake() { continuation.yield() }
}

/// Queues e-mail: the message is stored in the outbox before the request that made it is
/// answered, so a mail server that is down (or a crash) loses nothing; `MailDispatcher`
/// sends it.
public struct Outbox: Sendable {
    let store: any CommunisStore
    let wakeup: MailWakeup
    let clock: Clock

    public init(store: any CommunisStore, wakeup: MailWakeup, clock: Clock = Clock()) {
        self.store = store
        self.wakeup = wakeup
        self.clock = clock
    }

    @discardableResult
    public func enqueue(_ message: MailMessage, kind: String) async throws -> MailID {
        let now = clock.now()
        let mail = OutboxMail(kind: kind, recipient: message.to, recipientName: message.toName, subject: message.subject,
                              text: message.text, html: message.html, nextAttemptAt: now, createdAt: now)
        try await store.enqueueMail(mail)
        wakeup.wake()
        return mail.id
    }
}

/// Sends what is due in the outbox through the transport, with retries and back-off:
/// a temporary failure (server down, 4xx) is tried again after 30 s, 1, 2, 4 … minutes (at
/// most an hour apart) until `maxAttempts`; a permanent one (5xx: unknown recipient) stops
/// at once. Each message is leased while it is being sent, so two senders (nodes) never
/// send the same one; a message whose sender died is sent again after its lease.
public struct MailDispatcher: Sendable {
    let store: any CommunisStore
    let transport: any MailTransport
    let clock: Clock
    let logger: Logger
    let maxAttempts: Int
    /// The Message-ID's right-hand side (the host of the public URL).
    let domain: String
    static let lease: TimeInterval = 300

    public init(store: any CommunisStore, transport: any MailTransport, clock: Clock = Clock(), logger: Logger, maxAttempts: Int = 12, domain: String) {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.domain = domain
    }

    /// The wait before attempt `attempts + 1`.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempts - 1))))
    }

    /// Sends every message due now; returns how many were sent.
    @discardableResult
    public func sendDue() async throws -> Int {
        var sent = 0
        while true {
            let batch = try await store.claimDueMail(now: clock.now(), lease: Self.lease, limit: 20)
            guard !batch.isEmpty else { return sent }
            for mail in batch {
                if try await send(mail) { sent += 1 }
            }
        }
    }

    /// When to look again: the next message's due time.
    public func nextDue() async throws -> Date? { try await store.nextMailDue() }

    private func send(_ mail: OutboxMail) async throws -> Bool {
        let message = MailMessage(to: mail.recipient, toName: mail.recipientName, subject: mail.subject, text: mail.text, html: mail.html)
        do {
            try await transport.send(message, messageID: "\(mail.id)@\(domain)")
            try await store.markMailSent(id: mail.id, at: clock.now())
            logger.info("mail sent", metadata: ["mail.id": "\(mail.id)", "mail.kind": "\(mail.kind)", "mail.attempt": "\(mail.attempts)"])
            return true
        } catch let error as MailError {
            let final: Bool
            switch error {
            case .permanent: final = true
            case .temporary: final = mail.attempts >= maxAttempts
            }
            let retryAt = final ? nil : clock.now().addingTimeInterval(Self.backoff(afterAttempts: mail.attempts))
            try await store.markMailFailed(id: mail.id, error: error.description, retryAt: retryAt)
            if final {
                logger.error("mail given up", metadata: ["mail.id": "\(mail.id)", "mail.kind": "\(mail.kind)", "error": "\(error)"])
                try await store.appendAudit([AuditEntry(
                    at: clock.now(), action: .mailFailed, target: AuditRef(type: "mail", id: mail.id.description, name: mail.subject),
                    details: ["kind": mail.kind, "recipient": mail.recipient, "attempts": String(mail.attempts), "error": error.description])])
            } else {
                logger.warning("mail not sent; will retry", metadata: [
                    "mail.id": "\(mail.id)", "mail.attempt": "\(mail.attempts)", "error": "\(error)",
                    "mail.retry_at": "\(retryAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-")",
                ])
            }
            return false
        }
    }
}
