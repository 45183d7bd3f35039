import CommunisModel
import CommunisStore
import Foundation

/// The audit trail a public authority keeps: who logged in (and failed), who changed
/// roles and memberships (by hand, by rule, by sync), accounts disabled and enabled,
/// directory syncs, recordings started, shared and deleted, workspaces deleted, exports.
/// Append-only; administrators read and export it; entries older than the retention go.
public struct AuditLog: Sendable {
    let store: any CommunisStore
    let clock: Clock

    public init(store: any CommunisStore, clock: Clock = Clock()) {
        self.store = store
        self.clock = clock
    }

    /// Appends one entry now, acted by `viewer` (their address included).
    public func record(_ action: AuditAction, by viewer: Viewer?, target: AuditRef? = nil, workspace: AuditRef? = nil,
                       via: AuditVia = .hand, details: [String: String] = [:]) async throws {
        try await store.appendAudit([AuditEntry(
            at: clock.now(), action: action, actor: viewer?.auditRef, target: target, workspace: workspace,
            via: viewer == nil && via == .hand ? .none : via, address: viewer?.address ?? "", details: details)])
    }

    /// Appends an entry as it is (its time included).
    public func record(_ entry: AuditEntry) async throws {
        try await store.appendAudit([entry])
    }

    public func entries(viewer: Viewer, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        try requireAdmin(viewer)
        return try await store.auditEntries(filter, page: page)
    }

    /// Starts an export: checks the viewer, logs the export itself (so one that is cut off
    /// is still on record), and returns what reads the entries.
    public func export(viewer: Viewer, filter: AuditFilter, format: String) async throws -> AuditExport {
        try requireAdmin(viewer)
        var details = ["format": format]
        if let from = filter.from { details["from"] = ISO8601DateFormatter().string(from: from) }
        if let to = filter.to { details["to"] = ISO8601DateFormatter().string(from: to) }
        if !filter.actions.isEmpty { details["actions"] = filter.actions.map(\.rawValue).sorted().joined(separator: ",") }
        if let text = filter.text { details["q"] = text }
        try await record(.auditExported, by: viewer, details: details)
        return AuditExport(store: store, filter: filter)
    }

    func requireAdmin(_ viewer: Viewer) throws {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators read the audit log.") }
    }
}

/// The entries of an export, read oldest first in batches so memory stays flat however long
/// the log is.
public struct AuditExport: Sendable {
    let store: any CommunisStore
    let filter: AuditFilter

    public func forEachBatch(size: Int = 500, _ body: ([AuditEntry]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let entries = try await store.auditEntries(filter, afterID: after, limit: size)
            guard let last = entries.last else { return }
            try await body(entries)
            after = last.id
        }
    }
}
