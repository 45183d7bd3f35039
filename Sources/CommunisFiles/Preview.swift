import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a file's preview stands.
public enum PreviewState: Sendable, Equatable {
    /// `pages` PNG pages can be served (an image serves itself as its one page).
    case ready(pages: Int)
    /// It is being made, or waits its turn.
    case pending
    /// This kind of file has none (or previews are turned off).
    case none
    /// Making it failed (a broken file, a conversion that timed out); not tried again.
    case failed
}

/// The previews of stored files: PNG pages in `<documents_dir>/previews/<sha256>/page-N.png`,
/// keyed by content so that identical files share them.
///
/// A preview is made in a work folder beside them (`previews/.work-<uuid>`) and renamed into
/// place whole, so a folder named by a hash is always complete: a half-made preview is never
/// served, and a crash leaves only a work folder that `sweepWork` removes. A preview that
/// could not be made leaves `previews/<sha256>/failed` (the reason, for the log) and no pages.
///
/// PDF pages are drawn by poppler's `pdftoppm`; office files are converted to PDF by
/// LibreOffice first (`OfficeConversion`). Images a browser shows (PNG, JPEG, GIF, WebP) are
/// their own preview and get no folder. Plain text and CSV are drawn by LibreOffice too.
public final class DocumentPreviews: Sendable {
    /// How a file gets its preview.
    public enum Method: Sendable, Equatable {
        /// An image a browser shows: the file is its own one page.
        case itself
        /// PDF pages drawn by pdftoppm.
        case pdf
        /// Converted to PDF by LibreOffice, then drawn.
        case office
        case none
    }

    public static func method(mediaType: String, fileName: String) -> Method {
        let kind = DocumentFileKind(mediaType: mediaType, fileName: fileName)
        switch kind {
        case .image: return .itself
        case .pdf: return .pdf
        case _ where kind.isOffice: return .office
        case .plainText:
            // Text and CSV read well as pages (Writer and Calc lay them out); Markdown or code
            // would show their markup, so they have none.
            let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let ext = (fileName as NSString).pathExtension.lowercased()
            return ["text/plain", "text/csv"].contains(type) || (type == "application/octet-stream" && ["txt", "csv"].contains(ext)) ? .office : .none
        default: return .none
        }
    }

    public struct Settings: Sendable {
        /// Pages drawn of each file.
        public var maxPages = 3
        /// Each page is drawn to fit within this many pixels square (pdftoppm `-scale-to`):
        /// an A4 page becomes about 570×800, which reads well in a browser; a poster-sized
        /// page stays the same size instead of becoming tens of megapixels, as a fixed
        /// resolution would make it.
        public var maxPixels = 800
        public var timeout: Duration = .seconds(120)
        public var pdftoppm = "pdftoppm"
        public init() {}
    }

    public let directory: URL
    public let settings: Settings
    /// Page counts of the previews seen ready (content-addressed: they never change until
    /// removed), so listing a library does not list a folder per document.
    private let ready = Mutex<[String: Int]>([:])

    public init(directory: URL, settings: Settings = Settings()) {
        self.directory = directory
        self.settings = settings
    }

    public func folder(_ sha256: String) -> URL { directory.appendingPathComponent(sha256, isDirectory: true) }

    /// The PNG of page `page` (1-based) of a ready preview.
    public func page(_ sha256: String, _ page: Int) -> URL { folder(sha256).appendingPathComponent("page-\(page).png") }

    /// `failed` inside the preview's folder (the folder then has no pages): what the
    /// `Documents` service's view of the file reads too.
    func failureMarker(_ sha256: String) -> URL { folder(sha256).appendingPathComponent("failed") }

