import CommunisModel
import Crypto
import Foundation
import Testing
@testable import CommunisPush

/// A device as a browser is one: its key pair and auth secret, and the receiving side of
/// RFC 8291 to read what the server sent it.
struct TestDevice {
    let privateKey: P256.KeyAgreement.PrivateKey
    let authSecret: [UInt8]

    init(privateKey: P256.KeyAgreement.PrivateKey = .init(), authSecret: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }) {
        self.privateKey = privateKey
        self.authSecret = authSecret
    }

    var publicKey: [UInt8] { Array(privateKey.publicKey.x963Representation) }
    var p256dh: String { Base64URL.encode(publicKey) }
    var auth: String { Base64URL.encode(authSecret) }

    /// Decrypts an `aes128gcm` body (RFC 8188 header, one record) sent to this device.
    func decrypt(_ body: [UInt8]) throws -> [UInt8] {
        try #require(body.count > 21)
        let salt = Array(body[0..<16])
        let recordSize = body[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let idLength = Int(body[20])
        try #require(body.count >= 21 + idLength + 17)
        let serverKey = Array(body[21..<(21 + idLength)])
        let record = Array(body[(21 + idLength)...])
        try #require(record.count <= recordSize, "one record")
        let shared = try privateKey.sharedSecretFromKeyAgreement(with: try P256.KeyAgreement.PublicKey(x963Representation: serverKey))
        let (key, nonce) = MessageEncryption.keys(sharedSecret: shared.withUnsafeBytes { Array($0) }, authSecret: authSecret, salt: salt,
                                                  devicePublicKey: publicKey, serverPublicKey: serverKey)
        let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: record.dropLast(16), tag: record.suffix(16))
        var plain = Array(try AES.GCM.open(box, using: key))
        while plain.last == 0 { plain.removeLast() }
        try #require(plain.last == 0x02, "the last record's delimiter")
        plain.removeLast()
        return plain
    }
}

/// A compact JWT's parts.
struct DecodedJWT {
    let header: [String: Any]
    let claims: [String: Any]
    let signingInput: String
    let signature: [UInt8]

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        func object(_ part: String) throws -> [String: Any] {
            let bytes = try #require(Base64URL.decode(part))
            return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        }
        header = try object(parts[0])
        claims = try object(parts[1])
        signingInput = "\(parts[0]).\(parts[1])"
        signature = try #require(Base64URL.decode(parts[2]))
    }

    func verifies(with publicKey: String) throws -> Bool {
        let bytes = try #require(Base64URL.decode(publicKey))
        let key = try P256.Signing.PublicKey(x963Representation: bytes)
        return key.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: signature), for: Data(signingInput.utf8))
    }
}

/// `vapid t=…, k=…` split into its token and key.
func vapidParameters(_ header: String) throws -> (token: String, key: String) {
    try #require(header.hasPrefix("vapid "))
    var values: [String: String] = [:]
    for part in header.dropFirst(6).split(separator: ",") {
        let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
        if pair.count == 2 { values[pair[0]] = pair[1] }
    }
    return (try #require(values["t"]), try #require(values["k"]))
}
