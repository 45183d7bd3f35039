import CommunisModel
import CommunisStore
import Foundation
import Logging

/// Keeps Communis in line with the directory: every person under the user base is created
/// or updated, people the directory no longer lists (or lists as disabled) are disabled,
/// and the group rules are applied with the groups' members read fresh. Everything read
/// first, then written in one transaction (`IdentityStore.applyDirectorySync`): a sync that
/// fails half-way changes nothing, and says why in the log and the audit trail.
public struct DirectorySync: Sendable {
    /// At most one sync at a time per process (the periodic one and an administrator's).
    actor Gate {
        var running = false
        func enter() -> Bool {
            guard !running else { return false }
            running = true
            return true
        }
        func leave() { running = false }
    }

    let store: any CommunisStore
    let directory: any DirectorySource
    let publisher: any LivePublisher
    let clock: Clock
    let logger: Logger
    let linkByEmail: Bool
    let maxDisableFraction: Double
    let gate = Gate()

    public init(store: any CommunisStore, directory: any DirectorySource, publisher: any LivePublisher = NoLivePublisher(), clock: Clock = Clock(),
                logger: Logger, linkByEmail: Bool = true, maxDisableFraction: Double = 0.5) {
        self.store = store
        self.directory = directory
        self.publisher = publisher
        self.clock = clock
        self.logger = logger
        self.linkByEmail = linkByEmail
        self.maxDisableFraction = maxDisableFraction
    }

    /// Runs one sync. `force` skips the share-of-people-disabled check; `viewer` is the
    /// administrator who asked (nil for the periodic sync and the command line). Errors are
    /// the API's: `directoryUnavailable`, `conflict` (refused, or already running).
    public func run(dryRun: Bool, force: Bool = false, viewer: Viewer? = nil) async throws -> DirectorySyncOutcome {
        do {
            return try await runReportingCause(dryRun: dryRun, force: force, viewer: viewer)
        } catch let failure as DirectorySyncFailure {
            throw failure.apiError
        }
    }

    /// Like `run`, but a failure is a `DirectorySyncFailure` whose message says exactly what
    /// went wrong (for the command line and the log; the API shows less of the directory).
    public func runReportingCause(dryRun: Bool, force: Bool = false, viewer: Viewer? = nil) async throws -> DirectorySyncOutcome {
        if let viewer, viewer.role != .admin { throw DomainError.forbidden("Only administrators run a directory sync.") }
        guard await gate.enter() else { throw DomainError.conflict("A directory sync is already running; wait for it to finish.") }
        do {
            let outcome = try await runAlone(dryRun: dryRun, force: force, viewer: viewer)
            await gate.leave()
            return outcome
        } catch {
            await gate.leave()
            throw error
        }
    }

    private func runAlone(dryRun: Bool, force: Bool, viewer: Viewer?) async throws -> DirectorySyncOutcome {
        let started = clock.now()
        do {
            let input = try await read(dryRun: dryRun, force: force, viewer: viewer)
            let outcome = try await store.applyDirectorySync(input)
            logger.info("directory sync finished", metadata: [
                "sync.dry_run": "\(dryRun)", "sync.created": "\(outcome.created)", "sync.updated": "\(outcome.updated)",
                "sync.disabled": "\(outcome.disabled)", "sync.enabled": "\(outcome.enabled)",
                "sync.memberships_added": "\(outcome.membershipsAdded)", "sync.memberships_removed": "\(outcome.membershipsRemoved)",
                "sync.errors": "\(outcome.errors)", "sync.seconds": "\(clock.now().timeIntervalSince(started))",
            ])
            if !dryRun { await publish(outcome) }
            return outcome
        } catch {
            let message = Self.message(error)
            logger.error("directory sync failed; nothing was changed", metadata: ["error": "\(message)"])
            if !dryRun {
                try await store.appendAudit([AuditEntry(at: clock.now(), action: .directorySync, actor: viewer?.auditRef, via: .sync,
                                                        address: viewer?.address ?? "", details: ["ok": "false", "message": message])])
            }
            let apiError: any Error = switch error {
            case is DirectoryError: DomainError.directoryUnavailable
            case let refused as DirectorySyncRefused: DomainError.conflict(refused.description)
            default: error
            }
            throw DirectorySyncFailure(message: message, apiError: apiError)
        }
    }

    private func read(dryRun: Bool, force: Bool, viewer: Viewer?) async throws -> DirectorySyncInput {
        let accounts = try await directory.allAccounts()
        let groups = try await directory.allGroups()
        let byKey = Dictionary(groups.map { (ExternalGroup.directoryKey($0.stableID), $0) }, uniquingKeysWith: { first, _ in first })
        var members: [String: Set<String>] = [:]
        for key in Set(try await store.groupRules().map(\.groupKey)) where key.hasPrefix("directory:") {
            // A rule whose group is gone from the directory has no members any more.
            guard let group = byKey[key] else {
                members[key] = []
                continue
            }
            members[key] = Set(try await directory.members(of: group).map { $0.lowercased() })
        }
        return DirectorySyncInput(
            accounts: accounts.map(ExternalIdentities.profile), groups: groups.map(ExternalIdentities.group), ruleGroupMembers: members,
            linkByEmail: linkByEmail, maxDisableFraction: force ? 1 : maxDisableFraction, dryRun: dryRun, at: clock.now(),
            actor: viewer?.auditRef, address: viewer?.address ?? "")
    }

    /// Persist, then publish: the disabled lose their sessions, ended memberships their
    /// live subscriptions.
    private func publish(_ outcome: DirectorySyncOutcome) async {
        for person in outcome.disabledPeople {
            do { try await store.deleteSessions(of: person) } catch {
                logger.warning("sessions of a disabled person could not be deleted", metadata: ["person.id": "\(person)", "error": "\(error)"])
            }
            await publisher.sessionsEnded(person: person)
        }
        for membership in outcome.removedMemberships {
            await publisher.membershipEnded(workspace: membership.workspaceID, person: membership.personID)
        }
    }

    static func message(_ error: any Error) -> String {
        switch error {
        case let error as DirectoryError: error.description
        case let error as DirectorySyncRefused: error.description
        default: String(describing: error)
        }
    }
}

/// A sync that failed and changed nothing: `message` names the cause.
public struct DirectorySyncFailure: Error, CustomStringConvertible {
    public var message: String
    let apiError: any Error
    public var description: String { message }
}
