import CommunisModel
import Crypto
import Foundation
import Testing
@testable import CommunisPush

@Suite("Web Push message encryption (RFC 8291)")
struct MessageEncryptionTests {
    /// RFC 8291, Appendix A.
    enum Vector {
        static let plaintext = "When I grow up, I want to be a watermelon"
        static let senderPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
        static let senderPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        static let devicePrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
        static let devicePublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
        static let authSecret = "BTBZMqHH6r4Tts7J_aSIgg"
        static let body = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    }

    static func bytes(_ text: String) throws -> [UInt8] { try #require(Base64URL.decode(text)) }

    @Test("the RFC 8291 test vector encrypts to exactly the body of Appendix A")
    func rfcVector() throws {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: try Self.bytes(Vector.senderPrivate))
        #expect(Base64URL.encode(ephemeral.publicKey.x963Representation) == Vector.senderPublic)
        let body = try MessageEncryption.encrypt(Array(Vector.plaintext.utf8), devicePublicKey: try Self.bytes(Vector.devicePublic),
                                                 authSecret: try Self.bytes(Vector.authSecret), salt: try Self.bytes(Vector.salt),
                                                 ephemeralKey: ephemeral)
        #expect(Base64URL.encode(body) == Vector.body)
    }

    @Test("the device of the RFC 8291 vector reads the plaintext back")
    func rfcVectorDecrypts() throws {
        let device = TestDevice(privateKey: try P256.KeyAgreement.PrivateKey(rawRepresentation: try Self.bytes(Vector.devicePrivate)),
                                authSecret: try Self.bytes(Vector.authSecret))
        #expect(String(decoding: try device.decrypt(try Self.bytes(Vector.body)), as: UTF8.self) == Vector.plaintext)
    }

    @Test("each message gets a fresh salt and key, and only its device can read it")
    func freshKeys() throws {
        let device = TestDevice()
        let text = Array(#"{"title":"Möte startat","body":"Ledningsgruppen"}"#.utf8)
        let first = try MessageEncryption.encrypt(text, devicePublicKey: device.publicKey, authSecret: device.authSecret)
        let second = try MessageEncryption.encrypt(text, devicePublicKey: device.publicKey, authSecret: device.authSecret)
        #expect(first != second && first.prefix(16) != second.prefix(16))
        #expect(try device.decrypt(first) == text && device.decrypt(second) == text)
        #expect(first.count == 16 + 4 + 1 + 65 + text.count + 1 + 16, "header, text, delimiter and tag: no padding")
        let stranger = TestDevice(authSecret: device.authSecret)
        #expect(throws: (any Error).self) { try stranger.decrypt(first) }
    }

    @Test("a message too large for a push service, a bad device key and a bad secret are refused")
    func refusals() throws {
        let device = TestDevice()
        #expect(throws: MessageEncryption.Failure.tooLarge(4000)) {
            try MessageEncryption.encrypt(Array(repeating: 0x41, count: 4000), devicePublicKey: device.publicKey, authSecret: device.authSecret)
        }
        let largest = try MessageEncryption.encrypt(Array(repeating: 0x41, count: MessageEncryption.maxPlaintextBytes),
                                                    devicePublicKey: device.publicKey, authSecret: device.authSecret)
        #expect(largest.count == 4096)
        #expect(throws: MessageEncryption.Failure.invalidDeviceKey) {
            try MessageEncryption.encrypt([1], devicePublicKey: Array(repeating: 4, count: 65), authSecret: device.authSecret)
        }
        #expect(throws: MessageEncryption.Failure.invalidAuthSecret) {
            try MessageEncryption.encrypt([1], devicePublicKey: device.publicKey, authSecret: [1, 2, 3])
        }
    }
}
