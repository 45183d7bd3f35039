import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One file of the browser client as it is served: its bytes, their gzip and brotli forms
/// (only when smaller), its validators and how long a browser may keep it.
struct StaticAsset: Sendable {
    let contentType: String
    let identity: ByteBuffer
    let gzip: ByteBuffer?
    let brotli: ByteBuffer?
    /// A strong validator of the identity bytes, unquoted; each encoding gets its own suffix.
    let tag: String
    /// `Last-Modified`, already formatted (RFC 9110 IMF-fixdate).
    let lastModified: String
    let cacheControl: String
    var compressible: Bool { gzip != nil || brotli != nil }
}

/// The browser client's files, read into memory once at start-up with their compressed forms,
/// and the cache policy: a file whose name carries a content hash (`app-4KX2M7QA.js`, made by
/// the bundle) is `immutable` for a year; everything else (index.html, sw.js, the manifest,
/// the unbundled modules in development) is `no-cache`: the browser asks again every time and
/// gets 304 while its copy is current. A plain value, shared read-only by every request.
public struct StaticAssets: Sendable {
    static let immutable = "public, max-age=31536000, immutable"
    static let revalidate = "no-cache"

    private(set) var files: [String: StaticAsset] = [:]

    /// The asset for a request path (`/` and folders mean their index.html); nil when none.
    func asset(forPath path: String) -> StaticAsset? {
        var name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if name.isEmpty || name.hasSuffix("/") { name += "index.html" }
        return files[name]
    }

    /// Reads every file under `directory` (not hidden ones, not `test/`, not precompressed
    /// siblings). A `name.br` / `name.gz` beside a file (written by `WebBundle`) is used as its
    /// compressed form; otherwise the file is compressed here with `brotliQuality` (below 11,
    /// gzip's default level too: quick, for the unbundled client that tests start many times).
    /// `fallbacks` are further folders whose content-hashed files are served too when the main
    /// folder lacks them: the previous bundles, so that a tab opened before a new version was
    /// deployed can still load its lazily imported chunks.
    static func load(directory: String, fallbacks: [String] = [], brotliQuality: Int32 = 11) throws -> StaticAssets {
        var assets = StaticAssets()
        try assets.add(directory: directory, onlyHashed: false, brotliQuality: brotliQuality)
        for folder in fallbacks { try assets.add(directory: folder, onlyHashed: true, brotliQuality: brotliQuality) }
        return assets
    }

    private mutating func add(directory: String, onlyHashed: Bool, brotliQuality: Int32) throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey],
                                                          options: [.skipsHiddenFiles]) else { return }
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .contentModificationDateKey])
            let name = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            if name == "test" || name == "node_modules" { walker.skipDescendants(); continue }
            guard values.isRegularFile == true, !name.hasSuffix(".br"), !name.hasSuffix(".gz") else { continue }
            if onlyHashed && (files[name] != nil || !Self.isHashed(name)) { continue }
            let bytes = [UInt8](try Data(contentsOf: url))
            let type = Self.contentType(for: name)
            var gzip: [UInt8]?
            var brotli: [UInt8]?
            if Self.isCompressible(type) {
                gzip = (try? Data(contentsOf: url.appendingPathExtension("gz"))).map { [UInt8]($0) }
                    ?? Compression.gzip(bytes, level: brotliQuality >= 11 ? 9 : 6)
                brotli = (try? Data(contentsOf: url.appendingPathExtension("br"))).map { [UInt8]($0) } ?? Compression.brotli(bytes, quality: brotliQuality)
            }
            let smaller = { (packed: [UInt8]?) in packed.flatMap { $0.count < bytes.count ? ByteBuffer(bytes: $0) : nil } }
            files[name] = StaticAsset(
                contentType: type, identity: ByteBuffer(bytes: bytes), gzip: smaller(gzip), brotli: smaller(brotli),
                tag: ContentHash.hex(bytes), lastModified: HTTPDate.format(values.contentModificationDate ?? Date()),
                cacheControl: Self.isHashed(name) ? Self.immutable : Self.revalidate)
        }
    }

    /// Whether a file's name carries a content hash: `-` and 8 capitals or digits before the
    /// extension, as esbuild's `[hash]` and `WebBundle`'s language files are named.
    static func isHashed(_ name: String) -> Bool {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = file.lastIndex(of: "."), let dash = file[..<dot].lastIndex(of: "-") else { return false }
        let hash = file[file.index(after: dash)..<dot]
        return hash.count == 8 && hash.allSatisfy { ($0.isASCII && $0.isUppercase) || ($0.isASCII && $0.isNumber) }
    }

    static func contentType(for name: String) -> String {
        switch name.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "webmanifest": "application/manifest+json; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt", "md": "text/plain; charset=utf-8"
        case "wasm": "application/wasm"
        default: "application/octet-stream"
        }
    }

    static func isCompressible(_ type: String) -> Bool {
        type.hasPrefix("text/") || type.hasPrefix("application/json") || type.hasPrefix("application/manifest+json")
            || type == "image/svg+xml" || type == "application/wasm"
    }
}

