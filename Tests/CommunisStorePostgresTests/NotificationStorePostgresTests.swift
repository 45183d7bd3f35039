import CommunisStore
import CommunisTesting
import Testing

/// The notification centre's contract cases on their own (they are also in `StoreContract`),
/// so they can be run by name while the feature is worked on.
@Suite("PostgresStore notification centre")
struct NotificationStorePostgresTests {
    @Test("passes the notification contract", .timeLimit(.minutes(3)), arguments: NotificationContract.cases)
    func contract(_ contractCase: ContractCase) async throws {
        try await StoreContract.run(contractCase) { try await PostgresTestDatabases.shared.freshStore() }
    }
}
