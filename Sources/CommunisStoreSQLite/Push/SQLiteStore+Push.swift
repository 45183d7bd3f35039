import CommunisModel
import CommunisStore
import Foundation
import GRDB

/// Web Push subscriptions and the VAPID key.
extension SQLiteStore {
    public func savePushSubscription(_ subscription: PushSubscription) async throws -> PushSubscription {
        try await pool.write { db in
            // The endpoint is the device: a second subscribe of it (a refresh, or another
            // person signing in on the same browser) updates the row and keeps its id.
            try db.execute(sql: """
                INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth, user_agent, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (endpoint) DO UPDATE SET person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth,
                    user_agent = excluded.user_agent
                """, arguments: [subscription.id.description, subscription.personID.description, subscription.endpoint, subscription.p256dh,
                                 subscription.auth, subscription.userAgent, subscription.createdAt.unixSeconds])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM push_subscriptions WHERE endpoint = ?", arguments: [subscription.endpoint]) else {
                throw CorruptRow(table: "push_subscriptions", column: "endpoint", value: subscription.endpoint)
            }
            return try Self.pushSubscription(row)
        }
    }

    public func pushSubscriptions(of person: PersonID) async throws -> [PushSubscription] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM push_subscriptions WHERE person_id = ? ORDER BY created_at, id",
                             arguments: [person.description]).map(Self.pushSubscription)
        }
    }

    public func deletePushSubscription(_ id: PushSubscriptionID, of person: PersonID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE id = ? AND person_id = ?", arguments: [id.description, person.description])
            return db.changesCount > 0
        }
    }

    public func deletePushSubscription(endpoint: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE endpoint = ?", arguments: [endpoint])
            return db.changesCount > 0
        }
    }

    public func pushVAPIDKey(orStore candidate: String, at: Date) async throws -> String {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO push_keys (name, private_key, created_at) VALUES ('vapid', ?, ?) ON CONFLICT (name) DO NOTHING",
                           arguments: [candidate, at.unixSeconds])
            guard let key = try String.fetchOne(db, sql: "SELECT private_key FROM push_keys WHERE name = 'vapid'") else {
                throw CorruptRow(table: "push_keys", column: "name", value: "vapid")
            }
            return key
        }
    }

    private static func pushSubscription(_ row: Row) throws -> PushSubscription {
        let idText: String = row["id"]
        let personText: String = row["person_id"]
        guard let id = PushSubscriptionID(idText), let person = PersonID(personText) else {
            throw CorruptRow(table: "push_subscriptions", column: "id/person_id", value: "\(idText)/\(personText)")
        }
        return PushSubscription(id: id, personID: person, endpoint: row["endpoint"], p256dh: row["p256dh"], auth: row["auth"],
                                userAgent: row["user_agent"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
