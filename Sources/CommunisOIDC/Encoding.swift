import Crypto
import Foundation

/// The small encodings the authorization code flow needs, kept exact: base64url without
/// padding (RFC 7636 appendix A), percent-encoding that leaves only RFC 3986's unreserved
/// characters as they are, and random values from the system's secure generator.
enum OIDCEncoding {
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// 256 random bits as base64url: 43 characters, all from the PKCE verifier alphabet.
    static func randomToken() -> String {
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom on Linux).
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(bytes)
    }

    /// RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
    static func s256Challenge(for verifier: String) -> String {
        base64URL(SHA256.hash(data: Data(verifier.utf8)))
    }

    /// Percent-encodes every byte except ALPHA, DIGIT and `-._~`. Used for query parameters and
    /// for application/x-www-form-urlencoded bodies and Basic credentials (RFC 6749 §2.3.1,
    /// appendix B): a space becomes %20, which every form decoder reads as a space, where `+`
    /// would be misread by servers that decode Basic credentials as plain percent-encoding.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Appends query parameters to an endpoint that may already carry a query
    /// (`https://idp/authorize?p=B2C_1_signin` stays valid).
    static func appendingQuery(_ pairs: [(String, String)], to endpoint: String) -> String {
        let query = formEncode(pairs)
        guard let mark = endpoint.firstIndex(of: "?") else { return endpoint + "?" + query }
        let existing = endpoint[endpoint.index(after: mark)...]
        if existing.isEmpty || existing.hasSuffix("&") { return endpoint + query }
        return endpoint + "&" + query
    }

    /// HTTP Basic credentials for client_secret_basic (RFC 6749 §2.3.1): id and secret are
    /// form-encoded before they are joined with a colon and base64-encoded.
    static func basicCredentials(clientID: String, clientSecret: String) -> String {
        "Basic " + Data("\(percentEncode(clientID)):\(percentEncode(clientSecret))".utf8).base64EncodedString()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
