import CommunisModel
import CommunisServices
import Foundation
import Hummingbird
import Synchronization

extension DAVHandler {
    /// Evaluates the request's `If` header against `target` (tagged lists against the
    /// resources they name): 412 when it does not hold, 400 when it cannot be read. Returns
    /// the lock tokens it submits (none without the header).
    func conditions(_ request: Request, path: DAVPath, target: Target, viewer: Viewer) async throws -> [String] {
        let parsed: DAVConditions?
        do {
            parsed = try DAVConditions(request.headers[DAVResponse.ifHeader])
        } catch {
            throw DAVResponse.Failure(status: .badRequest, message: "The If header cannot be read (RFC 4918 §10.4).")
        }
        guard let parsed else { return [] }
        let holds = await parsed.holds { resource -> DAVConditions.State in
            guard let resource, let other = DAVPath(requestPath: resource), other != path else { return Self.state(of: target) }
            guard let resolved = try? await resolve(other, viewer: viewer) else { return .missing }
            return Self.state(of: resolved)
        }
        guard holds else {
            throw DAVResponse.Failure(status: .preconditionFailed, message: "The conditions of the If header do not hold.")
        }
        return parsed.submittedTokens
    }

    /// A resource's lock token (while its lock holds) and ETag; folders have neither.
    static func state(of target: Target) -> DAVConditions.State {
        guard case .document(let document) = target else { return .missing }
        let token = document.lock.flatMap { $0.holds(at: Date()) ? $0.token : nil }
        return DAVConditions.State(lockToken: token, etag: "\"\(document.current.sha256)\"")
    }

    /// A locked document is changed only by a request that submits its lock's token (RFC 4918
    /// §7): 423 otherwise, whoever asks, its holder too (a desktop program sends the token of
    /// the lock it took; the web client checks out and in without WebDAV).
    func requireToken(_ document: Document, submitted: [String], path: DAVPath) throws {
        guard let lock = document.lock, lock.holds(at: Date()), !submitted.contains(lock.token) else { return }
        throw DAVResponse.Failure(status: DAVResponse.locked, message: "The document is checked out (locked); send the lock's token to change it.",
                                  condition: "lock-token-submitted", hrefs: [path.href(collection: false)])
    }

    /// The submitted token that is the document's lock's, for the service.
    static func token(of document: Document, in submitted: [String]) -> String? {
        guard let held = document.lock?.token, submitted.contains(held) else { return nil }
        return held
    }
}

/// The owners WebDAV clients give their locks (`<D:owner>`), shown back in the lock's
/// discovery. Kept in memory only: the lock itself is the store's; after a restart (or on
/// another node) the holder's name stands in, which clients show just as well.
final class DAVLockOwners: Sendable {
    private let owners = Mutex<[String: String]>([:])
    /// Locks last at most a day; a server sees few thousand a day at most.
    static let capacity = 10_000

    func set(_ owner: String, for token: String) {
        owners.withLock { owners in
            if owners.count >= Self.capacity { owners.removeAll() }
            owners[token] = String(owner.prefix(500))
        }
    }

    func owner(of token: String) -> String? { owners.withLock { $0[token] } }
}
