import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A body whose bytes went past the limit the caller set: what was within it is written.
public struct BodyTooLong: Error, Equatable, Sendable {
    public var limit: Int64
}

extension BlobStore {
    /// Bytes gathered before one write on the thread pool: few hops, bounded memory.
    static let writeChunk = 1 << 20

    /// Writes a request body (buffers as they arrive, never the whole of it in memory) into
    /// `file` from byte `offset` (the file is created if missing and cut at `offset` first),
    /// at most `limit - offset` bytes, then fsyncs it. Returns the file's size afterwards.
    ///
    /// When the body fails midway (the connection was cut) what arrived is still written and
    /// synced before the error is rethrown, so a resumed upload continues after it. Bytes past
    /// `limit` are not written: `BodyTooLong`. A full disk: `BlobStoreError.storageFull`.
    public nonisolated func receive<Body: AsyncSequence>(_ body: Body, into file: URL, at offset: Int64 = 0, limit: Int64) async throws -> Int64
    where Body.Element == ByteBuffer {
        let fd = try await threads.runIfActive { () throws -> Int32 in
            let fd = open(file.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw BlobStoreError.posix("open", file.path) }
            guard ftruncate(fd, off_t(offset)) == 0 else {
                let error = BlobStoreError.posix("truncate", file.path)
                close(fd)
                throw error
            }
            return fd
        }
        defer { close(fd) }
        return try await write(body, fd: fd, path: file.path, offset: offset, limit: limit)
    }

    /// The loop of `receive` over an open descriptor (the uploads hold theirs locked).
    nonisolated func write<Body: AsyncSequence>(_ body: Body, fd: Int32, path: String, offset: Int64, limit: Int64) async throws -> Int64
    where Body.Element == ByteBuffer {
        var position = offset
        var pending = ByteBufferAllocator().buffer(capacity: 0)
        var tooLong = false
        func flush() async throws {
            guard pending.readableBytes > 0 else { return }
            let bytes = pending
            let at = position
            try await threads.runIfActive { try Self.writeAll(fd, bytes, at: at, path: path) }
            position += Int64(bytes.readableBytes)
            pending.clear()
        }
        do {
            for try await var buffer in body {
                let room = limit - position - Int64(pending.readableBytes)
                if Int64(buffer.readableBytes) > room {
                    tooLong = true
                    if room > 0, let slice = buffer.readSlice(length: Int(room)) { pending.writeImmutableBuffer(slice) }
                    break
                }
                pending.writeBuffer(&buffer)
                if pending.readableBytes >= Self.writeChunk { try await flush() }
            }
            try await flush()
        } catch let error as BlobStoreError {
            throw error
        } catch {
            // The body broke off: keep what arrived (a resumed upload continues after it).
            try? await flush()
            try await threads.runIfActive { try Self.sync(fd, path: path) }
            throw error
        }
        try await threads.runIfActive { try Self.sync(fd, path: path) }
        if tooLong { throw BodyTooLong(limit: limit) }
        return position
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer, at offset: Int64, path: String) throws {
        var written = 0
        let total = buffer.readableBytes
        while written < total {
            let count = buffer.withUnsafeReadableBytes { bytes in
                pwrite(fd, bytes.baseAddress! + written, total - written, off_t(offset + Int64(written)))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.posix("write", path)
            }
            written += count
        }
    }

    static func sync(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw BlobStoreError.posix("fsync", path) }
    }
}
