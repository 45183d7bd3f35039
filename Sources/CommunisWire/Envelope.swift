import CommunisModel
import Foundation

/// The live protocol (docs/protocol.md): JSON text frames, one envelope for everything.
/// Client → server: `{"v":1,"type":"post.create","ref":"c7","topic":"workspace:<id>","data":{…}}`.
/// Server → client: the same envelope; events carry `seq`, answers carry the command's `ref`.
public enum Wire {
    /// The protocol version this server speaks.
    public static let version = 1

    /// The fields every command has, decoded before the command's own `data`.
    public struct Head: Decodable, Sendable {
        public var v: Int
        public var type: String
        public var ref: String?
        public var topic: String?

        /// The command this message is; `unknown-type` when the type is not one.
        public func command() throws -> LiveCommand {
            guard let command = LiveCommand(rawValue: type) else {
                throw WireError(.unknownType, "Unknown message type \(type).")
            }
            return command
        }
    }

    /// A command's payload, decoded once the type is known.
    struct Body<Data: Decodable>: Decodable {
        var data: Data
    }

    public static func head(of text: Data) throws -> Head {
        do { return try JSONDecoder().decode(Head.self, from: text) } catch {
            throw WireError(.badMessage, "A message must be a JSON object with \"v\" (a number) and \"type\" (a string); \"ref\" and \"topic\", when sent, are strings.")
        }
    }

    /// The `ref` of a message whose envelope may be broken otherwise (for the `bad-message`
    /// answer): the string `ref` of a JSON object, else nil.
    public static func ref(of text: Data) -> String? {
        struct Ref: Decodable { var ref: String? }
        // A message that is not an object, or whose ref is not a string, has no ref to echo.
        return try? JSONDecoder().decode(Ref.self, from: text).ref
    }

    /// A command without fields (`{}`): its `data` may be left out, null or an object (whose
    /// members are ignored); anything else is `validation-failed`.
    public static func emptyData(of text: Data) throws {
        struct Empty: Decodable {
            // A synthesized init of a struct without members reads nothing and accepts any
            // value; asking for the keyed container is what refuses a string or a number.
            init(from decoder: any Decoder) throws {
                struct AnyKey: CodingKey {
                    var stringValue: String
                    var intValue: Int? { nil }
                    init?(stringValue: String) { self.stringValue = stringValue }
                    init?(intValue: Int) { nil }
                }
                _ = try decoder.container(keyedBy: AnyKey.self)
            }
        }
        _ = try decode(OptionalBody<Empty>.self, text)
    }

    /// A command whose `data` may be left out.
    struct OptionalBody<Data: Decodable>: Decodable {
        var data: Data?
    }

    /// Decodes the `data` member of a command as `T`, naming the field that is wrong.
    public static func data<T: Decodable>(_ type: T.Type, of text: Data) throws -> T {
        try decode(Body<T>.self, text).data
    }

    /// Decodes the `data` member of a command whose data is optional: nil when it is left out
    /// (or null), the same clear errors as `data` when it is there but wrong.
    public static func optionalData<T: Decodable>(_ type: T.Type, of text: Data) throws -> T? {
        try decode(OptionalBody<T>.self, text).data
    }

    private static func decode<B: Decodable>(_ type: B.Type, _ text: Data) throws -> B {
        do {
            return try JSONDecoder().decode(B.self, from: text)
        } catch let DecodingError.keyNotFound(key, context) {
            let field = path(context.codingPath + [key])
            throw WireError(.validation, "\(field) is required.", field: field)
        } catch let DecodingError.valueNotFound(_, context) {
            let field = path(context.codingPath)
            throw WireError(.validation, "\(field) must not be null.", field: field)
        } catch let DecodingError.typeMismatch(expected, context) {
            let field = path(context.codingPath)
            throw WireError(.validation, "\(field) must be \(describe(expected)).", field: field)
        } catch let DecodingError.dataCorrupted(context) {
            let field = path(context.codingPath)
            throw WireError(.validation, "\(field) has a value that is not allowed.", field: field)
        } catch {
            throw WireError(.badMessage, "The message is not valid JSON.")
        }
    }

