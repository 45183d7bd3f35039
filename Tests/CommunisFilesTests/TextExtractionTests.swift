@testable import CommunisFiles
import Foundation
import Testing

@Suite("Text extraction")
struct TextExtractionTests {
    let extraction = TextExtraction()

    @Test("The kind comes from a specific media type, else from the extension")
    func kinds() {
        #expect(DocumentFileKind(mediaType: "application/pdf", fileName: "x.bin") == .pdf)
        #expect(DocumentFileKind(mediaType: "application/octet-stream", fileName: "Protokoll.DOCX") == .wordprocessing)
        #expect(DocumentFileKind(mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileName: "") == .spreadsheet)
        #expect(DocumentFileKind(mediaType: "", fileName: "bilder.pptx") == .presentation)
        #expect(DocumentFileKind(mediaType: "application/vnd.oasis.opendocument.text", fileName: "a") == .openDocumentText)
        #expect(DocumentFileKind(mediaType: "application/msword", fileName: "gammal.doc") == .legacyOffice)
        #expect(DocumentFileKind(mediaType: "application/octet-stream", fileName: "brev.rtf") == .legacyOffice)
        #expect(DocumentFileKind(mediaType: "text/csv; charset=utf-8", fileName: "data") == .plainText)
        #expect(DocumentFileKind(mediaType: "text/x-python", fileName: "script") == .plainText)
        #expect(DocumentFileKind(mediaType: "text/html", fileName: "sida.html") == .other)
        #expect(DocumentFileKind(mediaType: "image/jpeg", fileName: "foto") == .image)
        #expect(DocumentFileKind(mediaType: "image/svg+xml", fileName: "ritning.svg") == .other)
        #expect(DocumentFileKind(mediaType: "application/zip", fileName: "arkiv.zip") == .other)
        #expect(!DocumentFileKind.image.hasText && DocumentFileKind.legacyOffice.isOffice && !DocumentFileKind.pdf.isOffice)
    }

    @Test("A .docx gives its runs as paragraphs, with tabs and breaks, without deleted text or tab stops")
    func docx() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.docx")
        try Fixtures.docx(at: file)
        let text = try await extraction.text(of: file, kind: .wordprocessing)
        #expect(text == "Protokoll för styrelsemötet\nPunkt\tBeslut\nNästa rad & mer\nKvar\nCell A\nCell B")
    }

    @Test("A .xlsx gives each sheet's rows, cells by tab, shared and inline strings, sheets in number order")
    func xlsx() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.xlsx")
        try Fixtures.xlsx(at: file)
        let text = try await extraction.text(of: file, kind: .spreadsheet)
        #expect(text == "Budget\tKostnad\n1250.5\t2501\tinline\n\n漢字\n\ntionde")
    }

    @Test("A .pptx gives its slides in order, a blank line between them")
    func pptx() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.pptx")
        try Fixtures.pptx(at: file)
        #expect(try await extraction.text(of: file, kind: .presentation) == "Välkommen\nAgenda\n\nAndra bilden")
    }

    @Test("An .odt gives headings and paragraphs, spaces, tabs and line breaks, table rows; not deleted text")
    func odt() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.odt")
        try Fixtures.odt(at: file)
        let text = try await extraction.text(of: file, kind: .openDocumentText)
        #expect(text == "Rutin för inköp\nEtt   två\ttre\nfyra fem\nVara\tPris\nPapper\t45")
    }

    @Test("A file that is not a ZIP archive is unreadable, not empty")
    func notAnArchive() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("fake.docx")
        try Data("just text".utf8).write(to: file)
        await #expect(throws: TextExtraction.Failure.self) { try await extraction.text(of: file, kind: .wordprocessing) }
    }

    @Test("The XML read out of an archive is bounded: past the budget the text so far is kept")
    func xmlBudget() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("big.pptx")
        // Ten slides of 2 000 paragraphs each; the budget lets a few slides through.
        func slide(_ n: Int) -> String {
            let body = String(repeating: "<a:p><a:r><a:t>bild \(n)</a:t></a:r></a:p>", count: 2000)
            return "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cSld>\(body)</p:cSld></p:sld>"
        }
        try Fixtures.zip((1...10).map { ("ppt/slides/slide\($0).xml", slide($0)) }, at: file)
        var settings = TextExtraction.Settings()
        settings.maxXMLBytes = 200_000
        let text = try #require(try await TextExtraction(settings: settings).text(of: file, kind: .presentation))
        #expect(text.contains("bild 1"))
        #expect(!text.contains("bild 10"))
    }

    @Test("The text kept is bounded, cut at a character")
    func textBound() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.odt")
        let paragraphs = String(repeating: "<text:p>åäö åäö åäö</text:p>", count: 5000)
        try Fixtures.zip([("content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body>\(paragraphs)</office:body></office:document-content>")], at: file)
        var settings = TextExtraction.Settings()
        settings.maxTextBytes = 1001
        let text = try #require(try await TextExtraction(settings: settings).text(of: file, kind: .openDocumentText))
        #expect(text.utf8.count <= 1001)
        #expect(text.utf8.count > 900)
        #expect(text.hasPrefix("åäö åäö åäö\nåäö"))
        #expect(TextExtraction.bounded("aå", limit: 2) == "a")
    }

    @Test("Plain text: UTF-8 without its byte-order mark, CRLF as LF, Windows-1252 when not UTF-8, bounded")
    func plainText() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let utf8 = folder.appendingPathComponent("a.txt")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("Rad ett: åäö\r\n\r\n\r\nRad två\r\n".utf8)).write(to: utf8)
        #expect(try await extraction.text(of: utf8, kind: .plainText) == "Rad ett: åäö\n\n\nRad två\n")
        let latin = folder.appendingPathComponent("b.csv")
        try Data([0x4B, 0xF6, 0x70, 0x3B, 0x80, 0x31, 0x30]).write(to: latin)  // "Köp;€10" in Windows-1252
        #expect(try await extraction.text(of: latin, kind: .plainText) == "Köp;€10")
        var settings = TextExtraction.Settings()
        settings.maxTextBytes = 4
        let cut = folder.appendingPathComponent("c.md")
        try Data("abcå".utf8).write(to: cut)  // å is two bytes: the fourth byte starts it
        #expect(try await TextExtraction(settings: settings).text(of: cut, kind: .plainText) == "abc")
    }

    @Test("A PDF's text comes from pdftotext, page by page")
    func pdf() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.pdf")
        try Fixtures.pdf(pages: ["Delårsrapport (utkast)", "Sida två"]).write(to: file)
        #expect(try await extraction.text(of: file, kind: .pdf) == "Delårsrapport (utkast)\n\nSida två")
    }

    @Test("A broken PDF is an error from pdftotext, not empty text")
    func brokenPDF() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.pdf")
        try Data("%PDF-1.4 nothing more".utf8).write(to: file)
        await #expect(throws: ExternalProgram.Failure.self) { try await extraction.text(of: file, kind: .pdf) }
    }

    @Test("RTF, an older office format, is read through LibreOffice")
    func rtf() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("blob-without-extension")
        try Data(#"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} Hej {\b v\u228?rlden} fr\u229?n RTF\par}"#.utf8).write(to: file)
        #expect(try await extraction.text(of: file, kind: .legacyOffice, fileName: "brev.rtf") == "Hej världen från RTF")
    }

    @Test("Images and unknown kinds have no text")
    func noText() async throws {
        let file = URL(fileURLWithPath: "/nonexistent")
        #expect(try await extraction.text(of: file, kind: .image) == nil)
        #expect(try await extraction.text(of: file, kind: .other) == nil)
    }
}
