import CommunisServices
import Logging

/// Publishes scheduled news when it comes due and sends the automatic "läst och förstått"
/// reminder a day before a deadline, on one node of a cluster at a time. Each item is claimed
/// in the store before it is announced, so it is announced once even if two nodes ran.
///
/// Every 30 s: a scheduled item appears within half a minute of its time, for one indexed
/// query (`news_unannounced`).
enum NewsPublishingService {
    static let defaultInterval: Duration = .seconds(30)

    static func job(news: Newsroom, interval: Duration = defaultInterval, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "news-publishing", interval: interval, jobs: jobs, logger: logger) {
            let done = try await news.runScheduled()
            if done.published > 0 || done.reminded > 0 {
                logger.info("scheduled news announced", metadata: ["published": "\(done.published)", "reminded": "\(done.reminded)"])
            }
        }
    }
}
