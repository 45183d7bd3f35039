import AsyncHTTPClient
import CommunisModel
import Crypto
import Foundation
import Logging
import NIOCore

/// One message to one device (RFC 8030 §5): the encrypted body POSTed to the subscription's
/// endpoint with the VAPID Authorization, `TTL`, `Urgency` and, when the message has a tag,
/// `Topic`, so that a newer message with the same tag replaces one the push service still holds.
struct PushDelivery: Sendable {
    enum Outcome: Sendable, Equatable {
        case delivered
        /// 404 or 410: the subscription has expired or was withdrawn; it is removed.
        case gone(Int)
        /// Any other answer or no answer; the subscription stays.
        case failed(String)
    }

    let client: HTTPClient
    let key: VAPIDKey
    let subject: String?
    let ttlSeconds: Int
    let urgency: String
    let timeout: TimeAmount

    func send(_ payload: [UInt8], topic: String?, to subscription: PushSubscription, now: Date, logger: Logger) async -> Outcome {
        guard let url = URL(string: subscription.endpoint), let p256dh = Base64URL.decode(subscription.p256dh),
              let auth = Base64URL.decode(subscription.auth) else {
            return .failed("the subscription's endpoint or keys cannot be read")
        }
        let body: [UInt8]
        let authorization: String
        do {
            body = try MessageEncryption.encrypt(payload, devicePublicKey: p256dh, authSecret: auth)
            authorization = try key.authorization(endpoint: url, subject: subject, now: now)
        } catch {
            return .failed("\(error)")
        }
        var request = HTTPClientRequest(url: subscription.endpoint)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "TTL", value: String(ttlSeconds))
        request.headers.add(name: "Urgency", value: urgency)
        if let topic { request.headers.add(name: "Topic", value: topic) }
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            // A push service says little; what it says helps whoever reads the log.
            let answer = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            switch response.status.code {
            case 200..<300: return .delivered
            case 404, 410: return .gone(Int(response.status.code))
            default: return .failed("\(response.status.code) \(answer.prefix(200))")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// A `Topic` for a tag (RFC 8030 §5.4: at most 32 characters of the base64url alphabet):
    /// a digest, so that the push service does not see the tag (it names a news item).
    static func topic(for tag: String?) -> String? {
        guard let tag, !tag.isEmpty else { return nil }
        return String(Base64URL.encode(SHA256.hash(data: Data(tag.utf8))).prefix(32))
    }
}

extension PushDelivery {
    /// The process's HTTP client for push services, like `HTTPClient.shared` (one for the
    /// process, never shut down, so no service has to own its lifetime) but following no
    /// redirects: a push service answers where it is asked, and a redirect would let a
    /// crafted endpoint aim the server's POSTs somewhere else.
    static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
