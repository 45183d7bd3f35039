import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Web Push subscriptions and the VAPID key.
extension PostgresStore {
    public func savePushSubscription(_ subscription: PushSubscription) async throws -> PushSubscription {
        // The endpoint is the device: a second subscribe of it (a refresh, or another person
        // signing in on the same browser) updates the row and keeps its id.
        let row = try await client.query("""
            INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth, user_agent, created_at)
            VALUES (\(subscription.id.uuid), \(subscription.personID.uuid), \(subscription.endpoint), \(subscription.p256dh),
                    \(subscription.auth), \(subscription.userAgent), \(subscription.createdAt))
            ON CONFLICT (endpoint) DO UPDATE SET person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth,
                user_agent = excluded.user_agent
            RETURNING *
            """, logger: logger).first()
        guard let row else { throw PostgresStoreError.corrupt("push_subscriptions: no row returned for \(subscription.endpoint)") }
        return try Self.pushSubscription(row)
    }

    public func pushSubscriptions(of person: PersonID) async throws -> [PushSubscription] {
        try await client.query("SELECT * FROM push_subscriptions WHERE person_id = \(person.uuid) ORDER BY created_at, id", logger: logger)
            .all().map(Self.pushSubscription)
    }

    public func deletePushSubscription(_ id: PushSubscriptionID, of person: PersonID) async throws -> Bool {
        try await client.query("DELETE FROM push_subscriptions WHERE id = \(id.uuid) AND person_id = \(person.uuid) RETURNING 1", logger: logger)
            .first() != nil
    }

    public func deletePushSubscription(endpoint: String) async throws -> Bool {
        try await client.query("DELETE FROM push_subscriptions WHERE endpoint = \(endpoint) RETURNING 1", logger: logger).first() != nil
    }

    public func pushVAPIDKey(orStore candidate: String, at: Date) async throws -> String {
        // Two nodes starting together: one insert wins, both read the winner.
        try await client.query("""
            INSERT INTO push_keys (name, private_key, created_at) VALUES ('vapid', \(candidate), \(at)) ON CONFLICT (name) DO NOTHING
            """, logger: logger).run()
        guard let row = try await client.query("SELECT private_key FROM push_keys WHERE name = 'vapid'", logger: logger).first() else {
            throw PostgresStoreError.corrupt("push_keys: no vapid key after storing one")
        }
        return try row.get("private_key")
    }

    private static func pushSubscription(_ row: PostgresRandomAccessRow) throws -> PushSubscription {
        PushSubscription(id: try row.id("id"), personID: try row.id("person_id"), endpoint: try row.get("endpoint"), p256dh: try row.get("p256dh"),
                         auth: try row.get("auth"), userAgent: try row.get("user_agent"), createdAt: try row.get("created_at"))
    }
}
