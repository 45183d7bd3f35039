import Foundation
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The text of Word, Excel and PowerPoint files (Office Open XML) and OpenDocument files,
/// read from the XML inside their ZIP archive with a streaming parser: paragraphs become
/// lines, a spreadsheet's cells are separated by tabs and its rows by lines, slides and
/// sheets by a blank line, in their order.
///
/// Element names are matched by their local name (after any prefix), as the prefixes
/// (`w:`, `a:`, `text:`) are only conventions. Reads at most `maxXMLBytes` of uncompressed
/// XML in all and keeps at most `maxTextBytes` of text: a ZIP bomb or a huge sheet stops
/// there (the text so far is kept).
struct OfficeXMLText {
    let maxTextBytes: Int
    let maxXMLBytes: Int

    struct OverBudget: Error {}

    func text(of file: URL, kind: DocumentFileKind) throws -> String {
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw TextExtraction.Failure.unreadable("not a ZIP archive (\(error))")
        }
        var budget = maxXMLBytes
        let output = TextCollector(limit: maxTextBytes)

        /// One member's XML; nil when the archive has no such member. Past the budget the
        /// text so far is what there is.
        func xml(_ path: String) throws -> Data? {
            guard let entry = archive[path], budget > 0 else { return nil }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    budget -= chunk.count
                    guard budget >= 0 else { throw OverBudget() }
                    data.append(chunk)
                }
            } catch is OverBudget {
                return nil
            } catch {
                throw TextExtraction.Failure.unreadable("\(path): \(error)")
            }
            return data
        }

        /// Members named `<folder><stem><n>.xml`, by n (slide2 before slide10).
        func numbered(_ folder: String, _ stem: String) -> [String] {
            archive.compactMap { entry -> (Int, String)? in
                let path = entry.path
                guard path.hasPrefix(folder + stem), path.hasSuffix(".xml") else { return nil }
                let number = path.dropFirst(folder.count + stem.count).dropLast(4)
                return Int(number).map { ($0, path) }
            }.sorted { $0.0 < $1.0 }.map(\.1)
        }

        switch kind {
        case .wordprocessing:
            guard let data = try xml("word/document.xml") else { throw TextExtraction.Failure.unreadable("no word/document.xml") }
            try parse(data, RunText(output, paragraph: "p"))
        case .presentation:
            for slide in numbered("ppt/slides/", "slide") where !output.isFull {
                guard let data = try xml(slide) else { break }
                try parse(data, RunText(output, paragraph: "p"))
                output.separate()
            }
        case .spreadsheet:
            let shared = SharedStrings()
            if let data = try xml("xl/sharedStrings.xml") { try parse(data, shared) }
            for sheet in numbered("xl/worksheets/", "sheet") where !output.isFull {
                guard let data = try xml(sheet) else { break }
                try parse(data, SheetText(output, shared: shared.strings))
                output.separate()
            }
        case .openDocumentText, .openDocumentSpreadsheet, .openDocumentPresentation:
            guard let data = try xml("content.xml") else { throw TextExtraction.Failure.unreadable("no content.xml") }
            try parse(data, OpenDocumentText(output))
        default:
            return ""
        }
        return TextExtraction.bounded(TextExtraction.tidy(output.text), limit: maxTextBytes)
    }

    private func parse(_ data: Data, _ handler: XMLTextHandler) throws {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        if !parser.parse(), !handler.output.isFull {
            throw TextExtraction.Failure.unreadable(parser.parserError.map { "\($0)" } ?? "malformed XML")
        }
    }
}

/// Text gathered from XML, up to a limit in UTF-8 bytes.
final class TextCollector {
    private(set) var text = ""
    private(set) var isFull = false
    private var bytes = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ piece: String) {
        guard !isFull else { return }
        text += piece
        bytes += piece.utf8.count
        if bytes > limit { isFull = true }
    }

    /// Ends the current line if it has text.
    func newline() {
        if let last = text.last, last != "\n" { append("\n") }
    }

    /// A blank line between slides or sheets.
    func separate() {
        newline()
        if !text.isEmpty, !text.hasSuffix("\n\n") { append("\n") }
    }

    /// Drops a trailing tab (the last cell's separator).
    func dropTrailingTab() {
        if text.last == "\t" { text.removeLast(); bytes -= 1 }
    }
}

/// The parser's delegate: element names reduced to their local name, and parsing stopped
/// once the output is full.
class XMLTextHandler: NSObject, XMLParserDelegate {
    let output: TextCollector

    init(_ output: TextCollector) { self.output = output }

    func start(_ name: Substring, _ attributes: [String: String]) {}
    func end(_ name: Substring) {}
    func characters(_ text: String) {}

    static func local(_ name: String) -> Substring {
        name.lastIndex(of: ":").map { name[name.index(after: $0)...] } ?? Substring(name)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        start(Self.local(elementName), attributeDict)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        end(Self.local(elementName))
        if output.isFull { parser.abortParsing() }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        characters(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        characters(String(decoding: CDATABlock, as: UTF8.self))
    }
}

/// WordprocessingML and DrawingML (Word's body, PowerPoint's slides): the text of `t`
/// elements (runs), a line per paragraph, tabs and breaks where the runs have them.
/// Deleted text of tracked changes (`delText`) and field codes (`instrText`) are other
/// elements and so left out; `tab` inside `tabs` is a tab stop, not a tab.
final class RunText: XMLTextHandler {
    private let paragraph: String
    private var inText = 0
    private var inTabStops = 0

