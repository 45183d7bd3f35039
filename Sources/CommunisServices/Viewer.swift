import CommunisModel
import Foundation

/// The authenticated person a request or connection acts for.
public struct Viewer: Sendable, Equatable {
    public var person: Person

    public init(person: Person) { self.person = person }

    public var id: PersonID { person.id }
    public var role: Role { person.role }
}

/// Where "now" comes from; tests move it.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }
}
