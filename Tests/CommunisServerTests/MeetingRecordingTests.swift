import CommunisMedia
import CommunisModel
import CommunisServices
import CommunisTesting
import Foundation
import Synchronization
import Testing

/// Recording a meeting through the real server: real sockets, real libopus packets sent in
/// real time, the real relay and recorder, a real SQLite file, and the files checked with
/// opus-tools (`opusinfo`, `opusdec`).
@Suite("Meetings over live WebSockets: recording")
struct MeetingRecordingTests {
    static let talkers: [Double] = [440, 700, 1000]

    /// Sends `seconds` of a tone from `stream` at the pace a browser does (one 20 ms packet
    /// every 20 ms), timestamps from 0 as a fresh encoder numbers them.
    static func talk(_ socket: WebSocketTestClient, stream: UInt16, frequency: Double, seconds: Double, firstSequence: UInt16 = 0) async throws {
        let count = Int(seconds * 50)
        let packets = try Tones.opusPackets(frequency: frequency, count: count)
        let frames = Tones.audioFrames(stream: stream, packets: packets, firstSequence: firstSequence, firstTimestamp: UInt32(firstSequence) * 960)
        let start = ContinuousClock.now
        for (index, frame) in frames.enumerated() {
            socket.send(binary: Array(frame.readableBytesView))
            try await Task.sleep(until: start + .milliseconds(20 * (index + 1)), clock: .continuous)
        }
    }

