import CommunisMedia
import CommunisModel
import CommunisServer
import CommunisServices
import CommunisStore
import CommunisTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A running Communis on a free port with a real SQLite file, one closed workspace "IT-gruppen"
/// (Erik owns it; Sara, Karin and the guest Lena are members; Anna is not) and one meeting in
/// it that Erik created. Everyone connects with a bearer token over a real socket.
struct MeetingWorld: Sendable {
    let world: World
    let workspace: WorkspaceID
    let meeting: Meeting
    let karin: Person
    let tokens: [PersonID: String]

    var erik: Person { world.erik }
    var sara: Person { world.sara }
    var lena: Person { world.guest }
    var anna: Person { world.admin }
    var topic: String { "meeting:\(meeting.id)" }

    static func make(_ configure: @escaping @Sendable (inout Configuration) -> Void = { _ in }) async throws -> MeetingWorld {
        let world = try await World.make { configuration in
            // Tests send bursts faster than a browser's 50 a second and read them all back.
            configuration.meetingMaxPacketsPerSecond = 1000
            configuration.meetingListenerQueuePackets = 4096
            configure(&configuration)
        }
        let administration = Administration(store: world.store, hasher: BcryptPasswordHasher(cost: 4))
        let karin = try await administration.createAccount(NewAccount(
            email: "karin@katrineholm.se", name: "Karin Ek", password: World.password, role: .member,
            profile: Profile(title: "Titel", department: "Samhällsbyggnadsförvaltningen", workplace: "Stadshuset", competences: [])))
        let workspace = Workspace(name: "IT-gruppen", description: "", visibility: .closed, createdBy: world.erik.id)
        try await world.store.createWorkspace(workspace, owner: world.erik.id)
        for person in [world.sara, karin, world.guest] {
            try await world.store.addMember(Membership(workspaceID: workspace.id, personID: person.id, role: .member))
        }
        let meetings = Meetings(store: world.store, publisher: NoLivePublisher())
        let meeting = try await meetings.create(viewer: Viewer(person: world.erik), workspace: workspace.id, title: "Veckomöte IT", scheduledFor: nil)
        let accounts = await Accounts(
            store: world.store, hasher: BcryptPasswordHasher(cost: 4), settings: AccountSettings(), logger: quietLogger)
        var tokens: [PersonID: String] = [:]
        for person in [world.admin, world.erik, world.sara, world.guest, karin] {
            tokens[person.id] = try await accounts.createToken(viewer: Viewer(person: person), name: "test").1
        }
        return MeetingWorld(world: world, workspace: workspace.id, meeting: meeting, karin: karin, tokens: tokens)
    }

    /// Runs the real application on a free port for `body`, then removes the folder.
    func run(diskSpace: (any DiskSpaceProbe)? = nil, _ body: @escaping @Sendable (Server) async throws -> Void) async throws {
        let app = try await buildApplication(configuration: world.configuration, store: world.store, logger: quietLogger, diskSpace: diskSpace)
        try await app.test(.live) { client in
            try await body(Server(port: try #require(client.port), tokens: tokens, client: client))
        }
        try? FileManager.default.removeItem(at: world.directory)
    }

    struct Server: Sendable {
        let port: Int
        let tokens: [PersonID: String]
        let client: any TestClientProtocol

        /// A live connection for `person`, past its `welcome`.
        func connect(_ person: Person) async throws -> WebSocketTestClient {
            let socket = try await WebSocketTestClient.connect(host: "localhost", port: port, headers: [("Authorization", "Bearer \(tokens[person.id]!)")])
            _ = try await socket.next("welcome")
            return socket
        }
    }
}

extension WebSocketTestClient.Message {
    /// `data.streamId`.
    var streamId: UInt16? { (data["streamId"] as? NSNumber)?.uint16Value }
    /// `data.meeting` of a join ack or `meeting.admitted`.
    var meeting: [String: Any] { data["meeting"] as? [String: Any] ?? [:] }
    /// `data.participant` of a participant event.
    var participant: [String: Any] { data["participant"] as? [String: Any] ?? [:] }
}

extension WebSocketTestClient {
    /// Joins the meeting; returns the ack (or error).
    func join(_ world: MeetingWorld, muted: Bool = false) async throws -> Message {
        try await command("meeting.join", topic: world.topic, data: ["muted": muted])
    }

    /// Sends audio frames one after another, yielding between them as a real sender would
    /// (the relay's per-listener queues are not what these tests measure).
    func send(frames: [[UInt8]]) async throws {
        for frame in frames {
            send(binary: frame)
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

extension Array where Element == [UInt8] {
    /// The frames of one sender, by the stream id in their header.
    func from(stream: UInt16) -> [[UInt8]] {
        filter { $0.count >= 4 && (UInt16($0[2]) << 8 | UInt16($0[3])) == stream }
    }

    /// The distinct stream ids in these frames' headers.
    var streamIds: Set<UInt16> {
        Set(compactMap { $0.count >= 4 ? UInt16($0[2]) << 8 | UInt16($0[3]) : nil })
    }
}
