import CommunisFiles
import CommunisModel
import CommunisServices
import CommunisStore
import Crypto
import Foundation
import Logging
import Testing

/// The document store as far as the processor uses it (versions and their texts); the rest
/// is never called here and says so.
actor TextRecordingStore: DocumentStore {
    var texts: [String: String] = [:]
    var versionsByDocument: [DocumentID: [DocumentVersion]] = [:]
    var textWrites = 0
    var failWrites = false

    func add(_ version: DocumentVersion, text: String? = nil) {
        versionsByDocument[version.documentID, default: []].insert(version, at: 0)
        if let text { texts["\(version.documentID)-\(version.number)"] = text }
    }

    func text(_ id: DocumentID, _ version: Int) -> String? { texts["\(id)-\(version)"] }
    func setFailing(_ failing: Bool) { failWrites = failing }

    func setDocumentText(_ id: DocumentID, version: Int, text: String) async throws {
        if failWrites { throw DomainError.conflict("the database is read-only") }
        textWrites += 1
        texts["\(id)-\(version)"] = text
    }

    func documentText(_ id: DocumentID, version: Int) async throws -> String? { texts["\(id)-\(version)"] }
    func documentVersions(_ id: DocumentID) async throws -> [DocumentVersion] { versionsByDocument[id] ?? [] }

    struct Unused: Error {}
    func documentFolder(id: DocumentFolderID) async throws -> DocumentFolder? { throw Unused() }
    func documentFolders(workspace: WorkspaceID) async throws -> [DocumentFolder] { throw Unused() }
    func document(id: DocumentID) async throws -> Document? { throw Unused() }
    func documents(ids: [DocumentID]) async throws -> [Document] { throw Unused() }
    func documents(workspace: WorkspaceID, folder: DocumentFolderID?, page: PageRequest) async throws -> Page<Document> { throw Unused() }
    func trashedDocuments(workspace: WorkspaceID, page: PageRequest) async throws -> Page<Document> { throw Unused() }
    func document(workspace: WorkspaceID, folder: DocumentFolderID?, title: String) async throws -> Document? { throw Unused() }
    func documentVersion(_ id: DocumentID, number: Int) async throws -> DocumentVersion? { throw Unused() }
    func documentBytes(workspace: WorkspaceID) async throws -> Int64 { throw Unused() }
    func refreshDocumentLock(_ id: DocumentID, token: String, until: Date) async throws -> DocumentLock { throw Unused() }
    func expiredTrash(before: Date, limit: Int) async throws -> [Document] { throw Unused() }
    func purgeDocument(_ id: DocumentID) async throws { throw Unused() }
    func unreferencedBlobs(_ sha256s: [String]) async throws -> [String] { throw Unused() }
    func setDocumentLinks(source: DocumentLinkSource, documents: [DocumentID]) async throws { throw Unused() }
    func documentLinks(_ id: DocumentID) async throws -> [DocumentLinkSource] { throw Unused() }
}

@Suite("Document processor", .serialized)
struct DocumentProcessorTests {
    /// A documents folder with files stored as the blob store lays them out.
    struct Library {
        let root: URL
        let store = TextRecordingStore()

        init() throws { root = try Fixtures.folder() }

        /// Stores `data` under its hash; returns the hash.
        func blob(_ data: Data) throws -> String {
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let folder = root.appendingPathComponent("blobs").appendingPathComponent(String(sha.prefix(2)))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: folder.appendingPathComponent(sha))
            return sha
        }

        func processor(previews: Bool = true) -> DocumentProcessor {
            var settings = DocumentProcessor.Settings()
            settings.previews = previews
            return DocumentProcessor(store: store, documentsDirectory: root, settings: settings, logger: Logger(label: "test"))
        }

