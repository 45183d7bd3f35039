import CommunisModel
import CommunisWire
import Foundation
import Testing

/// docs/protocol.md: a field of the wrong type is `validation-failed` naming the field, and a
/// `bad-message` answer carries the message's `ref` when it had a string one.
@Suite("Decoding commands: every field type-checked, the field named")
struct WireDecodingTests {
    struct Subscribe: Decodable {
        var lastSeq: Int64?
        enum CodingKeys: String, CodingKey { case lastSeq }
        init(from decoder: any Decoder) throws {
            lastSeq = try decoder.container(keyedBy: CodingKeys.self).decodeIntegerIfPresent(Int64.self, forKey: .lastSeq)
        }
    }
    struct Mute: Decodable {
        var streamId: UInt16?
        var muted: Bool
        enum CodingKeys: String, CodingKey { case streamId, muted }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            streamId = try c.decodeIntegerIfPresent(UInt16.self, forKey: .streamId)
            muted = try c.decode(Bool.self, forKey: .muted)
        }
    }
    struct Post: Decodable { var threadId: ThreadID; var body: String }

    static func message(_ data: String) -> Data { Data(#"{"v":1,"type":"x","ref":"r","data":\#(data)}"#.utf8) }

    func failure(_ body: () throws -> Void) -> WireError? {
        do { try body(); return nil } catch let error as WireError { return error } catch { return nil }
    }

    @Test("A seq that is a string, a boolean or a fraction is refused, naming lastSeq", arguments: [#""abc""#, "true", "1.5", "[1]"])
    func lastSeq(_ value: String) throws {
        let error = try #require(failure { _ = try Wire.optionalData(Subscribe.self, of: Self.message(#"{"lastSeq":\#(value)}"#)) })
        #expect(error.code == .validation)
        #expect(error.field == "lastSeq")
        #expect(error.message.contains("lastSeq"))
    }

    @Test("Missing, null, out of range, not a UUID: each names its field")
    func fields() throws {
        #expect(failure { _ = try Wire.data(Mute.self, of: Self.message("{}")) }?.field == "muted")
        #expect(failure { _ = try Wire.data(Mute.self, of: Self.message(#"{"muted":null}"#)) }?.field == "muted")
        #expect(failure { _ = try Wire.data(Mute.self, of: Self.message(#"{"muted":true,"streamId":70000}"#)) }?.field == "streamId")
        #expect(failure { _ = try Wire.data(Mute.self, of: Self.message(#"{"muted":1}"#)) }?.field == "muted")
        #expect(failure { _ = try Wire.data(Post.self, of: Self.message(#"{"threadId":"nej","body":"b"}"#)) }?.field == "threadId")
        #expect(failure { _ = try Wire.data(Post.self, of: Self.message(#""text""#)) }?.field == "data")
        #expect(try Wire.optionalData(Subscribe.self, of: Data(#"{"v":1,"type":"subscribe"}"#.utf8)) == nil)
        #expect(try Wire.optionalData(Subscribe.self, of: Self.message(#"{"lastSeq":41}"#))?.lastSeq == 41)
    }

    @Test("A command without fields takes an object, null or nothing as data; anything else names data")
    func emptyData() throws {
        try Wire.emptyData(of: Self.message("{}"))
        try Wire.emptyData(of: Self.message(#"{"extra":1}"#))
        try Wire.emptyData(of: Self.message("null"))
        try Wire.emptyData(of: Data(#"{"v":1,"type":"ping"}"#.utf8))
        for data in [#""x""#, "5", "[]", "true"] {
            #expect(failure { try Wire.emptyData(of: Self.message(data)) }?.field == "data", "\(data)")
        }
    }

    @Test("The ref of a broken envelope is read when it is a string")
    func refOfABrokenEnvelope() {
        #expect(Wire.ref(of: Data(#"{"ref":"x1","data":{}}"#.utf8)) == "x1")
        #expect(Wire.ref(of: Data(#"{"v":"1","type":"ping","ref":"x2"}"#.utf8)) == "x2")
        #expect(Wire.ref(of: Data(#"{"ref":7}"#.utf8)) == nil)
        #expect(Wire.ref(of: Data("not json".utf8)) == nil)
        #expect(Wire.ref(of: Data(#"["ref"]"#.utf8)) == nil)
    }

    @Test("An error names its field in data.field")
    func errorFrame() throws {
        let frame = Wire.error(WireError(.validation, "lastSeq must be an integer.", field: "lastSeq"), ref: "c1")
        let object = try #require(try JSONSerialization.jsonObject(with: frame) as? [String: Any])
        #expect(object["ref"] as? String == "c1")
        #expect((object["data"] as? [String: Any])?["field"] as? String == "lastSeq")
    }
}
