import CommunisMedia
import CommunisTesting
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Real Opus end to end: libopus-encoded tones through the relay, decoded at the listener;
/// and the Ogg Opus writer checked by an independent tool (opus-tools).
@Suite("Opus tones")
struct OpusToneTests {
    static let tones: [UInt16: Double] = [1: 440, 2: 660, 3: 880]
    static let candidates = [440.0, 660, 880]

    @Test func opusRoundTripKeepsTheTone() throws {
        let packets = try Tones.opusPackets(frequency: 660, count: 25)
        #expect(packets.allSatisfy { !$0.isEmpty && $0.count <= OpusFormat.maxPacketBytes })
        let pcm = try Tones.decode(packets)
        #expect(pcm.count == 25 * 960)
        #expect(DominantFrequency.detect(pcm, candidates: Self.candidates, skip: 960) == 660)
        #expect(DominantFrequency.rms(pcm) > 0.1)
    }

    @Test func concealmentFillsALostPacket() throws {
        let decoder = try OpusDecoder()
        let packets = try Tones.opusPackets(frequency: 440, count: 3)
        _ = try decoder.decode(packets[0])
        let concealed = try decoder.decode(nil as [UInt8]?)
        #expect(concealed.count == 960)
        #expect(try decoder.decode(packets[2]).count == 960)
        #expect(try OpusDecoder.sampleCount(of: packets[0].withUnsafeBytes { UnsafeRawBufferPointer($0) }) == 960)
    }

    @Test func threeTonesThroughTheRelayDecodeToTheirSendersFrequencies() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let relay = AudioRelay(loop: loops[0], limits: AudioLimits(), metrics: AudioMetrics(), onSpeaking: { _ in })
        var listeners: [UInt16: RecordingListener] = [:]
        var sent: [UInt16: [ByteBuffer]] = [:]
        for (stream, frequency) in Self.tones {
            listeners[stream] = RecordingListener(stream: stream, loop: loops[Int(stream) % 2])
            await relay.add(stream: stream, listener: listeners[stream]!, muted: false)
            // 50 packets (one second) per sender: within one second's burst of the rate limit.
            sent[stream] = Tones.audioFrames(stream: stream, packets: try Tones.opusPackets(frequency: frequency, count: 50), firstSequence: 65_520)
        }
        for index in 0..<50 {
            for stream in sent.keys.sorted() { relay.receive(sent[stream]![index], from: stream) }
        }
        let all = listeners
        #expect(await eventually { all.values.allSatisfy { $0.count == 100 } })
        for (stream, listener) in listeners {
            #expect(listener.frames(from: stream).isEmpty)
            for (sender, frequency) in Self.tones where sender != stream {
                let frames = listener.frames(from: sender)
                #expect(frames == sent[sender]!)
                let packets = frames.compactMap { AudioFrameHeader.packet(of: $0).map { Array($0.readableBytesView) } }
                let pcm = try Tones.decode(packets)
                #expect(DominantFrequency.detect(pcm, candidates: Self.candidates, skip: 960) == frequency,
                        "stream \(stream) hears stream \(sender) at \(frequency) Hz")
            }
        }
        await relay.close()
        try await group.shutdownGracefully()
    }

    @Test func oggOpusFileIsAcceptedByOpusinfoAndDecodesToTheTone() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tone.opus").path
        let encoder = try OpusEncoder()
        var options = OggOpusWriter.Options()
        options.preSkip = UInt16(encoder.lookahead)
        options.comments = ["TITLE=Veckomöte IT"]
        let writer = try OggOpusWriter(path: path, options: options)
        for pcm in Tones.frames(frequency: 880, count: 150) {
            try writer.write(packet: try encoder.encode(pcm: pcm))
        }
        try writer.close()
        #expect(writer.packetCount == 150)

        let info = try ExternalTool.runNow("/usr/bin/opusinfo", [path])
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(!info.output.contains("WARNING"), "opusinfo: \(info.output)")
        #expect(info.output.contains("Playback length: 0m:02.99"), "3 s less the pre-skip; opusinfo: \(info.output)")

        let wav = directory.appendingPathComponent("tone.wav").path
        let decoded = try ExternalTool.runNow("/usr/bin/opusdec", ["--quiet", path, wav])
        #expect(decoded.status == 0, "opusdec: \(decoded.output)")
        let file = try WAVFile(path: wav)
        #expect(file.sampleRate == 48_000)
        #expect(file.channels == 1)
        #expect(abs(file.samples.count - 150 * 960 + Int(options.preSkip)) <= 960)
        #expect(DominantFrequency.detect(file.samples, candidates: Self.candidates, skip: 4800) == 880)
    }

    @Test func pagesReachTheFileWithinASecondOfAudio() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("crash.opus").path
        let writer = try OggOpusWriter(path: path)
        let headerBytes = try fileSize(path)
        let packets = try Tones.opusPackets(frequency: 440, count: 60)
        for packet in packets { try writer.write(packet: packet) }
        // 60 packets = 1.2 s written without closing: at least the first second is on disk.
        let audioBytes = packets.prefix(50).reduce(0) { $0 + $1.count }
        #expect(try fileSize(path) - headerBytes >= audioBytes)
        try writer.close()
        #expect(try ExternalTool.runNow("/usr/bin/opusinfo", [path]).status == 0)
    }

    @Test func gapsKeepTheRecordingOnTheMeetingsTimeline() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("gap.opus").path
        let writer = try OggOpusWriter(path: path)
        let packets = try Tones.opusPackets(frequency: 440, count: 50)
        for packet in packets.prefix(25) { try writer.write(packet: packet) }
        try writer.writeGap(samples: 48_000)  // one second muted
        for packet in packets.suffix(25) { try writer.write(packet: packet) }
        try writer.close()
        let info = try ExternalTool.runNow("/usr/bin/opusinfo", [path])
        #expect(info.status == 0, "opusinfo: \(info.output)")
        #expect(info.output.contains("Playback length: 0m:01.99"), "2 s less the pre-skip; opusinfo: \(info.output)")
        let wav = directory.appendingPathComponent("gap.wav").path
        #expect(try ExternalTool.runNow("/usr/bin/opusdec", ["--quiet", path, wav]).status == 0)
        let samples = try WAVFile(path: wav).samples
        // The middle of the gap is (nearly) silent; the tone is on both sides.
        #expect(DominantFrequency.rms(Array(samples[36_000..<60_000])) < 0.01)
        #expect(DominantFrequency.rms(Array(samples[4_800..<20_000])) > 0.1)
        #expect(DominantFrequency.rms(Array(samples[80_000..<90_000])) > 0.1)
    }

    @Test func anEmptyRecordingIsStillAValidFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("empty.opus").path
        try OggOpusWriter(path: path).close()
        let info = try ExternalTool.runNow("/usr/bin/opusinfo", [path])
        #expect(info.status == 0, "opusinfo: \(info.output)")
    }

    @Test func theWriterRefusesWhatIsNotOpus() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try OggOpusWriter(path: directory.appendingPathComponent("x.opus").path)
        #expect(throws: OggOpusWriter.WriterError.invalidPacket) { try writer.write(packet: [UInt8]()) }
        try writer.close()
        #expect(throws: OggOpusWriter.WriterError.closed) { try writer.write(packet: [0xF8, 0xFF, 0xFE]) }
        #expect(throws: OggOpusWriter.WriterError.self) { try OggOpusWriter(path: "/nonexistent-folder/x.opus") }
    }

    // MARK: Helpers

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("communis-media-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
