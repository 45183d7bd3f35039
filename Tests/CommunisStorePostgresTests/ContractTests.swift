import CommunisStore
import CommunisStorePostgres
import CommunisTesting
import Foundation
import Logging
import Testing

/// Fresh, migrated PostgreSQL databases for the contract cases: the schema is migrated once
/// into a template database, and each case gets a copy of it (CREATE DATABASE … TEMPLATE),
/// which takes milliseconds instead of a migration's seconds.
actor PostgresTestDatabases {
    static let shared = PostgresTestDatabases()
    private var template: Task<String, any Error>?

    func freshStore() async throws -> PostgresStore {
        let server = try await PostgresServer.shared()
        let template = try await templateName(server)
        let url = try await server.createDatabase(template: template)
        return try PostgresStore.open(try PostgresLocation(url: url), logger: PostgresStoreTests.logger, maximumConnections: 4)
    }

    private func templateName(_ server: PostgresServer) async throws -> String {
        if let template { return try await template.value }
        let task = Task<String, any Error> {
            let name = "communis_template_\(UUID().uuidString.prefix(8).lowercased())"
            let url = try await server.createDatabase(named: name)
            try await PostgresStore.withStore(try PostgresLocation(url: url), logger: PostgresStoreTests.logger, maximumConnections: 1) {
                try await $0.migrate()
            }
            return name
        }
        template = task
        return try await task.value
    }
}

@Suite("PostgresStore contract")
struct PostgresContractTests {
    @Test("passes the store contract", .timeLimit(.minutes(3)), arguments: StoreContract.cases)
    func contract(_ contractCase: ContractCase) async throws {
        try await StoreContract.run(contractCase) { try await PostgresTestDatabases.shared.freshStore() }
    }
}
