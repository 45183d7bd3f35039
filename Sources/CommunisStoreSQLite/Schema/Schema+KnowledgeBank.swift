import GRDB

extension Schema {
    /// v5: the knowledge bank (how-to articles and their revisions).
    static func registerKnowledgeBank(_ migrator: inout DatabaseMigrator) {
    }
}
