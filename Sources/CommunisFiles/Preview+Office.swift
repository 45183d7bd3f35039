import Foundation

/// Converts office files to PDF with LibreOffice headless (`soffice --convert-to pdf`), for
/// previews and for the text of the older formats.
///
/// Each run has its own user profile (`-env:UserInstallation`) inside its work folder: two
/// conversions at once would otherwise fight over one profile's lock, and a profile left
/// broken by a killed run would break every later one. The input is linked into the work
/// folder under its own file name, so LibreOffice sees the extension (the stored file is
/// named by its hash).
public struct OfficeConversion: Sendable {
    /// `documents.office_command`.
    public var command: String
    /// A conversion that takes longer is killed (a big spreadsheet can take a while; a
    /// hung one must not hold the queue).
    public var timeout: Duration

    public init(command: String = "soffice", timeout: Duration = .seconds(180)) {
        self.command = command
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Converts `file` to PDF inside `work` (created if missing) and returns the PDF.
    /// `fileName`: the name it was uploaded under (its extension helps LibreOffice choose
    /// the import filter). `pages`: only these pages (previews need the first few; text
    /// needs them all).
    public func pdf(of file: URL, fileName: String, kind: DocumentFileKind, in work: URL, pages: ClosedRange<Int>? = nil) async throws -> URL {
        let fm = FileManager.default
        let input = work.appendingPathComponent("input")
        let output = work.appendingPathComponent("pdf")
        let profile = work.appendingPathComponent("profile")
        for folder in [input, output, profile] { try fm.createDirectory(at: folder, withIntermediateDirectories: true) }
        let name = Self.safeName(fileName)
        let linked = input.appendingPathComponent(name)
        try? fm.removeItem(at: linked)
        try fm.createSymbolicLink(at: linked, withDestinationURL: file)

        var filter = "pdf"
        if let pages {
            // LibreOffice 7.4 takes export filter options as JSON after the filter's name.
            filter = "pdf:\(Self.exportFilter(kind)):{\"PageRange\":{\"type\":\"string\",\"value\":\"\(pages.lowerBound)-\(pages.upperBound)\"}}"
        }
        var environment = ProcessInfo.processInfo.environment
        // LibreOffice also writes under $HOME (caches, fontconfig): keep that in the work folder.
        environment["HOME"] = work.path
        let outcome = try await ExternalProgram.run(
            command,
            ["-env:UserInstallation=\(profile.absoluteURL.absoluteString)", "--headless", "--invisible", "--nodefault", "--nolockcheck",
             "--nologo", "--norestore", "--convert-to", filter, "--outdir", output.path, linked.path],
            timeout: timeout, maxOutput: 64 << 10, environment: environment)
        let pdf = output.appendingPathComponent((name as NSString).deletingPathExtension + ".pdf")
        // soffice says "Error: source file could not be loaded" and still exits 0.
        guard fm.fileExists(atPath: pdf.path) else {
            let said = (String(decoding: outcome.output, as: UTF8.self) + " " + outcome.errors).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "LibreOffice made no PDF of \(fileName): \(said.prefix(500))")
        }
        return pdf
    }

    /// The PDF export filter of the LibreOffice application that opens `kind`.
    static func exportFilter(_ kind: DocumentFileKind) -> String {
        switch kind {
        case .spreadsheet, .openDocumentSpreadsheet: "calc_pdf_Export"
        case .presentation, .openDocumentPresentation: "impress_pdf_Export"
        default: "writer_pdf_Export"
        }
    }

    /// A name LibreOffice's command line takes as a plain file: its extension kept, the rest
    /// letters, digits, `-` and `_` (no spaces, quotes, leading dashes or path parts).
    static func safeName(_ fileName: String) -> String {
        let base = (fileName as NSString).lastPathComponent
        let ext = (base as NSString).pathExtension.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return ext.isEmpty ? "document" : "document.\(ext.prefix(10))"
    }
}
