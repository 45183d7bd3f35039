@testable import CommunisFiles
import Foundation
import Testing

@Suite("Outside programs")
struct ExternalProgramTests {
    @Test("Standard output is returned, standard error kept apart")
    func output() async throws {
        let outcome = try await ExternalProgram.run("sh", ["-c", "printf 'hej'; echo fel >&2"], timeout: .seconds(10))
        #expect(String(decoding: outcome.output, as: UTF8.self) == "hej")
        #expect(outcome.errors == "fel")
        #expect(outcome.status == 0 && !outcome.truncated)
    }

    @Test("A non-zero exit is a failure that carries what the program said")
    func failure() async throws {
        await #expect(throws: ExternalProgram.Failure.failed("sh", status: 3, errors: "nej")) {
            try await ExternalProgram.run("sh", ["-c", "echo nej >&2; exit 3"], timeout: .seconds(10))
        }
    }

    @Test("A program that is not installed says so")
    func missing() async throws {
        await #expect(throws: ExternalProgram.Failure.notInstalled("communis-no-such-program")) {
            try await ExternalProgram.run("communis-no-such-program", [], timeout: .seconds(1))
        }
    }

    @Test("Past its deadline the program's whole process group is killed, children that hold its output too")
    func deadline() async throws {
        let start = ContinuousClock.now
        // The shell's child keeps standard output open: only killing the group ends the read.
        // (The bounds are loose for a loaded machine; the program would run ten minutes.)
        await #expect(throws: ExternalProgram.Failure.timedOut("sh", seconds: 1)) {
            try await ExternalProgram.run("sh", ["-c", "sleep 600 & sleep 600"], timeout: .seconds(1))
        }
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test("Output past the bound is cut there and the program stopped")
    func bounded() async throws {
        let start = ContinuousClock.now
        let outcome = try await ExternalProgram.run("yes", ["communis"], timeout: .seconds(600), maxOutput: 10_000)
        #expect(outcome.truncated)
        #expect(outcome.output.count == 10_000)
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test("Cancelling the task kills the program at once")
    func cancelled() async throws {
        let start = ContinuousClock.now
        let task = Task { try await ExternalProgram.run("sleep", ["600"], timeout: .seconds(900)) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(60))
    }
}

@Suite("Previews")
struct PreviewTests {
    @Test("A PDF's first pages become PNG pages named page-N, renamed into place whole")
    func pdfPages() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let previews = DocumentPreviews(directory: folder.appendingPathComponent("previews"))
        let pdf = folder.appendingPathComponent("a.pdf")
        // Twelve pages: pdftoppm names them page-01 …, and only three are drawn.
        try Fixtures.pdf(pages: (1...12).map { "Sida \($0)" }).write(to: pdf)
        let sha = String(repeating: "ab", count: 32)
        #expect(previews.stored(sha) == nil)
        let work = try previews.makeWorkFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(try await previews.render(pdf: pdf, as: sha, in: work) == 3)
        #expect(previews.stored(sha) == .ready(pages: 3))
        for page in 1...3 { #expect(Fixtures.isPNG(previews.page(sha, page))) }
        #expect(!FileManager.default.fileExists(atPath: previews.page(sha, 4).path))
        // A fresh reader (another node) finds it on disk.
        #expect(DocumentPreviews(directory: previews.directory).stored(sha) == .ready(pages: 3))
        previews.remove([sha])
        #expect(previews.stored(sha) == nil)
    }