    /// What is on disk for `sha256`: ready with its pages, failed, or nil (nothing yet).
    public func stored(_ sha256: String) -> PreviewState? {
        guard Blob.isHash(sha256) else { return nil }
        if let pages = ready.withLock({ $0[sha256] }) { return .ready(pages: pages) }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder(sha256).path) else { return nil }
        let pages = names.filter { $0.hasPrefix("page-") && $0.hasSuffix(".png") }.count
        if pages > 0 {
            ready.withLock {
                if $0.count >= 50_000 { $0.removeAll() }
                $0[sha256] = pages
            }
            return .ready(pages: pages)
        }
        return names.contains("failed") ? .failed : nil
    }

    /// A new work folder beside the previews (same file system, so its pages rename into
    /// place). The caller removes it.
    public func makeWorkFolder() throws -> URL {
        let work = directory.appendingPathComponent(".work-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        return work
    }

    /// Draws the first pages of `pdf` as the preview of `sha256`, working in `work`.
    /// Returns the number of pages. Another node (or run) that finished the same preview
    /// first wins: its pages are kept, ours dropped.
    @discardableResult
    public func render(pdf: URL, as sha256: String, in work: URL) async throws -> Int {
        precondition(Blob.isHash(sha256), "previews are named by SHA-256")
        let pages = work.appendingPathComponent("pages", isDirectory: true)
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        try await ExternalProgram.run(settings.pdftoppm,
                                      ["-png", "-scale-to", "\(settings.maxPixels)", "-f", "1", "-l", "\(settings.maxPages)",
                                       pdf.path, pages.appendingPathComponent("page").path],
                                      timeout: settings.timeout, maxOutput: 64 << 10)
        let count = try Self.renamePages(in: pages)
        guard count > 0 else { throw OfficeConversion.Failure(description: "pdftoppm drew no page") }
        try publish(pages, as: sha256)
        ready.withLock { $0[sha256] = count }
        return count
    }

    /// pdftoppm pads page numbers to the width of the document's last page number
    /// (`page-01.png` in a ten-page file): named `page-N.png` here. Returns how many.
    static func renamePages(in folder: URL) throws -> Int {
        let fm = FileManager.default
        var count = 0
        for name in try fm.contentsOfDirectory(atPath: folder.path) where name.hasPrefix("page-") && name.hasSuffix(".png") {
            guard let number = Int(name.dropFirst(5).dropLast(4)) else { continue }
            let wanted = "page-\(number).png"
            if wanted != name { try fm.moveItem(at: folder.appendingPathComponent(name), to: folder.appendingPathComponent(wanted)) }
            count += 1
        }
        return count
    }

    /// Renames the finished pages' folder to the preview's name, in one step.
    private func publish(_ pages: URL, as sha256: String) throws {
        let target = folder(sha256)
        if rename(pages.path, target.path) != 0 {
            let error = errno
            // Someone else's finished preview is there already: it is as good as ours.
            if error == EEXIST || error == ENOTEMPTY { return }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path, NSLocalizedDescriptionKey: String(cString: strerror(error))])
        }
    }

    /// Records that the preview of `sha256` cannot be made (`reason` is kept for whoever
    /// looks at the folder).
    public func markFailed(_ sha256: String, reason: String) {
        guard Blob.isHash(sha256) else { return }
        // A folder with a marker and no pages: a preview finished later elsewhere cannot be
        // renamed over it, so failed stays failed (trying again would fail again).
        try? FileManager.default.createDirectory(at: folder(sha256), withIntermediateDirectories: true)
        // Harmless to lose: without the marker the preview only reads as pending, not failed.
        try? Data(reason.prefix(2000).utf8).write(to: failureMarker(sha256), options: .atomic)
    }

    /// Removes the previews of files that are gone (the blob store's purge calls this with
    /// the hashes it removed).
    public func remove(_ sha256s: [String]) {
        let fm = FileManager.default
        for sha256 in sha256s where Blob.isHash(sha256) {
            ready.withLock { _ = $0.removeValue(forKey: sha256) }
            try? fm.removeItem(at: folder(sha256))
        }
    }

    /// Removes the previews of files no longer stored (`isStored` false: purged from the
    /// trash, their workspace deleted). Returns how many went.
    @discardableResult
    public func removeOrphans(isStored: (String) -> Bool) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        let orphans = names.filter { Blob.isHash($0) && !isStored($0) }
        remove(orphans)
        return orphans.count
    }

    /// Removes work folders older than `age` (left by a crash or a killed run; younger ones
    /// may belong to another node at work on the same storage).
    public func sweepWork(olderThan age: TimeInterval = 3600) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let cutoff = Date().addingTimeInterval(-age)
        for name in names where name.hasPrefix(".work-") {
            let url = directory.appendingPathComponent(name)
            let modified = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast
            if modified < cutoff { try? fm.removeItem(at: url) }
        }
    }
}
