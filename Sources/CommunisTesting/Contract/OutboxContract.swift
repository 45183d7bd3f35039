import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `MailOutboxStore`: mail is stored before it is sent, leased to one sender at a time,
/// retried, and its bodies erased once they are of no more use.
public enum OutboxContract {
    public static let cases: [ContractCase] = [
        ContractCase("a claim leases a message: a second claim gets nothing until the lease ends, then the message again", lease),
        ContractCase("claims take due messages oldest first, up to the limit, never sent or failed ones", claimOrder),
        ContractCase("sent erases the bodies; a failure with a retry waits for it; a final failure erases and marks failed", outcomes),
        ContractCase("nextMailDue, mailCounts and recentMail (newest first) tell the admin view what waits", overview),
        ContractCase("pruneMail deletes old sent and failed messages and keeps pending ones", prune),
    ]

    static func mail(_ subject: String, at seconds: TimeInterval, due: TimeInterval? = nil, kind: String = "password-reset") -> OutboxMail {
        OutboxMail(kind: kind, recipient: "asa.oberg@example.se", recipientName: "Åsa Öberg", subject: subject,
                   text: "Återställ ditt lösenord: https://communis.example.se/#/reset/hemlig", html: "<p>Återställ <a href=\"…\">här</a></p>",
                   nextAttemptAt: Instant.at(due ?? seconds), createdAt: Instant.at(seconds))
    }

    static func stored(_ store: any CommunisStore, _ id: MailID) async throws -> OutboxMail {
        try #require(try await store.recentMail(limit: 100).first { $0.id == id })
    }

    static func lease(_ store: any CommunisStore) async throws {
        let message = mail("Återställ lösenord", at: 10)
        try await store.enqueueMail(message)
        #expect(try await stored(store, message.id) == message)

        let claimed = try await store.claimDueMail(now: Instant.at(20), lease: 60, limit: 10)
        var expected = message
        expected.attempts = 1
        #expect(claimed == [expected])
        #expect(try await store.claimDueMail(now: Instant.at(21), lease: 60, limit: 10).isEmpty, "another sender waits for the lease")
        #expect(try await store.claimDueMail(now: Instant.at(79), lease: 60, limit: 10).isEmpty)
        // The sender died without a word: after the lease, the message is due again.
        let again = try await store.claimDueMail(now: Instant.at(80), lease: 60, limit: 10)
        #expect(again.map(\.id) == [message.id] && again.first?.attempts == 2)
        #expect(again.first?.text == message.text && again.first?.html == message.html)
        #expect(try await stored(store, message.id).attempts == 2)
    }

    static func claimOrder(_ store: any CommunisStore) async throws {
        let late = mail("Sent köad", at: 30)
        let early = mail("Tidigast", at: 10)
        let middle = mail("Mitten", at: 20)
        let future = mail("Framtida", at: 15, due: 500)
        for message in [late, early, middle, future] { try await store.enqueueMail(message) }

        #expect(try await store.claimDueMail(now: Instant.at(100), lease: 60, limit: 2).map(\.id) == [early.id, middle.id])
        #expect(try await store.claimDueMail(now: Instant.at(100), lease: 60, limit: 2).map(\.id) == [late.id])
        try await store.markMailSent(id: early.id, at: Instant.at(101))
        try await store.markMailFailed(id: middle.id, error: "550 No such user", retryAt: nil)
        #expect(try await store.claimDueMail(now: Instant.at(400), lease: 1000, limit: 10).map(\.id) == [late.id], "not yet due, sent and failed wait")
        #expect(try await store.claimDueMail(now: Instant.at(600), lease: 60, limit: 10).map(\.id) == [future.id])
    }

