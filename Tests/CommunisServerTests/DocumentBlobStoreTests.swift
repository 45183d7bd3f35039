import CommunisFiles
import Foundation
import NIOCore
import Testing

/// The blob store alone: what it promises the service (complete files named by their hash,
/// stored once, never removed while pinned or freshly touched) and the uploads' files.
@Suite("The documents' blob store")
struct DocumentBlobStoreTests {
    static func store() throws -> (BlobStore, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("communis-blobs-\(UUID())")
        return (try BlobStore(root: root), root)
    }

    static func write(_ bytes: [UInt8], _ store: BlobStore) throws -> URL {
        let file = store.temporaryFile()
        try Data(bytes).write(to: file)
        return file
    }

    @Test("Adopting names the file by its SHA-256, moves it, and stores identical content once")
    func adoptDeduplicates() async throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let bytes = sampleBytes(5000, seed: 40)
        let first = try Self.write(bytes, store)
        let blob = try await store.adopt(first)
        #expect(blob.sha256 == sha256Hex(bytes))
        #expect(blob.size == 5000)
        #expect(!FileManager.default.fileExists(atPath: first.path), "moved, not copied")
        #expect(try Data(contentsOf: store.url(of: blob.sha256)) == Data(bytes))
        #expect(store.url(of: blob.sha256).path.hasSuffix("blobs/\(blob.sha256.prefix(2))/\(blob.sha256)"))

        let second = try Self.write(bytes, store)
        #expect(try await store.adopt(second) == blob)
        #expect(!FileManager.default.fileExists(atPath: second.path))
        #expect(try await store.storedHashes(after: nil, limit: 10) == [blob.sha256])
        await store.unpin(blob.sha256)
        await store.unpin(blob.sha256)
        #expect(await !store.isPinned(blob.sha256))
    }

    @Test("remove skips pinned hashes and files touched after the cutoff")
    func removeRespectsPinsAndTime() async throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let blob = try await store.adopt(try Self.write(sampleBytes(100, seed: 41), store))
        // Pinned: an upload is between adopting it and storing its row.
        #expect(await store.remove([blob.sha256], untouchedSince: Date().addingTimeInterval(60)) == [])
        await store.unpin(blob.sha256)
        // Fresh: another node may be about to name it.
        #expect(await store.remove([blob.sha256], untouchedSince: Date().addingTimeInterval(-3600)) == [])
        #expect(store.contains(blob.sha256))
        #expect(await store.remove([blob.sha256, "not-a-hash"], untouchedSince: Date().addingTimeInterval(60)) == [blob.sha256])
        #expect(!store.contains(blob.sha256))
    }

    @Test("An upload's bytes append at its offset only, survive a broken body, and become a file to adopt")
    func uploads() async throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let bytes = sampleBytes(3000, seed: 42)
        let record = UploadRecord(owner: "someone", length: 3000, metadata: ["filename": "a.bin"], createdAt: Date(),
                                  expiresAt: Date().addingTimeInterval(3600))
        try await store.createUpload(record)
        #expect(try await store.upload(record.id)?.offset == 0)

        let lease = try await store.lease(record.id)
        await #expect(throws: UploadError.busy) { _ = try await store.lease(record.id) }
        await #expect(throws: UploadError.offsetMismatch(actual: 0)) {
            _ = try await store.append(Chunks([ByteBuffer(bytes: bytes[0..<10])]), to: lease, offset: 5, length: 3000)
        }
        // A body that breaks off after 1000 bytes: those are kept.
        await #expect(throws: Chunks.Cut.self) {
            _ = try await store.append(Chunks([ByteBuffer(bytes: bytes[0..<600]), ByteBuffer(bytes: bytes[600..<1000])], cutAfter: true),
                                       to: lease, offset: 0, length: 3000)
        }
        #expect(try await store.upload(record.id)?.offset == 1000)
        await #expect(throws: BodyTooLong.self) {
            _ = try await store.append(Chunks([ByteBuffer(bytes: bytes[1000...] + [0, 0])]), to: lease, offset: 1000, length: 3000)
        }
        #expect(try await store.upload(record.id)?.offset == 3000, "bytes up to the length are kept, the rest refused")
        let file = try await store.uploadedFile(lease)
        let blob = try await store.adopt(file)
        #expect(blob.sha256 == sha256Hex(bytes))
        var finished = record
        finished.document = UUID().uuidString.lowercased()
        finished.version = 1
        try await store.finishUpload(finished)
        lease.release()
        #expect(try await store.upload(record.id)?.record.document == finished.document)
        #expect(try await store.upload(record.id)?.offset == 3000)
        await #expect(throws: UploadError.missing) { _ = try await store.lease(record.id) }
        #expect(try await store.removeExpiredUploads(now: Date().addingTimeInterval(7200)) == 1)
        #expect(try await store.upload(record.id) == nil)
    }

    @Test("A body is received into a temporary file with bounded writes, and a too-long one is refused")
    func receive() async throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let parts = (0..<40).map { ByteBuffer(bytes: sampleBytes(64 * 1024, seed: UInt8($0))) }
        let file = store.temporaryFile()
        let size = try await store.receive(Chunks(parts), into: file, limit: 10 << 20)
        #expect(size == 40 * 64 * 1024)
        #expect(try Data(contentsOf: file).count == 40 * 64 * 1024)
        await #expect(throws: BodyTooLong.self) { _ = try await store.receive(Chunks(parts), into: store.temporaryFile(), limit: 1000) }
    }
}

/// A request body in chunks, optionally breaking off after the last one (a cut connection).
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    struct Cut: Error {}
    var buffers: [ByteBuffer]
    var cutAfter = false

    init(_ buffers: [ByteBuffer], cutAfter: Bool = false) {
        self.buffers = buffers
        self.cutAfter = cutAfter
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [ByteBuffer]
        var cutAfter: Bool
        mutating func next() async throws -> ByteBuffer? {
            if remaining.isEmpty {
                if cutAfter { throw Cut() }
                return nil
            }
            return remaining.removeFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers, cutAfter: cutAfter) }
}