    @Test("The preview that is already there wins over a second one made at the same time")
    func secondRenderKeepsFirst() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let previews = DocumentPreviews(directory: folder.appendingPathComponent("previews"))
        let sha = String(repeating: "cd", count: 32)
        let one = folder.appendingPathComponent("one.pdf"), two = folder.appendingPathComponent("two.pdf")
        try Fixtures.pdf(pages: ["En"]).write(to: one)
        try Fixtures.pdf(pages: ["Ett", "Två"]).write(to: two)
        try await previews.render(pdf: one, as: sha, in: try previews.makeWorkFolder())
        let late = try previews.makeWorkFolder()
        try await previews.render(pdf: two, as: sha, in: late)
        #expect(DocumentPreviews(directory: previews.directory).stored(sha) == .ready(pages: 1))
    }

    @Test("The previews of files no longer stored are removed, the others kept")
    func orphans() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let previews = DocumentPreviews(directory: folder.appendingPathComponent("previews"))
        let pdf = folder.appendingPathComponent("a.pdf")
        try Fixtures.pdf(pages: ["Ett"]).write(to: pdf)
        let kept = String(repeating: "1a", count: 32), gone = String(repeating: "2b", count: 32)
        try await previews.render(pdf: pdf, as: kept, in: try previews.makeWorkFolder())
        try await previews.render(pdf: pdf, as: gone, in: try previews.makeWorkFolder())
        previews.markFailed(String(repeating: "3c", count: 32), reason: "trasig")
        #expect(previews.removeOrphans { $0 == kept } == 2)
        #expect(previews.stored(kept) == .ready(pages: 1))
        #expect(previews.stored(gone) == nil)
        #expect(previews.stored(String(repeating: "3c", count: 32)) == nil)
    }

    @Test("A failure is recorded and read back; stale work folders are swept, fresh ones kept")
    func failureAndSweep() throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let previews = DocumentPreviews(directory: folder.appendingPathComponent("previews"))
        let sha = String(repeating: "ef", count: 32)
        previews.markFailed(sha, reason: "broken")
        #expect(previews.stored(sha) == .failed)
        #expect(previews.stored("not-a-hash") == nil)
        let old = try previews.makeWorkFolder(), fresh = try previews.makeWorkFolder()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old.path)
        previews.sweepWork(olderThan: 3600)
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(FileManager.default.fileExists(atPath: fresh.path))
    }

    @Test("An office file is converted by LibreOffice (first pages only) and drawn")
    func office() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("blob")
        try Fixtures.odt(at: file)
        let previews = DocumentPreviews(directory: folder.appendingPathComponent("previews"))
        let work = try previews.makeWorkFolder()
        let pdf = try await OfficeConversion().pdf(of: file, fileName: "Rutin för inköp.odt", kind: .openDocumentText, in: work, pages: 1...3)
        #expect(FileManager.default.contents(atPath: pdf.path)?.starts(with: Data("%PDF".utf8)) == true)
        let sha = String(repeating: "01", count: 32)
        #expect(try await previews.render(pdf: pdf, as: sha, in: work) == 1)
        #expect(Fixtures.isPNG(previews.page(sha, 1)))
        #expect(try await TextExtraction().pdfText(pdf).contains("Rutin för inköp"))
    }

    @Test("A file LibreOffice cannot read is a conversion failure")
    func officeFailure() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("blob")
        try Data([0, 1, 2, 3, 0xFF, 0xFE]).write(to: file)
        await #expect(throws: (any Error).self) {
            try await OfficeConversion().pdf(of: file, fileName: "trasig.docx", kind: .wordprocessing, in: folder.appendingPathComponent("work"))
        }
    }

    @Test("Images are their own preview; PDF, office files, plain text and CSV get pages; the rest none")
    func methods() {
        #expect(DocumentPreviews.method(mediaType: "image/webp", fileName: "a.webp") == .itself)
        #expect(DocumentPreviews.method(mediaType: "image/svg+xml", fileName: "a.svg") == .none)
        #expect(DocumentPreviews.method(mediaType: "application/pdf", fileName: "a") == .pdf)
        #expect(DocumentPreviews.method(mediaType: "application/octet-stream", fileName: "a.xlsx") == .office)
        #expect(DocumentPreviews.method(mediaType: "application/msword", fileName: "a.doc") == .office)
        #expect(DocumentPreviews.method(mediaType: "text/csv", fileName: "a.csv") == .office)
        #expect(DocumentPreviews.method(mediaType: "text/plain", fileName: "a.txt") == .office)
        #expect(DocumentPreviews.method(mediaType: "text/markdown", fileName: "a.md") == .none)
        #expect(DocumentPreviews.method(mediaType: "application/zip", fileName: "a.zip") == .none)
    }

    @Test("LibreOffice is given a safe name with the file's extension")
    func safeName() {
        #expect(OfficeConversion.safeName("--Protokoll (slutlig) 2024.DOCX") == "document.docx")
        #expect(OfficeConversion.safeName("../../etc/passwd") == "document")
        #expect(OfficeConversion.exportFilter(.openDocumentSpreadsheet) == "calc_pdf_Export")
        #expect(OfficeConversion.exportFilter(.presentation) == "impress_pdf_Export")
    }
}
