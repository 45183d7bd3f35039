import CommunisFiles
import CommunisModel
import CommunisStore
import Foundation
import Logging
import Synchronization

/// Makes what a new version needs beside its file, in the background: its text (for search
/// and for comparing versions, `DocumentStore.setDocumentText`) and its preview pages.
/// Requests never wait for it: `enqueue` only notes the job, and one or two workers (`run`,
/// a long-running service) take the jobs in order.
///
/// Jobs are kept on disk until done (`<documents_dir>/processing/<document>-v<n>.json`,
/// written by `enqueue`), so a restart catches up on what a crash or a shutdown left; at
/// most `maxQueued` are held in memory, the rest wait on disk and are read when the queue
/// runs dry. Doing a job twice (two nodes on shared storage, a crash after the text was
/// stored) is harmless: the text is replaced with the same, and a preview is keyed by
/// content and renamed into place whole.
///
/// Owns its queue (behind one lock that is never held across an `await`); the previews'
/// files are `DocumentPreviews`'.
public final class DocumentProcessor: Sendable {
    public struct Settings: Sendable {
        /// `documents.previews`: false makes no previews (text is still extracted).
        public var previews = true
        /// Jobs worked on at once. LibreOffice takes a core and a few hundred MB while it
        /// converts: one at a time leaves the other core to the requests.
        public var concurrency = 1
        /// Jobs held in memory; more wait on disk.
        public var maxQueued = 1_000
        public var extraction = TextExtraction.Settings()
        public var preview = DocumentPreviews.Settings()

        public init() {}
    }

    /// One version to process.
    public struct Job: Codable, Sendable, Equatable {
        public var document: DocumentID
        public var version: Int
        public var sha256: String
        public var mediaType: String
        public var fileName: String

        var key: String { "\(document)-v\(version)" }
    }

    private struct State {
        var queue: [Job] = []
        /// Keys of the jobs queued or being worked on.
        var known: Set<String> = []
        /// Jobs queued or being worked on, by file.
        var pendingFiles: [String: Int] = [:]
        var running = 0
        /// Jobs on disk that did not fit in the queue.
        var spilled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    public let previews: DocumentPreviews
    let store: any DocumentStore
    let blobURL: @Sendable (String) -> URL
    let extraction: TextExtraction
    let settings: Settings
    let journal: URL
    let logger: Logger
    private let state = Mutex(State())

    /// `documentsDirectory`: `storage.documents_dir`. `blobURL`: where the file with a hash
    /// is (`BlobStore.url(of:)`); by default the blob store's layout, `blobs/ab/abcdef…`.
    public init(store: any DocumentStore, documentsDirectory: URL, blobURL: (@Sendable (String) -> URL)? = nil,
                settings: Settings = Settings(), logger: Logger) {
        self.store = store
        self.blobURL = blobURL ?? { sha256 in
            documentsDirectory.appendingPathComponent("blobs").appendingPathComponent(String(sha256.prefix(2)))
                .appendingPathComponent(sha256)
        }
        previews = DocumentPreviews(directory: documentsDirectory.appendingPathComponent("previews", isDirectory: true), settings: settings.preview)
        extraction = TextExtraction(settings: settings.extraction)
        journal = documentsDirectory.appendingPathComponent("processing", isDirectory: true)
        self.settings = settings
        self.logger = logger
    }

    /// Notes a new version to process (the `Documents` service calls this after the version
    /// is stored). Returns at once; the job is on disk before it returns, unless the disk
    /// refused it (then it is only in memory, and logged).
    public func enqueue(_ id: DocumentID, version: Int, sha256: String, mediaType: String, fileName: String) {
        let job = Job(document: id, version: version, sha256: sha256, mediaType: mediaType, fileName: fileName)
        do {
            try FileManager.default.createDirectory(at: journal, withIntermediateDirectories: true)
            try JSONEncoder().encode(job).write(to: journalFile(job), options: .atomic)
        } catch {
            logger.warning("document job not written to disk: a crash before it is done loses its text and preview",
                           metadata: ["document.id": "\(id)", "document.version": "\(version)", "error": "\(error)"])
        }
        add([job])
    }

    /// The preview of the file `sha256`. With its media type and file name the answer is
    /// exact for kinds without previews (`.none`) and for images (their own one page); a
    /// file of a kind that has previews and none yet is `.pending` (its job may be queued on
    /// another node).
    public func preview(sha256: String, mediaType: String? = nil, fileName: String = "") -> PreviewState {
        var previewable = false
        if let mediaType {
            switch DocumentPreviews.method(mediaType: mediaType, fileName: fileName) {
            case .itself: return .ready(pages: 1)
            case .none: return .none
            case .pdf, .office:
                guard settings.previews else { return .none }
                previewable = true
            }
        }
        if let stored = previews.stored(sha256) { return stored }
        if previewable || state.withLock({ $0.pendingFiles[sha256] != nil }) { return .pending }
        return .none
    }

