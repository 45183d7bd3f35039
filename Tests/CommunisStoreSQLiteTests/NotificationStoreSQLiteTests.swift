import CommunisStore
import CommunisTesting
import Foundation
import Testing

/// The notification centre's contract cases on their own (they are also in `StoreContract`),
/// so they can be run by name while the feature is worked on.
@Suite("SQLiteStore notification centre")
struct NotificationStoreSQLiteTests {
    @Test("passes the notification contract", arguments: NotificationContract.cases)
    func contract(_ contractCase: ContractCase) async throws {
        let database = TemporaryDatabase()
        defer { try? FileManager.default.removeItem(at: database.directory) }
        try await StoreContract.run(contractCase) { try database.open() }
    }
}
