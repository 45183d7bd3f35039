@testable import CommunisStoreSQLite
import Testing

/// Recordings on SQLite beyond the store contract (`RecordingContract`, run with the others).
@Suite("SQLiteStore recordings")
struct RecordingStoreTests {
    @Test("v7-recordings is applied")
    func migrated() async throws {
        try await TemporaryDatabase.with { store, _ in
            let applied = try store.appliedMigrations()
            #expect(applied.contains("v7-recordings"))
        }
    }
}
