import CommunisServices
import Logging
import ServiceLifecycle

/// Runs the knowledge bank's review reminders at start (catching up on whatever came due
/// while the server was down) and then every `interval`.
///
/// 15 minutes by default: a review-by day is a whole calendar day, so a reminder arrives
/// within a quarter of an hour after midnight (Stockholm time) or after a change makes an
/// article due, while the check costs one indexed query.
struct ReviewReminderService: Service {
    static let defaultInterval: Duration = .seconds(15 * 60)

    let reminders: ReviewReminders
    var interval: Duration = Self.defaultInterval
    let logger: Logger

    func run() async throws {
        // Also stops on plain cancellation: the sleep then ends at once and must not spin.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let told = try await reminders.run()
                if told > 0 { logger.info("review reminders sent", metadata: ["count": "\(told)"]) }
            } catch {
                // The next round tries again; nothing was published for a batch that failed.
                logger.warning("review reminders failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
