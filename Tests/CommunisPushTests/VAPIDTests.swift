import CommunisModel
import Crypto
import Foundation
import Testing
@testable import CommunisPush

@Suite("VAPID (RFC 8292)")
struct VAPIDTests {
    @Test("the Authorization header carries an ES256 JWT for the endpoint's origin that verifies with the public key k")
    func authorization() throws {
        let key = VAPIDKey()
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let header = try key.authorization(endpoint: try #require(URL(string: "https://updates.push.services.mozilla.com/wpush/v2/gAAAA?x=1")),
                                           subject: "mailto:it@katrineholm.se", now: now)
        let (token, k) = try vapidParameters(header)
        #expect(k == key.publicKey)
        #expect(try #require(Base64URL.decode(k)).count == 65)
        let jwt = try DecodedJWT(token)
        #expect(jwt.header["alg"] as? String == "ES256" && jwt.header["typ"] as? String == "JWT")
        #expect(jwt.claims["aud"] as? String == "https://updates.push.services.mozilla.com")
        #expect(jwt.claims["sub"] as? String == "mailto:it@katrineholm.se")
        let exp = try #require(jwt.claims["exp"] as? Int)
        #expect(exp > Int(now.timeIntervalSince1970) && exp <= Int(now.timeIntervalSince1970) + 24 * 3600)
        #expect(try jwt.verifies(with: k))
        #expect(try !jwt.verifies(with: VAPIDKey().publicKey), "another key does not verify it")
    }

    @Test("a token never lives longer than 24 hours and leaves out sub when there is no contact")
    func limits() throws {
        let key = VAPIDKey()
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let header = try key.authorization(endpoint: try #require(URL(string: "http://127.0.0.1:8931/push/a")), subject: nil, now: now,
                                           lifetime: 7 * 24 * 3600)
        let jwt = try DecodedJWT(try vapidParameters(header).token)
        #expect(jwt.claims["exp"] as? Int == Int(now.timeIntervalSince1970) + 24 * 3600)
        #expect(jwt.claims["sub"] == nil)
        #expect(jwt.claims["aud"] as? String == "http://127.0.0.1:8931", "the port belongs to the origin")
    }

    @Test("the stored form gives back the same key")
    func storedForm() throws {
        let key = VAPIDKey()
        #expect(VAPIDKey(stored: key.stored)?.publicKey == key.publicKey)
        #expect(VAPIDKey(stored: "inte en nyckel") == nil)
    }

    @Test("origins drop the default port and keep others")
    func origins() throws {
        #expect(VAPIDKey.origin(of: try #require(URL(string: "https://fcm.googleapis.com:443/fcm/send/x"))) == "https://fcm.googleapis.com")
        #expect(VAPIDKey.origin(of: try #require(URL(string: "https://Push.Example.net:8443/a"))) == "https://push.example.net:8443")
    }
}
