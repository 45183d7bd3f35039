import CommunisMedia
import CommunisModel
import CommunisTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Web meetings through the real server: real sockets, real libopus packets, the real relay.
@Suite("Meetings over live WebSockets: audio relay and control")
struct MeetingAudioTests {
    static let packetsPerTalker = 60
    static let frequencies: [Double] = [440, 700, 1000]

    /// The frames of `packets` for `stream` as bytes, starting at sequence `first`.
    static func frames(_ stream: UInt16, _ packets: [[UInt8]], first: UInt16 = 0) -> [[UInt8]] {
        Tones.audioFrames(stream: stream, packets: packets, firstSequence: first, firstTimestamp: UInt32(first) * 960)
            .map { Array($0.readableBytesView) }
    }

    /// Polls `meeting.stats` (as a moderator) until `condition` holds for the rows.
    static func stats(_ moderator: WebSocketTestClient, _ world: MeetingWorld, until condition: ([UInt16: [String: Any]]) -> Bool) async throws -> [UInt16: [String: Any]] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let answer = try await moderator.command("meeting.stats", topic: world.topic)
            #expect(answer.type == "ack", "\(answer)")
            let rows = (answer.data["participants"] as? [[String: Any]]) ?? []
            let byStream = Dictionary(rows.map { (($0["streamId"] as? NSNumber)?.uint16Value ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
            if condition(byStream) { return byStream }
            guard ContinuousClock.now < deadline else {
                Issue.record("stats never met the condition: \(rows)")
                return byStream
            }
            try await Task.sleep(for: .milliseconds(150))
        }
    }

    static func count(_ row: [String: Any]?, _ key: String) -> Int { (row?[key] as? NSNumber)?.intValue ?? -1 }

    @Test("Three people send Opus tones: each hears the other two complete, in order, byte-identical, never itself; muted, lobby, non-member and malformed frames are not forwarded; opusdec decodes the sender's tone")
    func threeTones() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let karin = try await server.connect(world.karin)
            let lena = try await server.connect(world.lena)
            let anna = try await server.connect(world.anna)

            // Given three participants, a guest in the lobby and a non-member who was refused.
            var joined: [UInt16] = []
            for socket in [erik, sara, karin] {
                let ack = try await socket.join(world)
                #expect(ack.type == "ack" && ack.data["state"] as? String == "joined", "\(ack)")
                joined.append(try #require(ack.streamId))
            }
            let streams = joined
            #expect(Set(streams).count == 3)
            let waiting = try await lena.join(world)
            #expect(waiting.data["state"] as? String == "lobby", "\(waiting)")
            let lenaStream = try #require(waiting.streamId)
            #expect(try await anna.join(world).errorCode == "not-member")

            // When each talker sends its tone (and the lobby guest and the outsider try too).
            let n = Self.packetsPerTalker
            let outsider = Self.frames(streams[0], try Tones.opusPackets(frequency: 300, count: 20))
            var sent: [UInt16: [[UInt8]]] = [:]
            var packets: [UInt16: [[UInt8]]] = [:]
            for (stream, frequency) in zip(streams, Self.frequencies) {
                packets[stream] = try Tones.opusPackets(frequency: frequency, count: n + 40)
                sent[stream] = Self.frames(stream, Array(packets[stream]!.prefix(n)))
            }
            let intruding = Self.frames(lenaStream, try Tones.opusPackets(frequency: 300, count: 20))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (socket, stream) in zip([erik, sara, karin], streams) {
                    let frames = sent[stream]!
                    group.addTask { try await socket.send(frames: frames) }
                }
                group.addTask { try await lena.send(frames: intruding) }
                group.addTask { try await anna.send(frames: outsider) }
                try await group.waitForAll()
            }

            // Then everyone hears the other two exactly as sent, and never themselves.
            for (socket, me) in zip([erik, sara, karin], streams) {
                let received = try await socket.waitForBinary { $0.count >= 2 * n }
                let others = Set(streams).subtracting([me])
                #expect(received.streamIds == others)
                for other in others {
                    #expect(received.from(stream: other) == sent[other]!, "stream \(other) at \(me): complete, in order, byte-identical")
                }
            }
            // Everyone is told who is speaking (the tones carry voice activity).
            let speaking = try await erik.next { $0.type == "meeting.speaking" && (($0.data["speaking"] as? [NSNumber])?.count ?? 0) > 0 }
            #expect(Set(((speaking.data["speaking"] as? [NSNumber]) ?? []).map(\.uint16Value)).isSubset(of: Set(streams)))
            // A round trip on their own sockets: audio on its way would have arrived before.
            _ = try await lena.command("ping")
            _ = try await anna.command("ping")
            #expect(lena.binaryFrames.isEmpty, "a guest in the lobby hears nothing")
            #expect(anna.binaryFrames.isEmpty, "a non-member hears nothing")

            // The stream Erik received from Sara, muxed into Ogg and decoded by opusdec, is her tone.
            let folder = world.world.directory
            let ogg = folder.appendingPathComponent("sara.opus").path
            let wav = folder.appendingPathComponent("sara.wav").path
            let writer = try OggOpusWriter(path: ogg)
            for frame in erik.binaryFrames.from(stream: streams[1]) { try writer.write(packet: frame.dropFirst(AudioFrameHeader.size)) }
            try writer.close()
            let opusdec = Process()
            opusdec.executableURL = URL(fileURLWithPath: "/usr/bin/opusdec")
            opusdec.arguments = ["--quiet", "--rate", "48000", ogg, wav]
            try opusdec.run()
            opusdec.waitUntilExit()
            #expect(opusdec.terminationStatus == 0)
            let decoded = try WAVFile(path: wav)
            #expect(decoded.samples.count > 48_000 / 2)
            #expect(DominantFrequency.detect(decoded.samples, sampleRate: Double(decoded.sampleRate), candidates: Self.frequencies + [300], skip: 4800) == Self.frequencies[1])

            // When Sara mutes herself, what she sends is dropped (and counted), not forwarded.
            #expect(try await sara.command("meeting.mute", topic: world.topic, data: ["muted": true]).type == "ack")
            let updated = try await karin.next("meeting.participant.updated")
            #expect(updated.participant["muted"] as? Bool == true && updated.data["by"] == nil)
            let muted = Self.frames(streams[1], Array(packets[streams[1]]!.dropFirst(n).prefix(20)), first: UInt16(n))
            try await sara.send(frames: muted)
            _ = try await Self.stats(erik, world) { Self.count($0[streams[1]], "mutedDropped") >= 20 }
            #expect(erik.binaryFrames.from(stream: streams[1]).count == n)
            #expect(karin.binaryFrames.from(stream: streams[1]).count == n)

            // A flood of malformed frames from Karin: counted and ignored; her connection and the room go on.
            var junk: [[UInt8]] = []
            for index in 0..<300 {
                switch index % 6 {
                case 0: junk.append([0x10, 0x80])  // shorter than a header
                case 1: junk.append([0x10, 0x80] + [UInt8(streams[2] >> 8), UInt8(streams[2] & 0xFF)] + [0, 1, 0, 0, 0, 0])  // no packet
                case 2: junk.append([0x20, 0x80] + Array(sent[streams[2]]![0].dropFirst(2)))  // another version
                case 3: junk.append([0x10, 0x80, UInt8(streams[0] >> 8), UInt8(streams[0] & 0xFF)] + Array(sent[streams[2]]![0].dropFirst(4)))  // someone else's stream
                case 4: junk.append(Array(sent[streams[2]]![0].prefix(10)) + [UInt8](repeating: 0xF8, count: 1001))  // over max_packet_bytes
                default: junk.append((0..<37).map { _ in UInt8.random(in: 0...255) } + [0x11])  // noise (never version 1)
                }
                if index % 6 == 5 { junk[junk.count - 1][0] = 0xFF }
            }
            try await karin.send(frames: junk)
            let after = Self.frames(streams[2], Array(packets[streams[2]]!.dropFirst(n).prefix(20)), first: UInt16(n))
            try await karin.send(frames: after)
            for socket in [erik, sara] {
                let received = try await socket.waitForBinary { $0.from(stream: streams[2]).count >= n + 20 }
                #expect(received.from(stream: streams[2]) == sent[streams[2]]! + after)
            }
            #expect(!karin.isClosed)
            let figures = try await Self.stats(erik, world) { Self.count($0[streams[2]], "malformed") >= 300 }
            #expect(Self.count(figures[streams[2]], "malformed") == 300)
            #expect(Self.count(figures[streams[2]], "packetsOut") == 2 * n)
            #expect((figures[streams[1]]?["person"] as? [String: Any])?["name"] as? String == "Sara Nilsson")

            // When Erik admits Lena, she hears the others from then on.
            #expect(try await erik.command("meeting.admit", topic: world.topic, data: ["streamId": lenaStream]).type == "ack")
            let admitted = try await lena.next("meeting.admitted")
            #expect(admitted.streamId == lenaStream)
            #expect((admitted.meeting["participants"] as? [Any])?.count == 4)
            let later = Self.frames(streams[0], Array(packets[streams[0]]!.dropFirst(n).prefix(20)), first: UInt16(n))
            try await erik.send(frames: later)
            let heard = try await lena.waitForBinary { $0.count >= 20 }
            #expect(heard == later)
            for socket in [erik, sara, karin, lena, anna] { socket.close() }
        }
    }

    @Test("Moderators mute, lower hands, remove and end the meeting; others may not")
    func moderation() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let karin = try await server.connect(world.karin)
            let erikJoin = try await erik.join(world)
            #expect(erikJoin.meeting["moderator"] as? Bool == true)
            let saraStream = try #require(try await sara.join(world).streamId)
            let karinJoin = try await karin.join(world)
            let karinStream = try #require(karinJoin.streamId)
            #expect(karinJoin.meeting["moderator"] as? Bool == false)
            #expect((karinJoin.meeting["participants"] as? [Any])?.count == 3)

            // Not a moderator: no ending, no statistics, no muting others.
            #expect(try await sara.command("meeting.end", topic: world.topic).errorCode == "forbidden")
            #expect(try await sara.command("meeting.stats", topic: world.topic).errorCode == "forbidden")
            #expect(try await sara.command("meeting.mute", topic: world.topic, data: ["streamId": karinStream, "muted": true]).errorCode == "forbidden")

            // Erik mutes Sara (she is told who did it); he cannot unmute her.
            #expect(try await erik.command("meeting.mute", topic: world.topic, data: ["streamId": saraStream, "muted": true]).type == "ack")
            let muted = try await sara.next("meeting.participant.updated")
            _ = try await karin.next("meeting.participant.updated")
            #expect(muted.participant["streamId"] as? Int == Int(saraStream) && muted.participant["muted"] as? Bool == true)
            #expect((muted.data["by"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect(try await erik.command("meeting.mute", topic: world.topic, data: ["streamId": saraStream, "muted": false]).errorCode == "forbidden")

            // Sara raises her hand; Erik lowers it.
            #expect(try await sara.command("meeting.hand", topic: world.topic, data: ["raised": true]).type == "ack")
            #expect(try await karin.next { $0.type == "meeting.participant.updated" && $0.participant["handRaised"] as? Bool == true }.data["by"] == nil)
            #expect(try await erik.command("meeting.hand", topic: world.topic, data: ["streamId": saraStream, "raised": false]).type == "ack")
            let lowered = try await karin.next("meeting.participant.updated")
            #expect(lowered.participant["handRaised"] as? Bool == false && lowered.participant["muted"] as? Bool == true)
            #expect((lowered.data["by"] as? [String: Any])?["name"] as? String == "Erik Johansson")

            // Erik removes Karin: she is told, the others see her leave, her commands are refused.
            #expect(try await erik.command("meeting.remove", topic: world.topic, data: ["streamId": karinStream]).type == "ack")
            let removed = try await karin.next("meeting.removed")
            #expect(removed.data["reason"] as? String == "removed")
            let left = try await sara.next("meeting.participant.left")
            #expect(left.streamId == karinStream && left.data["reason"] as? String == "removed")
            #expect(try await karin.command("meeting.hand", topic: world.topic, data: ["raised": true]).errorCode == "not-in-meeting")

            // Erik ends the meeting: stored, everyone told, nobody can join again.
            #expect(try await erik.command("meeting.end", topic: world.topic).type == "ack")
            let ended = try await sara.next("meeting.ended")
            #expect((ended.data["by"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            #expect(try await world.world.store.meeting(id: world.meeting.id)?.endedAt != nil)
            #expect(try await karin.join(world).errorCode == "meeting-ended")
            #expect(try await sara.command("meeting.leave", topic: world.topic).errorCode == "not-in-meeting")
        }
    }

    @Test("A guest waits in the lobby; only moderators see it; a moderator denies, then admits")
    func lobby() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let lena = try await server.connect(world.lena)
            _ = try await erik.join(world)
            _ = try await sara.join(world)

            let first = try await lena.join(world)
            #expect(first.data["state"] as? String == "lobby" && first.data["meeting"] == nil)
            let lobby = try await erik.next("meeting.lobby")
            let waiting = try #require((lobby.data["lobby"] as? [[String: Any]])?.first)
            #expect((waiting["person"] as? [String: Any])?["name"] as? String == "Lena Berg")
            #expect(try await lena.command("meeting.mute", topic: world.topic, data: ["muted": true]).errorCode == "not-in-meeting")
            #expect(try await sara.command("meeting.admit", topic: world.topic, data: ["streamId": first.streamId!]).errorCode == "forbidden")

            #expect(try await erik.command("meeting.deny", topic: world.topic, data: ["streamId": first.streamId!]).type == "ack")
            let denied = try await lena.next("meeting.removed")
            #expect(denied.data["reason"] as? String == "denied")
            #expect(((try await erik.next("meeting.lobby")).data["lobby"] as? [Any])?.isEmpty == true)

            let second = try await lena.join(world)
            #expect(second.data["state"] as? String == "lobby")
            #expect(second.streamId != first.streamId, "stream ids are not reused")
            #expect(try await erik.command("meeting.admit", topic: world.topic, data: ["streamId": second.streamId!]).type == "ack")
            let admitted = try await lena.next("meeting.admitted")
            #expect(admitted.meeting["you"] as? Int == Int(second.streamId!))
            #expect((admitted.meeting["participants"] as? [Any])?.count == 3)
            let joined = try await sara.next("meeting.participant.joined")
            #expect(joined.participant["guest"] as? Bool == true)
            _ = try await sara.command("ping")
            #expect(!sara.messages.contains { $0.type == "meeting.lobby" }, "only moderators see the lobby")
        }
    }

    @Test("The workspace sees who is in the meeting; a dropped connection is reconnecting, then leaves it after the grace period; membership and workspace end it")
    func rosterAndDisconnect() async throws {
        let world = try await MeetingWorld.make { $0.meetingRejoinGraceSeconds = 1 }
        try await world.run { server in
            let karin = try await server.connect(world.karin)
            #expect(try await karin.command("subscribe", topic: "workspace:\(world.workspace)").type == "ack")
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            func names(_ message: WebSocketTestClient.Message) -> [String] {
                ((message.data["participants"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            }

            // A meeting someone schedules shows in the workspace at once.
            let created = try await server.client.execute(
                uri: "/api/v1/workspaces/\(world.workspace)/meetings", method: .post,
                headers: [.authorization: "Bearer \(server.tokens[world.erik.id]!)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"title":"Planering inför jul","scheduledFor":"2026-12-01T08:00:00Z"}"#))
            #expect(created.status.code == 201, "\(created.status)")
            let scheduled = try await karin.next("meeting.roster")
            #expect(scheduled.data["state"] as? String == "scheduled" && scheduled.data["title"] as? String == "Planering inför jul")
            #expect(scheduled.data["scheduledFor"] as? String == "2026-12-01T08:00:00Z" && names(scheduled).isEmpty)

            _ = try await erik.join(world)
            let one = try await karin.next("meeting.roster")
            #expect(one.topic == "workspace:\(world.workspace)" && one.object["seq"] == nil)
            #expect(one.data["state"] as? String == "live" && one.data["title"] as? String == "Veckomöte IT")
            #expect(names(one) == ["Erik Johansson"])
            let saraStream = try #require(try await sara.join(world).streamId)
            #expect(names(try await karin.next("meeting.roster")) == ["Erik Johansson", "Sara Nilsson"])

            // Errors of joining: twice, an unknown meeting, a topic that is not a meeting.
            #expect(try await sara.join(world).errorCode == "conflict")
            #expect(try await erik.command("meeting.join", topic: "meeting:\(UUID().uuidString.lowercased())").errorCode == "not-found")
            #expect(try await erik.command("meeting.join", topic: "workspace:\(world.workspace)").errorCode == "validation-failed")

            // Sara's connection drops: reconnecting for the grace period (1 s here), then gone.
            await sara.disconnect()
            let reconnecting = try await erik.next("meeting.participant.updated")
            #expect(reconnecting.participant["streamId"] as? Int == Int(saraStream) && reconnecting.participant["connection"] as? String == "reconnecting")
            let left = try await erik.next("meeting.participant.left")
            #expect(left.streamId == saraStream && left.data["reason"] as? String == "disconnected")
            #expect(names(try await karin.next("meeting.roster")) == ["Erik Johansson"])

            // Karin joins too, then Erik (owner) removes her from the workspace: out of the meeting.
            _ = try await karin.join(world)
            _ = try await karin.next("meeting.roster")
            let removal = try await server.client.execute(
                uri: "/api/v1/workspaces/\(world.workspace)/members/\(world.karin.id)", method: .delete,
                headers: [.authorization: "Bearer \(server.tokens[world.erik.id]!)"])
            #expect(removal.status.code < 300, "\(removal.status)")
            let gone = try await karin.next("meeting.removed")
            #expect(gone.data["reason"] as? String == "removed" && gone.data["by"] == nil)
            #expect(try await erik.next("meeting.participant.left").data["reason"] as? String == "removed")

            // Erik deletes the workspace: the meeting ends for him.
            let deletion = try await server.client.execute(
                uri: "/api/v1/workspaces/\(world.workspace)", method: .delete, headers: [.authorization: "Bearer \(server.tokens[world.erik.id]!)"])
            #expect(deletion.status.code < 300, "\(deletion.status)")
            let ended = try await erik.next("meeting.ended")
            #expect(ended.data["by"] == nil)
        }
    }

    @Test("The meeting list shows who is in it; ending over HTTP tells everyone in the meeting and the workspace")
    func endOverHTTP() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let karin = try await server.connect(world.karin)
            #expect(try await karin.command("subscribe", topic: "workspace:\(world.workspace)").type == "ack")
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            _ = try await erik.join(world)
            _ = try await sara.join(world)
            let bearer: HTTPFields = [.authorization: "Bearer \(server.tokens[world.erik.id]!)"]

            let list = try await server.client.execute(uri: "/api/v1/workspaces/\(world.workspace)/meetings", method: .get, headers: bearer)
            let items = (try JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            let people = (items.first?["participants"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(people == ["Erik Johansson", "Sara Nilsson"])

            let end = try await server.client.execute(uri: "/api/v1/meetings/\(world.meeting.id)/end", method: .post, headers: bearer)
            #expect(end.status == .ok)
            let ended = try await sara.next("meeting.ended")
            #expect((ended.data["by"] as? [String: Any])?["name"] as? String == "Erik Johansson")
            _ = try await erik.next("meeting.ended")
            let roster = try await karin.next { $0.type == "meeting.roster" && $0.data["state"] as? String == "ended" }
            #expect((roster.data["participants"] as? [Any])?.isEmpty == true)
            #expect(try await sara.join(world).errorCode == "meeting-ended")
            #expect(try await erik.command("meeting.hand", topic: world.topic, data: ["raised": true]).errorCode == "not-in-meeting")
        }
    }

    @Test("Over meeting.max_participants: joining and admitting are meeting-full; the snapshot carries the limits")
    func full() async throws {
        let world = try await MeetingWorld.make { $0.meetingMaxParticipants = 2 }
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let karin = try await server.connect(world.karin)
            let lena = try await server.connect(world.lena)
            let first = try await erik.join(world)
            let limits = first.meeting["limits"] as? [String: Any]
            #expect(limits?["maxParticipants"] as? Int == 2 && limits?["maxPacketsPerSecond"] as? Int == 1000)
            _ = try await sara.join(world)
            #expect(try await karin.join(world).errorCode == "meeting-full")
            let waiting = try await lena.join(world)
            #expect(waiting.data["state"] as? String == "lobby")
            #expect(try await erik.command("meeting.admit", topic: world.topic, data: ["streamId": waiting.streamId!]).errorCode == "meeting-full")
            #expect(try await sara.command("meeting.leave", topic: world.topic).type == "ack")
            #expect(try await erik.command("meeting.admit", topic: world.topic, data: ["streamId": waiting.streamId!]).type == "ack")
            #expect(try await lena.next("meeting.admitted").streamId == waiting.streamId)
        }
    }
}
