import CommunisModel
import CommunisServer
import CommunisServices
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Recordings over HTTP")
struct RecordingHTTPTests {
    /// A closed workspace owned by Anna (admin) with Erik and Lena (a guest) as members; Sara is
    /// not a member. A secret workspace and a second closed one ("Ekonomi") have only Anna.
    struct Setup {
        var anna: Browser
        var erik: Browser
        var sara: Browser
        var lena: Browser
        var workspace: String
        var secret: String
        var other: String
    }

    static func world() async throws -> World {
        try await World.make { $0.recordingsDirectory = $0.dataDirectory + "/recordings" }
    }

    static func setUp(_ client: any TestClientProtocol, _ world: World) async throws -> Setup {
        let h = try await HowToTests.setUp(client, world)
        let other = try await WorkspaceTests.create(h.anna, "Ekonomi", "closed")
        return Setup(anna: h.anna, erik: h.erik, sara: h.sara, lena: h.lena, workspace: h.workspace, secret: h.secret, other: other)
    }

    static func recordings(_ world: World) -> Recordings {
        Recordings(store: world.store, directory: world.configuration.recordingsDirectory, clock: Clock())
    }

    /// Bytes that differ at every offset, so a wrong range cannot pass.
    static func audioBytes(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ ($0 >> 8)) })
    }

    /// A recording made the way the live control plane makes one: begin, a participant with
    /// their own file, chapters, the mixed file, finish (unless `complete` is false).
    @discardableResult
    static func record(_ world: World, in workspace: String, by person: Person, title: String, chapters: [RecordingChapter] = [],
                       size: Int = 200_000, complete: Bool = true) async throws -> (Recording, Data) {
        let service = recordings(world)
        let meeting = Meeting(workspaceID: try #require(WorkspaceID(workspace)), title: title, createdBy: person.id, createdAt: Date(), threadID: ThreadID())
        try await world.store.createMeeting(meeting)
        let recording = try await service.begin(meeting: meeting, title: title, kind: .guide, by: person.id)
        #expect(recording.fileName == "\(workspace)/\(recording.id).opus")
        let streamFile = "\(Recordings.participantFolder(of: recording))/1.opus"
        try await service.addParticipant(RecordingParticipant(recordingID: recording.id, personID: person.id, streamID: 1, joinedOffsetMs: 250, fileName: streamFile))
        for chapter in chapters { try await service.addChapter(recording.id, chapter) }
        let data = audioBytes(size)
        try FileManager.default.createDirectory(atPath: service.path(of: Recordings.participantFolder(of: recording)), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: service.path(of: recording.fileName)))
        try Data("OggS".utf8).write(to: URL(fileURLWithPath: service.path(of: streamFile)))
        if complete {
            try await service.finish(recording.id, state: .complete, reason: .stopped, durationMs: 61_000, sizeBytes: Int64(size), endedAt: Date())
        }
        return (recording, data)
    }

    static func items(_ response: TestResponse) -> [[String: Any]] {
        (response.json["items"] as? [[String: Any]]) ?? []
    }

    @Test("A member lists the workspace's recordings and plays one: the whole file as audio/ogg, with the single GET's participants")
    func memberListsAndPlays() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, data) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Veckomöte IT 26/11",
                                                          chapters: [RecordingChapter(title: "Budget", offsetMs: 42_160), RecordingChapter(title: "Intro", offsetMs: 0)])
            let list = try await s.erik.get("/api/v1/recordings?workspaceId=\(s.workspace)")
            #expect(list.status == .ok)
            let item = try #require(Self.items(list).first)
            #expect(list.json["total"] as? Int == 1)
            #expect(item["id"] as? String == recording.id.description && item["title"] as? String == "Veckomöte IT 26/11")
            #expect(item["workspaceName"] as? String == "IT-avdelningen" && item["kind"] as? String == "guide" && item["state"] as? String == "complete")
            #expect(item["stopReason"] as? String == "stopped" && item["durationMs"] as? Int == 61_000 && item["sizeBytes"] as? Int == data.count)
            #expect((item["startedBy"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            #expect(item["audioUrl"] as? String == "/api/v1/recordings/\(recording.id)/audio")
            #expect(item["canManage"] as? Bool == false && item["sharedWithOrganisation"] as? Bool == false)
            #expect(((item["chapters"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String } == ["Intro", "Budget"])
            #expect(item["participants"] == nil && item.keys.contains("endedAt"))
            #expect(Self.items(try await s.erik.get("/api/v1/recordings?workspaceId=\(s.workspace)&kind=meeting")).isEmpty)
            let one = try await s.erik.get("/api/v1/recordings/\(recording.id)")
            #expect(one.status == .ok)
            let participants = (one.json["participants"] as? [[String: Any]]) ?? []
            #expect(participants.count == 1 && participants.first?["joinedOffsetMs"] as? Int == 250)
            #expect((participants.first?["person"] as? [String: Any])?["name"] as? String == "Anna Lindqvist")
            #expect(try await s.anna.get("/api/v1/recordings/\(recording.id)").json["canManage"] as? Bool == true)
            let audio = try await s.erik.get("/api/v1/recordings/\(recording.id)/audio")
            #expect(audio.status == .ok)
            #expect(audio.headers[.contentType] == "audio/ogg" && audio.headers[.acceptRanges] == "bytes")
            #expect(audio.headers[.cacheControl]?.hasPrefix("private") == true)
            #expect(audio.headers[.contentLength] == "\(data.count)" && audio.headers[.contentDisposition] == nil)
            #expect(Data(buffer: audio.body) == data)
        }
    }

    @Test("Range requests: a-b, a- and -n answer 206 byte-exact; outside the file 416; HEAD gives headers only; several ranges the whole file")
    func ranges() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, data) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Räckvidd")
            let url = "/api/v1/recordings/\(recording.id)/audio"
            let size = data.count
            func range(_ value: String) async throws -> TestResponse {
                try await s.erik.send(.get, url, headers: [.range: value])
            }
            let middle = try await range("bytes=100-1099")
            #expect(middle.status == .partialContent)
            #expect(middle.headers[.contentRange] == "bytes 100-1099/\(size)" && middle.headers[.contentLength] == "1000")
            #expect(Data(buffer: middle.body) == data.subdata(in: 100..<1100))
            let tail = try await range("bytes=150000-")
            #expect(tail.status == .partialContent && tail.headers[.contentRange] == "bytes 150000-\(size - 1)/\(size)")
            #expect(Data(buffer: tail.body) == data.subdata(in: 150_000..<size))
            let suffix = try await range("bytes=-500")
            #expect(suffix.status == .partialContent && suffix.headers[.contentRange] == "bytes \(size - 500)-\(size - 1)/\(size)")
            #expect(Data(buffer: suffix.body) == data.subdata(in: (size - 500)..<size))
            let past = try await range("bytes=0-999999999")
            #expect(past.status == .partialContent && Data(buffer: past.body) == data)
            let first = try await range("bytes=0-0")
            #expect(first.status == .partialContent && Data(buffer: first.body) == data.subdata(in: 0..<1))
            let outside = try await range("bytes=\(size)-")
            #expect(outside.status == .rangeNotSatisfiable && outside.headers[.contentRange] == "bytes */\(size)")
            #expect(outside.headers[.contentType] == "application/problem+json")
            #expect(try await range("bytes=-0").status == .rangeNotSatisfiable)
            let several = try await range("bytes=0-9,20-29")
            #expect(several.status == .ok && Data(buffer: several.body) == data)
            #expect(try await range("lines=1-2").status == .ok)
            let head = try await s.erik.send(.head, url)
            #expect(head.status == .ok && head.headers[.contentLength] == "\(size)" && head.headers[.acceptRanges] == "bytes")
            #expect(head.headers[.contentType] == "audio/ogg" && head.body.readableBytes == 0)
            let headRange = try await s.erik.send(.head, url, headers: [.range: "bytes=10-19"])
            #expect(headRange.status == .partialContent && headRange.headers[.contentRange] == "bytes 10-19/\(size)" && headRange.body.readableBytes == 0)
        }
    }

    @Test("download=1 adds an attachment header with an ASCII filename and the exact name as filename*")
    func download() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, data) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Möte om \"växel\"/åtgärder")
            let response = try await s.erik.get("/api/v1/recordings/\(recording.id)/audio?download=1")
            #expect(response.status == .ok && Data(buffer: response.body) == data)
            let header = try #require(response.headers[.contentDisposition])
            #expect(header == "attachment; filename=\"Mote om _vaxel_atgarder.opus\"; filename*=UTF-8''M%C3%B6te%20om%20%22v%C3%A4xel%22%C3%A5tg%C3%A4rder.opus")
        }
    }

    @Test("An outsider gets 404 for a secret workspace's recording and sees it neither in the list nor in search")
    func secretHidden() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, _) = try await Self.record(world, in: s.secret, by: world.admin, title: "Lönesamtal",
                                                       chapters: [RecordingChapter(title: "Förhandlingen", offsetMs: 3000)])
            for browser in [s.sara, s.erik, s.lena] {
                #expect(try await browser.get("/api/v1/recordings/\(recording.id)").status == .notFound)
                #expect(try await browser.get("/api/v1/recordings/\(recording.id)/audio").status == .notFound)
                #expect(Self.items(try await browser.get("/api/v1/recordings")).isEmpty)
                #expect(try await browser.get("/api/v1/recordings?workspaceId=\(s.secret)").status == .notFound)
                #expect(SearchTests.results(try await browser.get("/api/v1/search?q=lonesamtal")).isEmpty)
                #expect(SearchTests.results(try await browser.get("/api/v1/search?q=forhandlingen")).isEmpty)
                #expect(try await browser.send(.delete, "/api/v1/recordings/\(recording.id)").status == .notFound)
            }
            // Sharing a secret workspace's recording is refused: it would leak.
            let share = try await s.anna.send(.patch, "/api/v1/recordings/\(recording.id)", json: ["sharedWithOrganisation": true])
            #expect(share.status == .unprocessableContent && share.problemCode == "validation-failed")
            #expect(SearchTests.results(try await s.anna.get("/api/v1/search?q=lonesamtal")).count == 1)
        }
    }

    @Test("Shared with the organisation: an employee of another workspace reads and plays it, a guest does not")
    func sharedWithOrganisation() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, data) = try await Self.record(world, in: s.other, by: world.admin, title: "Bokslut",
                                                          chapters: [RecordingChapter(title: "Avskrivningar", offsetMs: 7000)])
            #expect(try await s.sara.get("/api/v1/recordings/\(recording.id)").status == .forbidden)
            #expect(try await s.lena.get("/api/v1/recordings/\(recording.id)").status == .notFound)
            let shared = try await s.anna.send(.patch, "/api/v1/recordings/\(recording.id)", json: ["sharedWithOrganisation": true])
            #expect(shared.status == .ok && shared.json["sharedWithOrganisation"] as? Bool == true)
            for employee in [s.sara, s.erik] {
                let one = try await employee.get("/api/v1/recordings/\(recording.id)")
                #expect(one.status == .ok && one.json["canManage"] as? Bool == false)
                #expect(Data(buffer: try await employee.get("/api/v1/recordings/\(recording.id)/audio").body) == data)
                #expect(Self.items(try await employee.get("/api/v1/recordings")).compactMap { $0["id"] as? String } == [recording.id.description])
                #expect(SearchTests.results(try await employee.get("/api/v1/search?q=bokslut&type=recording")).count == 1)
            }
            #expect(try await s.lena.get("/api/v1/recordings/\(recording.id)").status == .notFound)
            #expect(try await s.lena.get("/api/v1/recordings/\(recording.id)/audio").status == .notFound)
            #expect(Self.items(try await s.lena.get("/api/v1/recordings")).isEmpty)
            #expect(SearchTests.results(try await s.lena.get("/api/v1/search?q=bokslut")).isEmpty)
        }
    }

    @Test("Managers rename, share and set chapters; others get 403; invalid input 422; a running or failed recording does not play")
    func edit() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, _) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Utbildning")
            let url = "/api/v1/recordings/\(recording.id)"
            let refused = try await s.erik.send(.patch, url, json: ["title": "Mitt namn"])
            #expect(refused.status == .forbidden && refused.problemCode == "forbidden")
            #expect(try await s.lena.send(.patch, url, json: ["title": "Mitt namn"]).status == .forbidden)
            let noCSRF = try await s.anna.send(.patch, url, json: ["title": "Utan token"], csrf: false)
            #expect(noCSRF.status == .forbidden && noCSRF.problemCode == "csrf-failed")
            let changed = try await s.anna.send(.patch, url, json: [
                "title": "  Utbildning i Procapita  ",
                "chapters": [["title": "Steg 2", "offsetMs": 65_000], ["title": "Steg 1", "offsetMs": 1000]],
            ])
            #expect(changed.status == .ok, "\(String(buffer: changed.body))")
            #expect(changed.json["title"] as? String == "Utbildning i Procapita")
            #expect(((changed.json["chapters"] as? [[String: Any]]) ?? []).compactMap { $0["offsetMs"] as? Int } == [1000, 65_000])
            let empty = try await s.anna.send(.patch, url, json: ["title": "   "])
            #expect(empty.status == .unprocessableContent && empty.problemCode == "validation-failed")
            let badChapter = try await s.anna.send(.patch, url, json: ["chapters": [["title": "", "offsetMs": -1]]])
            #expect(badChapter.status == .unprocessableContent)
            let tooLong = try await s.anna.send(.patch, url, json: ["title": String(repeating: "x", count: RecordingRules.maxTitleLength + 1)])
            #expect(tooLong.status == .unprocessableContent)
            #expect(try await s.anna.send(.patch, url, raw: "{\"title\": 5}").status == .unprocessableContent)

            let (running, _) = try await Self.record(world, in: s.workspace, by: world.erik, title: "Pågår", complete: false)
            let playing = try await s.erik.get("/api/v1/recordings/\(running.id)/audio")
            #expect(playing.status == .conflict && playing.problemCode == "conflict")
            #expect(try await s.erik.send(.delete, "/api/v1/recordings/\(running.id)").status == .conflict)
            // The one who started it manages it: Erik may rename his own.
            #expect(try await s.erik.send(.patch, "/api/v1/recordings/\(running.id)", json: ["title": "Eriks"]).status == .ok)
            try await Self.recordings(world).finish(running.id, state: .failed, reason: .writeFailed, durationMs: 0, sizeBytes: 0, endedAt: Date())
            #expect(try await s.erik.get("/api/v1/recordings/\(running.id)/audio").status == .conflict)
            #expect(try await s.erik.get("/api/v1/recordings/\(RecordingID())").status == .notFound)
            #expect(try await s.erik.get("/api/v1/recordings/not-an-id/audio").status == .notFound)
            #expect(try await s.erik.get("/api/v1/recordings?kind=podcast").status == .unprocessableContent)
        }
    }

    @Test("DELETE by a manager answers 204 and removes the mixed file and the participants' folder from disk")
    func deleteRemovesFiles() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, _) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Att radera")
            let service = Self.recordings(world)
            let mixed = service.path(of: recording.fileName)
            let folder = service.path(of: Recordings.participantFolder(of: recording))
            #expect(FileManager.default.fileExists(atPath: mixed) && FileManager.default.fileExists(atPath: folder + "/1.opus"))
            #expect(try await s.erik.send(.delete, "/api/v1/recordings/\(recording.id)").status == .forbidden)
            #expect(FileManager.default.fileExists(atPath: mixed))
            let deleted = try await s.anna.send(.delete, "/api/v1/recordings/\(recording.id)")
            #expect(deleted.status == .noContent)
            #expect(!FileManager.default.fileExists(atPath: mixed) && !FileManager.default.fileExists(atPath: folder))
            #expect(try await s.anna.get("/api/v1/recordings/\(recording.id)").status == .notFound)
            #expect(SearchTests.results(try await s.anna.get("/api/v1/search?q=radera")).isEmpty)
        }
    }

    @Test("Search finds a complete recording by a word of its title and a chapter by its title with offsetMs; not while recording")
    func search() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, _) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Lathund Procapita",
                                                       chapters: [RecordingChapter(title: "Välj vårdenhet", offsetMs: 42_160)], complete: false)
            #expect(SearchTests.results(try await s.erik.get("/api/v1/search?q=procapita")).isEmpty)
            #expect(SearchTests.results(try await s.erik.get("/api/v1/search?q=vardenhet")).isEmpty)
            try await Self.recordings(world).finish(recording.id, state: .complete, reason: .meetingEnded, durationMs: 90_000, sizeBytes: 200_000, endedAt: Date())
            let byTitle = try #require(SearchTests.results(try await s.erik.get("/api/v1/search?q=procapita&type=recording")).first)
            #expect(byTitle["kind"] as? String == "recording" && byTitle["recordingId"] as? String == recording.id.description)
            #expect(byTitle["url"] as? String == "#/recordings/\(recording.id)" && byTitle["offsetMs"] == nil)
            let chapters = SearchTests.results(try await s.erik.get("/api/v1/search?q=vardenhet&type=chapter"))
            let chapter = try #require(chapters.first)
            #expect(chapters.count == 1 && chapter["kind"] as? String == "chapter" && chapter["title"] as? String == "Välj vårdenhet")
            #expect(chapter["recordingId"] as? String == recording.id.description && chapter["offsetMs"] as? Int == 42_160)
            #expect(chapter["id"] as? String == "\(recording.id)#0" && chapter["workspaceName"] as? String == "IT-avdelningen")
            #expect(SearchTests.results(try await s.sara.get("/api/v1/search?q=procapita")).isEmpty)
            #expect(try await s.erik.get("/api/v1/search?q=procapita&type=podcast").status == .unprocessableContent)
        }
    }
}

extension RecordingHTTPTests {
    @Test("Deleting a workspace removes its recordings' files with their rows")
    func workspaceDeletionRemovesFiles() async throws {
        let world = try await Self.world()
        try await world.test { client in
            let s = try await Self.setUp(client, world)
            let (recording, _) = try await Self.record(world, in: s.other, by: world.admin, title: "Ekonomimöte")
            let folder = Self.recordings(world).path(of: s.other)
            #expect(FileManager.default.fileExists(atPath: Self.recordings(world).path(of: recording.fileName)))
            #expect(try await s.anna.send(.delete, "/api/v1/workspaces/\(s.other)").status == .noContent)
            #expect(!FileManager.default.fileExists(atPath: folder), "the workspace's recordings folder is gone")
            #expect(try await world.store.recording(id: recording.id) == nil)
            // Other workspaces' recordings stay.
            let (kept, _) = try await Self.record(world, in: s.workspace, by: world.admin, title: "Kvar")
            #expect(FileManager.default.fileExists(atPath: Self.recordings(world).path(of: kept.fileName)))
        }
    }
}
