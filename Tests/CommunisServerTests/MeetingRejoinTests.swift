import CommunisMedia
import CommunisModel
import CommunisTesting
import Foundation
import Testing

/// Rejoining a meeting after a lost connection, and connection quality, through the real
/// server: real sockets, the real relay.
@Suite("Meetings over live WebSockets: reconnecting, rejoining and quality")
struct MeetingRejoinTests {
    /// `count` audio frames of `stream` (opaque to the relay: it never decodes).
    static func frames(_ stream: UInt16, from first: UInt16, count: Int) -> [[UInt8]] {
        (0..<UInt16(count)).map { index in
            let sequence = first &+ index
            let frame = AudioFrameHeader(streamId: stream, sequence: sequence, timestamp: UInt32(sequence) * 960).frame(packet: [0xF8, UInt8(truncatingIfNeeded: sequence)])
            return Array(frame.readableBytesView)
        }
    }

    @Test("A's socket drops: B sees A reconnecting (still on the roster); a new connection of A rejoins with the token, keeps its stream id, mute state and hand, and audio flows both ways again")
    func rejoin() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            let karin = try await server.connect(world.karin)
            #expect(try await karin.command("subscribe", topic: "workspace:\(world.workspace)").type == "ack")

            // Given Erik and Sara in the meeting, Erik with his hand raised.
            let ack = try await erik.join(world)
            #expect(ack.data["rejoined"] as? Bool == false)
            let token = try #require(ack.data["rejoinToken"] as? String)
            #expect(token.count >= 22)
            let erikStream = try #require(ack.streamId)
            let saraStream = try #require(try await sara.join(world).streamId)
            #expect(try await erik.command("meeting.hand", topic: world.topic, data: ["raised": true]).type == "ack")
            _ = try await sara.next("meeting.participant.updated")
            _ = try await karin.next { $0.type == "meeting.roster" && (($0.data["participants"] as? [Any])?.count == 2) }

            // When Erik's connection drops without a close frame.
            await erik.disconnect()

            // Then Sara sees him reconnecting, with his hand still raised; the roster keeps him.
            let lost = try await sara.next("meeting.participant.updated")
            #expect(lost.participant["streamId"] as? Int == Int(erikStream))
            #expect(lost.participant["connection"] as? String == "reconnecting" && lost.participant["handRaised"] as? Bool == true)
            // Sara's audio goes nowhere meanwhile (and is not an error).
            try await sara.send(frames: Self.frames(saraStream, from: 0, count: 5))

            // A new connection of Erik's rejoins with the token: same stream, same hand, moderator still.
            let erik2 = try await server.connect(world.erik)
            let back = try await erik2.command("meeting.join", topic: world.topic,
                                               data: ["muted": false, "rejoin": ["streamId": Int(erikStream), "token": token]])
            #expect(back.type == "ack" && back.data["state"] as? String == "joined", "\(back)")
            #expect(back.streamId == erikStream && back.data["rejoined"] as? Bool == true)
            #expect((back.data["rejoinToken"] as? String).map { $0 != token && $0.count >= 22 } == true, "a new token")
            #expect(back.meeting["you"] as? Int == Int(erikStream) && back.meeting["moderator"] as? Bool == true)
            let me = (back.meeting["participants"] as? [[String: Any]])?.first { $0["streamId"] as? Int == Int(erikStream) }
            #expect(me?["handRaised"] as? Bool == true && me?["connection"] as? String == "ok")
            let ok = try await sara.next("meeting.participant.updated")
            #expect(ok.participant["streamId"] as? Int == Int(erikStream) && ok.participant["connection"] as? String == "ok")

            // Audio from the new connection reaches Sara, and Sara's reaches it.
            try await erik2.send(frames: Self.frames(erikStream, from: 100, count: 20))
            let heard = try await sara.waitForBinary { $0.from(stream: erikStream).count >= 20 }
            #expect(heard.from(stream: erikStream) == Self.frames(erikStream, from: 100, count: 20))
            try await sara.send(frames: Self.frames(saraStream, from: 200, count: 20))
            let back2 = try await erik2.waitForBinary { $0.from(stream: saraStream).count >= 20 }
            #expect(back2.from(stream: saraStream) == Self.frames(saraStream, from: 200, count: 20), "nothing sent while he was away")

            // The stats show both connected; the roster never lost him.
            let stats = try await erik2.command("meeting.stats", topic: world.topic)
            let rows = (stats.data["participants"] as? [[String: Any]]) ?? []
            #expect(rows.map { $0["connection"] as? String } == ["ok", "ok"])
            #expect(rows.allSatisfy { $0["droppedStale"] as? Int == 0 && $0["quality"] as? String != nil })
            _ = try await karin.command("ping")
            let rosters = karin.messages.filter { $0.type == "meeting.roster" }
            #expect(rosters.last.map { ($0.data["participants"] as? [Any])?.count } == 2)
        }
    }

    @Test("A wrong token is an ordinary join with a new stream id; the one reconnecting stays until the grace period is over")
    func wrongToken() async throws {
        let world = try await MeetingWorld.make { $0.meetingRejoinGraceSeconds = 1 }
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            _ = try await erik.join(world)
            let saraStream = try #require(try await sara.join(world).streamId)
            await sara.disconnect()
            _ = try await erik.next("meeting.participant.updated")
            let sara2 = try await server.connect(world.sara)
            let ack = try await sara2.command("meeting.join", topic: world.topic, data: ["rejoin": ["streamId": Int(saraStream), "token": "AAAAAAAAAAAAAAAAAAAAAA"]])
            #expect(ack.type == "ack" && ack.data["rejoined"] as? Bool == false && ack.streamId != saraStream, "\(ack)")
            let newStream = try #require(ack.streamId)
            _ = try await erik.next { $0.type == "meeting.participant.joined" && $0.participant["streamId"] as? Int == Int(newStream) }
            let left = try await erik.next("meeting.participant.left")
            #expect(left.streamId == saraStream && left.data["reason"] as? String == "disconnected")
        }
    }

    @Test("meeting.quality: the level reaches everyone as the participant's quality; a bad value is validation-failed")
    func quality() async throws {
        let world = try await MeetingWorld.make()
        try await world.run { server in
            let erik = try await server.connect(world.erik)
            let sara = try await server.connect(world.sara)
            _ = try await erik.join(world)
            let saraStream = try #require(try await sara.join(world).streamId)
            let answer = try await sara.command("meeting.quality", topic: world.topic,
                                                data: ["quality": "poor", "delayMs": 420, "stallsPerMinute": 9.5, "lateFramePercent": 4.2])
            #expect(answer.type == "ack" && answer.data["ok"] as? Bool == true, "\(answer)")
            let updated = try await erik.next("meeting.participant.updated")
            #expect(updated.participant["streamId"] as? Int == Int(saraStream) && updated.participant["quality"] as? String == "poor")
            #expect(try await sara.command("meeting.quality", topic: world.topic, data: ["quality": "awful"]).errorCode == "validation-failed")
            #expect(try await erik.command("meeting.quality", topic: "meeting:\(UUID().uuidString.lowercased())", data: ["quality": "good"]).errorCode == "not-in-meeting")
        }
    }
}