/// Which encodings a request's `Accept-Encoding` allows (RFC 9110 §12.5.3; `q=0` refuses).
struct AcceptedEncodings: Equatable {
    var brotli = false
    var gzip = false

    init(_ header: String?) {
        for part in (header ?? "").split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = pieces.first else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0 else { continue }
            switch coding {
            case "br": brotli = true
            case "gzip", "x-gzip": gzip = true
            case "*": brotli = true; gzip = true
            default: break
            }
        }
    }
}

/// Serves `StaticAssets` for GET and HEAD: the smallest encoding the client accepts (with
/// `Vary: Accept-Encoding`), `ETag` and `Last-Modified`, 304 for a matching `If-None-Match`
/// (or, without one, `If-Modified-Since`). Other paths go on to the router. API answers that
/// say nothing about caching are marked `no-store`: they are private, and no cache between
/// the browser and the server may keep them.
struct StaticAssetsMiddleware<Context: RequestContext>: RouterMiddleware {
    let assets: StaticAssets

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/api/") {
            var response = try await next(request, context)
            if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
            return response
        }
        guard request.method == .get || request.method == .head, let asset = assets.asset(forPath: path) else {
            return try await next(request, context)
        }
        let accepted = AcceptedEncodings(request.headers[.acceptEncoding])
        var body = asset.identity
        var encoding: String?
        if accepted.brotli, let brotli = asset.brotli { body = brotli; encoding = "br" }
        else if accepted.gzip, let gzip = asset.gzip { body = gzip; encoding = "gzip" }
        let etag = "\"\(asset.tag)\(encoding.map { $0 == "br" ? "-br" : "-gz" } ?? "")\""
        var headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: asset.cacheControl, .eTag: etag, .lastModified: asset.lastModified]
        if asset.compressible { headers[.vary] = "Accept-Encoding" }
        if Self.notModified(request.headers, tag: asset.tag, lastModified: asset.lastModified) {
            return Response(status: .notModified, headers: headers)
        }
        if let encoding { headers[.contentEncoding] = encoding }
        headers[.contentLength] = String(body.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: headers, body: .init()) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// RFC 9110 §13.1.2: `If-None-Match` (weak comparison, any of our encodings' tags) decides
    /// when present; otherwise `If-Modified-Since` at or after the file's time.
    static func notModified(_ headers: HTTPFields, tag: String, lastModified: String) -> Bool {
        if let match = headers[.ifNoneMatch] {
            return match.split(separator: ",").contains { candidate in
                var value = candidate.trimmingCharacters(in: .whitespaces)
                if value == "*" { return true }
                if value.hasPrefix("W/") { value.removeFirst(2) }
                value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                for suffix in ["-br", "-gz"] where value.hasSuffix(suffix) { value.removeLast(suffix.count) }
                return value == tag
            }
        }
        guard let since = headers[.ifModifiedSince] else { return false }
        if since == lastModified { return true }
        guard let sinceDate = HTTPDate.parse(since), let modified = HTTPDate.parse(lastModified) else { return false }
        return modified <= sinceDate
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7), the only date format this server writes.
enum HTTPDate {
    private static func formatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }

    static func format(_ date: Date) -> String { formatter().string(from: date) }
    static func parse(_ text: String) -> Date? { formatter().date(from: text) }
}

/// A 64-bit FNV-1a hash: a validator and cache-busting name for files, not a security measure.
enum ContentHash {
    static func value(_ bytes: [UInt8], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    static func hex(_ bytes: [UInt8]) -> String { String(value(bytes), radix: 16, uppercase: false) }

    /// Eight capitals and digits, the shape `StaticAssets.isHashed` recognises.
    static func short(_ bytes: [UInt8]) -> String {
        let text = String(value(bytes), radix: 36, uppercase: true)
        return String((String(repeating: "0", count: max(0, 8 - text.count)) + text).suffix(8))
    }
}
