import CommunisModel
import Crypto
import Foundation

/// Web Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188):
/// an ephemeral P-256 key agreed with the device's key, mixed with the device's
/// authentication secret through HKDF-SHA-256, sealing the message as one AES-128-GCM record.
/// The push service sees the salt, the ephemeral public key and the length, nothing else.
public enum MessageEncryption {
    /// The record size announced in the header (RFC 8291 §4 uses 4096, the most a push
    /// service must accept for a whole message).
    public static let recordSize: UInt32 = 4096
    /// The most plaintext one message can carry: one record of 4096 bytes holds the text,
    /// the delimiter byte and the 16-byte tag; the header (86 bytes) does not count against it
    /// in RFC 8188, but push services limit the whole body to 4096, so it does here.
    public static let maxPlaintextBytes = 4096 - 86 - 16 - 1

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidDeviceKey
        case invalidAuthSecret
        case tooLarge(Int)

        public var description: String {
            switch self {
            case .invalidDeviceKey: "the device's p256dh is not a P-256 public key"
            case .invalidAuthSecret: "the device's auth secret is not 16 bytes"
            case .tooLarge(let bytes): "the message is \(bytes) bytes, more than \(MessageEncryption.maxPlaintextBytes) fit in a push message"
            }
        }
    }

    /// Encrypts `plaintext` for the device with public key `devicePublicKey` (65 bytes,
    /// uncompressed) and `authSecret` (16 bytes); returns the whole request body (header and
    /// record). `salt` and `ephemeralKey` are fresh random ones unless given (tests give
    /// those of RFC 8291's Appendix A to get its exact bytes).
    public static func encrypt(_ plaintext: [UInt8], devicePublicKey: [UInt8], authSecret: [UInt8],
                               salt: [UInt8]? = nil, ephemeralKey: P256.KeyAgreement.PrivateKey? = nil) throws -> [UInt8] {
        guard plaintext.count <= maxPlaintextBytes else { throw Failure.tooLarge(plaintext.count) }
        guard authSecret.count == 16 else { throw Failure.invalidAuthSecret }
        guard devicePublicKey.count == 65, let device = try? P256.KeyAgreement.PublicKey(x963Representation: devicePublicKey) else {
            throw Failure.invalidDeviceKey
        }
        let ephemeral = ephemeralKey ?? P256.KeyAgreement.PrivateKey()
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let serverPublic = Array(ephemeral.publicKey.x963Representation)
        let shared = try ephemeral.sharedSecretFromKeyAgreement(with: device)
        let (key, nonce) = keys(sharedSecret: shared.withUnsafeBytes { Array($0) }, authSecret: authSecret, salt: salt,
                                devicePublicKey: devicePublicKey, serverPublicKey: serverPublic)
        // One record, the last: the text, then the delimiter 0x02 and no padding (RFC 8188 §2).
        let sealed = try AES.GCM.seal(plaintext + [0x02], using: key, nonce: nonce)
        return header(salt: salt, keyID: serverPublic) + Array(sealed.ciphertext) + Array(sealed.tag)
    }

    /// `salt (16) | rs (4, big-endian) | idlen (1) | keyid` (RFC 8188 §2.1), the key id being
    /// the sender's public key (RFC 8291 §4).
    static func header(salt: [UInt8], keyID: [UInt8]) -> [UInt8] {
        let rs = recordSize
        return salt + [UInt8(rs >> 24), UInt8(rs >> 16 & 0xFF), UInt8(rs >> 8 & 0xFF), UInt8(rs & 0xFF), UInt8(keyID.count)] + keyID
    }

    /// The content encryption key and nonce (RFC 8291 §3.3–3.4, RFC 8188 §2.2–2.3).
    /// Symmetric in who holds which private key, so the receiving side (tests) uses it too.
    public static func keys(sharedSecret: [UInt8], authSecret: [UInt8], salt: [UInt8], devicePublicKey: [UInt8],
                            serverPublicKey: [UInt8]) -> (SymmetricKey, AES.GCM.Nonce) {
        let prkKey = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: sharedSecret), salt: authSecret)
        let keyInfo = Array("WebPush: info".utf8) + [0] + devicePublicKey + serverPublicKey
        let ikm = HKDF<SHA256>.expand(pseudoRandomKey: prkKey, info: keyInfo, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        // 12 bytes is what AES.GCM.Nonce takes; it cannot fail.
        return (cek, try! AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }))
    }
}
