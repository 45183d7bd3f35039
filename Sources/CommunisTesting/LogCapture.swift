import Logging
import Synchronization

/// Keeps what a component logs (level, message and metadata, as text), so a test can check
/// what is logged and that a password, token or code never is. A LogHandler is called
/// synchronously from any thread, hence a mutex rather than an actor.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at level trace that writes here.
    public var logger: Logger {
        var logger = Logger(label: "communis.test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far, one per record.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(pairs)")
        }
    }
}
