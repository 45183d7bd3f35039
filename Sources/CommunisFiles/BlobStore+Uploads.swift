import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A resumable (tus) upload as kept on disk in `uploads/<id>.json`, beside its bytes in
/// `uploads/<id>.part`. Kept by the files, not the database: it survives restarts with any
/// engine, and every node of a cluster sees it on the shared folder.
public struct UploadRecord: Codable, Sendable, Equatable {
    /// 32 lowercase hex digits (a random UUID's).
    public var id: String
    /// The person who created it (an id; only they may touch it).
    public var owner: String
    /// `Upload-Length`: the whole file's size.
    public var length: Int64
    /// The decoded `Upload-Metadata` pairs.
    public var metadata: [String: String]
    public var createdAt: Date
    public var expiresAt: Date
    /// Set once the file became a document's version: which.
    public var document: String?
    public var version: Int?

    public init(id: String = UploadRecord.newID(), owner: String, length: Int64, metadata: [String: String], createdAt: Date, expiresAt: Date) {
        self.id = id
        self.owner = owner
        self.length = length
        self.metadata = metadata
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public static func newID() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    /// Whether `text` can be an upload id (so never a path of its own).
    public static func isID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// Why an upload's bytes were refused.
public enum UploadError: Error, Equatable, Sendable {
    /// `Upload-Offset` is not where the upload stands (`actual`).
    case offsetMismatch(actual: Int64)
    /// Another request is writing this upload right now.
    case busy
    /// The upload is gone (never was, expired, terminated).
    case missing
}

/// Exclusive hold on one upload's bytes (an advisory `flock` on its `.part`, so it holds
/// across the processes of a cluster too). Released by `release()`; used by one task.
public final class UploadLease: @unchecked Sendable {
    let fd: Int32
    public let id: String
    private var released = false

    init(fd: Int32, id: String) {
        self.fd = fd
        self.id = id
    }

    public func release() {
        guard !released else { return }
        released = true
        close(fd)
    }

    deinit { if !released { close(fd) } }
}

extension BlobStore {
    nonisolated func recordURL(_ id: String) -> URL { uploadsDirectory.appendingPathComponent("\(id).json") }
    nonisolated func partURL(_ id: String) -> URL { uploadsDirectory.appendingPathComponent("\(id).part") }

    /// Stores a new upload: its record (written whole, then renamed in) and an empty `.part`.
    public nonisolated func createUpload(_ record: UploadRecord) async throws {
        guard UploadRecord.isID(record.id) else { throw UploadError.missing }
        let part = partURL(record.id)
        try await threads.runIfActive {
            let fd = open(part.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw BlobStoreError.posix("create", part.path) }
            close(fd)
        }
        try await writeRecord(record)
    }

    /// The upload and how many of its bytes are stored, nil when there is none. A finished
    /// upload (its record names the document) stands at its length.
    public nonisolated func upload(_ id: String) async throws -> (record: UploadRecord, offset: Int64)? {
        guard UploadRecord.isID(id) else { return nil }
        let record = recordURL(id)
        let part = partURL(id)
        return try await threads.runIfActive { () throws -> (UploadRecord, Int64)? in
            guard let data = FileManager.default.contents(atPath: record.path) else { return nil }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let upload = try decoder.decode(UploadRecord.self, from: data)
            if upload.document != nil { return (upload, upload.length) }
            guard let size = (try? FileManager.default.attributesOfItem(atPath: part.path))?[.size] as? NSNumber else { return nil }
            return (upload, size.int64Value)
        }
    }

    /// Takes the upload's lock, or throws `busy` when another request holds it and `missing`
    /// when its bytes are gone (finished, terminated or expired).
    public nonisolated func lease(_ id: String) async throws -> UploadLease {
        guard UploadRecord.isID(id) else { throw UploadError.missing }
        let part = partURL(id)
        let fd = try await threads.runIfActive { () throws -> Int32 in
            let fd = open(part.path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { throw UploadError.missing }
                throw BlobStoreError.posix("open", part.path)
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                throw UploadError.busy
            }
            return fd
        }
        // Removed between open and lock (finished by the holder that was just before us).
        guard FileManager.default.fileExists(atPath: part.path) else {
            close(fd)
            throw UploadError.missing
        }
        return UploadLease(fd: fd, id: id)
    }

    /// Appends `body` at `offset`, which must be where the upload stands (`offsetMismatch`
    /// otherwise), up to the upload's length (`BodyTooLong` past it). The bytes are fsynced
    /// before this returns the new offset; bytes that arrived before a cut are kept.
    public nonisolated func append<Body: AsyncSequence>(_ body: Body, to lease: UploadLease, offset: Int64, length: Int64) async throws -> Int64
    where Body.Element == ByteBuffer {
        let part = partURL(lease.id)
        var stats = stat()
        guard fstat(lease.fd, &stats) == 0 else { throw BlobStoreError.posix("stat", part.path) }
        let actual = Int64(stats.st_size)
        guard actual == offset else { throw UploadError.offsetMismatch(actual: actual) }
        try requireSpace(length - offset)
        return try await write(body, fd: lease.fd, path: part.path, offset: offset, limit: length)
    }

    /// A complete upload's bytes as a temporary file to adopt: a second name (hard link) of
    /// the `.part`, so the upload stays whole until `finishUpload`, whatever happens between.
    public nonisolated func uploadedFile(_ lease: UploadLease) async throws -> URL {
        let part = partURL(lease.id)
        let file = temporaryFile()
        try await threads.runIfActive {
            guard link(part.path, file.path) == 0 else { throw BlobStoreError.posix("link", part.path) }
        }
        return file
    }

    /// Records what the upload became and removes its bytes (they are a blob now).
    public nonisolated func finishUpload(_ record: UploadRecord) async throws {
        try await writeRecord(record)
        let part = partURL(record.id)
        try await threads.runIfActive {
            if unlink(part.path) != 0 && errno != ENOENT { throw BlobStoreError.posix("unlink", part.path) }
        }
    }

    /// Removes an upload (terminated, or expired).
    public nonisolated func removeUpload(_ id: String) async throws {
        guard UploadRecord.isID(id) else { return }
        let paths = [partURL(id).path, recordURL(id).path]
        try await threads.runIfActive {
            for path in paths where unlink(path) != 0 && errno != ENOENT { throw BlobStoreError.posix("unlink", path) }
        }
    }

    /// Removes the uploads that expired before `now` (finished ones too: their record has
    /// served its purpose), and `.part` files without a record. Returns how many.
    public nonisolated func removeExpiredUploads(now: Date) async throws -> Int {
        let folder = uploadsDirectory
        let ids = try await threads.runIfActive { () -> Set<String> in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return Set(names.compactMap { name -> String? in
                let id = (name as NSString).deletingPathExtension
                return UploadRecord.isID(id) ? id : nil
            })
        }
        var removed = 0
        for id in ids {
            let found = try? await upload(id)
            if let found, found.record.expiresAt > now { continue }
            if found == nil {
                // A `.part` whose record is being written (createUpload) is young: leave it a day.
                let part = partURL(id).path
                if let modified = (try? FileManager.default.attributesOfItem(atPath: part))?[.modificationDate] as? Date,
                   modified > now.addingTimeInterval(-86_400) { continue }
            }
            try await removeUpload(id)
            removed += 1
        }
        return removed
    }

    nonisolated func writeRecord(_ record: UploadRecord) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(record)
        let target = recordURL(record.id)
        let scratch = temporaryFile()
        let folder = uploadsDirectory
        try await threads.runIfActive {
            let fd = open(scratch.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw BlobStoreError.posix("create", scratch.path) }
            defer { close(fd) }
            do {
                try Self.writeAll(fd, ByteBuffer(bytes: data), at: 0, path: scratch.path)
                try Self.sync(fd, path: scratch.path)
                guard rename(scratch.path, target.path) == 0 else { throw BlobStoreError.posix("rename", target.path) }
                try Self.syncDirectory(folder)
            } catch {
                unlink(scratch.path)
                throw error
            }
        }
    }
}
