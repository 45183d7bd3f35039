import CommunisServices
import Logging

/// Runs the knowledge bank's review reminders at start (catching up on whatever came due
/// while the server was down, unless a node ran them within the interval) and then every
/// `interval`, on one node of a cluster at a time.
///
/// 15 minutes by default: a review-by day is a whole calendar day, so a reminder arrives
/// within a quarter of an hour after midnight (Stockholm time) or after a change makes an
/// article due, while the check costs one indexed query.
enum ReviewReminderService {
    static let defaultInterval: Duration = .seconds(15 * 60)

    static func job(reminders: ReviewReminders, interval: Duration = defaultInterval, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "review-reminders", interval: interval, jobs: jobs, logger: logger) {
            // Nothing was published for a batch that failed; the next period tries again.
            let told = try await reminders.run()
            if told > 0 { logger.info("review reminders sent", metadata: ["count": "\(told)"]) }
        }
    }
}
