import Foundation

/// One configuration key: its name in `config/communis.yaml` (dotted path), its type,
/// default and allowed range. The table in `Configuration.keys` is the single list of keys:
/// the file, the environment (`COMMUNIS_SERVER_PORT` for `server.port`) and the command line
/// are all read through it, and a test checks that `config/communis.yaml` agrees with it.
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        case integer(ClosedRange<Int>)
        case boolean
        case stringList
        case choice([String])
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: ConfigurationValue
    public let help: String

    /// `server.port` → `COMMUNIS_SERVER_PORT`.
    public var environmentName: String {
        "COMMUNIS_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

public enum ConfigurationValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case stringList([String])

    public var description: String {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .boolean(let value): String(value)
        case .stringList(let values): values.joined(separator: ",")
        }
    }
}

/// A configuration that cannot be used; the message names the key and what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ConfigurationKey {
    /// Converts a value read from YAML (already typed) or from text (environment, flags).
    func parse(_ raw: Any, source: String) throws -> ConfigurationValue {
        func fail(_ expected: String) -> ConfigurationError {
            ConfigurationError("\(source): \(name) must be \(expected), got \"\(raw)\"")
        }
        switch kind {
        case .string:
            if let value = raw as? String { return .string(value) }
            throw fail("text")
        case .choice(let choices):
            if let value = raw as? String, choices.contains(value) { return .string(value) }
            throw fail("one of \(choices.joined(separator: ", "))")
        case .integer(let range):
            let number: Int? = (raw as? Int) ?? (raw as? String).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let number else { throw fail("a whole number") }
            guard range.contains(number) else { throw fail("between \(range.lowerBound) and \(range.upperBound)") }
            return .integer(number)
        case .boolean:
            if let value = raw as? Bool { return .boolean(value) }
            switch (raw as? String)?.lowercased() {
            case "true", "yes", "1", "on": return .boolean(true)
            case "false", "no", "0", "off": return .boolean(false)
            default: throw fail("true or false")
            }
        case .stringList:
            if let list = raw as? [Any] {
                return .stringList(try list.map { item in
                    guard let text = item as? String else { throw fail("a list of texts") }
                    return text
                })
            }
            if let text = raw as? String {
                return .stringList(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            throw fail("a list of texts")
        }
    }
}
