import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisStore
import Foundation

/// The demo's guide recording: "Genomgång: logga in i Procapita", one minute with three
/// chapters, shared with the whole organisation, so the demo's Procapita lathund plays it and
/// its chapter links seek. The demo has nobody to speak, so each chapter is a soft chime at a
/// pitch of its own (a listener hears the jump to another chapter); the file is a real Ogg
/// Opus recording in the recordings folder, made the way the recorder makes one.
enum DemoRecordings {
    static let chapters = [
        RecordingChapter(title: "Steg 1: Kortläsaren", offsetMs: 0),
        RecordingChapter(title: "Steg 2: Logga in i Procapita", offsetMs: 20_000),
        RecordingChapter(title: "Steg 3: Välj enhet", offsetMs: 40_000),
    ]
    static let pitches: [Double] = [523.25, 659.25, 783.99]
    static let durationMs = 60_000

    /// Stores the guide (an ended guide meeting of the IT workspace, its file and its record);
    /// returns it, or nil when the file could not be written (the demo then goes without).
    static func seedGuide(store: any CommunisStore, directory: String, trainer: Person, workspace: WorkspaceID) async throws -> Recording? {
        let meetings = Meetings(store: store, publisher: NoLivePublisher())
        let meeting = try await meetings.create(viewer: Viewer(person: trainer), workspace: workspace, title: "Guide: logga in i Procapita", scheduledFor: nil)
        let startedAt = Date().addingTimeInterval(-3600)
        _ = try await store.markMeetingStarted(meeting.id, at: startedAt)
        _ = try await store.markMeetingEnded(meeting.id, at: startedAt.addingTimeInterval(Double(durationMs) / 1000), by: trainer.id)
        let id = RecordingID()
        let fileName = "\(workspace)/\(id).opus"
        let path = (directory as NSString).appendingPathComponent(fileName)
        let size: Int64
        do {
            size = try writeChimes(to: path, title: "Genomgång: logga in i Procapita")
        } catch {
            return nil
        }
        try await store.insertRecording(Recording(
            id: id, workspaceID: workspace, meetingID: meeting.id, title: "Genomgång: logga in i Procapita", kind: .guide,
            startedBy: trainer.id, startedAt: startedAt, fileName: fileName, sharedWithOrganisation: true, chapters: chapters))
        try await store.addRecordingParticipant(RecordingParticipant(recordingID: id, personID: trainer.id, streamID: 1, joinedOffsetMs: 0))
        return try await store.finishRecording(id, state: .complete, reason: .stopped, endedAt: startedAt.addingTimeInterval(Double(durationMs) / 1000),
                                               durationMs: durationMs, sizeBytes: size)
    }

    /// A chime (two decaying partials) every two seconds, at each chapter's pitch; returns the
    /// file's size.
    static func writeChimes(to path: String, title: String) throws -> Int64 {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = try OpusEncoder(bitrate: 32_000, complexity: 5, inbandFEC: false, expectedLossPercent: 0)
        var options = OggOpusWriter.Options()
        options.preSkip = UInt16(encoder.lookahead)
        options.comments = ["TITLE=\(title)"]
        let writer = try OggOpusWriter(path: path, options: options)
        let frame = OpusFormat.frameSamples
        let total = durationMs * 48
        var pcm = [Float](repeating: 0, count: frame)
        var sample = 0
        while sample < total {
            for index in 0..<frame {
                let t = sample + index
                let chapter = min(chapters.count - 1, chapters.lastIndex { $0.offsetMs * 48 <= t } ?? 0)
                let sinceChime = Double(t % 96_000) / 48_000
                let envelope = sinceChime < 1.2 ? 0.25 * exp(-4 * sinceChime) : 0
                let f = pitches[chapter]
                let phase = 2 * Double.pi * f * Double(t) / 48_000
                pcm[index] = Float(envelope * (sin(phase) + 0.35 * sin(2 * phase)))
            }
            try writer.write(packet: try encoder.encode(pcm: pcm))
            sample += frame
        }
        try writer.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
