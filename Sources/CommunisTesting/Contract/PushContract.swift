import CommunisModel
import CommunisStore
import Foundation
import Testing

/// `PushStore`: one subscription per endpoint, each person sees and removes only their own
/// devices, a gone endpoint is removed, and the installation has one VAPID key.
public enum PushContract {
    public static let cases: [ContractCase] = [
        ContractCase("a push subscription is stored once per endpoint: subscribing it again keeps its id and takes the new keys", idempotent),
        ContractCase("an endpoint subscribed by another person moves to them", moves),
        ContractCase("a person removes only their own push subscriptions; a gone endpoint is removed for whoever had it", removal),
        ContractCase("the first VAPID key stored is the installation's: later candidates get it back", vapidKey),
        ContractCase("a person's push subscriptions go with the person", cascade),
    ]

    static let p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let auth = "BTBZMqHH6r4Tts7J_aSIgg"

    static func subscription(_ person: PersonID, _ device: String, at seconds: TimeInterval, userAgent: String = "Firefox") -> PushSubscription {
        PushSubscription(personID: person, endpoint: "https://push.example.net/wpush/v2/\(device)", p256dh: p256dh, auth: auth,
                         userAgent: userAgent, createdAt: Instant.at(seconds))
    }

    static func idempotent(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
        let phone = subscription(eva.id, "telefon", at: 10)
        #expect(try await store.savePushSubscription(phone) == phone)
        let laptop = try await store.savePushSubscription(subscription(eva.id, "dator", at: 20))

        var renewed = subscription(eva.id, "telefon", at: 30, userAgent: "Firefox 140")
        renewed.auth = "AAAAAAAAAAAAAAAAAAAAAA"
        let stored = try await store.savePushSubscription(renewed)
        #expect(stored.id == phone.id && stored.createdAt == phone.createdAt, "the same device keeps its id")
        #expect(stored.auth == renewed.auth && stored.userAgent == "Firefox 140")
        #expect(try await store.pushSubscriptions(of: eva.id) == [stored, laptop], "one row per endpoint, oldest first")
    }

    static func moves(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle Ås"))
        let shared = try await store.savePushSubscription(subscription(eva.id, "delad", at: 10))
        let moved = try await store.savePushSubscription(subscription(olle.id, "delad", at: 20))
        #expect(moved.id == shared.id && moved.personID == olle.id)
        #expect(try await store.pushSubscriptions(of: eva.id).isEmpty, "Eva's messages no longer reach the device Olle now uses")
        #expect(try await store.pushSubscriptions(of: olle.id).map(\.id) == [shared.id])
    }

    static func removal(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
        let olle = try await Fixture.insert(store, Fixture.person("Olle Ås"))
        let phone = try await store.savePushSubscription(subscription(eva.id, "telefon", at: 10))
        let laptop = try await store.savePushSubscription(subscription(eva.id, "dator", at: 20))
        #expect(try await store.deletePushSubscription(phone.id, of: olle.id) == false, "not Olle's to remove")
        #expect(try await store.deletePushSubscription(phone.id, of: eva.id))
        #expect(try await store.deletePushSubscription(phone.id, of: eva.id) == false)
        #expect(try await store.deletePushSubscription(endpoint: laptop.endpoint))
        #expect(try await store.deletePushSubscription(endpoint: laptop.endpoint) == false)
        #expect(try await store.pushSubscriptions(of: eva.id).isEmpty)
    }

    static func vapidKey(_ store: any CommunisStore) async throws {
        #expect(try await store.pushVAPIDKey(orStore: "första", at: Instant.at(1)) == "första")
        #expect(try await store.pushVAPIDKey(orStore: "andra", at: Instant.at(2)) == "första")
    }

    static func cascade(_ store: any CommunisStore) async throws {
        let eva = try await Fixture.insert(store, Fixture.person("Eva Ek"))
        let phone = try await store.savePushSubscription(subscription(eva.id, "telefon", at: 10))
        try await store.deletePerson(id: eva.id)
        #expect(try await store.pushSubscriptions(of: eva.id).isEmpty)
        #expect(try await store.deletePushSubscription(endpoint: phone.endpoint) == false)
    }
}
