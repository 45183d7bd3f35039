import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// The notification centre's tables (`pg4-notifications`): settings, follows, digests.
extension PostgresStore {
    public func recordNotifications(_ notifications: [PersonalNotification], digest: [DigestItem]) async throws {
        guard !notifications.isEmpty || !digest.isEmpty else { return }
        try await transaction { connection in
            for n in notifications {
                try await connection.query("""
                    INSERT INTO notifications (id, person_id, kind, workspace_id, thread_id, post_id, how_to_id, review_by,
                                               actor_id, excerpt, created_at, read_at, news_id, meeting_id, link)
                    VALUES (\(n.id.uuid), \(n.personID.uuid), \(n.kind.rawValue), \(n.workspaceID?.uuid), \(n.threadID?.uuid), \(n.postID?.uuid),
                            \(n.howToID?.uuid), \(n.reviewBy), \(n.actorID?.uuid), \(n.excerpt), \(n.createdAt), \(n.readAt),
                            \(n.newsID?.uuid), \(n.meetingID?.uuid), \(n.link))
                    """, logger: logger).run()
            }
            for item in digest {
                try await connection.query("""
                    INSERT INTO digest_items (id, person_id, cadence, kind, actor_name, excerpt, link, created_at)
                    VALUES (\(item.id), \(item.personID.uuid), \(item.cadence.rawValue), \(item.kind.rawValue), \(item.actorName),
                            \(item.excerpt), \(item.link), \(item.createdAt))
                    """, logger: logger).run()
            }
        }
    }

    public func notificationSettings(of people: [PersonID]) async throws -> [PersonID: NotificationSettings] {
        guard !people.isEmpty else { return [:] }
        let ids = people.map(\.uuid)
        return try await client.withConnection { connection in
            var found: [PersonID: NotificationSettings] = [:]
            for row in try await connection.query("""
                SELECT person_id, quiet_enabled, quiet_from, quiet_to, time_zone, language FROM notification_settings WHERE person_id = ANY(\(ids))
                """, logger: logger).all() {
                var settings = NotificationSettings.defaults
                settings.quietHours = QuietHours(enabled: try row.get("quiet_enabled"), from: try row.get("quiet_from"), to: try row.get("quiet_to"))
                settings.timeZone = try row.get("time_zone")
                settings.language = try row.get("language")
                found[try row.id("person_id")] = settings
            }
            for row in try await connection.query("""
                SELECT person_id, kind, app, email, push FROM notification_preferences WHERE person_id = ANY(\(ids))
                """, logger: logger).all() {
                guard let kind = PersonalNotification.Kind(rawValue: try row.get("kind")) else { continue }
                found[try row.id("person_id"), default: .defaults].kinds[kind] = NotificationPreference(
                    app: try row.get("app"), email: try row.enum("email"), push: try row.get("push"))
            }
            return found
        }
    }

    public func setNotificationSettings(_ settings: NotificationSettings, for person: PersonID, at: Date) async throws {
        try await transaction { connection in
            guard try await connection.query("SELECT 1 FROM people WHERE id = \(person.uuid)", logger: logger).first() != nil else {
                throw DomainError.notFound("Person")
            }
            try await connection.query("""
                INSERT INTO notification_settings (person_id, quiet_enabled, quiet_from, quiet_to, time_zone, language, updated_at)
                VALUES (\(person.uuid), \(settings.quietHours.enabled), \(settings.quietHours.from), \(settings.quietHours.to),
                        \(settings.timeZone), \(settings.language), \(at))
                ON CONFLICT (person_id) DO UPDATE SET quiet_enabled = excluded.quiet_enabled, quiet_from = excluded.quiet_from,
                    quiet_to = excluded.quiet_to, time_zone = excluded.time_zone, language = excluded.language, updated_at = excluded.updated_at
                """, logger: logger).run()
            try await connection.query("DELETE FROM notification_preferences WHERE person_id = \(person.uuid)", logger: logger).run()
            for (kind, preference) in settings.kinds {
                try await connection.query("""
                    INSERT INTO notification_preferences (person_id, kind, app, email, push)
                    VALUES (\(person.uuid), \(kind.rawValue), \(preference.app), \(preference.email.rawValue), \(preference.push))
                    """, logger: logger).run()
            }
        }
    }

