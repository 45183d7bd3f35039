import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// The notification centre's tables (migration v16): settings, follows, digests.
extension SQLiteStore {
    public func recordNotifications(_ notifications: [PersonalNotification], digest: [DigestItem]) async throws {
        guard !notifications.isEmpty || !digest.isEmpty else { return }
        try await pool.write { db in
            for notification in notifications { try NotificationRow(notification).insert(db) }
            for item in digest {
                try db.cachedStatement(sql: """
                    INSERT INTO digest_items (id, person_id, cadence, kind, actor_name, excerpt, link, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [item.id.uuidString.lowercased(), item.personID.description, item.cadence.rawValue,
                                             item.kind.rawValue, item.actorName, item.excerpt, item.link, item.createdAt.unixSeconds])
            }
        }
    }

    public func notificationSettings(of people: [PersonID]) async throws -> [PersonID: NotificationSettings] {
        guard !people.isEmpty else { return [:] }
        let ids = jsonArray(people.map(\.description))
        return try await pool.read { db in
            var found: [PersonID: NotificationSettings] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT * FROM notification_settings WHERE person_id IN (SELECT value FROM json_each(?))
                """, arguments: [ids]) {
                guard let id = PersonID(row["person_id"] as String) else { continue }
                var settings = NotificationSettings.defaults
                settings.quietHours = QuietHours(enabled: (row["quiet_enabled"] as Int) != 0, from: row["quiet_from"], to: row["quiet_to"])
                settings.timeZone = row["time_zone"]
                settings.language = row["language"]
                found[id] = settings
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT * FROM notification_preferences WHERE person_id IN (SELECT value FROM json_each(?))
                """, arguments: [ids]) {
                guard let id = PersonID(row["person_id"] as String), let kind = PersonalNotification.Kind(rawValue: row["kind"]),
                      let email = EmailCadence(rawValue: row["email"]) else { continue }
                found[id, default: .defaults].kinds[kind] = NotificationPreference(
                    app: (row["app"] as Int) != 0, email: email, push: (row["push"] as Int) != 0)
            }
            return found
        }
    }

    public func setNotificationSettings(_ settings: NotificationSettings, for person: PersonID, at: Date) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?)", arguments: [person.description]) == true else {
                throw DomainError.notFound("Person")
            }
            try db.execute(sql: """
                INSERT INTO notification_settings (person_id, quiet_enabled, quiet_from, quiet_to, time_zone, language, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (person_id) DO UPDATE SET quiet_enabled = excluded.quiet_enabled, quiet_from = excluded.quiet_from,
                    quiet_to = excluded.quiet_to, time_zone = excluded.time_zone, language = excluded.language, updated_at = excluded.updated_at
                """, arguments: [person.description, settings.quietHours.enabled ? 1 : 0, settings.quietHours.from, settings.quietHours.to,
                                 settings.timeZone, settings.language, at.unixSeconds])
            try db.execute(sql: "DELETE FROM notification_preferences WHERE person_id = ?", arguments: [person.description])
            for (kind, preference) in settings.kinds {
                try db.execute(sql: "INSERT INTO notification_preferences (person_id, kind, app, email, push) VALUES (?, ?, ?, ?, ?)",
                               arguments: [person.description, kind.rawValue, preference.app ? 1 : 0, preference.email.rawValue, preference.push ? 1 : 0])
            }
        }
    }

    public func follows(of person: PersonID) async throws -> [Follow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM follows WHERE person_id = ? ORDER BY created_at, kind, target",
                             arguments: [person.description]).compactMap { row -> Follow? in
                guard let kind = FollowKind(rawValue: row["kind"]) else { return nil }
                return Follow(personID: person, kind: kind, target: row["target"], following: (row["following"] as Int) != 0,
                              createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func setFollow(_ follow: Follow) async throws {
        try await pool.write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO follows (person_id, kind, target, following, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (person_id, kind, target) DO UPDATE SET following = excluded.following, created_at = excluded.created_at
                    """, arguments: [follow.personID.description, follow.kind.rawValue, follow.target, follow.following ? 1 : 0,
                                     follow.createdAt.unixSeconds])
            } catch let error as DatabaseError where error.isForeignKeyViolation {
                throw DomainError.notFound("Person")
            }
        }
    }

    public func removeFollow(person: PersonID, kind: FollowKind, target: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM follows WHERE person_id = ? AND kind = ? AND target = ?",
                           arguments: [person.description, kind.rawValue, target])
        }
    }

    public func followers(ofTags tags: [String], categories: [String]) async throws -> Set<PersonID> {
        guard !tags.isEmpty || !categories.isEmpty else { return [] }
        return try await pool.read { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT DISTINCT f.person_id FROM follows f JOIN people p ON p.id = f.person_id AND p.disabled = 0
                WHERE f.following = 1 AND ((f.kind = 'tag' AND f.target IN (SELECT value FROM json_each(?)))
                                        OR (f.kind = 'category' AND f.target IN (SELECT value FROM json_each(?))))
                """, arguments: [jsonArray(tags), jsonArray(categories)])
            return Set(ids.compactMap(PersonID.init))
        }
    }

    public func peopleWithPendingDigest(cadence: EmailCadence) async throws -> [PersonID] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT person_id FROM digest_items WHERE cadence = ? AND mailed_period IS NULL ORDER BY person_id
                """, arguments: [cadence.rawValue]).compactMap(PersonID.init)
        }
    }

    public func claimDigest(person: PersonID, cadence: EmailCadence, period: String, before: Date, at: Date,
                            compose: @Sendable ([DigestItem]) -> OutboxMail?) async throws -> [DigestItem] {
        try await pool.write { db in
            let claimed = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM digest_claims WHERE person_id = ? AND cadence = ? AND period = ?)
                """, arguments: [person.description, cadence.rawValue, period]) ?? false
            guard !claimed else { return [] }
            let items = try Row.fetchAll(db, sql: """
                SELECT * FROM digest_items WHERE person_id = ? AND cadence = ? AND mailed_period IS NULL AND created_at < ?
                ORDER BY created_at, rowid
                """, arguments: [person.description, cadence.rawValue, before.unixSeconds]).compactMap { row -> DigestItem? in
                guard let id = UUID(uuidString: row["id"]), let kind = PersonalNotification.Kind(rawValue: row["kind"]) else { return nil }
                return DigestItem(id: id, personID: person, cadence: cadence, kind: kind, actorName: row["actor_name"], excerpt: row["excerpt"],
                                  link: row["link"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
            guard !items.isEmpty else { return [] }
            try db.execute(sql: "INSERT INTO digest_claims (person_id, cadence, period, claimed_at) VALUES (?, ?, ?, ?)",
                           arguments: [person.description, cadence.rawValue, period, at.unixSeconds])
            try db.execute(sql: """
                UPDATE digest_items SET mailed_period = ? WHERE id IN (SELECT value FROM json_each(?))
                """, arguments: [period, jsonArray(items.map { $0.id.uuidString.lowercased() })])
            if let mail = compose(items) { try Self.insertMail(mail, db) }
            return items
        }
    }
}