    /// `data.lastSeq` → `lastSeq`; the whole payload is `data`.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        let path = codingPath.dropFirst().map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "data" : path
    }

    /// What a field should have been, in the words of docs/protocol.md.
    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt16.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "of another type"
        }
    }

    // MARK: Encoding server messages. Built as bytes so that an event's payload, encoded once
    // by the service, is spliced in as is and the same frame is sent to every recipient.

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a value as JSON the way every message does (sorted keys, ISO 8601 dates).
    public static func json<T: Encodable>(_ value: T) -> Data {
        // Encoding our own Encodable types cannot fail; a failure is a programming error.
        try! encoder.encode(value)
    }

    /// `{"v":1,"type":TYPE[,"ref":REF][,"topic":TOPIC][,"seq":SEQ],"data":DATA}`
    public static func frame(type: LiveEvent, ref: String? = nil, topic: String? = nil, seq: Int64? = nil, data: Data) -> Data {
        envelope(type: type.rawValue, ref: ref, topic: topic, seq: seq, data: data)
    }

    public static func frame<T: Encodable>(type: LiveEvent, ref: String? = nil, topic: String? = nil, value: T) -> Data {
        frame(type: type, ref: ref, topic: topic, data: json(value))
    }

    /// A stored workspace event as it was stored: its kind is the store's text (see
    /// `LiveEvent`), so an event written by another version of the server is still delivered
    /// with its seq rather than skipped. The payload is spliced in as stored.
    public static func frame(_ event: WorkspaceEvent, topic: String) -> Data {
        envelope(type: event.kind, ref: nil, topic: topic, seq: event.seq, data: event.payload)
    }

    private static func envelope(type: String, ref: String?, topic: String?, seq: Int64?, data: Data) -> Data {
        var out = Data()
        out.reserveCapacity(data.count + 96)
        out.append(contentsOf: #"{"v":1,"type":"#.utf8)
        out.append(json(type))
        if let ref {
            out.append(contentsOf: #","ref":"#.utf8)
            out.append(json(ref))
        }
        if let topic {
            out.append(contentsOf: #","topic":"#.utf8)
            out.append(json(topic))
        }
        if let seq {
            out.append(contentsOf: #","seq":"#.utf8)
            out.append(contentsOf: String(seq).utf8)
        }
        out.append(contentsOf: #","data":"#.utf8)
        out.append(data)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// An error answer: `{"type":"error","ref":…,"data":{"code":…,"message":…}}`.
    public static func error(_ error: WireError, ref: String?, topic: String? = nil) -> Data {
        struct Payload: Encodable { var code: String; var message: String; var retryAfterMs: Int?; var field: String? }
        return frame(type: .error, ref: ref, topic: topic, value: Payload(
            code: error.code.rawValue, message: error.message, retryAfterMs: error.retryAfterMs, field: error.field))
    }
}

/// Topics name what a message is about: a workspace or a meeting.
public enum Topic {
    public static func workspace(_ id: String) -> String { "workspace:\(id)" }
    public static func meeting(_ id: String) -> String { "meeting:\(id)" }

    /// The meeting id of a `meeting:<id>` topic.
    public static func meetingID(_ topic: String?) -> String? {
        guard let topic, topic.hasPrefix("meeting:") else { return nil }
        return String(topic.dropFirst("meeting:".count))
    }

    /// The workspace id of a `workspace:<id>` topic.
    public static func workspaceID(_ topic: String?) -> String? {
        guard let topic, topic.hasPrefix("workspace:") else { return nil }
        return String(topic.dropFirst("workspace:".count))
    }
}

extension KeyedDecodingContainer {
    /// Decodes an integer field. Foundation's JSONDecoder (swift-foundation) reports a number
    /// that does not fit the type (`1.5`, or `70000` for a UInt16) with an error of its own
    /// that the top level turns into "not valid JSON" without a coding path; this turns it
    /// into a `dataCorrupted` error naming the field, so `validation-failed` can say which.
    public func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do { return try decode(T.self, forKey: key) } catch let error as DecodingError { throw error } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath + [key], debugDescription: "not a \(T.self): \(error)"))
        }
    }

    /// `decodeInteger` for an optional field (absent or null is nil).
    public func decodeIntegerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        do { return try decodeIfPresent(T.self, forKey: key) } catch let error as DecodingError { throw error } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath + [key], debugDescription: "not a \(T.self): \(error)"))
        }
    }
}
