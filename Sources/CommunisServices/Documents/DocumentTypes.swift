import CommunisFiles
import CommunisModel
import CommunisStore
import Foundation

/// The limits and switches of the document libraries (`documents.*`).
public struct DocumentSettings: Sendable, Equatable {
    public var maxFileBytes: Int64
    /// Nil: no quota.
    public var quotaBytes: Int64?
    public var trashDays: Int
    public var allowedTypes: [String]
    /// A lock's length when the client does not say.
    public var lockMinutes: Int
    public var uploadExpiryHours: Int
    public var previews: Bool

    /// The longest lock anyone may ask for (WebDAV clients ask for "Infinite").
    public static let maxLockMinutes = 24 * 60

    public init(maxFileBytes: Int64 = 2 << 30, quotaBytes: Int64? = nil, trashDays: Int = 30, allowedTypes: [String] = [],
                lockMinutes: Int = 60, uploadExpiryHours: Int = 24, previews: Bool = true) {
        self.maxFileBytes = maxFileBytes
        self.quotaBytes = quotaBytes
        self.trashDays = trashDays
        self.allowedTypes = allowedTypes
        self.lockMinutes = lockMinutes
        self.uploadExpiryHours = uploadExpiryHours
        self.previews = previews
    }
}

/// One folder of a library as a reader sees it (`Documents.library`).
public struct DocumentLibrary: Sendable {
    public var workspace: Workspace
    /// The folder shown; nil: the library's top.
    public var folder: DocumentFolder?
    /// The folders from the top down to `folder` (inclusive); empty at the top.
    public var path: [DocumentFolder]
    /// The folders directly in it, by name.
    public var folders: [DocumentFolder]
    /// The documents directly in it (not in the trash), by title.
    public var documents: Page<Document>
    public var usedBytes: Int64
    public var quotaBytes: Int64?
    public var sharedExternally: Bool
    /// What the reader may do here.
    public var canWrite: Bool
    public var canApprove: Bool
}

/// What a path inside a library (WebDAV, `/dav/<workspace>/<a>/<b>`) names.
public enum DocumentPathTarget: Sendable, Equatable {
    /// The library's top (an empty path).
    case library
    case folder(DocumentFolder)
    case document(Document)
    /// Nothing by that name, in a parent that exists: what PUT and MKCOL create.
    case missing(parent: DocumentFolderID?, name: String)
}

/// Which version to open.
public enum DocumentVersionSelector: Sendable, Equatable {
    case current
    /// The version marked fastställd (`notFound` when none is).
    case approved
    case number(Int)
}

/// A version ready to be read: the file is complete on disk.
public struct OpenedDocument: Sendable {
    public var document: Document
    public var version: DocumentVersion
    public var file: URL
}

/// A place that links a document, as a reader who may read that place sees it.
public struct DocumentLinkView: Sendable, Equatable {
    public var kind: DocumentLinkSource.Kind
    /// The post's, blog post's or article's id.
    public var id: String
    public var title: String
    /// Where the web client shows it (`#/…`).
    public var url: String
    public var workspaceID: WorkspaceID?
}

/// Finds the documents a Markdown text links: a link whose target is `#/documents/<uuid>`
/// (optionally with a query such as `?version=approved`), or any absolute http(s) URL whose
/// fragment is that (a link copied from the address bar of this server). A UUID names one
/// document wherever the URL points, and a link to a document the reader may not see is
/// left out of every answer anyway, so the host is not compared: a server reached under
/// two names (intranet and public) records both.
public enum DocumentLinks {
    // A Regex is not Sendable, but this one is never mutated after it is made.
    nonisolated(unsafe) static let pattern = #/\]\(\s*<?(?:https?://[^\s)#>]*)?#/documents/([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})/#

    /// The linked documents, each once, in order of first appearance.
    public static func ids(in markdown: String) -> [DocumentID] {
        var seen = Set<DocumentID>()
        var result: [DocumentID] = []
        for match in markdown.matches(of: pattern) {
            guard let id = DocumentID(String(match.output.1)), seen.insert(id).inserted else { continue }
            result.append(id)
        }
        return result
    }
}

/// What the background processing (text for search and comparing, previews) is told about.
/// The extraction helper's `DocumentProcessor` implements it.
public protocol DocumentProcessing: Sendable {
    /// A version was stored (its file is complete on disk); make its text and previews.
    func versionStored(_ document: Document, version: DocumentVersion) async
    /// Where the preview of a version's file stands (an image is its own preview).
    func preview(of version: DocumentVersion) -> PreviewState
    /// Whether the version's text and preview are still to be made (its job is waiting or
    /// under way).
    func isProcessing(_ id: DocumentID, version: Int) -> Bool
}

/// No background processing (tools, tests that do not look at previews): no previews.
public struct NoDocumentProcessing: DocumentProcessing {
    public init() {}
    public func versionStored(_ document: Document, version: DocumentVersion) async {}
    public func isProcessing(_ id: DocumentID, version: Int) -> Bool { false }
    public func preview(of version: DocumentVersion) -> PreviewState { .none }
}

/// Media types by file extension, for files uploaded without one (or as
/// application/octet-stream): what browsers and office programs need to open them.
public enum MediaTypes {
    static let byExtension: [String: String] = [
        "pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv", "md": "text/markdown", "html": "text/html", "htm": "text/html",
        "xml": "application/xml", "json": "application/json", "rtf": "application/rtf", "zip": "application/zip",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation", "odg": "application/vnd.oasis.opendocument.graphics",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml",
        "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp", "heic": "image/heic",
        "mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav", "m4a": "audio/mp4",
        "mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
        "vsdx": "application/vnd.ms-visio.drawing", "msg": "application/vnd.ms-outlook", "eml": "message/rfc822",
        "dwg": "image/vnd.dwg", "dxf": "image/vnd.dxf",
    ]

    /// The type to store: the given one when it is a real media type (not the generic
    /// octet-stream), else the extension's, else application/octet-stream.
    public static func resolve(given: String?, fileName: String) -> String {
        if let given = given?.trimmingCharacters(in: .whitespaces).lowercased(), isMediaType(given), !given.hasPrefix("application/octet-stream") {
            return given
        }
        return byExtension[(fileName as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }

    /// `type/subtype` (parameters allowed), at most 200 characters, no spaces or controls in the type.
    static func isMediaType(_ text: String) -> Bool {
        guard text.count <= 200, let head = text.split(separator: ";").first else { return false }
        let parts = head.trimmingCharacters(in: .whitespaces).split(separator: "/")
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && !$0.isWhitespace && !$0.isNewline } }
    }

    /// Whether previews are made for this type (the extraction helper decides the how).
    public static func hasPreview(_ mediaType: String) -> Bool {
        let type = mediaType.lowercased()
        if type.hasPrefix("image/") { return ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(type) }
        return type == "application/pdf" || type.hasPrefix("application/vnd.openxmlformats-officedocument")
            || type.hasPrefix("application/vnd.oasis.opendocument") || type == "application/msword"
            || type == "application/vnd.ms-excel" || type == "application/vnd.ms-powerpoint" || type == "application/rtf"
            || type == "text/plain" || type == "text/csv"
    }
}