    init(_ output: TextCollector, paragraph: String) {
        self.paragraph = paragraph
        super.init(output)
    }

    override func start(_ name: Substring, _ attributes: [String: String]) {
        switch name {
        case "t": inText += 1
        case "tabs": inTabStops += 1
        case "tab" where inTabStops == 0: output.append("\t")
        case "br", "cr": output.append("\n")
        default: break
        }
    }

    override func end(_ name: Substring) {
        switch name {
        case "t": inText -= 1
        case "tabs": inTabStops -= 1
        case _ where name == paragraph: output.newline()
        default: break
        }
    }

    override func characters(_ text: String) {
        if inText > 0 { output.append(text) }
    }
}

/// SpreadsheetML's shared strings (`xl/sharedStrings.xml`): each `si` is one string, the
/// concatenation of its `t` runs, phonetic guides (`rPh`) left out.
final class SharedStrings: XMLTextHandler {
    private(set) var strings: [String] = []
    private var current: String?
    private var inText = 0
    private var inPhonetic = 0

    init() { super.init(TextCollector(limit: .max)) }

    override func start(_ name: Substring, _ attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "t": inText += 1
        case "rPh": inPhonetic += 1
        default: break
        }
    }

    override func end(_ name: Substring) {
        switch name {
        case "si":
            strings.append(current ?? "")
            current = nil
        case "t": inText -= 1
        case "rPh": inPhonetic -= 1
        default: break
        }
    }

    override func characters(_ text: String) {
        if inText > 0, inPhonetic == 0, current != nil { current! += text }
    }
}

/// A SpreadsheetML worksheet: each row's cells with a value, separated by tabs. A cell of
/// type `s` names a shared string by index, `inlineStr` holds its text in `is/t`; numbers,
/// booleans and formula results are their `v` as written (formulas themselves are left out).
final class SheetText: XMLTextHandler {
    private let shared: [String]
    private var type: String?
    private var value = ""
    private var inValue = false
    private var inText = 0

    init(_ output: TextCollector, shared: [String]) {
        self.shared = shared
        super.init(output)
    }

    override func start(_ name: Substring, _ attributes: [String: String]) {
        switch name {
        case "c":
            type = attributes["t"]
            value = ""
        case "v": inValue = true
        case "t": inText += 1
        default: break
        }
    }

    override func end(_ name: Substring) {
        switch name {
        case "v": inValue = false
        case "t": inText -= 1
        case "c":
            var text = value
            if type == "s" { text = Int(value.trimmingCharacters(in: .whitespaces)).flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? "" }
            if !text.isEmpty { output.append(text.replacingOccurrences(of: "\n", with: " ") + "\t") }
        case "row":
            output.dropTrailingTab()
            output.newline()
        default: break
        }
    }

    override func characters(_ text: String) {
        if inValue || inText > 0 { value += text }
    }
}

/// OpenDocument's `content.xml`: paragraphs and headings (`text:p`, `text:h`) as lines, the
/// space, tab and line-break elements as what they stand for; in tables (Calc sheets,
/// tables in a text) a row is a line with its cells separated by tabs. Deleted text kept
/// for tracked changes is left out.
final class OpenDocumentText: XMLTextHandler {
    private var inParagraph = 0
    private var inCell = 0
    private var inDeleted = 0
    private var cellHasText = false

    override func start(_ name: Substring, _ attributes: [String: String]) {
        guard inDeleted == 0 else {
            if name == "tracked-changes" { inDeleted += 1 }
            return
        }
        switch name {
        case "tracked-changes": inDeleted += 1
        case "p", "h":
            if inCell > 0, inParagraph == 0, cellHasText { output.append(" ") }
            inParagraph += 1
        case "s" where inParagraph > 0:
            let count = Int(attributes["text:c"] ?? attributes["c"] ?? "1") ?? 1
            output.append(String(repeating: " ", count: max(1, min(count, 100))))
        case "tab" where inParagraph > 0: output.append("\t")
        case "line-break" where inParagraph > 0: output.append("\n")
        case "table-cell":
            inCell += 1
            cellHasText = false
        default: break
        }
    }

    override func end(_ name: Substring) {
        if inDeleted > 0 {
            if name == "tracked-changes" { inDeleted -= 1 }
            return
        }
        switch name {
        case "p", "h":
            inParagraph -= 1
            if inParagraph == 0, inCell == 0 { output.newline() }
        case "table-cell":
            inCell -= 1
            if cellHasText { output.append("\t") }
        case "table-row":
            output.dropTrailingTab()
            output.newline()
        default: break
        }
    }

    override func characters(_ text: String) {
        guard inParagraph > 0, inDeleted == 0 else { return }
        output.append(text)
        if inCell > 0, !text.isEmpty { cellHasText = true }
    }
}