    /// Whether nothing is queued or being worked on (for tests and the admin view).
    public var isIdle: Bool {
        state.withLock { $0.queue.isEmpty && $0.running == 0 && !$0.spilled }
    }

    /// Works on the jobs until the task is cancelled: first what is on disk from before,
    /// then each new one. A job under way when cancelled stays on disk for the next start.
    /// Every hour (and at start) the previews of files no longer stored are removed.
    public func run() async {
        previews.sweepWork()
        loadJournal()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, settings.concurrency) {
                group.addTask { await self.work() }
            }
            group.addTask {
                while !Task.isCancelled {
                    self.removeOrphanedPreviews()
                    try? await Task.sleep(for: .seconds(3600))
                }
            }
        }
    }

    /// Removes the previews whose file is gone (the blob store's purge removes files only).
    func removeOrphanedPreviews() {
        let removed = previews.removeOrphans { FileManager.default.fileExists(atPath: blobURL($0).path) }
        previews.sweepWork()
        if removed > 0 { logger.info("previews of removed files deleted", metadata: ["count": "\(removed)"]) }
    }

    private func work() async {
        while !Task.isCancelled {
            guard let job = take() else {
                await waitForWork()
                continue
            }
            let done = await process(job)
            if done { try? FileManager.default.removeItem(at: journalFile(job)) }
            finish(job)
        }
    }

    // MARK: The queue

    private func journalFile(_ job: Job) -> URL { journal.appendingPathComponent("\(job.key).json") }

    private func add(_ jobs: [Job]) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for job in jobs where !state.known.contains(job.key) {
                guard state.queue.count < settings.maxQueued else {
                    state.spilled = true
                    break
                }
                state.queue.append(job)
                state.known.insert(job.key)
                state.pendingFiles[job.sha256, default: 0] += 1
            }
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func take() -> Job? {
        func next() -> Job? {
            state.withLock { state in
                guard !state.queue.isEmpty else { return nil }
                state.running += 1
                return state.queue.removeFirst()
            }
        }
        if let job = next() { return job }
        let spilled = state.withLock { state in
            defer { state.spilled = false }
            return state.spilled
        }
        guard spilled else { return nil }
        loadJournal()
        return next()
    }

    private func finish(_ job: Job) {
        state.withLock { state in
            state.running -= 1
            state.known.remove(job.key)
            if let count = state.pendingFiles[job.sha256], count > 1 {
                state.pendingFiles[job.sha256] = count - 1
            } else {
                state.pendingFiles[job.sha256] = nil
            }
        }
    }

    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if !state.queue.isEmpty || state.spilled || state.stopped { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.stopped = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Queues the jobs on disk, oldest first (those already queued are skipped).
    private func loadJournal() {
        let fm = FileManager.default
        guard let files = try? fm.contentsOfDirectory(at: journal, includingPropertiesForKeys: [.contentModificationDateKey]) else { return }
        let dated = files.filter { $0.pathExtension == "json" }.map { url in
            (url, (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast)
        }.sorted { $0.1 < $1.1 }
        var jobs: [Job] = []
        for (url, _) in dated {
            do {
                jobs.append(try JSONDecoder().decode(Job.self, from: Data(contentsOf: url)))
            } catch {
                // A job file cut off by a crash during its write (written atomically, so only
                // a foreign file could be): nothing can be done with it.
                logger.warning("unreadable document job removed", metadata: ["file": "\(url.lastPathComponent)", "error": "\(error)"])
                try? fm.removeItem(at: url)
            }
        }
        if !jobs.isEmpty { logger.info("document jobs found on disk", metadata: ["count": "\(jobs.count)"]) }
        add(jobs)
    }
}

extension DocumentProcessor: DocumentProcessing {
    public func versionStored(_ document: Document, version: DocumentVersion) async {
        enqueue(document.id, version: version.number, sha256: version.sha256, mediaType: version.mediaType, fileName: version.fileName)
    }

    public func preview(of version: DocumentVersion) -> PreviewState {
        preview(sha256: version.sha256, mediaType: version.mediaType, fileName: version.fileName)
    }

    /// A job stays on disk until it is done (on any node: the folder is shared).
    public func isProcessing(_ id: DocumentID, version: Int) -> Bool {
        FileManager.default.fileExists(atPath: journal.appendingPathComponent("\(id)-v\(version).json").path)
    }
}
