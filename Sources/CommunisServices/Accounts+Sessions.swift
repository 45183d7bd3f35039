import CommunisModel
import CommunisStore
import Foundation

/// Seeing and ending login sessions: one's own ("log out everywhere"), and, for
/// administrators, anyone's sessions and API tokens.
extension Accounts {
    public func sessions(viewer: Viewer) async throws -> [SessionRecord] {
        try await store.sessions(of: viewer.id).filter { $0.expiresAt > clock.now() }
    }

    /// Ends one of the viewer's own sessions.
    public func endSession(viewer: Viewer, id: SessionID) async throws {
        guard let hash = try await store.deleteSession(id: id, of: viewer.id) else { throw DomainError.notFound("Session") }
        try await audit.record(.sessionEnded, by: viewer, target: viewer.auditRef, details: ["session": id.description])
        await publisher.sessionEnded(tokenHash: hash)
    }

    /// Ends every session of the viewer, the current one included.
    public func endAllSessions(viewer: Viewer) async throws {
        try await store.deleteSessions(of: viewer.id)
        try await audit.record(.sessionEnded, by: viewer, target: viewer.auditRef, details: ["session": "all"])
        await publisher.sessionsEnded(person: viewer.id)
    }

    // MARK: Administrators

    public func sessions(admin viewer: Viewer, of person: PersonID) async throws -> (sessions: [SessionRecord], tokens: [ApiTokenRecord]) {
        let target = try await requirePerson(admin: viewer, person)
        return (try await store.sessions(of: target.id).filter { $0.expiresAt > clock.now() }, try await store.apiTokens(of: target.id))
    }

    public func endSession(admin viewer: Viewer, of person: PersonID, id: SessionID) async throws {
        let target = try await requirePerson(admin: viewer, person)
        guard let hash = try await store.deleteSession(id: id, of: target.id) else { throw DomainError.notFound("Session") }
        try await audit.record(.sessionEnded, by: viewer, target: .person(target), details: ["session": id.description])
        await publisher.sessionEnded(tokenHash: hash)
    }

    public func endAllSessions(admin viewer: Viewer, of person: PersonID) async throws {
        let target = try await requirePerson(admin: viewer, person)
        try await store.deleteSessions(of: target.id)
        try await audit.record(.sessionEnded, by: viewer, target: .person(target), details: ["session": "all"])
        await publisher.sessionsEnded(person: target.id)
    }

    public func deleteToken(admin viewer: Viewer, of person: PersonID, id: ApiTokenID) async throws {
        let target = try await requirePerson(admin: viewer, person)
        guard try await store.deleteApiToken(id: id, of: target.id) else { throw DomainError.notFound("Token") }
        try await audit.record(.tokenDeleted, by: viewer, target: .person(target), details: ["token": id.description])
    }

    private func requirePerson(admin viewer: Viewer, _ id: PersonID) async throws -> Person {
        guard viewer.role == .admin else { throw DomainError.forbidden("Only administrators manage other people's sessions.") }
        guard let person = try await store.person(id: id) else { throw DomainError.notFound("Person") }
        return person
    }
}
