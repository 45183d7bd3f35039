import CommunisFiles
import CommunisModel
import CommunisStore
import Foundation

/// The document libraries' cleaning, run as a periodic job: documents in the trash longer
/// than `documents.trash_days` are deleted for good, files that no version names any more
/// are removed (also those a deleted workspace left), expired resumable uploads go, and so
/// do temporary files a crash left behind.
public struct DocumentHousekeeping: Sendable {
    let documents: Documents
    let clock: Clock

    /// A file modified this recently is never removed, named or not: an upload of the same
    /// content may be between adopting it and storing its row (on this node the pins say so;
    /// on another node of a cluster only the file's time does).
    public static let grace: TimeInterval = 3600
    /// Temporary files untouched this long are leftovers (a body being received writes often).
    public static let temporaryAge: TimeInterval = 86_400
    static let batch = 500

    public init(documents: Documents, clock: Clock = Clock()) {
        self.documents = documents
        self.clock = clock
    }

    public struct Report: Sendable, Equatable {
        public var purgedDocuments = 0
        public var removedFiles = 0
        public var removedUploads = 0
        public var removedTemporaryFiles = 0

        public init() {}
    }

    public func run() async throws -> Report {
        var report = Report()
        let store = documents.store
        let blobs = documents.blobs
        // File times are the machine's, not the domain clock's.
        let cutoff = Date().addingTimeInterval(-Self.grace)
        let before = clock.now().addingTimeInterval(-TimeInterval(documents.settings.trashDays) * 86_400)
        while true {
            let expired = try await store.expiredTrash(before: before, limit: 100)
            for document in expired {
                let hashes = Set(try await store.documentVersions(document.id).map(\.sha256))
                try await store.purgeDocument(document.id)
                report.purgedDocuments += 1
                let unreferenced = try await store.unreferencedBlobs(Array(hashes))
                report.removedFiles += await blobs.remove(unreferenced, untouchedSince: cutoff).count
            }
            if expired.count < 100 { break }
        }
        // Every stored file, in slices: what no version names (a purge that failed halfway,
        // a deleted workspace's library) goes too.
        var after: String?
        while true {
            let slice = try await blobs.storedHashes(after: after, limit: Self.batch)
            guard let last = slice.last else { break }
            let unreferenced = try await store.unreferencedBlobs(slice)
            report.removedFiles += await blobs.remove(unreferenced, untouchedSince: cutoff).count
            after = last
            if slice.count < Self.batch { break }
        }
        report.removedUploads = try await blobs.removeExpiredUploads(now: clock.now())
        report.removedTemporaryFiles = try await blobs.removeStaleTemporaryFiles(before: Date().addingTimeInterval(-Self.temporaryAge))
        return report
    }
}
