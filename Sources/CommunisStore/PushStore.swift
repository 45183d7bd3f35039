import CommunisModel
import Foundation

/// Web Push: each person's devices (subscriptions) and the installation's VAPID key.
public protocol PushStore: Sendable {
    /// Stores a device's subscription. Idempotent per endpoint: the same endpoint again keeps
    /// the stored id and creation time and takes the new keys, user agent and person (a device
    /// that another person subscribes on moves to them). Returns what is stored.
    func savePushSubscription(_ subscription: PushSubscription) async throws -> PushSubscription
    /// A person's devices, oldest first.
    func pushSubscriptions(of person: PersonID) async throws -> [PushSubscription]
    /// Removes one of the person's devices; false when it is not theirs or not there.
    func deletePushSubscription(_ id: PushSubscriptionID, of person: PersonID) async throws -> Bool
    /// Removes the subscription of an endpoint the push service says is gone (404/410).
    func deletePushSubscription(endpoint: String) async throws -> Bool
    /// The installation's VAPID private key (RFC 8292): `candidate` is stored when there is
    /// none yet, and the stored key is returned, so that every node of a cluster and every
    /// restart signs with the same key (subscriptions are bound to it).
    func pushVAPIDKey(orStore candidate: String, at: Date) async throws -> String
}
