import CommunisModel
import Foundation

/// The authenticated person a request or connection acts for.
public struct Viewer: Sendable, Equatable {
    public var person: Person
    /// The client address the request came from (after trusted proxies), for the audit log.
    public var address: String

    public init(person: Person, address: String = "") {
        self.person = person
        self.address = address
    }

    public var id: PersonID { person.id }
    public var role: Role { person.role }
    /// The viewer as the audit log names them.
    public var auditRef: AuditRef { .person(person) }
}

/// Where "now" comes from; tests move it.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }
}
