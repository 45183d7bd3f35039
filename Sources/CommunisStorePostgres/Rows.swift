import CommunisModel
import CommunisStore
import Foundation
import PostgresNIO

/// Small helpers over postgres-nio's rows, so the area files read like the queries they run.
extension PostgresRowSequence {
    /// Every row, made random-access (read by column name).
    func all() async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in self { rows.append(row.makeRandomAccess()) }
        return rows
    }

    /// Runs the statement to its end (a write, or a read whose rows nobody needs).
    func run() async throws {
        for try await _ in self {}
    }

    func first() async throws -> PostgresRandomAccessRow? {
        for try await row in self { return row.makeRandomAccess() }
        return nil
    }
}

extension PostgresRandomAccessRow {
    /// The column's value; a value the type cannot hold is corrupt data, named in the error.
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        do { return try self[column].decode(T.self) } catch {
            throw PostgresStoreError.corrupt("\(column): \(error)")
        }
    }

    func id<Tag>(_ column: String, as: ID<Tag>.Type = ID<Tag>.self) throws -> ID<Tag> {
        ID<Tag>(try get(column, as: UUID.self))
    }

    func optionalID<Tag>(_ column: String, as: ID<Tag>.Type = ID<Tag>.self) throws -> ID<Tag>? {
        try get(column, as: UUID?.self).map(ID<Tag>.init)
    }

    /// A text column holding a Swift enum's raw value.
    func `enum`<E: RawRepresentable>(_ column: String, as: E.Type = E.self) throws -> E where E.RawValue == String {
        let text = try get(column, as: String.self)
        guard let value = E(rawValue: text) else { throw PostgresStoreError.corrupt("\(column): \(text)") }
        return value
    }
}

extension PSQLError {
    /// The SQLSTATE of a server error, e.g. 23505 unique_violation.
    var sqlState: String? { serverInfo?[.sqlState] }
    var isUniqueViolation: Bool { sqlState == "23505" }
    var isForeignKeyViolation: Bool { sqlState == "23503" }
    var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// The constraint a violation names.
    var constraint: String? { serverInfo?[.constraintName] }
}

/// Keys stored next to the text people typed, so that SQL compares exact strings (the same
/// folding as the SQLite engine: lower case, composed).
enum Key {
    static func of(_ text: String) -> String { text.precomposedStringWithCanonicalMapping.lowercased() }

    static func query(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return of(trimmed)
    }

    /// A LIKE pattern matching `needle` anywhere, with `\` as the escape character.
    static func containsPattern(_ needle: String) -> String {
        var escaped = ""
        for character in needle {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}

/// A query put together from pieces (optional filters, a chosen ORDER BY): the text and its
/// bound values grow together, so `$n` always matches; the values are bound, never spliced.
///
///     var sql: SQL = "SELECT … FROM people WHERE NOT disabled"
///     if let text { sql += " AND search_text LIKE \(pattern)" }
///     try await connection.query(sql.query, logger: logger)
struct SQL: ExpressibleByStringInterpolation, Sendable {
    enum Value: Sendable {
        case bound(any PostgresDynamicTypeEncodable & Sendable)
        case null
    }

    private(set) var text: String
    private(set) var values: [Value]

    init(stringLiteral value: String) {
        text = value
        values = []
    }

    init(stringInterpolation: Interpolation) {
        text = stringInterpolation.text
        values = stringInterpolation.values
    }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""
        var values: [Value] = []

        init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func appendLiteral(_ literal: String) { text += literal }

        mutating func appendInterpolation<T: PostgresDynamicTypeEncodable & Sendable>(_ value: T) {
            values.append(.bound(value))
            text += "$\(values.count)"
        }

        mutating func appendInterpolation<T: PostgresDynamicTypeEncodable & Sendable>(_ value: T?) {
            values.append(value.map { .bound($0) } ?? .null)
            text += "$\(values.count)"
        }

        /// Text spliced as it is: only for SQL written in this target, never for values.
        mutating func appendInterpolation(raw: String) { text += raw }

        /// Another piece, its placeholders renumbered.
        mutating func appendInterpolation(_ piece: SQL) {
            text += piece.text.replacingBinds(offset: values.count)
            values += piece.values
        }
    }

    static func += (lhs: inout SQL, rhs: SQL) {
        lhs.text += rhs.text.replacingBinds(offset: lhs.values.count)
        lhs.values += rhs.values
    }

    /// The query postgres-nio runs.
    var query: PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .bound(let value): binds.append(value)
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}

extension String {
    /// `$1`, `$2` … shifted by `offset` (to append one query's text to another's).
    func replacingBinds(offset: Int) -> String {
        guard offset > 0 else { return self }
        var result = ""
        var index = startIndex
        while index < endIndex {
            let character = self[index]
            if character == "$" {
                var end = self.index(after: index)
                while end < endIndex, self[end].isASCII, self[end].isNumber { end = self.index(after: end) }
                if let number = Int(self[self.index(after: index)..<end]) {
                    result += "$\(number + offset)"
                    index = end
                    continue
                }
            }
            result.append(character)
            index = self.index(after: index)
        }
        return result
    }
}
