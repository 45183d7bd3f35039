import Foundation

/// What kind of file a document is, for text extraction and previews: from its media type
/// when that is specific, else from its file name's extension (browsers and WebDAV clients
/// often send `application/octet-stream`).
public enum DocumentFileKind: String, Sendable, Equatable, CaseIterable {
    case pdf
    /// Office Open XML: Word, Excel, PowerPoint (2007 and later).
    case wordprocessing, spreadsheet, presentation
    /// OpenDocument: text, spreadsheet, presentation.
    case openDocumentText, openDocumentSpreadsheet, openDocumentPresentation
    /// Older office formats LibreOffice reads: Word 97 (doc), Excel 97 (xls), PowerPoint 97
    /// (ppt) and RTF.
    case legacyOffice
    /// Plain text, CSV, Markdown.
    case plainText
    /// Images a browser shows as they are (PNG, JPEG, GIF, WebP): their own preview.
    case image
    case other

    public init(mediaType: String, fileName: String) {
        let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let kind = Self.byMediaType[type] {
            self = kind
        } else if let dot = fileName.lastIndex(of: "."), let kind = Self.byExtension[fileName[fileName.index(after: dot)...].lowercased()] {
            self = kind
        } else if type.hasPrefix("text/") && !["text/html", "text/xml", "text/javascript", "text/css"].contains(type) {
            self = .plainText
        } else {
            self = .other
        }
    }

    /// Whether text can be had from it (by reading it or through an outside program).
    public var hasText: Bool { self != .image && self != .other }

    /// Whether LibreOffice makes its previews (by converting it to PDF).
    public var isOffice: Bool {
        switch self {
        case .wordprocessing, .spreadsheet, .presentation, .openDocumentText, .openDocumentSpreadsheet, .openDocumentPresentation,
             .legacyOffice: true
        default: false
        }
    }

    private static let byMediaType: [String: DocumentFileKind] = [
        "application/pdf": .pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": .wordprocessing,
        "application/vnd.ms-word.document.macroenabled.12": .wordprocessing,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template": .wordprocessing,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": .spreadsheet,
        "application/vnd.ms-excel.sheet.macroenabled.12": .spreadsheet,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": .presentation,
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow": .presentation,
        "application/vnd.ms-powerpoint.presentation.macroenabled.12": .presentation,
        "application/vnd.oasis.opendocument.text": .openDocumentText,
        "application/vnd.oasis.opendocument.text-template": .openDocumentText,
        "application/vnd.oasis.opendocument.spreadsheet": .openDocumentSpreadsheet,
        "application/vnd.oasis.opendocument.presentation": .openDocumentPresentation,
        "application/msword": .legacyOffice,
        "application/vnd.ms-excel": .legacyOffice,
        "application/vnd.ms-powerpoint": .legacyOffice,
        "application/rtf": .legacyOffice,
        "text/rtf": .legacyOffice,
        "text/plain": .plainText,
        "text/csv": .plainText,
        "text/markdown": .plainText,
        "text/tab-separated-values": .plainText,
        "image/png": .image,
        "image/jpeg": .image,
        "image/gif": .image,
        "image/webp": .image,
    ]

    private static let byExtension: [String: DocumentFileKind] = [
        "pdf": .pdf,
        "docx": .wordprocessing, "docm": .wordprocessing, "dotx": .wordprocessing,
        "xlsx": .spreadsheet, "xlsm": .spreadsheet,
        "pptx": .presentation, "ppsx": .presentation, "pptm": .presentation,
        "odt": .openDocumentText, "ott": .openDocumentText,
        "ods": .openDocumentSpreadsheet, "odp": .openDocumentPresentation,
        "doc": .legacyOffice, "xls": .legacyOffice, "ppt": .legacyOffice, "rtf": .legacyOffice,
        "txt": .plainText, "text": .plainText, "csv": .plainText, "tsv": .plainText, "md": .plainText, "markdown": .plainText,
        "log": .plainText,
        "png": .image, "jpg": .image, "jpeg": .image, "gif": .image, "webp": .image,
    ]
}

