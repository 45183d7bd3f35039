import Foundation

/// The `If` header of WebDAV (RFC 4918 §10.4): lists of conditions on lock tokens and ETags,
/// each list optionally tagged with the resource it is about. The header holds when any one
/// list holds; a list holds when all its conditions do. A request whose `If` does not hold
/// fails with 412, and a locked resource is changed only by a request that submits its lock's
/// token in `If` (423 otherwise), however it authenticated.
struct DAVConditions: Equatable, Sendable {
    struct Condition: Equatable, Sendable {
        var not: Bool
        /// A state token (`opaquelocktoken:…`, `DAV:no-lock`, …), or nil for an ETag condition.
        var token: String?
        /// An entity tag as written, quotes included.
        var etag: String?
    }

    struct List: Equatable, Sendable {
        /// The path of the resource the list is about (percent-encoded, as sent); nil: the
        /// request's own resource.
        var resource: String?
        var conditions: [Condition]
    }

    /// What a resource is, as conditions see it: its lock's token (while the lock holds) and
    /// its ETag (quoted). A missing resource has neither.
    struct State: Equatable, Sendable {
        var lockToken: String?
        var etag: String?
        static let missing = State(lockToken: nil, etag: nil)
    }

    struct Malformed: Error {}

    var lists: [List]

    /// nil when there is no header. A header that cannot be parsed is `Malformed` (400).
    init?(_ value: String?) throws {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        lists = try Self.parse(value)
    }

    init(lists: [List]) { self.lists = lists }

    /// The lock tokens the header submits: every state token not under `Not`.
    var submittedTokens: [String] {
        lists.flatMap { $0.conditions.compactMap { $0.not ? nil : $0.token } }
    }

    /// Whether the header holds. `state` gives each resource's state: nil for the request's
    /// own resource, else the path of a tagged list.
    func holds(_ state: (String?) async -> State) async -> Bool {
        for list in lists {
            let current = await state(list.resource)
            let all = list.conditions.allSatisfy { condition in
                let matches: Bool
                if let token = condition.token {
                    matches = current.lockToken == token
                } else if let etag = condition.etag {
                    matches = current.etag.map { Self.sameETag($0, etag) } ?? false
                } else {
                    matches = false
                }
                return matches != condition.not
            }
            if all { return true }
        }
        return false
    }

    /// Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` and `"x"` are the same tag.
    static func sameETag(_ a: String, _ b: String) -> Bool {
        func opaque(_ tag: String) -> String {
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed
        }
        return opaque(a) == opaque(b)
    }

    private static func parse(_ value: String) throws -> [List] {
        var lists: [List] = []
        var tag: String?
        var index = value.startIndex
        func skipSpace() {
            while index < value.endIndex, value[index] == " " || value[index] == "\t" { index = value.index(after: index) }
        }
        /// `<…>` at `index`, returning what is inside.
        func angle() throws -> String {
            guard let end = value[index...].firstIndex(of: ">") else { throw Malformed() }
            let inside = String(value[value.index(after: index)..<end])
            index = value.index(after: end)
            return inside
        }
        while true {
            skipSpace()
            guard index < value.endIndex else { break }
            switch value[index] {
            case "<":
                let url = try angle()
                tag = DAVHeaders.destinationPath(url) ?? url
            case "(":
                index = value.index(after: index)
                var conditions: [Condition] = []
                while true {
                    skipSpace()
                    guard index < value.endIndex else { throw Malformed() }
                    if value[index] == ")" {
                        index = value.index(after: index)
                        break
                    }
                    var not = false
                    if value[index...].lowercased().hasPrefix("not") {
                        not = true
                        index = value.index(index, offsetBy: 3)
                        skipSpace()
                        guard index < value.endIndex else { throw Malformed() }
                    }
                    switch value[index] {
                    case "<":
                        conditions.append(Condition(not: not, token: try angle(), etag: nil))
                    case "[":
                        guard let end = value[index...].firstIndex(of: "]") else { throw Malformed() }
                        conditions.append(Condition(not: not, token: nil, etag: String(value[value.index(after: index)..<end])))
                        index = value.index(after: end)
                    default:
                        throw Malformed()
                    }
                }
                guard !conditions.isEmpty else { throw Malformed() }
                lists.append(List(resource: tag, conditions: conditions))
            default:
                throw Malformed()
            }
        }
        guard !lists.isEmpty else { throw Malformed() }
        return lists
    }
}
