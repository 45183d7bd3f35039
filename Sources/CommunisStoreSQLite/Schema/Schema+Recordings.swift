import GRDB

extension Schema {
    /// v7: recordings of meetings and guides (filled in by the recordings work).
    static func registerRecordings(_ migrator: inout DatabaseMigrator) {
    }
}
