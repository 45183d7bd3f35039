import Foundation

/// Which slice of a list to return. Limits are clamped, never trusted.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maxLimit = 100

    public let limit: Int
    public let offset: Int

    public init(limit: Int? = nil, offset: Int? = nil) {
        self.limit = min(max(limit ?? Self.defaultLimit, 1), Self.maxLimit)
        self.offset = max(offset ?? 0, 0)
    }
}

/// One slice of a list plus the total number of items the reader may see.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var limit: Int
    public var offset: Int

    public init(items: [Item], total: Int, request: PageRequest) {
        self.init(items: items, total: total, limit: request.limit, offset: request.offset)
    }

    public init(items: [Item], total: Int, limit: Int, offset: Int) {
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
    }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), total: total, limit: limit, offset: offset)
    }
}

extension Page: Encodable where Item: Encodable {}
