import CommunisFiles
import CommunisModel
import CommunisStore
import Foundation
import Logging

extension DocumentProcessor {
    /// Extracts the version's text and makes its file's preview. Returns whether the job is
    /// done (false: cancelled, the store could not take the text, or a program is not
    /// installed; it stays on disk and is tried again at the next start). A file that cannot be read or converted is done: its
    /// text stays unknown and its preview is marked failed, as trying again would fail again.
    func process(_ job: Job) async -> Bool {
        let kind = DocumentFileKind(mediaType: job.mediaType, fileName: job.fileName)
        var metadata: Logger.Metadata = ["document.id": "\(job.document)", "document.version": "\(job.version)", "document.kind": "\(kind.rawValue)"]
        let file = blobURL(job.sha256)
        guard FileManager.default.fileExists(atPath: file.path) else {
            // Purged since (the document was deleted for good): nothing left to do.
            logger.info("document job skipped: its file is gone", metadata: metadata)
            return true
        }
        let started = ContinuousClock.now
        let method = DocumentPreviews.method(mediaType: job.mediaType, fileName: job.fileName)
        let wantsPreview = settings.previews && (method == .pdf || method == .office) && previews.stored(job.sha256) == nil
        var reused: String?
        if kind.hasText {
            do {
                reused = try await reusableText(job)
            } catch {
                logger.warning("earlier text of the document could not be read", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        let wantsText = kind.hasText && reused == nil
        // The older office formats' text comes from their PDF: convert the whole file once for
        // both; for the others the previews need only the first pages.
        let wholePDF = wantsText && kind == .legacyOffice

        var work: URL?
        defer { if let work { try? FileManager.default.removeItem(at: work) } }
        var pdf: URL? = kind == .pdf ? file : nil
        var conversionFailure: String?
        var missingProgram = false
        if method == .office, wantsPreview || wholePDF {
            do {
                let folder = try previews.makeWorkFolder()
                work = folder
                pdf = try await extraction.settings.office.pdf(of: file, fileName: job.fileName, kind: kind, in: folder,
                                                               pages: wholePDF ? nil : 1...settings.preview.maxPages)
            } catch is CancellationError {
                return false
            } catch ExternalProgram.Failure.notInstalled(let program) {
                missingProgram = true
                logger.error("\(program) is not installed: documents get no text or preview from it until it is (the job is kept for the next start)",
                             metadata: metadata)
            } catch {
                conversionFailure = "\(error)"
                logger.warning("document could not be converted to PDF", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }

        // The text.
        var text = reused
        if wantsText, kind != .legacyOffice || pdf != nil {
            do {
                text = try await extraction.text(of: file, kind: kind, fileName: job.fileName, convertedPDF: kind == .legacyOffice ? pdf : nil)
            } catch is CancellationError {
                return false
            } catch ExternalProgram.Failure.notInstalled(let program) {
                missingProgram = true
                logger.error("\(program) is not installed: documents get no text from it until it is (the job is kept for the next start)",
                             metadata: metadata)
            } catch {
                logger.warning("text could not be extracted from a document", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        var done = true
        if let text {
            do {
                try await store.setDocumentText(job.document, version: job.version, text: text)
                metadata["document.text_bytes"] = "\(text.utf8.count)"
            } catch {
                done = false
                logger.error("extracted text could not be stored; tried again at the next start",
                             metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }

        // The preview.
        if wantsPreview {
            if let pdf {
                do {
                    let folder: URL
                    if let work { folder = work } else {
                        folder = try previews.makeWorkFolder()
                        work = folder
                    }
                    metadata["document.preview_pages"] = "\(try await previews.render(pdf: pdf, as: job.sha256, in: folder))"
                } catch is CancellationError {
                    return false
                } catch ExternalProgram.Failure.notInstalled(let program) {
                    missingProgram = true
                    logger.error("\(program) is not installed: documents get no preview until it is (the job is kept for the next start)",
                                 metadata: metadata)
                } catch {
                    previews.markFailed(job.sha256, reason: "\(error)")
                    logger.warning("preview could not be made", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
            } else if !missingProgram {
                previews.markFailed(job.sha256, reason: conversionFailure ?? "no PDF to draw")
            }
        }
        // An operator's missing program is not the file's fault: tried again after a restart.
        if missingProgram { done = false }
        let elapsed = ContinuousClock.now - started
        metadata["duration_ms"] = "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)"
        logger.info("document processed", metadata: metadata)
        return done
    }

    /// The text already extracted from another version of the same document with the same
    /// file (a restored version is a new version of an old file).
    func reusableText(_ job: Job) async throws -> String? {
        for version in try await store.documentVersions(job.document) where version.number != job.version && version.sha256 == job.sha256 {
            if let text = try await store.documentText(job.document, version: version.number) { return text }
        }
        return nil
    }
}
