import Crypto
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the blob store reports when it cannot do its work.
public enum BlobStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The disk is full (ENOSPC, EDQUOT) or would fall below the free space the store must
    /// keep: nothing was stored.
    case storageFull
    /// A file the store was asked to use is not there.
    case missing(String)
    /// Any other failure of the file system: the operation and `strerror`.
    case io(String)

    public var description: String {
        switch self {
        case .storageFull: "the disk is full"
        case .missing(let path): "missing file \(path)"
        case .io(let what): what
        }
    }

    /// The error for `errno` after `operation` on `path`.
    static func posix(_ operation: String, _ path: String, _ code: Int32 = errno) -> BlobStoreError {
        if code == ENOSPC || code == EDQUOT { return .storageFull }
        if code == ENOENT { return .missing(path) }
        return .io("\(operation) \(path): \(String(cString: strerror(code)))")
    }
}

/// The files of the document libraries under `storage.documents_dir`, content-addressed by
/// SHA-256. Owns the folder's layout and the pins; never the database.
///
/// - `blobs/ab/abcdef…`: one file per distinct content (lowercase hex SHA-256, the first two
///   digits a fan-out folder). A file appears there only complete: written elsewhere,
///   fsynced, then renamed in, and the folder fsynced (`adopt`).
/// - `tmp/`: files being written (WebDAV bodies, uploads being adopted).
/// - `uploads/<id>.json` + `<id>.part`: tus uploads in progress (`BlobStore+Uploads`).
/// - `previews/`: the previews' (another owner; the store only makes the folder).
///
/// Pins keep a purge from deleting a file an upload is about to name: `adopt` returns its
/// blob pinned and the caller unpins it once the row naming it is applied (or refused);
/// `remove` skips pinned hashes and files touched recently, and `adopt` touches a file it
/// finds already there, so a purge that read "unreferenced" just before an identical upload
/// leaves the file alone. All file work runs on NIO's thread pool, never on the actor's.
public actor BlobStore {
    public nonisolated let root: URL
    /// Free space (bytes) the disk must keep; writes that would pass it are refused.
    public nonisolated let minFreeBytes: Int64
    nonisolated let threads: NIOThreadPool
    private var pins: [String: Int] = [:]

    /// Read size when hashing: large enough for few system calls, small for memory.
    static let chunk = 1 << 20

    /// Creates the folders if they are missing.
    public init(root: URL, minFreeBytes: Int64 = 0, threads: NIOThreadPool = .singleton) throws {
        self.root = root.standardizedFileURL
        self.minFreeBytes = minFreeBytes
        self.threads = threads
        for folder in ["blobs", "tmp", "uploads", "previews"] {
            do {
                try FileManager.default.createDirectory(at: self.root.appendingPathComponent(folder), withIntermediateDirectories: true)
            } catch {
                throw BlobStoreError.io("cannot create \(self.root.appendingPathComponent(folder).path): \(error.localizedDescription)")
            }
        }
    }

    public nonisolated var blobsDirectory: URL { root.appendingPathComponent("blobs") }
    public nonisolated var temporaryDirectory: URL { root.appendingPathComponent("tmp") }
    public nonisolated var uploadsDirectory: URL { root.appendingPathComponent("uploads") }
    public nonisolated var previewsDirectory: URL { root.appendingPathComponent("previews") }

    /// A fresh path in `tmp/` for a file to be written and then adopted (nothing is created).
    public nonisolated func temporaryFile() -> URL {
        temporaryDirectory.appendingPathComponent(UUID().uuidString.lowercased())
    }

    /// Where the file with this hash is (whether or not it exists).
    public nonisolated func url(of sha256: String) -> URL {
        blobsDirectory.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Whether the file with this hash is on disk.
    public nonisolated func contains(_ sha256: String) -> Bool {
        Blob.isHash(sha256) && FileManager.default.fileExists(atPath: url(of: sha256).path)
    }

    /// Takes over a complete file (moved, not copied): hashes it, fsyncs it, renames it to its
    /// hash (or, when that content is stored already, removes it and touches the stored one),
    /// and fsyncs the folder, so that after this returns the blob survives a crash. The blob
    /// comes back PINNED: call `unpin` after the row that names it is applied or refused.
    /// A full disk is `BlobStoreError.storageFull`; on any failure `file` is removed.
    public func adopt(_ file: URL) async throws -> Blob {
        let blob: Blob
        do {
            blob = try await threads.runIfActive { try Self.hashAndSync(file) }
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        pin(blob.sha256)
        do {
            // Synchronously on the actor: a `remove` cannot run between the check and the rename.
            let target = url(of: blob.sha256)
            let folder = target.deletingLastPathComponent()
            var newFolder = false
            if !FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                newFolder = true
            }
            if FileManager.default.fileExists(atPath: target.path) {
                try? FileManager.default.removeItem(at: file)
                // A purge that found it unreferenced a moment ago must now leave it (see `remove`).
                _ = utimes(target.path, nil)
                return blob
            }
            guard rename(file.path, target.path) == 0 else { throw BlobStoreError.posix("rename", target.path) }
            let syncParent = newFolder
            try await threads.runIfActive {
                try Self.syncDirectory(folder)
                if syncParent { try Self.syncDirectory(folder.deletingLastPathComponent()) }
            }
            return blob
        } catch {
            unpin(blob.sha256)
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// Keeps `remove` from deleting this hash until as many `unpin`s.
    public func pin(_ sha256: String) { pins[sha256, default: 0] += 1 }

    public func unpin(_ sha256: String) {
        guard let count = pins[sha256] else { return }
        pins[sha256] = count > 1 ? count - 1 : nil
    }

    public func isPinned(_ sha256: String) -> Bool { pins[sha256] != nil }

    /// Deletes these files (hashes the database no longer names), except pinned ones and ones
    /// modified after `cutoff` (adopted or found again since the caller asked the database).
    /// Returns the hashes removed. Synchronous on the actor: an `adopt` of the same content
    /// either finishes before (the file is touched, so kept) or after (it writes the file anew).
    @discardableResult
    public func remove(_ hashes: [String], untouchedSince cutoff: Date) -> [String] {
        var removed: [String] = []
        for hash in hashes where Blob.isHash(hash) && pins[hash] == nil {
            let path = url(of: hash).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date, modified <= cutoff else { continue }
            if unlink(path) == 0 { removed.append(hash) }
        }
        return removed
    }

    /// The stored hashes in name order after `after` (nil: from the start), at most `limit`:
    /// the purge walks the store in such slices and asks the database about each.
    public nonisolated func storedHashes(after: String?, limit: Int) async throws -> [String] {
        let blobs = blobsDirectory
        return try await threads.runIfActive {
            var result: [String] = []
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: blobs.path))?.filter { $0.count == 2 }.sorted() ?? []
            for folder in folders {
                if let after, folder < after.prefix(2) { continue }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: blobs.appendingPathComponent(folder).path)) ?? []
                for name in names.sorted() where Blob.isHash(name) {
                    if let after, name <= after { continue }
                    result.append(name)
                    if result.count == limit { return result }
                }
            }
            return result
        }
    }

    /// Removes files in `tmp/` not written to since `before` (left by a crash or a dropped
    /// WebDAV upload). Returns how many.
    public nonisolated func removeStaleTemporaryFiles(before: Date) async throws -> Int {
        let tmp = temporaryDirectory
        return try await threads.runIfActive {
            var removed = 0
            for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] {
                let path = tmp.appendingPathComponent(name).path
                guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                      modified < before else { continue }
                if unlink(path) == 0 { removed += 1 }
            }
            return removed
        }
    }

    /// Free bytes on the disk of the store (for unprivileged writers), nil when unknown.
    public nonisolated func freeBytes() -> Int64? {
        var stats = statvfs()
        guard statvfs(root.path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Throws `storageFull` unless `bytes` more still leave `minFreeBytes` free.
    public nonisolated func requireSpace(_ bytes: Int64) throws {
        guard let free = freeBytes() else { return }
        if free - max(bytes, 0) < minFreeBytes { throw BlobStoreError.storageFull }
    }

    // MARK: Blocking helpers (run on the thread pool)

    /// SHA-256 and size of a file, which is fsynced on the way.
    static func hashAndSync(_ file: URL) throws -> Blob {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.posix("open", file.path) }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunk) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.posix("read", file.path)
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            size += Int64(count)
        }
        guard fsync(fd) == 0 else { throw BlobStoreError.posix("fsync", file.path) }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return Blob(sha256: hex, size: size)
    }

    /// Makes a rename or creation in `folder` durable.
    static func syncDirectory(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.posix("open", folder.path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BlobStoreError.posix("fsync", folder.path) }
    }

    /// Where the previews of this content are: `previews/<sha256>/page-1.png`, `page-2.png` …
    /// and, when making them failed, a file `failed` (written by the preview maker).
    public nonisolated func previewFolder(of sha256: String) -> URL {
        previewsDirectory.appendingPathComponent(sha256)
    }

    /// How many preview pages exist for this content, and whether making them failed.
    public nonisolated func previewState(of sha256: String) -> (pages: Int, failed: Bool) {
        let folder = previewFolder(of: sha256)
        guard Blob.isHash(sha256), let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return (0, false) }
        let pages = names.filter { $0.hasPrefix("page-") && $0.hasSuffix(".png") }.count
        return (pages, names.contains("failed"))
    }

    /// The SHA-256 of a file (lowercase hex); the file is fsynced on the way.
    public nonisolated func sha256(of file: URL) async throws -> String {
        try await threads.runIfActive { try Self.hashAndSync(file).sha256 }
    }
}
