@testable import CommunisServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Static web client: compression, validators, cache policy and the esbuild bundle")
struct StaticAssetsTests {
    @Test("Accept-Encoding: br and gzip are taken unless refused with q=0")
    func acceptEncoding() {
        #expect(AcceptedEncodings("gzip, deflate, br, zstd") == { var a = AcceptedEncodings(nil); a.brotli = true; a.gzip = true; return a }())
        #expect(AcceptedEncodings("br;q=0, gzip;q=0.5").brotli == false)
        #expect(AcceptedEncodings("br;q=0, gzip;q=0.5").gzip == true)
        #expect(AcceptedEncodings(nil) == AcceptedEncodings(""))
        #expect(AcceptedEncodings("identity").gzip == false)
    }

    @Test("A content hash in the name (esbuild's [hash]) makes a file immutable; anything else is revalidated")
    func hashedNames() {
        #expect(StaticAssets.isHashed("assets/app-KSTAEF4S.js"))
        #expect(StaticAssets.isHashed("assets/chunk-2UPKSYXO.js"))
        #expect(StaticAssets.isHashed("assets/sv-00A1B2C3.json"))
        #expect(!StaticAssets.isHashed("assets/capture-worklet.js"))
        #expect(!StaticAssets.isHashed("index.html"))
        #expect(!StaticAssets.isHashed("sw.js"))
        #expect(!StaticAssets.isHashed("lib/user-agent.js"))
        #expect(ContentHash.short(Array("x".utf8)).count == 8)
        #expect(StaticAssets.isHashed("a-\(ContentHash.short(Array("hello".utf8))).json"))
    }

    @Test("gzip and brotli produce their formats and shrink text")
    func compression() throws {
        let text = [UInt8](String(repeating: "export function communis() { return 'samarbetsyta'; }\n", count: 200).utf8)
        let gz = try #require(Compression.gzip(text))
        #expect(Array(gz.prefix(2)) == [0x1f, 0x8b])
        #expect(gz.count < text.count / 10)
        let br = try #require(Compression.brotli(text))
        #expect(br.count < gz.count)
    }

