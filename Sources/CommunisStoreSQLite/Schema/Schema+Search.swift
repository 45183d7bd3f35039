import GRDB

extension Schema {
    /// v6: full-text search (FTS5) over everything people can find.
    static func registerSearch(_ migrator: inout DatabaseMigrator) {
    }
}
