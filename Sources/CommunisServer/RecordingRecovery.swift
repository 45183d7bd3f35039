import CommunisHub
import CommunisMedia
import CommunisModel
import CommunisServices
import Foundation
import Logging

/// Start-up work for recordings a crash cut off. A recording's files are written as it runs
/// (Ogg pages at least once a second), so after `kill -9` they hold everything up to the last
/// second or so, but their last page lacks the end-of-stream flag and may be torn. Before the
/// server accepts anyone, each recording still marked `recording` gets its files finalised
/// (`OggOpusRecovery`) and is completed with the reason `interrupted` — or marked `failed`
/// when nothing playable was left.
enum RecordingRecovery {
    /// Finalises the unfinished recordings `orphaned` says nobody writes any more (all of them
    /// at a start with no other node alive).
    static func run(_ recordings: Recordings, logger: Logger, orphaned: @Sendable (Recording) async -> Bool = { _ in true }) async throws {
        for recording in try await recordings.unfinished() where await orphaned(recording) {
            let path = recordings.path(of: recording.fileName)
            var metadata: Logger.Metadata = ["recording.id": "\(recording.id)"]
            do {
                let outcome = try OggOpusRecovery.finalize(path: path)
                try await recordings.finish(
                    recording.id, state: .complete, reason: .interrupted, durationMs: outcome.durationMs, sizeBytes: outcome.sizeBytes,
                    endedAt: recording.startedAt.addingTimeInterval(Double(outcome.durationMs) / 1000))
                metadata["duration_ms"] = "\(outcome.durationMs)"
                metadata["truncated_bytes"] = "\(outcome.truncatedBytes)"
                logger.notice("recording cut off by the last run finalised", metadata: metadata)
            } catch {
                try await recordings.finish(recording.id, state: .failed, reason: .interrupted, durationMs: 0, sizeBytes: 0, endedAt: recording.startedAt)
                metadata["error"] = "\(String(reflecting: error))"
                logger.error("recording cut off by the last run could not be recovered", metadata: metadata)
            }
            finaliseParticipantFiles(of: recording, recordings: recordings, logger: logger)
        }
    }

    /// Each participant's own file, beside the mixed one (best effort: the mixed file is what
    /// people play).
    private static func finaliseParticipantFiles(of recording: Recording, recordings: Recordings, logger: Logger) {
        let folder = recordings.path(of: Recordings.participantFolder(of: recording))
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() where name.hasSuffix(".opus") {
            do {
                _ = try OggOpusRecovery.finalize(path: folder + "/" + name)
            } catch {
                logger.warning("participant file of an interrupted recording not recovered", metadata: [
                    "recording.id": "\(recording.id)", "file": "\(name)", "error": "\(String(reflecting: error))",
                ])
            }
        }
    }
}
