import CommunisModel
import CommunisWire
import Foundation
import Testing

/// The typed wire held against docs/protocol.md, the document other teams write clients
/// from: every message type, error code and close code it names exists in CommunisWire and
/// the other way round, and every example frame in it is one this server reads and writes.
@Suite("The live protocol in code is the one docs/protocol.md describes")
struct ProtocolDocumentTests {
    let document: ProtocolDocument

    init() throws {
        document = try ProtocolDocument.load()
    }

    /// The document writes `{…}` for "an object shown elsewhere" (the `result` of an ack).
    static func unelided(_ text: String) -> String {
        text.replacingOccurrences(of: "{…}", with: "{}")
    }

    /// A frame sent by a client: it carries a `ref` and is not an answer.
    static func isCommand(_ object: [String: Any]) -> Bool {
        guard object["ref"] != nil, let type = object["type"] as? String else { return false }
        return type != LiveEvent.ack.rawValue && type != LiveEvent.error.rawValue
    }

    private func exampleTypes(commands: Bool) throws -> Set<String> {
        var types: Set<String> = []
        for example in document.examples {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(Self.unelided(example.text).utf8)) as? [String: Any], "\(example)")
            if Self.isCommand(object) == commands, let type = object["type"] as? String { types.insert(type) }
        }
        return types
    }

    private var documentedCommands: Set<String> {
        get throws { document.commandTableTypes.union(try exampleTypes(commands: true)) }
    }

    private var documentedEvents: Set<String> {
        get throws { document.eventTableTypes.union(document.headingTypes).union(try exampleTypes(commands: false)) }
    }

    @Test("The document was read: its tables, headings and examples are all found")
    func documentRead() {
        #expect(document.commandTableTypes.count >= 25, "\(document.commandTableTypes.sorted())")
        #expect(document.eventTableTypes.count >= 20, "\(document.eventTableTypes.sorted())")
        #expect(document.headingTypes == ["welcome", "ack", "error"])
        #expect(document.errorCodes.count >= 14)
        #expect(document.closeCodes.count >= 10)
        #expect(document.examples.count >= 20)
    }

    @Test("Every client → server type the document names is a LiveCommand, and every LiveCommand is documented")
    func commands() throws {
        let documented = try documentedCommands
        let code = Set(LiveCommand.allCases.map(\.rawValue))
        #expect(documented.subtracting(code).sorted() == [], "documented, but not a LiveCommand")
        #expect(code.subtracting(documented).sorted() == [], "a LiveCommand the document does not describe")
    }

    @Test("Every server → client type the document names is a LiveEvent, and every LiveEvent is documented")
    func events() throws {
        let documented = try documentedEvents
        let code = Set(LiveEvent.allCases.map(\.rawValue))
        #expect(documented.subtracting(code).sorted() == [], "documented, but not a LiveEvent")
        #expect(code.subtracting(documented).sorted() == [], "a LiveEvent the document does not describe")
    }

    @Test("All message types together: the document's set is LiveCommand ∪ LiveEvent")
    func allTypes() throws {
        let documented = try documentedCommands.union(try documentedEvents)
        let code = Set(LiveCommand.allCases.map(\.rawValue)).union(LiveEvent.allCases.map(\.rawValue))
        #expect(documented.symmetricDifference(code).sorted() == [], "in one and not the other")
    }

    @Test("The stored workspace events (with seq) are the table under 'Workspace events'")
    func storedEvents() {
        #expect(document.storedEventTypes == Set(LiveEvent.allCases.filter(\.isStored).map(\.rawValue)))
        #expect(LiveEvent.feed.allSatisfy { $0.isStored })
    }

    @Test("The error codes are the document's table, no more and no fewer")
    func errorCodes() {
        #expect(document.errorCodes == Set(WireErrorCode.allCases.map(\.rawValue)))
    }

    @Test("The close codes are the document's table, and whether to reconnect agrees")
    func closeCodes() {
        // 1008 is only ever echoed back to a client that closed with it (see CloseCode).
        let sent = CloseCode.allCases.filter { $0 != .policyViolation }
        #expect(Set(document.closeCodes.keys) == Set(sent.map { Int($0.rawValue) }))
        for code in sent where code != .normal {
            let cell = document.closeCodes[Int(code.rawValue)] ?? ""
            #expect(code.shouldReconnect == cell.hasPrefix("yes"), "\(code.rawValue): the document says \(cell)")
        }
    }

    @Test("Every example frame of the document decodes as this server reads it, and re-encodes to the same envelope")
    func examples() throws {
        let envelopeKeys: Set<String> = ["v", "type", "ref", "topic", "seq", "data"]
        for example in document.examples {
            let bytes = Data(Self.unelided(example.text).utf8)
            let head = try Wire.head(of: bytes)
            #expect(head.v == Wire.version, "\(example)")
            let object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any], "\(example)")
            #expect(Set(object.keys).isSubset(of: envelopeKeys), "\(example)")
            let data = try #require(object["data"] as? [String: Any], "data must be an object: \(example)")
            let seq = (object["seq"] as? NSNumber)?.int64Value

            if Self.isCommand(object) {
                let command = try head.command()
                _ = try Wire.data(JSONValue.self, of: bytes)
                if command.isMeeting {
                    #expect(Topic.meetingID(head.topic) != nil, "a meeting command needs topic meeting:<id>: \(example)")
                } else if head.topic != nil {
                    #expect(Topic.workspaceID(head.topic) != nil, "\(example)")
                }
                continue
            }

            let event = try #require(LiveEvent(rawValue: head.type), "not a LiveEvent: \(example)")
            #expect((seq != nil) == event.isStored, "seq exactly on stored events: \(example)")
            switch event {
            case .ack, .error:
                #expect(head.ref != nil, "an answer carries the command's ref: \(example)")
                if event == .error {
                    #expect(WireErrorCode(rawValue: data["code"] as? String ?? "") != nil, "unknown error code: \(example)")
                }
            case .welcome, .notification, .newsPublished, .newsUpdated:
                #expect(head.topic == nil, "\(example)")
            case _ where event.rawValue.hasPrefix("meeting.") && event != .meetingRoster:
                #expect(Topic.meetingID(head.topic) != nil, "\(example)")
            default:
                #expect(Topic.workspaceID(head.topic) != nil, "\(example)")
            }

            // The server's encoder writes the same envelope around the same data.
            let payload = try JSONSerialization.data(withJSONObject: data)
            let encoded = Wire.frame(type: event, ref: head.ref, topic: head.topic, seq: seq, data: payload)
            let reread = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
            #expect(NSDictionary(dictionary: reread).isEqual(to: object), "\(example)")
        }
    }

    @Test("A type that is no command is answered with unknown-type, the way the server answers it")
    func unknownType() throws {
        let head = try Wire.head(of: Data(#"{"v":1,"type":"teleport","ref":"x","data":{}}"#.utf8))
        #expect(throws: WireError(.unknownType, "Unknown message type teleport.")) { try head.command() }
        // Events are not commands, even where a command has the same name (`typing` is both).
        #expect(LiveCommand(rawValue: LiveEvent.postCreated.rawValue) == nil)
        #expect(LiveCommand(rawValue: LiveEvent.typing.rawValue) == .typing)
    }

    @Test("A stored event is framed with its stored kind and seq, byte for byte as before")
    func storedFrame() throws {
        let event = WorkspaceEvent(workspaceID: WorkspaceID(), seq: 43, kind: "post.created", payload: Data(#"{"post":{}}"#.utf8),
                                   actorID: nil, createdAt: Date())
        let frame = String(decoding: Wire.frame(event, topic: "workspace:w"), as: UTF8.self)
        #expect(frame == #"{"v":1,"type":"post.created","topic":"workspace:w","seq":43,"data":{"post":{}}}"#)
        #expect(event.liveEvent == .postCreated)
        let typed = String(decoding: Wire.frame(type: .postCreated, topic: "workspace:w", seq: 43, data: Data(#"{"post":{}}"#.utf8)), as: UTF8.self)
        #expect(typed == frame)
    }
}
