import CommunisModel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Resumable uploads (tus 1.0.0)")
struct UploadTests {
    @Test("A generic tus client: OPTIONS, POST, HEAD, PATCHes past http.max_body_bytes, and the status with the document")
    func genericFlow() async throws {
        let world = try await World.make { $0.maxBodyBytes = 1024 }
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let options = try await client.execute(uri: "/api/v1/uploads", method: .options)
            #expect(options.status == .noContent)
            #expect(options.headers[Tus.resumable] == "1.0.0")
            #expect(options.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            #expect(options.headers[HTTPField.Name("Tus-Extension")!] == "creation,creation-with-upload,termination,expiration")
            #expect(options.headers[HTTPField.Name("Tus-Max-Size")!] == "2147483648")

            let bytes = sampleBytes(10_000, seed: 20)
            let (location, created) = try await s.erik.createUpload(length: bytes.count, metadata: ["filename": "Karta.png", "workspace": s.workspace])
            #expect(created.status == .created, "\(created.text)")
            let path = try #require(location)
            #expect(path.hasPrefix("/api/v1/uploads/"))
            #expect(created.headers[Tus.resumable] == "1.0.0")
            #expect(created.headers[HTTPField.Name("Upload-Expires")!] != nil)

            let head = try await s.erik.tus(.head, path)
            #expect(head.status == .ok)
            #expect(head.headers[Tus.uploadOffset] == "0")
            #expect(head.headers[Tus.uploadLength] == "10000")
            #expect(head.headers[.cacheControl] == "no-store")

            // 6000 bytes in one PATCH although http.max_body_bytes is 1024: uploads stream to disk.
            let first = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "0"], body: Array(bytes[0..<6000]))
            #expect(first.status == .noContent, "\(first.text)")
            #expect(first.headers[Tus.uploadOffset] == "6000")
            #expect(first.headers[Tus.documentID] == nil)
            let status = try await s.erik.get(path)
            #expect(status.json["offset"] as? Int == 6000)
            #expect(status.json["complete"] as? Bool == false)
            #expect(status.json["document"] is NSNull)

            let last = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "6000"], body: Array(bytes[6000...]))
            #expect(last.status == .noContent, "\(last.text)")
            #expect(last.headers[Tus.uploadOffset] == "10000")
            let id = try #require(last.headers[Tus.documentID])
            #expect(last.headers[Tus.documentVersion] == "1")
            let done = try await s.erik.get(path)
            #expect(done.json["complete"] as? Bool == true)
            #expect((done.json["document"] as? [String: Any])?["id"] as? String == id)
            let content = try await s.erik.get("/api/v1/documents/\(id)/content")
            #expect(content.bytes == bytes)
            #expect(content.headers[.contentType] == "image/png")
            #expect(content.headers[.contentDisposition]?.hasPrefix("inline;") == true)
            // The last PATCH again (its answer was lost): the same document, nothing new.
            let again = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "10000"], body: [])
            #expect(again.status == .noContent)
            #expect(again.headers[Tus.documentID] == id)
            #expect(again.headers[Tus.documentVersion] == "1")
        }
    }

    @Test("creation-with-upload, an empty file, a wrong offset (409), the wrong tus version (412), and strangers (404)")
    func protocolErrors() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let bytes = sampleBytes(500, seed: 21)
            var headers: HTTPFields = [Tus.uploadLength: "500", Tus.uploadMetadata: Tus.metadata(["filename": "Notat.txt", "workspace": s.workspace])]
            let created = try await s.erik.tus(.post, "/api/v1/uploads", headers: headers, body: Array(bytes[0..<200]))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[Tus.uploadOffset] == "200")
            let path = try #require(created.headers[.location])

            let wrong = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "100"], body: Array(bytes[100...]))
            #expect(wrong.status == .conflict)
            #expect(wrong.problemCode == "offset-mismatch")
            #expect(wrong.headers[Tus.uploadOffset] == "200")
            #expect(wrong.headers[Tus.resumable] == "1.0.0")
            #expect(try await s.erik.tus(.head, path).headers[Tus.uploadOffset] == "200", "a refused PATCH writes nothing")

            let old = try await s.erik.tus(.head, path, headers: [Tus.resumable: "0.2.2"])
            #expect(old.status == .preconditionFailed)
            #expect(old.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            let json = try await s.erik.send(.patch, path, raw: "{}", headers: [Tus.resumable: "1.0.0", Tus.uploadOffset: "200"])
            #expect(json.status == .unsupportedMediaType)

            // An upload is its creator's alone.
            #expect(try await s.anna.tus(.head, path).status == .notFound)
            #expect(try await s.anna.tus(.patch, path, headers: [Tus.uploadOffset: "200"], body: Array(bytes[200...])).status == .notFound)
            #expect(try await s.anna.tus(.delete, path).status == .notFound)

            let tooMuch = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "200"], body: Array(bytes[200...]) + [1, 2, 3])
            #expect(tooMuch.status == .contentTooLarge)

            headers = [Tus.uploadLength: "0", Tus.uploadMetadata: Tus.metadata(["filename": "Tom.txt", "workspace": s.workspace])]
            let empty = try await s.erik.tus(.post, "/api/v1/uploads", headers: headers)
            #expect(empty.status == .created)
            #expect(empty.headers[Tus.documentVersion] == "1")
            let missingName = try await s.erik.createUpload(length: 5, metadata: ["workspace": s.workspace])
            #expect(missingName.response.status == .unprocessableContent)
        }
    }

    @Test("A disk below documents.min_free_mb refuses an upload with 507 storage-full in Swedish; nothing is stored")
    func diskFull() async throws {
        // More free space than any test machine has: the disk counts as full.
        let world = try await World.make { $0.documents.minFreeMB = 1_000_000 }
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (location, full) = try await s.erik.createUpload(length: 100, metadata: ["filename": "Stor.bin", "workspace": s.workspace])
            #expect(location == nil)
            #expect(full.status.code == 507)
            #expect(full.problemCode == "storage-full")
            #expect((full.json["detail"] as? String)?.contains("Servern har inte plats") == true)
            let uploads = URL(fileURLWithPath: world.configuration.documentsDirectory).appendingPathComponent("uploads")
            #expect(try FileManager.default.contentsOfDirectory(atPath: uploads.path).isEmpty)
            let library = try await s.erik.get("/api/v1/workspaces/\(s.workspace)/documents")
            #expect((library.json["documents"] as? [String: Any])?["total"] as? Int == 0)
        }
    }

    @Test("Termination removes the upload and its bytes")
    func termination() async throws {
        let world = try await World.make()
        try await world.test { client in
            let s = try await DocumentSetup.make(client, world)
            let (location, _) = try await s.erik.createUpload(length: 100, metadata: ["filename": "Utkast.txt", "workspace": s.workspace])
            let path = try #require(location)
            #expect(try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "0"], body: sampleBytes(40, seed: 22)).status == .noContent)
            let id = String(path.split(separator: "/").last!)
            let part = URL(fileURLWithPath: world.configuration.documentsDirectory).appendingPathComponent("uploads/\(id).part").path
            #expect(FileManager.default.fileExists(atPath: part))
            let ended = try await s.erik.tus(.delete, path)
            #expect(ended.status == .noContent)
            #expect(ended.headers[Tus.resumable] == "1.0.0")
            #expect(!FileManager.default.fileExists(atPath: part))
            #expect(try await s.erik.tus(.head, path).status == .notFound)
            #expect(try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "40"], body: sampleBytes(60, seed: 23)).status == .notFound)
            #expect(try await s.erik.get(path).status == .notFound)
        }
    }

    @Test("A PATCH cut off midway keeps the bytes that arrived; HEAD reports them and the upload resumes from there")
    func resumeAfterCut() async throws {
        let world = try await World.make()
        try await world.testLive { client in
            let s = try await DocumentSetup.make(client, world)
            let port = try #require(client.port)
            let bytes = sampleBytes(300_000, seed: 24)
            let (location, _) = try await s.erik.createUpload(length: bytes.count, metadata: ["filename": "Ritning.dwg", "workspace": s.workspace])
            let path = try #require(location)

            // The client promises all 300 000 bytes, sends 120 000 and the connection dies.
            var head = "PATCH \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(try #require(s.erik.cookie))\r\n"
            head += "X-CSRF-Token: \(try #require(s.erik.csrf))\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            head += "Content-Type: application/offset+octet-stream\r\nContent-Length: \(bytes.count)\r\n\r\n"
            try RawConnection.sendAndCut(port: port, head: head, body: Array(bytes[0..<120_000]))

            var offset = -1
            for _ in 0..<100 {
                offset = Int(try await s.erik.tus(.head, path).headers[Tus.uploadOffset] ?? "") ?? -1
                if offset == 120_000 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(offset == 120_000, "the bytes before the cut are kept")

            // Resume like a tus client: from the offset HEAD gave, retrying while the cut request still holds the upload.
            var rest = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "120000"], body: Array(bytes[120_000...]))
            for _ in 0..<50 where rest.status.code == 423 {
                try await Task.sleep(for: .milliseconds(100))
                rest = try await s.erik.tus(.patch, path, headers: [Tus.uploadOffset: "120000"], body: Array(bytes[120_000...]))
            }
            #expect(rest.status == .noContent, "\(rest.text)")
            let id = try #require(rest.headers[Tus.documentID])
            let document = try await s.erik.get("/api/v1/documents/\(id)")
            #expect((document.json["current"] as? [String: Any])?["sha256"] as? String == sha256Hex(bytes))
            #expect(try await s.erik.get("/api/v1/documents/\(id)/content").bytes == bytes)
        }
    }
}

/// A bare TCP client that sends a request head and part of a body, then closes the
/// connection (what a dropped mobile connection does to an upload).
enum RawConnection {
    static func sendAndCut(port: Int, head: String, body: [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        for chunk in [Array(head.utf8), body] {
            var sent = 0
            while sent < chunk.count {
                let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress! + sent, chunk.count - sent, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw POSIXError(.EPIPE) }
                sent += count
            }
        }
        // Let the server read what was sent before the connection goes.
        usleep(200_000)
    }
}