    /// A folder like a bundle: index.html, a hashed entry, an unhashed worklet, an icon.
    func withSite(_ body: (StaticAssets) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("communis-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = String(repeating: "console.log('Communis');\n", count: 100)
        try "<!doctype html><title>Communis</title>\(String(repeating: "<p>Hej</p>", count: 50))".write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try script.write(to: dir.appendingPathComponent("assets/app-ABCDEFGH.js"), atomically: true, encoding: .utf8)
        try script.write(to: dir.appendingPathComponent("assets/capture-worklet.js"), atomically: true, encoding: .utf8)
        try Data([0x89, 0x50, 0x4e, 0x47]).write(to: dir.appendingPathComponent("icon.png"))
        try "hidden".write(to: dir.appendingPathComponent(".meta.json"), atomically: true, encoding: .utf8)
        try await body(StaticAssets.load(directory: dir.path, brotliQuality: 5))
    }

    func router(_ assets: StaticAssets) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: StaticAssetsMiddleware(assets: assets))
        router.get("api/v1/thing") { _, _ in "private" }
        return router
    }

    @Test("index.html: brotli when accepted, Vary, no-cache with ETag and Last-Modified, then 304")
    func revalidation() async throws {
        try await withSite { assets in
            try await Application(router: router(assets)).test(.router) { client in
                let first = try await client.execute(uri: "/", method: .get, headers: [.acceptEncoding: "gzip, br"])
                #expect(first.status == .ok)
                #expect(first.headers[.contentEncoding] == "br")
                #expect(first.headers[.vary] == "Accept-Encoding")
                #expect(first.headers[.cacheControl] == "no-cache")
                #expect(first.headers[.contentType] == "text/html; charset=utf-8")
                let etag = try #require(first.headers[.eTag])
                let modified = try #require(first.headers[.lastModified])
                let again = try await client.execute(uri: "/", method: .get, headers: [.acceptEncoding: "gzip, br", .ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == etag)
                // The gzip representation's tag also matches (weak comparison, RFC 9110 §13.1.2).
                let gz = try await client.execute(uri: "/index.html", method: .get, headers: [.acceptEncoding: "gzip"])
                #expect(gz.headers[.contentEncoding] == "gzip")
                #expect(gz.headers[.eTag] != etag)
                #expect(try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: "W/\(gz.headers[.eTag]!)"]).status == .notModified)
                #expect(try await client.execute(uri: "/", method: .get, headers: [.ifModifiedSince: modified]).status == .notModified)
                #expect(try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: "\"other\""]).status == .ok)
                let plain = try await client.execute(uri: "/", method: .get)
                #expect(plain.headers[.contentEncoding] == nil)
                #expect(String(buffer: plain.body).hasPrefix("<!doctype html>"))
            }
        }
    }

    @Test("Hashed files are immutable for a year; unhashed ones, icons and the API are not cached so")
    func cachePolicy() async throws {
        try await withSite { assets in
            try await Application(router: router(assets)).test(.router) { client in
                let app = try await client.execute(uri: "/assets/app-ABCDEFGH.js", method: .get, headers: [.acceptEncoding: "br"])
                #expect(app.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(app.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(app.headers[.contentEncoding] == "br")
                let worklet = try await client.execute(uri: "/assets/capture-worklet.js", method: .get)
                #expect(worklet.headers[.cacheControl] == "no-cache")
                let icon = try await client.execute(uri: "/icon.png", method: .get, headers: [.acceptEncoding: "br, gzip"])
                #expect(icon.headers[.contentEncoding] == nil)
                #expect(icon.headers[.vary] == nil)
                let head = try await client.execute(uri: "/assets/app-ABCDEFGH.js", method: .head)
                #expect(head.status == .ok)
                #expect(head.body.readableBytes == 0)
                #expect(try await client.execute(uri: "/.meta.json", method: .get).status == .notFound)
                #expect(try await client.execute(uri: "/missing.js", method: .get).status == .notFound)
                let api = try await client.execute(uri: "/api/v1/thing", method: .get)
                #expect(api.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test("The bundle: hashed entry, style sheet and language files, rewritten index.html and sw.js, compressed siblings")
    func bundle() throws {
        let esbuild = try #require(WebBundle.findExecutable("esbuild"), "Debian's esbuild is needed (.ci/install installs it)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("communis-bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try WebBundle.build(webRoot: "web", into: out, version: "test", esbuild: esbuild)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("src=\"assets/app-"))
        #expect(html.contains("href=\"assets/styles-"))
        #expect(html.contains("rel=\"modulepreload\""))
        #expect(html.contains("data-i18n-sv=\"assets/sv-"))
        #expect(html.contains("rel=\"manifest\""))
        let worker = try String(contentsOf: out.appendingPathComponent("sw.js"), encoding: .utf8)
        #expect(worker.contains("const BUILD = {\"shell\":[\"./\",\"assets/app-"))
        #expect(!worker.contains("const BUILD = null;"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("assets").path)
        #expect(files.contains("capture-worklet.js"))
        #expect(files.contains { $0.hasPrefix("en-") && $0.hasSuffix(".json") })
        #expect(files.contains { $0.hasPrefix("app-") && $0.hasSuffix(".js.br") })
        let assets = try StaticAssets.load(directory: out.path)
        #expect(assets.asset(forPath: "/")?.brotli != nil)
        #expect(assets.asset(forPath: "/manifest.webmanifest")?.contentType == "application/manifest+json; charset=utf-8")
        #expect(assets.files.keys.contains { $0.hasPrefix("icons/") })
        #expect(!assets.files.keys.contains { $0.hasPrefix("lib/") || $0.hasPrefix("views/") })
        #expect(try WebBundle.fingerprint(of: "web") == WebBundle.fingerprint(of: "web"))
    }
}