    static func outcomes(_ store: any CommunisStore) async throws {
        let sent = mail("Skickas", at: 10), retried = mail("Försöks igen", at: 11), given = mail("Ges upp", at: 12)
        for message in [sent, retried, given] { try await store.enqueueMail(message) }
        #expect(try await store.claimDueMail(now: Instant.at(20), lease: 60, limit: 10).count == 3)

        try await store.markMailSent(id: sent.id, at: Instant.at(21))
        let done = try await stored(store, sent.id)
        #expect(done.status == .sent && done.sentAt == Instant.at(21) && done.attempts == 1)
        #expect(done.text.isEmpty && done.html.isEmpty, "a reset link must not outlive its sending")
        #expect(done.subject == sent.subject && done.recipient == sent.recipient)

        try await store.markMailFailed(id: retried.id, error: "421 Try again later", retryAt: Instant.at(300))
        let waiting = try await stored(store, retried.id)
        #expect(waiting.status == .pending && waiting.lastError == "421 Try again later" && waiting.nextAttemptAt == Instant.at(300))
        #expect(waiting.text == retried.text, "kept for the next attempt")

        try await store.markMailFailed(id: given.id, error: "550 Mailbox unavailable", retryAt: nil)
        let failed = try await stored(store, given.id)
        #expect(failed.status == .failed && failed.lastError == "550 Mailbox unavailable" && failed.sentAt == nil)
        #expect(failed.text.isEmpty && failed.html.isEmpty)

        #expect(try await store.claimDueMail(now: Instant.at(299), lease: 60, limit: 10).isEmpty, "the retry waits; sent and failed are done")
        let second = try await store.claimDueMail(now: Instant.at(300), lease: 60, limit: 10)
        #expect(second.map(\.id) == [retried.id] && second.first?.attempts == 2, "the retry is due at once, whatever the old lease")
        #expect(try await store.claimDueMail(now: Instant.at(10_000), lease: 60, limit: 10).map(\.id) == [retried.id])
    }

    static func overview(_ store: any CommunisStore) async throws {
        #expect(try await store.nextMailDue() == nil)
        #expect(try await store.mailCounts() == (pending: 0, failed: 0))
        #expect(try await store.recentMail(limit: 10).isEmpty)

        let a = mail("A", at: 10, due: 200), b = mail("B", at: 20, due: 100), c = mail("C", at: 30), d = mail("D", at: 40, kind: "guest-invitation")
        for message in [a, b, c, d] { try await store.enqueueMail(message) }
        #expect(try await store.nextMailDue() == Instant.at(30))
        #expect(try await store.mailCounts() == (pending: 4, failed: 0))
        #expect(try await store.recentMail(limit: 10).map(\.id) == [d.id, c.id, b.id, a.id])
        #expect(try await store.recentMail(limit: 2).map(\.id) == [d.id, c.id])

        // c and d are leased: the next due is b's time; when the leases end, theirs.
        #expect(try await store.claimDueMail(now: Instant.at(50), lease: 600, limit: 10).map(\.id) == [c.id, d.id])
        #expect(try await store.nextMailDue() == Instant.at(100))
        try await store.markMailSent(id: c.id, at: Instant.at(51))
        try await store.markMailFailed(id: d.id, error: "550", retryAt: nil)
        #expect(try await store.mailCounts() == (pending: 2, failed: 1))
        #expect(try await store.recentMail(limit: 10).map(\.status) == [.failed, .sent, .pending, .pending])
        #expect(try await store.recentMail(limit: 10).first?.kind == "guest-invitation")
    }

    static func prune(_ store: any CommunisStore) async throws {
        let oldSent = mail("Gammal skickad", at: 10), oldFailed = mail("Gammal misslyckad", at: 20), oldPending = mail("Gammal väntande", at: 30, due: 5000)
        let newSent = mail("Ny skickad", at: 2000)
        for message in [oldSent, oldFailed, oldPending, newSent] { try await store.enqueueMail(message) }
        _ = try await store.claimDueMail(now: Instant.at(2100), lease: 60, limit: 10)
        try await store.markMailSent(id: oldSent.id, at: Instant.at(2101))
        try await store.markMailFailed(id: oldFailed.id, error: "550", retryAt: nil)
        try await store.markMailSent(id: newSent.id, at: Instant.at(2102))

        #expect(try await store.pruneMail(before: Instant.at(1000)) == 2)
        #expect(Set(try await store.recentMail(limit: 10).map(\.id)) == [oldPending.id, newSent.id])
        #expect(try await store.pruneMail(before: Instant.at(1000)) == 0)
        #expect(try await store.mailCounts() == (pending: 1, failed: 0))
    }
}