/// The text of a file, by its kind: PDF through poppler's `pdftotext`; Word, Excel and
/// PowerPoint (OOXML) and OpenDocument files by reading their XML; plain text directly;
/// the older office formats through LibreOffice (converted to PDF, then `pdftotext`).
/// What it gives is for search and for comparing versions, never shown as the document.
///
/// Every path is bounded: at most `maxTextBytes` of text (cut at a character boundary), at
/// most `maxXMLBytes` read out of an archive (a ZIP bomb stops there), and each outside
/// program has a deadline.
public struct TextExtraction: Sendable {
    public struct Settings: Sendable {
        /// The most text kept of one file (UTF-8 bytes). 1 MiB is a few hundred pages of
        /// prose: enough for search and comparison, small enough for a row.
        public var maxTextBytes = 1 << 20
        /// The most uncompressed XML read out of one OOXML or OpenDocument archive.
        public var maxXMLBytes = 64 << 20
        /// The deadline of `pdftotext` and of LibreOffice's conversion.
        public var timeout: Duration = .seconds(120)
        public var pdftotext = "pdftotext"
        /// How the older office formats are converted (`documents.office_command`).
        public var office = OfficeConversion()

        public init() {}
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self {
            case .unreadable(let why): "the file cannot be read: \(why)"
            }
        }
    }

    public let settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The text of `file`, nil for a kind without text (images, unknown types). `fileName`:
    /// the name it was uploaded under (LibreOffice goes by its extension). `pdf`: a PDF of
    /// the whole of an older office file, already converted (for its previews), used instead
    /// of converting it again.
    public func text(of file: URL, kind: DocumentFileKind, fileName: String = "", convertedPDF pdf: URL? = nil) async throws -> String? {
        switch kind {
        case .pdf:
            return try await pdfText(file)
        case .wordprocessing, .spreadsheet, .presentation, .openDocumentText, .openDocumentSpreadsheet, .openDocumentPresentation:
            let settings = settings
            return try await ExternalProgram.onOwnThread {
                try OfficeXMLText(maxTextBytes: settings.maxTextBytes, maxXMLBytes: settings.maxXMLBytes).text(of: file, kind: kind)
            }
        case .legacyOffice:
            if let pdf { return try await pdfText(pdf) }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("communis-text-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            let converted = try await settings.office.pdf(of: file, fileName: fileName, kind: kind, in: work)
            return try await pdfText(converted)
        case .plainText:
            let limit = settings.maxTextBytes
            return try await ExternalProgram.onOwnThread { try Self.plainText(of: file, limit: limit) }
        case .image, .other:
            return nil
        }
    }

    func pdfText(_ pdf: URL) async throws -> String {
        // -enc UTF-8: whatever the locale; -q: no warnings on stderr for every odd font.
        let outcome = try await ExternalProgram.run(settings.pdftotext, ["-q", "-enc", "UTF-8", pdf.path, "-"],
                                                    timeout: settings.timeout, maxOutput: settings.maxTextBytes)
        return Self.tidy(Self.decode(outcome.output, truncated: outcome.truncated))
    }

    /// A text file's first `limit` bytes as text: UTF-8 (a byte-order mark dropped), else
    /// Windows-1252, which is what older Swedish files on Windows are written in.
    static func plainText(of file: URL, limit: Int) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        // Kept as written (line ends aside): comparing two versions of a text file shows its lines.
        return decode(data.prefix(limit), truncated: data.count > limit)
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Bytes as text. A cut (`truncated`) may have split a UTF-8 sequence at the end: up to
    /// three bytes are dropped to reach a whole character before falling back to Windows-1252.
    static func decode(_ data: Data, truncated: Bool) -> String {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        if truncated {
            for drop in 1...3 where bytes.count >= drop {
                if let text = String(data: bytes.dropLast(drop), encoding: .utf8) { return text }
            }
        }
        return String(data: bytes, encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Line ends made `\n`, a form feed (pdftotext's page break) a blank line, NULs removed,
    /// runs of blank lines made one, trailing spaces of lines dropped.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        var blank = 0
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\u{0C}", with: "\n\n")
        for raw in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw.filter { $0 != "\u{00}" })
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            if line.isEmpty {
                blank += 1
                if blank > 1 { continue }
            } else {
                blank = 0
            }
            lines.append(line)
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// `text` cut to at most `limit` UTF-8 bytes, at the start of a character's encoding.
    static func bounded(_ text: String, limit: Int) -> String {
        let bytes = text.utf8
        guard bytes.count > limit else { return text }
        var end = bytes.index(bytes.startIndex, offsetBy: limit)
        // A continuation byte (10xxxxxx) is inside a character: step back to its first byte.
        while end > bytes.startIndex, bytes[end] & 0xC0 == 0x80 { end = bytes.index(before: end) }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
