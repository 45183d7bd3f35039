import CommunisFiles
import Foundation
import ZIPFoundation

/// Small real files made by the tests: office files as ZIP archives of minimal XML (what
/// Word, Excel, PowerPoint and LibreOffice would write, cut to what matters), PDFs written
/// by hand with a correct cross-reference table.
enum Fixtures {
    /// A fresh folder, removed by the caller.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("communis-files-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A ZIP archive with these members (path → content), deflated.
    static func zip(_ members: [(String, String)], at url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in members {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// A .docx: paragraphs of runs, a tab, a tab stop (not text), a line break, deleted text
    /// of a tracked change (not text) and a table.
    static func docx(at url: URL) throws {
        let body = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="\(wordNamespace)"><w:body>
        <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Protokoll för </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>styrelsemötet</w:t></w:r></w:p>
        <w:p><w:r><w:t>Punkt</w:t></w:r><w:r><w:tab/><w:t>Beslut</w:t></w:r><w:r><w:br/><w:t xml:space="preserve">Nästa rad &amp; mer</w:t></w:r></w:p>
        <w:p><w:del w:id="1" w:author="A"><w:r><w:delText>borttagen text</w:delText></w:r></w:del><w:r><w:t>Kvar</w:t></w:r></w:p>
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
        </w:body></w:document>
        """
        // The package parts LibreOffice needs to recognise it as Word (the reader needs only the body).
        let types = """
        <?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
        """
        let relationships = """
        <?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
        </Relationships>
        """
        try zip([("[Content_Types].xml", types), ("_rels/.rels", relationships), ("word/document.xml", body)], at: url)
    }

    /// A .xlsx: shared strings (one with a phonetic guide), numbers, an inline string, a
    /// formula with its cached result, and three sheets whose numbers sort 1, 2, 10.
    static func xlsx(at url: URL) throws {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let shared = """
        <sst xmlns="\(main)" count="3" uniqueCount="3">
        <si><t>Budget</t></si>
        <si><r><t>Kost</t></r><r><t>nad</t></r></si>
        <si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></si>
        </sst>
        """
        func sheet(_ rows: String) -> String { "<worksheet xmlns=\"\(main)\"><sheetData>\(rows)</sheetData></worksheet>" }
        try zip([
            ("xl/sharedStrings.xml", shared),
            ("xl/worksheets/sheet1.xml", sheet("""
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
            <row r="2"><c r="A2"><v>1250.5</v></c><c r="B2"><f>A2*2</f><v>2501</v></c><c r="C2" t="inlineStr"><is><t>inline</t></is></c></row>
            """)),
            ("xl/worksheets/sheet10.xml", sheet(#"<row r="1"><c r="A1" t="inlineStr"><is><t>tionde</t></is></c></row>"#)),
            ("xl/worksheets/sheet2.xml", sheet(#"<row r="1"><c r="A1" t="s"><v>2</v></c></row>"#)),
        ], at: url)
    }

    /// A .pptx of two slides (given out of order in the archive).
    static func pptx(at url: URL) throws {
        func slide(_ paragraphs: [String]) -> String {
            let body = paragraphs.map { "<a:p><a:r><a:t>\($0)</a:t></a:r></a:p>" }.joined()
            return """
            <p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">
            <p:cSld><p:spTree><p:sp><p:txBody>\(body)</p:txBody></p:sp></p:spTree></p:cSld></p:sld>
            """
        }
        try zip([
            ("ppt/slides/slide2.xml", slide(["Andra bilden"])),
            ("ppt/slides/slide1.xml", slide(["Välkommen", "Agenda"])),
        ], at: url)
    }

    /// An .odt: a heading, paragraphs with repeated spaces, a tab and a line break, a deleted
    /// change (not text), and a table.
    static func odt(at url: URL) throws {
        let content = """
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>
        <text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>raderat</text:p></text:deletion></text:changed-region></text:tracked-changes>
        <text:h text:outline-level="1">Rutin för inköp</text:h><text:p>Ett<text:s text:c="3"/>två<text:tab/>tre<text:line-break/>fyra <text:span>fem</text:span></text:p><table:table><table:table-row><table:table-cell><text:p>Vara</text:p></table:table-cell><table:table-cell><text:p>Pris</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell><text:p>Papper</text:p></table:table-cell><table:table-cell><text:p>45</text:p></table:table-cell></table:table-row></table:table>
        </office:text></office:body></office:document-content>
        """
        let manifest = """
        <?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">\
        <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>\
        <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>
        """
        try zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", content), ("META-INF/manifest.xml", manifest)], at: url)
    }

    /// A PDF with one page per string, in Helvetica with WinAnsi encoding (so å, ä, ö are
    /// single bytes, as in Latin-1). The cross-reference table gives each object's offset.
    static func pdf(pages: [String]) -> Data {
        var objects: [String] = []
        let pageCount = pages.count
        // 1 catalog, 2 page tree, 3 font, then per page: page, content.
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pageCount).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        var streams: [Int: Data] = [:]
        for (index, text) in pages.enumerated() {
            let page = 4 + 2 * index
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(page + 1) 0 R >>")
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            var content = Data("BT /F1 24 Tf 72 720 Td (".utf8)
            content.append(escaped.data(using: .isoLatin1)!)
            content.append(Data(") Tj ET".utf8))
            streams[page + 1] = content
            objects.append("")
        }
        var data = Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            let number = index + 1
            offsets.append(data.count)
            if let stream = streams[number] {
                data.append(Data("\(number) 0 obj\n<< /Length \(stream.count) >>\nstream\n".utf8))
                data.append(stream)
                data.append(Data("\nendstream\nendobj\n".utf8))
            } else {
                data.append(Data("\(number) 0 obj\n\(object)\nendobj\n".utf8))
            }
        }
        let xref = data.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        data.append(Data(table.utf8))
        return data
    }

    /// Whether `url` holds a PNG (its eight-byte signature).
    static func isPNG(_ url: URL) -> Bool {
        guard let data = FileManager.default.contents(atPath: url.path) else { return false }
        return data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}