    /// Runs an opus-tools program; returns its exit status and output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ExternalTool.runNow("/usr/bin/\(tool)", arguments)
    }

    /// Decodes an Ogg Opus file with opusdec to 48 kHz samples.
    static func decode(_ path: String) throws -> [Int16] {
        let wav = path + ".wav"
        let result = try run("opusdec", ["--quiet", "--rate", "48000", path, wav])
        #expect(result.status == 0, "opusdec: \(result.output)")
        return try WAVFile(path: wav).samples
    }

    /// The dominant tone of `pcm` between two times (seconds), among the talkers' and none.
    static func tone(_ pcm: [Int16], from start: Double, to end: Double) -> Double? {
        let lower = max(0, Int(start * 48_000))
        let upper = min(pcm.count, Int(end * 48_000))
        guard upper > lower + 4800 else { return nil }
        let slice = Array(pcm[lower..<upper])
        guard DominantFrequency.rms(slice) > 0.01 else { return nil }
        return DominantFrequency.detect(slice, candidates: talkers)
    }

    static func recordings(_ world: MeetingWorld) -> Recordings {
        Recordings(store: world.world.store, directory: world.world.configuration.recordingsDirectory, clock: Clock())
    }

    @Test("Three people talk in turn while the meeting is recorded: everyone (and the guest in the lobby) is told, a chapter is marked, and the mixed file is valid Ogg Opus of the meeting's length with each tone in its own time")
    func threeTalkersRecorded() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let karin = try await server.connect(world.karin)
            let lena = try await server.connect(world.lena)
            var streams: [UInt16] = []
            for socket in [erik, sara, karin] { streams.append(try #require(try await socket.join(world).streamId)) }
            let lobby = try await lena.join(world)
            #expect(lobby.data["state"] as? String == "lobby")
            #expect(lobby.data.keys.contains("recording") && lobby.data["recording"] is NSNull, "the lobby ack says nothing is recorded: \(lobby)")

            // Only moderators start a recording.
            #expect(try await sara.command("meeting.recording.start", topic: world.topic).errorCode == "forbidden")

            // When Erik starts recording, everyone in the meeting and the lobby is told.
            let started = try await erik.command("meeting.recording.start", topic: world.topic, data: ["title": "Veckomöte IT – inspelning"])
            let t0 = ContinuousClock.now
            #expect(started.type == "ack", "\(started)")
            let recording = try #require(started.data["recording"] as? [String: Any])
            let id = try #require(started.recordingID)
            #expect(recording["title"] as? String == "Veckomöte IT – inspelning")
            #expect((recording["startedBy"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            for socket in [sara, karin, lena] {
                let event = try await socket.next("meeting.recording")
                #expect((event.data["recording"] as? [String: Any])?["id"] as? String == id.description, "\(event)")
            }
            #expect(try await erik.command("meeting.recording.start", topic: world.topic).errorCode == "conflict")

            // Then three talkers in turn, a pause between them; a chapter at Sara's turn.
            var ranges: [(Double, Double)] = []
            for (index, socket) in [erik, sara, karin].enumerated() {
                try await Task.sleep(for: .milliseconds(300))
                let begin = (ContinuousClock.now - t0) / .seconds(1)
                if index == 1 {
                    let marked = try await erik.command("meeting.recording.chapter", topic: world.topic, data: ["title": "Steg 2: Sara"])
                    let offset = ((marked.data["chapter"] as? [String: Any])?["offsetMs"] as? NSNumber)?.intValue ?? -1
                    let chapterSeconds = Double(offset) / 1000
                    #expect(abs(chapterSeconds - begin) < 0.25, "the chapter is where Sara begins: \(offset) ms vs \(begin) s")
                    let seen = try await karin.next("meeting.recording.chapter")
                    #expect((seen.data["chapter"] as? [String: Any])?["title"] as? String == "Steg 2: Sara")
                }
                try await Self.talk(socket, stream: streams[index], frequency: Self.talkers[index], seconds: 1.0)
                ranges.append((begin, (ContinuousClock.now - t0) / .seconds(1)))
            }
            try await Task.sleep(for: .milliseconds(400))
            let stopped = try await erik.command("meeting.recording.stop", topic: world.topic)
            let wall = (ContinuousClock.now - t0) / .seconds(1)
            #expect(stopped.type == "ack", "\(stopped)")
            let durationMs = try #require((stopped.data["durationMs"] as? NSNumber)?.intValue)
            let seconds = Double(durationMs) / 1000
            #expect(abs(seconds - wall) < 0.4, "duration \(durationMs) ms vs \(wall) s of wall time")
            let off = try await sara.next("meeting.recording")
            #expect(off.data["recording"] is NSNull && off.data["reason"] as? String == "stopped", "\(off)")
            _ = try await lena.next("meeting.recording")

            // The record: complete, stopped by a moderator, the three participants (not the guest in the lobby), the chapter.
            let view = try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: id)
            #expect(view.recording.state == .complete && view.recording.stopReason == .stopped)
            #expect(view.recording.durationMs == durationMs)
            #expect(view.recording.chapters.map(\.title) == ["Steg 2: Sara"])
            #expect(Set((view.participants ?? []).map(\.participant.personID)) == [world.erik.id, world.sara.id, world.karin.id])

            // The file: opusinfo accepts it, its length is the meeting's, each tone where it was spoken.
            let path = Self.recordings(world).path(of: view.recording.fileName)
            let info = try Self.run("opusinfo", [path])
            #expect(info.status == 0 && !info.output.contains("WARNING"), "opusinfo: \(info.output)")
            let pcm = try Self.decode(path)
            let decodedSeconds = Double(pcm.count) / 48_000
            #expect(abs(decodedSeconds - seconds) < 0.1, "decoded \(pcm.count) samples for \(durationMs) ms")
            for (index, (begin, end)) in ranges.enumerated() {
                #expect(Self.tone(pcm, from: begin + 0.15, to: end - 0.15) == Self.talkers[index], "talker \(index) between \(begin) and \(end) s")
            }
            #expect(Self.tone(pcm, from: 0, to: max(0, ranges[0].0 - 0.1)) == nil, "silence before anyone spoke")

            // Each participant's own packets were kept as they arrived, decodable on their own.
            for (index, stream) in streams.enumerated() {
                let own = try #require(view.participants?.first { $0.participant.streamID == Int(stream) }?.participant.fileName)
                let ownPCM = try Self.decode(Self.recordings(world).path(of: own))
                #expect(DominantFrequency.detect(ownPCM, candidates: Self.talkers) == Self.talkers[index])
            }

            // Stopping twice: nothing is recording.
            #expect(try await erik.command("meeting.recording.stop", topic: world.topic).errorCode == "not-found")
        }
    }

    @Test("A full disk stops the recording with disk-full for everyone while the meeting and its audio go on; the file kept so far is valid")
    func fullDisk() async throws {
        let world = try await MeetingWorld.make()
        let disk = ToggledDisk()
        try await world.run(diskSpace: disk) { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            _ = try await erik.join(world)
            let saraStream = try #require(try await sara.join(world).streamId)
            let started = try await erik.command("meeting.recording.start", topic: world.topic)
            let id = try #require(started.recordingID)
            try await Self.talk(sara, stream: saraStream, frequency: 700, seconds: 1.0)

            // When the disk fills up, the moderator (and Sara) learn why the recording stopped.
            disk.full.store(true, ordering: .relaxed)
            let stopped = try await erik.next(timeout: .seconds(10)) { $0.type == "meeting.recording" && $0.data["recording"] is NSNull }
            #expect(stopped.data["recording"] is NSNull && stopped.data["reason"] as? String == "disk-full", "\(stopped)")
            _ = try await sara.next { $0.type == "meeting.recording" && $0.data["recording"] is NSNull }

            // The meeting goes on: Sara's audio still reaches Erik.
            let before = erik.binaryFrames.count
            try await Self.talk(sara, stream: saraStream, frequency: 700, seconds: 0.4, firstSequence: 50)
            _ = try await erik.waitForBinary { $0.count >= before + 20 }

            // The record says disk-full, and what was written is a valid file with Sara in it.
            let view = try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: id)
            #expect(view.recording.state == .complete && view.recording.stopReason == .diskFull)
            let path = Self.recordings(world).path(of: view.recording.fileName)
            #expect(try Self.run("opusinfo", [path]).status == 0)
            #expect(DominantFrequency.detect(try Self.decode(path), candidates: Self.talkers) == 700)
            // Recording can start again once there is room.
            disk.full.store(false, ordering: .relaxed)
            #expect(try await erik.command("meeting.recording.start", topic: world.topic).type == "ack")
        }
    }

    @Test("The recording stops when the last participant leaves, and when the meeting ends; a guest admitted later is told it is on")
    func stopsWithTheMeeting() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let lena = try await server.connect(world.lena)
            _ = try await erik.join(world)
            let first = try await erik.command("meeting.recording.start", topic: world.topic, data: ["title": "Guide: logga in", "kind": "guide"])
            let firstID = try #require(first.recordingID)
            #expect((first.data["recording"] as? [String: Any])?["kind"] as? String == "guide")

            // A guest knocking now learns it before being admitted.
            let knock = try await lena.join(world)
            #expect((knock.data["recording"] as? [String: Any])?["id"] as? String == firstID.description, "\(knock)")

            // When everyone leaves, the recording ends with them.
            _ = try await erik.command("meeting.leave", topic: world.topic)
            try await waitFor { try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: firstID).recording.state == .complete }
            let view = try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: firstID)
            #expect(view.recording.stopReason == .everyoneLeft && view.recording.kind == .guide)
            let told = try await lena.next("meeting.recording")
            #expect(told.data["reason"] as? String == "everyone-left")

            // Back in, recording again, then the meeting ends for all: the recording ends with it.
            _ = try await erik.join(world)
            let second = try await erik.command("meeting.recording.start", topic: world.topic)
            let secondID = try #require(second.recordingID)
            #expect(try await erik.command("meeting.end", topic: world.topic).type == "ack")
            try await waitFor { try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: secondID).recording.state == .complete }
            #expect(try await Self.recordings(world).get(viewer: Viewer(person: world.erik), id: secondID).recording.stopReason == .meetingEnded)
        }
    }

    @Test("Bad input to recording commands gets a clear validation-failed; an empty title means the meeting's")
    func badInput() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            _ = try await erik.join(world)
            #expect(try await erik.command("meeting.recording.start", topic: world.topic, data: ["title": 42]).errorCode == "validation-failed")
            #expect(try await erik.command("meeting.recording.start", topic: world.topic, data: ["kind": "podcast"]).errorCode == "validation-failed")
            let long = String(repeating: "å", count: 201)
            #expect(try await erik.command("meeting.recording.start", topic: world.topic, data: ["title": long]).errorCode == "validation-failed")
            let started = try await erik.command("meeting.recording.start", topic: world.topic, data: ["title": "   "])
            #expect((started.data["recording"] as? [String: Any])?["title"] as? String == "Veckomöte IT", "\(started)")
            #expect(try await erik.command("meeting.recording.chapter", topic: world.topic, data: ["title": " "]).errorCode == "validation-failed")
            #expect(try await erik.command("meeting.recording.chapter", topic: world.topic, data: [:]).errorCode == "validation-failed")
        }
    }

    /// Polls `condition` for up to 30 s (generous: CI runs every suite at once on two cores).
    func waitFor(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition never held")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// A disk that the test fills up at will.
final class ToggledDisk: DiskSpaceProbe {
    let full = Atomic<Bool>(false)
    func availableBytes(atPath path: String) -> Int64? { full.load(ordering: .relaxed) ? 0 : 1 << 40 }
}

extension WebSocketTestClient.Message {
    /// `data.recording.id` of a recording ack or event.
    var recordingID: RecordingID? {
        guard let recording = data["recording"] as? [String: Any], let text = recording["id"] as? String else { return nil }
        return RecordingID(text)
    }
}
