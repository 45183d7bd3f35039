import CommunisServices
import Logging

/// Runs the document libraries' cleaning (`DocumentHousekeeping`: the trash past
/// `documents.trash_days`, files no version names, expired uploads, leftovers in tmp/) at
/// start and then hourly, on one node of a cluster at a time. Hourly: trash days are whole
/// days and uploads expire after hours, so an hour late is never noticed, while every run
/// walks the stored files once.
enum DocumentHousekeepingService {
    static let interval: Duration = .seconds(3600)

    static func job(housekeeping: DocumentHousekeeping, jobs: JobRunner, logger: Logger) -> PeriodicJob {
        PeriodicJob(name: "document-housekeeping", interval: interval, jobs: jobs, logger: logger) {
            let report = try await housekeeping.run()
            if report != DocumentHousekeeping.Report() {
                logger.info("document libraries cleaned", metadata: [
                    "documents.purged": "\(report.purgedDocuments)", "files.removed": "\(report.removedFiles)",
                    "uploads.removed": "\(report.removedUploads)", "tmp.removed": "\(report.removedTemporaryFiles)",
                ])
            }
        }
    }
}
