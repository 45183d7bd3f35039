import CommunisModel
import CommunisServices
import CommunisWire
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /workspaces/{id}/documents`: one folder of a library.
struct LibraryJSON: Encodable {
    var folder: LiveJSON.FolderJSON?
    var path: [LiveJSON.PathItem]
    var folders: [LiveJSON.FolderJSON]
    var documents: PageJSON<LiveJSON.DocumentJSON>
    var usedBytes: Int64
    var quotaBytes: Int64?
    var sharedExternally: Bool
    var canWrite: Bool

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case folder, path, folders, documents, usedBytes, quotaBytes, sharedExternally, canWrite }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(folder, forKey: .folder)  // null at the top
        try c.encode(path, forKey: .path)
        try c.encode(folders, forKey: .folders)
        try c.encode(documents, forKey: .documents)
        try c.encode(usedBytes, forKey: .usedBytes)
        try c.encode(quotaBytes, forKey: .quotaBytes)  // null: no quota
        try c.encode(sharedExternally, forKey: .sharedExternally)
        try c.encode(canWrite, forKey: .canWrite)
    }
}

struct FoldersJSON: Encodable { var folders: [LiveJSON.FolderJSON] }
struct DocumentsJSON: Encodable { var documents: [LiveJSON.DocumentJSON] }
struct VersionsJSON: Encodable { var versions: [LiveJSON.DocumentVersionJSON] }

struct CompareJSON: Encodable {
    struct Line: Encodable {
        /// `same`, `added` or `removed`.
        var kind: String
        var text: String
    }
    var from: Int
    var to: Int
    var lines: [Line]

    init(from: Int, to: Int, diff: [DiffLine]) {
        self.from = from
        self.to = to
        lines = diff.map { Line(kind: $0.op == .equal ? "same" : $0.op.rawValue, text: $0.text) }
    }
}

struct LinksJSON: Encodable {
    struct Link: Encodable {
        var kind: String
        var id: String
        var title: String
        var url: String
        var workspaceId: WorkspaceID?

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case kind, id, title, url, workspaceId }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(id, forKey: .id)
            try c.encode(title, forKey: .title)
            try c.encode(url, forKey: .url)
            try c.encode(workspaceId, forKey: .workspaceId)  // null: organisation-wide or personal
        }
    }
    var links: [Link]

    init(_ views: [DocumentLinkView]) {
        links = views.map { Link(kind: $0.kind.rawValue, id: $0.id, title: $0.title, url: $0.url, workspaceId: $0.workspaceID) }
    }
}

/// `{name, parentId?}`; for PATCH an absent `parentId` keeps the place and null is the top.
struct FolderBody: Decodable {
    var name: String?
    var parentId: DocumentFolderID??

    init(from decoder: any Decoder) throws {
        enum Keys: String, CodingKey { case name, parentId }
        let c = try decoder.container(keyedBy: Keys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        parentId = try c.contains(.parentId) ? .some(c.decodeNil(forKey: .parentId) ? nil : c.decode(DocumentFolderID.self, forKey: .parentId)) : nil
    }
}

/// `{title?, folderId?}`: an absent `folderId` keeps the place, null is the top.
struct MoveBody: Decodable {
    var title: String?
    var folderId: DocumentFolderID??

    init(from decoder: any Decoder) throws {
        enum Keys: String, CodingKey { case title, folderId }
        let c = try decoder.container(keyedBy: Keys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        folderId = try c.contains(.folderId) ? .some(c.decodeNil(forKey: .folderId) ? nil : c.decode(DocumentFolderID.self, forKey: .folderId)) : nil
    }
}

/// How a stored file is sent: never as script on our origin (nosniff, `sandbox`), inline only
/// for what browsers show safely, with its hash as the strong ETag.
enum DocumentContent {
    /// Raster images, PDF and plain text open in the browser; everything else downloads.
    static func isInline(_ mediaType: String) -> Bool {
        ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"].contains(mediaType.lowercased())
    }

    static func response(_ opened: OpenedDocument, request: Request, context: AppRequestContext, download: Bool) async throws -> Response {
        let version = opened.version
        let tag = "\"\(version.sha256)\""
        let modified = HTTPDate.format(version.createdAt)
        var headers: HTTPFields = [
            .contentType: version.mediaType,
            .eTag: tag,
            .lastModified: modified,
            .acceptRanges: "bytes",
            .cacheControl: "private, max-age=0, must-revalidate",
        ]
        // A sandboxed answer runs no script and has an origin of its own. Browsers' PDF
        // viewers refuse to run in a sandbox; they never run a PDF's script on our origin,
        // so a PDF keeps the site's strict default policy instead.
        if version.mediaType.lowercased() != "application/pdf" {
            headers[.contentSecurityPolicy] = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; media-src 'self'"
        }
        let name = version.number == opened.document.currentVersion ? opened.document.title : version.fileName
        headers[.contentDisposition] = disposition(download || !isInline(version.mediaType) ? "attachment" : "inline", fileName: name)
        if StaticAssetsMiddleware<AppRequestContext>.notModified(request.headers, tag: version.sha256, lastModified: modified) {
            return Response(status: .notModified, headers: [.eTag: tag, .lastModified: modified, .cacheControl: "private, max-age=0, must-revalidate"])
        }
        let size = Int(version.size)
        let fileIO = FileIO()
        switch ByteRange(header: request.headers[.range], size: size) {
        case .unsatisfiable:
            throw Problem(.rangeNotSatisfiable, code: "range-not-satisfiable", title: "Range not satisfiable",
                          detail: "The file has \(size) bytes; ask for a range inside it.", headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
        case .part(let part):
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(size)"
            let body = try await fileIO.loadFile(path: opened.file.path, range: part, context: context, chunkLength: RecordingRoutes.chunkLength)
            return Response(status: .partialContent, headers: headers, body: body)
        case .whole:
            guard size > 0 else { return Response(status: .ok, headers: headers, body: .init()) }
            let body = try await fileIO.loadFile(path: opened.file.path, context: context, chunkLength: RecordingRoutes.chunkLength)
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    /// RFC 6266: an ASCII `filename` (diacritics folded, anything unsafe replaced) and the
    /// exact name as RFC 5987 `filename*`.
    static func disposition(_ type: String, fileName: String) -> String {
        let cleaned = String(fileName.unicodeScalars.filter { !$0.properties.generalCategory.isControlOrFormat && $0 != "/" && $0 != "\\" && $0 != "\"" }
            .map(Character.init)).trimmingCharacters(in: .whitespaces)
        let name = cleaned.isEmpty ? "dokument" : cleaned
        var ascii = ""
        for character in name.folding(options: .diacriticInsensitive, locale: Locale(identifier: "en")) {
            ascii.append(character.isASCII && (character.isLetter || character.isNumber || " .-_()".contains(character)) ? character : "_")
        }
        let attrChars = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        var encoded = ""
        for byte in name.utf8 {
            if attrChars.contains(byte) { encoded.append(Character(UnicodeScalar(byte))) } else { encoded += String(format: "%%%02X", byte) }
        }
        return "\(type); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
