import CommunisModel
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import Testing

/// A document library to test against: a closed workspace "Socialnämnden" owned by Anna
/// (an administrator) with Erik and the guest Lena as members; Sara is not a member.
struct DocumentSetup {
    var anna: Browser
    var erik: Browser
    var sara: Browser
    var lena: Browser
    var workspace: String

    static func make(_ client: any TestClientProtocol, _ world: World) async throws -> DocumentSetup {
        let anna = try await Browser.loggedIn(client, as: world.admin)
        let workspace = try await WorkspaceTests.create(anna, "Socialnämnden", "closed")
        for person in [world.erik, world.guest] {
            let added = try await anna.send(.post, "/api/v1/workspaces/\(workspace)/members", json: ["personId": person.id.description])
            #expect(added.status == .created, "\(added.text)")
        }
        return DocumentSetup(
            anna: anna, erik: try await Browser.loggedIn(client, as: world.erik), sara: try await Browser.loggedIn(client, as: world.sara),
            lena: try await Browser.loggedIn(client, as: world.guest), workspace: workspace)
    }
}

/// Bytes that differ per test and per version, so that nothing is deduplicated by accident.
func sampleBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ ($0 >> 8)) }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

enum Tus {
    static let resumable = HTTPField.Name("Tus-Resumable")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let documentID = HTTPField.Name("Communis-Document-Id")!
    static let documentVersion = HTTPField.Name("Communis-Document-Version")!

    static func metadata(_ pairs: [String: String]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
    }
}

extension Browser {
    /// A request with the session's cookie and CSRF token and the tus version header.
    func tus(_ method: HTTPRequest.Method, _ uri: String, headers extra: HTTPFields = [:], body: [UInt8]? = nil) async throws -> TestResponse {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        if let csrf, method != .get, method != .head { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        if headers[Tus.resumable] == nil { headers[Tus.resumable] = "1.0.0" }
        if body != nil { headers[.contentType] = "application/offset+octet-stream" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// Creates an upload; returns its path (the Location), or nil with the refusal.
    func createUpload(length: Int, metadata: [String: String]) async throws -> (location: String?, response: TestResponse) {
        let response = try await tus(.post, "/api/v1/uploads", headers: [Tus.uploadLength: String(length), Tus.uploadMetadata: Tus.metadata(metadata)])
        return (response.status == .created ? response.headers[.location] : nil, response)
    }

    /// A whole tus upload in `chunks` PATCHes; returns the final PATCH's answer.
    func upload(_ bytes: [UInt8], metadata: [String: String], chunks: Int = 2) async throws -> TestResponse {
        let (location, created) = try await createUpload(length: bytes.count, metadata: metadata)
        guard let location else { return created }
        let size = max(1, (bytes.count + chunks - 1) / chunks)
        var offset = 0
        var last = created
        repeat {
            let end = min(bytes.count, offset + size)
            last = try await tus(.patch, location, headers: [Tus.uploadOffset: String(offset)], body: Array(bytes[offset..<end]))
            guard last.status == .noContent else { return last }
            offset = end
        } while offset < bytes.count
        return last
    }

    /// Uploads a new document and returns its id.
    func newDocument(_ bytes: [UInt8], workspace: String, name: String, folder: String? = nil, comment: String = "") async throws -> String {
        var metadata = ["filename": name, "workspace": workspace, "comment": comment]
        if let folder { metadata["folder"] = folder }
        let done = try await upload(bytes, metadata: metadata)
        #expect(done.status == .noContent, "\(done.text)")
        #expect(done.headers[Tus.documentVersion] == "1")
        return try #require(done.headers[Tus.documentID])
    }
}

extension TestResponse {
    var bytes: [UInt8] { Array(buffer: body) }
    func list(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }
}
