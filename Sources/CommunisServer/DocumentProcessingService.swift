import CommunisServices
import ServiceLifecycle

/// Runs the `DocumentProcessor`'s workers (documents' text and previews) for the server's
/// life. At shutdown a job under way is stopped (its outside program killed) and stays on
/// disk for the next start.
struct DocumentProcessingService: Service {
    let processor: DocumentProcessor

    func run() async throws {
        // Cancelled at graceful shutdown; nothing it holds needs more than that.
        try? await cancelWhenGracefulShutdown {
            await processor.run()
        }
    }
}
