import CommunisMedia
import CommunisTesting
import Foundation
import Testing

/// A recording cut off by a crash (`kill -9`) is made playable again at start-up.
@Suite("Recording recovery")
struct RecordingRecoveryTests {
    /// Writes a 3 s recording and returns its path and bytes.
    func recording(in directory: String) throws -> (path: String, bytes: [UInt8], durationMs: Int) {
        let path = directory + "/full.opus"
        let mixer = try RecordingMixer(path: path, settings: MeetingRecorder.Settings())
        let talk = RecordingFixture.Talk(stream: 1, frequency: 700, startMs: 0, durationMs: 3000)
        try RecordingFixture.run(RecordingFixture.arrivals([talk]), totalMs: 3000, mixer: mixer)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), mixer.durationMs)
    }

    /// Offsets of every "OggS" capture pattern.
    func pageOffsets(_ bytes: [UInt8]) -> [Int] {
        (0..<(bytes.count - 4)).filter { bytes[$0] == 0x4F && bytes[$0 + 1] == 0x67 && bytes[$0 + 2] == 0x67 && bytes[$0 + 3] == 0x53 }
    }

    @Test func aFileCutMidPageIsFinalised() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let full = try recording(in: directory)
        let pages = pageOffsets(full.bytes)
        #expect(pages.count >= 5)
        // Cut in the middle of the third page from the end, as a crash would.
        let torn = pages[pages.count - 3]
        let cut = torn + (pages[pages.count - 2] - torn) / 2
        let path = directory + "/crashed.opus"
        try Data(full.bytes[0..<cut]).write(to: URL(fileURLWithPath: path))

        let outcome = try OggOpusRecovery.finalize(path: path)
        #expect(outcome.truncatedBytes == Int64(cut - torn))
        #expect(outcome.sizeBytes == Int64(torn))
        let info = try RecordingFixture.opusinfo(path)
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(!info.output.contains("WARNING"), "opusinfo: \(info.output)")
        #expect(abs((info.lengthMs ?? -1) - outcome.durationMs) <= 1, "opusinfo: \(info.output)")
        // The length is that of the last whole page: its granule position less the pre-skip.
        let granule = full.bytes[(pages[pages.count - 4] + 6)..<(pages[pages.count - 4] + 14)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let preSkip = Int(full.bytes[pages[0] + 28 + 10]) | Int(full.bytes[pages[0] + 28 + 11]) << 8
        #expect(outcome.durationMs == (granule - preSkip) * 1000 / 48_000)
        #expect(outcome.durationMs > 0 && outcome.durationMs < full.durationMs)
        // It plays back as far as it says.
        let pcm = try RecordingFixture.decode(path)
        #expect(abs(pcm.count / 48 - outcome.durationMs) <= 20)

        // Finalising again changes nothing.
        let again = try OggOpusRecovery.finalize(path: path)
        #expect(again == OggOpusRecovery.Outcome(durationMs: outcome.durationMs, sizeBytes: outcome.sizeBytes, truncatedBytes: 0))
    }

    @Test func aFinishedFileIsLeftAsItIs() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let full = try recording(in: directory)
        let outcome = try OggOpusRecovery.finalize(path: full.path)
        #expect(outcome == OggOpusRecovery.Outcome(durationMs: full.durationMs, sizeBytes: Int64(full.bytes.count), truncatedBytes: 0))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: full.path))) == full.bytes)
    }

    @Test func somethingThatIsNotOggOpusIsRefused() throws {
        let directory = try RecordingFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/junk.opus"
        try Data("not an ogg file at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: OggOpusRecovery.RecoveryError.notOggOpus(path: path)) { try OggOpusRecovery.finalize(path: path) }
    }
}
