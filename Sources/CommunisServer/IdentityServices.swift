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
struct DirectorySyncService: Service {
    let sync: DirectorySync
    let interval: Duration
    let logger: Logger
    var firstDelay: Duration = .seconds(30)

    func run() async throws {
        var delay = firstDelay
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let sleep = delay
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: sleep) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            do { _ = try await sync.run(dryRun: false) } catch {
                logger.warning("periodic directory sync failed", metadata: ["error": "\(error)"])
            }
            delay = interval
        }
    }
}

/// Hourly: audit entries past their retention, old failed-login counters, expired reset
/// links and OIDC logins, and outbox messages past their retention.
struct IdentityHousekeeping: Service {
    let store: any CommunisStore
    let configuration: Configuration
    let clock: CommunisServices.Clock
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now()
            do {
                let audit = try await store.pruneAudit(before: now.addingTimeInterval(-Double(configuration.auditRetentionDays) * 86_400))
                let failures = try await store.pruneLoginFailures(before: now.addingTimeInterval(-86_400))
                let records = try await store.pruneLoginRecords(before: now)
                let mail = try await store.pruneMail(before: now.addingTimeInterval(-Double(configuration.mail.retentionDays) * 86_400))
                if audit + failures + records + mail > 0 {
                    logger.info("old identity records removed", metadata: [
                        "audit": "\(audit)", "login_failures": "\(failures)", "login_records": "\(records)", "mail": "\(mail)",
                    ])
                }
            } catch {
                logger.warning("identity housekeeping failed; next hour tries again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
