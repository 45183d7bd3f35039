import CommunisModel
import Foundation
import GRDB

/// Writes a large body of existing content — people, workspaces, memberships, discussions with
/// their posts — into a migrated SQLite file that no server has open, in a few large
/// transactions, through the engine's own rows: the search index's triggers fill it exactly as
/// they do for the same rows written one at a time. The content is imported as it stands, not
/// happening now: no events, no notifications, no audit lines.
///
/// Made for `communis bench search`, which builds a corpus of a million documents, so the SQL
/// stays in the engine. While it runs, durability is traded for speed (`synchronous = OFF`): a
/// crash leaves a file to throw away, which is why a database in use must never be loaded this
/// way. Owns one connection; not for use from several threads at once.
public final class SQLiteBulkImport {
    let queue: DatabaseQueue
    /// Where the file lives, for messages.
    public let path: String

    /// Opens the migrated database at `path`; fails when it lacks migrations this build knows
    /// (run `communis migrate` or let a command that migrates create it first).
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "communis-bulk-import"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(SQLiteStore.busyTimeout)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        self.path = path
        let migrated = try queue.read { db in try Schema.migrator.hasCompletedMigrations(db) }
        guard migrated else {
            try queue.close()
            throw NotMigrated(path: path)
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
    }

    /// The database lacks migrations; nothing was written.
    public struct NotMigrated: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "The database \(path) is not migrated to this build's schema; run `communis migrate --data-dir …` first."
        }
    }

    /// The id of the person with this e-mail address (compared as stored: normalised), if any.
    public func person(email: String) throws -> PersonID? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM people WHERE email = ?", arguments: [Email.normalize(email)])
                .flatMap(PersonID.init)
        }
    }

    /// Adds people without passwords (they log in through the directory or not at all), with
    /// their competences, in one transaction.
    public func insert(people: [Person]) throws {
        try queue.write { db in
            for person in people {
                let row = PersonRow(person, passwordHash: nil)
                try row.insert(db)
                try CompetenceRow.insertAll(person.profile.competences, of: row.id, db)
            }
        }
    }

    /// Adds workspaces as they are (creator and all), without making anyone their owner: add
    /// the memberships they should have with `insert(memberships:)`.
    public func insert(workspaces: [Workspace]) throws {
        try queue.write { db in
            for workspace in workspaces { try WorkspaceRow(workspace).insert(db) }
        }
    }

    /// Adds memberships (made by hand, not by a group rule), in one transaction.
    public func insert(memberships: [Membership]) throws {
        try queue.write { db in
            for membership in memberships { try MembershipRow(membership).insert(db) }
        }
    }

    /// Adds discussions with their posts, in one transaction. Each thread's `postCount` and
    /// `lastActivityAt` are stored as given: pass them as they are for the posts passed.
    public func insert(threads: [DiscussionThread], posts: [Post]) throws {
        try queue.write { db in
            for thread in threads { try ThreadRow(thread, kind: .discussion).insert(db) }
            for post in posts { try PostRow(post).insert(db) }
        }
    }

    /// Moves everything written into the main file (a WAL checkpoint, so the next opener
    /// starts with an empty log) and closes the connection. Use the object no more.
    public func finish() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }
}
