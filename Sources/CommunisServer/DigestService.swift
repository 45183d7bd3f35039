import CommunisServices
import Logging

/// Runs the notification digests (`Digests`) every five minutes on one node of a cluster at a
/// time: a digest goes out within five minutes of 07:00 in its reader's time zone, and a
/// look that finds nothing due costs one indexed query per cadence.
enum DigestService {
    static let defaultInterval: Duration = .seconds(5 * 60)

    static func job(digests: Digests, interval: Duration = defaultInterval, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "notification-digests", interval: interval, jobs: jobs, logger: logger) {
            let sent = try await digests.run()
            if sent > 0 { logger.info("notification digests queued", metadata: ["count": "\(sent)"]) }
        }
    }
}
