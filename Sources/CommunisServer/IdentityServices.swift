import CommunisServices
import CommunisStore
import Foundation
import Logging
import ServiceLifecycle

/// Sends the outbox: at start (mail queued before a crash or while the mail server was
/// down), whenever a message is queued, and when the next retry is due (at least every
/// minute, for messages another node queued).
struct MailDispatchService: Service {
    let dispatcher: MailDispatcher
    let wakeup: MailWakeup
    let logger: Logger
    /// The longest sleep between two looks at the outbox.
    var poll: TimeInterval = 60

    func run() async throws {
        let signals = wakeup.signals
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = poll
            do {
                try await dispatcher.sendDue()
                if let next = try await dispatcher.nextDue() { wait = min(poll, max(0.05, next.timeIntervalSinceNow)) }
            } catch {
                // The messages stay in the outbox (their lease runs out); the next look retries.
                logger.error("the outbox could not be sent", metadata: ["error": "\(error)"])
            }
            // Whichever comes first: a new message, the next retry, or shutdown. One child
            // at a time iterates the stream (the previous one was cancelled and has ended).
            let sleep = Duration.milliseconds(Int(wait * 1000))
            _ = try? await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in signals { return } }
                    group.addTask { try? await Task.sleep(for: sleep) }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}

/// Runs the directory sync every `interval` (the first one a little after start, so a
/// restart loop does not hammer the directory). A failing sync is logged and audited by
/// `DirectorySync` and tried again at the next interval.
enum DirectorySyncService {
    /// The first sync waits `firstDelay` after start (the directory was just checked).
    static func job(sync: DirectorySync, interval: Duration, firstDelay: Duration = .seconds(30), jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "directory-sync", interval: interval, firstDelay: firstDelay, jobs: jobs, logger: logger) {
            _ = try await sync.run(dryRun: false)
        }
    }
}

/// Hourly: audit entries past their retention, old failed-login counters, expired reset
/// links and OIDC logins, and outbox messages past their retention.
enum IdentityHousekeeping {
    static func job(store: any CommunisStore, configuration: Configuration, clock: CommunisServices.Clock, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "identity-housekeeping", interval: .seconds(3600), jobs: jobs, logger: logger) {
            let now = clock.now()
            let audit = try await store.pruneAudit(before: now.addingTimeInterval(-Double(configuration.auditRetentionDays) * 86_400))
            let failures = try await store.pruneLoginFailures(before: now.addingTimeInterval(-86_400))
            let records = try await store.pruneLoginRecords(before: now)
            let mail = try await store.pruneMail(before: now.addingTimeInterval(-Double(configuration.mail.retentionDays) * 86_400))
            if audit + failures + records + mail > 0 {
                logger.info("old identity records removed", metadata: [
                    "audit": "\(audit)", "login_failures": "\(failures)", "login_records": "\(records)", "mail": "\(mail)",
                ])
            }
        }
    }
}