    public func follows(of person: PersonID) async throws -> [Follow] {
        try await client.query("""
            SELECT kind, target, following, created_at FROM follows WHERE person_id = \(person.uuid) ORDER BY created_at, kind, target
            """, logger: logger).all().map { row in
            Follow(personID: person, kind: try row.enum("kind"), target: try row.get("target"), following: try row.get("following"),
                   createdAt: try row.get("created_at"))
        }
    }

    public func setFollow(_ follow: Follow) async throws {
        do {
            try await client.query("""
                INSERT INTO follows (person_id, kind, target, following, created_at)
                VALUES (\(follow.personID.uuid), \(follow.kind.rawValue), \(follow.target), \(follow.following), \(follow.createdAt))
                ON CONFLICT (person_id, kind, target) DO UPDATE SET following = excluded.following, created_at = excluded.created_at
                """, logger: logger).run()
        } catch let error as PSQLError where error.isForeignKeyViolation {
            throw DomainError.notFound("Person")
        }
    }

    public func removeFollow(person: PersonID, kind: FollowKind, target: String) async throws {
        try await client.query("""
            DELETE FROM follows WHERE person_id = \(person.uuid) AND kind = \(kind.rawValue) AND target = \(target)
            """, logger: logger).run()
    }

    public func followers(ofTags tags: [String], categories: [String]) async throws -> Set<PersonID> {
        guard !tags.isEmpty || !categories.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT DISTINCT f.person_id FROM follows f JOIN people p ON p.id = f.person_id AND NOT p.disabled
            WHERE f.following AND ((f.kind = 'tag' AND f.target = ANY(\(tags))) OR (f.kind = 'category' AND f.target = ANY(\(categories))))
            """, logger: logger).all()
        return Set(try rows.map { try $0.id("person_id") })
    }

    public func peopleWithPendingDigest(cadence: EmailCadence) async throws -> [PersonID] {
        try await client.query("""
            SELECT DISTINCT person_id FROM digest_items WHERE cadence = \(cadence.rawValue) AND mailed_period IS NULL ORDER BY person_id
            """, logger: logger).all().map { try $0.id("person_id") }
    }

    /// The claim's primary key decides between two nodes: the second insert waits for the
    /// first transaction and then finds the row (`ON CONFLICT DO NOTHING` returns nothing).
    public func claimDigest(person: PersonID, cadence: EmailCadence, period: String, before: Date, at: Date,
                            compose: @Sendable ([DigestItem]) -> OutboxMail?) async throws -> [DigestItem] {
        try await transaction { connection in
            let items = try await connection.query("""
                SELECT id, kind, actor_name, excerpt, link, created_at FROM digest_items
                WHERE person_id = \(person.uuid) AND cadence = \(cadence.rawValue) AND mailed_period IS NULL AND created_at < \(before)
                ORDER BY created_at, id
                """, logger: logger).all().compactMap { row -> DigestItem? in
                guard let kind = PersonalNotification.Kind(rawValue: try row.get("kind")) else { return nil }
                return DigestItem(id: try row.get("id"), personID: person, cadence: cadence, kind: kind, actorName: try row.get("actor_name"),
                                  excerpt: try row.get("excerpt"), link: try row.get("link"), createdAt: try row.get("created_at"))
            }
            guard !items.isEmpty else { return [] }
            let claimed = try await connection.query("""
                INSERT INTO digest_claims (person_id, cadence, period, claimed_at) VALUES (\(person.uuid), \(cadence.rawValue), \(period), \(at))
                ON CONFLICT DO NOTHING RETURNING period
                """, logger: logger).first() != nil
            guard claimed else { return [] }
            try await connection.query("""
                UPDATE digest_items SET mailed_period = \(period) WHERE id = ANY(\(items.map(\.id)))
                """, logger: logger).run()
            if let mail = compose(items) {
                try await connection.query("""
                    INSERT INTO mail_outbox (id, kind, recipient, recipient_name, subject, text_body, html_body, status, attempts, next_attempt_at,
                                             last_error, created_at, sent_at)
                    VALUES (\(mail.id.uuid), \(mail.kind), \(mail.recipient), \(mail.recipientName), \(mail.subject), \(mail.text), \(mail.html),
                            \(mail.status.rawValue), \(mail.attempts), \(mail.nextAttemptAt), \(mail.lastError), \(mail.createdAt), \(mail.sentAt))
                    """, logger: logger).run()
            }
            return items
        }
    }
}
