import CommunisModel
import Foundation

/// Which audit entries to read. All given criteria must hold.
public struct AuditFilter: Sendable, Equatable {
    public var from: Date?
    /// Exclusive.
    public var to: Date?
    public var actions: Set<AuditAction>
    /// Entries where this person acted.
    public var actorID: String?
    /// Entries about this person, workspace, recording, rule … (its id).
    public var targetID: String?
    /// Case-insensitive substring of the actor's, target's or workspace's name, the
    /// address, or a detail.
    public var text: String?

    public init(from: Date? = nil, to: Date? = nil, actions: Set<AuditAction> = [], actorID: String? = nil, targetID: String? = nil, text: String? = nil) {
        self.from = from
        self.to = to
        self.actions = actions
        self.actorID = actorID
        self.targetID = targetID
        self.text = text
    }
}

/// The append-only audit log. Entries are never changed (the engine refuses updates);
/// they are deleted only by `pruneAudit`, for the configured retention.
public protocol AuditStore: Sendable {
    /// Appends in order, in one transaction; ids grow with the order of appending.
    func appendAudit(_ entries: [AuditEntry]) async throws
    /// Newest first.
    func auditEntries(_ filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry>
    /// Oldest first, the `limit` entries after `afterID` (for exports that stream).
    func auditEntries(_ filter: AuditFilter, afterID: Int64, limit: Int) async throws -> [AuditEntry]
    /// The newest entry of the action, if any.
    func lastAuditEntry(action: AuditAction) async throws -> AuditEntry?
    /// Deletes entries older than `before`; returns how many.
    func pruneAudit(before: Date) async throws -> Int
}