        var jobs: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("processing").path)) ?? []).sorted()
        }
    }

    /// Runs the processor until it is idle (or 180 s pass: LibreOffice on a loaded machine), then stops it.
    static func drain(_ processor: DocumentProcessor) async throws {
        let running = Task { await processor.run() }
        defer { running.cancel() }
        let deadline = ContinuousClock.now + .seconds(180)
        try await Task.sleep(for: .milliseconds(50))
        while !processor.isIdle {
            guard ContinuousClock.now < deadline else { Issue.record("the processor did not finish in 180 s"); return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("Each new version gets its text and its preview; images preview themselves, other kinds have none")
    func endToEnd() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let docx = library.root.appendingPathComponent("in.docx")
        try Fixtures.docx(at: docx)
        let word = try library.blob(Data(contentsOf: docx))
        let pdf = try library.blob(Fixtures.pdf(pages: ["Årsberättelse 2024", "Bilaga"]))
        let png = try library.blob(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let zip = try library.blob(Data("PK not really".utf8))
        let (a, b, c, d) = (DocumentID(), DocumentID(), DocumentID(), DocumentID())
        let processor = library.processor()
        processor.enqueue(a, version: 1, sha256: word, mediaType: "application/octet-stream", fileName: "Protokoll.docx")
        processor.enqueue(b, version: 1, sha256: pdf, mediaType: "application/pdf", fileName: "rapport.pdf")
        processor.enqueue(c, version: 1, sha256: png, mediaType: "image/png", fileName: "bild.png")
        processor.enqueue(d, version: 1, sha256: zip, mediaType: "application/zip", fileName: "arkiv.zip")
        #expect(library.jobs.count == 4)
        #expect(processor.preview(sha256: pdf, mediaType: "application/pdf", fileName: "rapport.pdf") == .pending)
        #expect(processor.preview(sha256: pdf) == .pending)

        try await Self.drain(processor)

        #expect(await library.store.text(a, 1)?.hasPrefix("Protokoll för styrelsemötet\nPunkt\tBeslut") == true)
        #expect(await library.store.text(b, 1) == "Årsberättelse 2024\n\nBilaga")
        #expect(await library.store.text(c, 1) == nil)
        #expect(await library.store.text(d, 1) == nil)
        #expect(processor.preview(sha256: word, mediaType: "application/octet-stream", fileName: "Protokoll.docx") == .ready(pages: 1))
        #expect(processor.preview(sha256: pdf, mediaType: "application/pdf") == .ready(pages: 2))
        #expect(Fixtures.isPNG(processor.previews.page(pdf, 2)))
        #expect(processor.preview(sha256: png, mediaType: "image/png") == .ready(pages: 1))
        #expect(processor.preview(sha256: zip, mediaType: "application/zip", fileName: "arkiv.zip") == .none)
        #expect(processor.preview(sha256: zip) == .none)
        #expect(library.jobs.isEmpty)
        // No work folder is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: processor.previews.directory.path).filter { $0.hasPrefix(".work-") }
        #expect(left.isEmpty)
    }

    @Test("Jobs left on disk by a stop are done at the next start")
    func catchUpAtStart() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let sha = try library.blob(Data("Minnesanteckningar\nfrån mötet".utf8))
        let id = DocumentID()
        // The first run is stopped before it takes the job.
        library.processor().enqueue(id, version: 3, sha256: sha, mediaType: "text/markdown", fileName: "anteckningar.md")
        #expect(library.jobs == ["\(id)-v3.json"])
        // Until it is done, comparing that version says "not yet" (text-pending), on any processor.
        #expect(library.processor().isProcessing(id, version: 3))
        #expect(!library.processor().isProcessing(id, version: 2))

        let restarted = library.processor()
        try await Self.drain(restarted)
        #expect(await library.store.text(id, 3) == "Minnesanteckningar\nfrån mötet")
        #expect(library.jobs.isEmpty)
        #expect(!restarted.isProcessing(id, version: 3))
    }

    @Test("More jobs than the queue holds wait on disk and are all done")
    func overflowWaitsOnDisk() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        var settings = DocumentProcessor.Settings()
        settings.maxQueued = 2
        // The queue is what is tested: no LibreOffice runs for the text files' previews.
        settings.previews = false
        let processor = DocumentProcessor(store: library.store, documentsDirectory: library.root, settings: settings, logger: Logger(label: "test"))
        var expected: [(DocumentID, String)] = []
        for n in 1...7 {
            let text = "Text nummer \(n)"
            let id = DocumentID()
            processor.enqueue(id, version: 1, sha256: try library.blob(Data(text.utf8)), mediaType: "text/plain", fileName: "\(n).txt")
            expected.append((id, text))
        }
        #expect(library.jobs.count == 7)
        try await Self.drain(processor)
        for (id, text) in expected { #expect(await library.store.text(id, 1) == text) }
        #expect(library.jobs.isEmpty)
    }

    @Test("A restored version reuses the text of the version with the same file")
    func reusesText() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let sha = try library.blob(Data("nytt innehåll".utf8))
        let id = DocumentID()
        let person = PersonID()
        await library.store.add(DocumentVersion(documentID: id, number: 1, sha256: sha, size: 10, mediaType: "text/markdown", fileName: "a.md",
                                                createdBy: person, createdAt: Date()), text: "texten som togs fram förra gången")
        await library.store.add(DocumentVersion(documentID: id, number: 2, sha256: sha, size: 10, mediaType: "text/markdown", fileName: "a.md",
                                                createdBy: person, createdAt: Date(), restoredFrom: 1))
        let processor = library.processor()
        processor.enqueue(id, version: 2, sha256: sha, mediaType: "text/markdown", fileName: "a.md")
        try await Self.drain(processor)
        #expect(await library.store.text(id, 2) == "texten som togs fram förra gången")
    }

    @Test("A file that cannot be converted is marked failed and not tried again; a store that refuses the text keeps the job")
    func failures() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let broken = try library.blob(Data("%PDF-1.4 cut off".utf8))
        let (a, b) = (DocumentID(), DocumentID())
        let processor = library.processor()
        processor.enqueue(a, version: 1, sha256: broken, mediaType: "application/pdf", fileName: "trasig.pdf")
        try await Self.drain(processor)
        #expect(processor.preview(sha256: broken, mediaType: "application/pdf") == .failed)
        #expect(await library.store.text(a, 1) == nil)
        #expect(library.jobs.isEmpty)

        await library.store.setFailing(true)
        let text = try library.blob(Data("sparas inte".utf8))
        processor.enqueue(b, version: 1, sha256: text, mediaType: "text/markdown", fileName: "b.md")
        try await Self.drain(processor)
        #expect(library.jobs == ["\(b)-v1.json"])
        await library.store.setFailing(false)
        try await Self.drain(library.processor())
        #expect(await library.store.text(b, 1) == "sparas inte")
    }

    @Test("Plain text gets its text read directly and its preview drawn by LibreOffice")
    func plainTextPreview() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let sha = try library.blob(Data("Inköpslista\nPapper\nPennor\n".utf8))
        let id = DocumentID()
        let processor = library.processor()
        processor.enqueue(id, version: 1, sha256: sha, mediaType: "text/plain", fileName: "lista.txt")
        try await Self.drain(processor)
        #expect(await library.store.text(id, 1) == "Inköpslista\nPapper\nPennor\n")
        #expect(processor.preview(sha256: sha, mediaType: "text/plain", fileName: "lista.txt") == .ready(pages: 1))
    }

    @Test("Without LibreOffice installed the job is kept for the next start, its preview pending, not failed")
    func missingProgram() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let docx = library.root.appendingPathComponent("in.docx")
        try Fixtures.docx(at: docx)
        let sha = try library.blob(Data(contentsOf: docx))
        let id = DocumentID()
        var settings = DocumentProcessor.Settings()
        settings.extraction.office.command = "communis-no-such-soffice"
        let processor = DocumentProcessor(store: library.store, documentsDirectory: library.root, settings: settings, logger: Logger(label: "test"))
        processor.enqueue(id, version: 1, sha256: sha, mediaType: "application/octet-stream", fileName: "a.docx")
        try await Self.drain(processor)
        // The text needs no LibreOffice.
        #expect(await library.store.text(id, 1)?.hasPrefix("Protokoll för styrelsemötet") == true)
        #expect(processor.preview(sha256: sha, mediaType: "application/octet-stream", fileName: "a.docx") == .pending)
        #expect(library.jobs == ["\(id)-v1.json"])
    }

    @Test("With previews turned off only the text is made")
    func previewsOff() async throws {
        let library = try Library()
        defer { try? FileManager.default.removeItem(at: library.root) }
        let sha = try library.blob(Fixtures.pdf(pages: ["Endast text"]))
        let id = DocumentID()
        let processor = library.processor(previews: false)
        processor.enqueue(id, version: 1, sha256: sha, mediaType: "application/pdf", fileName: "a.pdf")
        try await Self.drain(processor)
        #expect(await library.store.text(id, 1) == "Endast text")
        #expect(processor.preview(sha256: sha, mediaType: "application/pdf") == .none)
        #expect(processor.previews.stored(sha) == nil)
    }
}
