import CommunisStore

/// What `/healthz` reports about this node.
public struct HealthReport: Sendable, Equatable {
    /// The database answered a read.
    public var database: Bool

    public init(database: Bool) { self.database = database }
}

/// Whether this node can serve requests, for load balancers and monitoring. It asks the
/// store itself, so a route never needs the store to answer `/healthz`.
public struct Health: Sendable {
    let store: any CommunisStore

    public init(store: any CommunisStore) { self.store = store }

    /// Never throws: a database that does not answer is the answer (`database == false`),
    /// which the route turns into 503 for the load balancer.
    public func check() async -> HealthReport {
        do {
            try await store.ping()
            return HealthReport(database: true)
        } catch {
            return HealthReport(database: false)
        }
    }
}
