import AsyncHTTPClient
import CommunisServices
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The client's calls to the provider over the shared `HTTPClient`, each with a deadline and
/// a bounded body, and with failures sorted the way `OIDCError` means them: could not reach,
/// timed out or 5xx → `providerUnavailable` (try again later); any other refusal → `rejected`.
struct ProviderHTTP: Sendable {
    let httpClient: HTTPClient
    let logger: Logger
    /// The whole exchange (connect, send, read the answer) must fit in this.
    let timeout: TimeAmount

    /// Discovery documents, key sets and token answers are a few KiB; 1 MiB leaves room for
    /// large tenants' key sets and stops a misbehaving endpoint from filling memory.
    static let maxBodyBytes = 1 << 20

    struct Answer {
        var status: HTTPResponseStatus
        var body: ByteBuffer
        var contentType: String
    }

    /// GET `url`, expecting a JSON document; `what` names it in errors ("the discovery document").
    func getJSON<Document: Decodable>(_ url: String, what: String, as _: Document.Type) async throws -> Document {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let answer = try await send(request, what: what)
        guard answer.status.code == 200 else {
            throw Self.statusError(answer.status, what: what, url: url, hint: "")
        }
        do {
            return try JSONDecoder().decode(Document.self, from: Data(answer.body.readableBytesView))
        } catch {
            throw OIDCError.rejected("\(what) at \(url) is not the JSON expected (\(Self.describe(decodingError: error)))")
        }
    }

    /// POST an application/x-www-form-urlencoded body; the answer comes back whatever its status.
    func postForm(_ url: String, body: String, headers extra: [(String, String)], what: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request, what: what)
    }

    private func send(_ request: HTTPClientRequest, what: String) async throws -> Answer {
        do {
            let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            logger.debug("identity provider answered", metadata: [
                "oidc.endpoint": "\(request.url)", "http.status": "\(response.status.code)",
            ])
            return Answer(status: response.status, body: body, contentType: response.headers.first(name: "Content-Type") ?? "")
        } catch let error as OIDCError {
            throw error
        } catch is NIOTooManyBytesError {
            throw OIDCError.rejected("\(what) at \(request.url) is larger than \(Self.maxBodyBytes) bytes")
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw OIDCError.providerUnavailable(
                "could not get \(what) from \(request.url): \(error) (it has \(timeout.nanoseconds / 1_000_000_000) s to connect and answer)")
        }
    }

    /// 5xx and 429 are the provider's temporary trouble; anything else is a configuration or
    /// protocol problem that waiting will not fix.
    static func statusError(_ status: HTTPResponseStatus, what: String, url: String, hint: String) -> OIDCError {
        let text = "\(url) answered \(status.code) \(status.reasonPhrase) instead of \(what)\(hint)"
        return status.code >= 500 || status.code == 429 ? .providerUnavailable(text) : .rejected(text)
    }

    static func describe(decodingError error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "\"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case .dataCorrupted(let context)?:
            context.codingPath.isEmpty ? "not valid JSON" : "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is invalid"
        default: "\(error)"
        }
    }
}
