import Foundation
import Hummingbird

extension Request {
    /// Whether the request carries a body at all (a POST whose fields are all optional may
    /// come without one).
    var hasBody: Bool {
        (headers[.contentLength].flatMap(Int.init) ?? 0) > 0 || headers[.transferEncoding] != nil
    }

    /// A JSON body that may be left out: none, or an empty one (a chunked request without
    /// bytes, as clients that always stream send), is nil.
    mutating func optionalJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T? {
        guard hasBody else { return nil }
        let buffer: ByteBuffer
        do { buffer = try await collectBody(upTo: context.maxUploadSize) } catch { throw Problem.payloadTooLarge }
        guard buffer.readableBytes > 0 else { return nil }
        body = .init(buffer: buffer)
        return try await json(type, context: context)
    }

    /// Reads the body (at most the configured size: 413 past it) and decodes it as JSON,
    /// turning decoding failures into a problem that names the field.
    mutating func json<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await collectBody(upTo: context.maxUploadSize) } catch { throw Problem.payloadTooLarge }
        guard buffer.readableBytes > 0 else { throw Problem.malformedJSON("The request needs a JSON body.") }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw Problem.badParameter(path, "is required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Problem.badParameter(path.isEmpty ? "body" : path, "has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Problem.badParameter(path, "has an invalid value")
        } catch {
            // swift-foundation reports a number that does not fit its field (1.5 or 1e30 for
            // an integer) as if the JSON were broken, without a coding path. Valid JSON of the
            // wrong shape is a validation failure, not a malformed request.
            if (try? JSONSerialization.jsonObject(with: Data(buffer: buffer), options: [.fragmentsAllowed])) != nil {
                throw Problem.badParameter("body", "has a number that does not fit its field (a whole number is expected)")
            }
            throw Problem.malformedJSON("The request body is not valid JSON.")
        }
    }
}

extension JSONEncoder {
    /// The API's encoder: dates as ISO 8601, keys sorted.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension Encodable {
    /// A JSON response with the given status; dates as ISO 8601.
    func response(_ status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.api.encode(self)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
