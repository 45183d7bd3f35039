import Foundation

/// A file in the content-addressed store: named by the SHA-256 of its bytes (lowercase hex),
/// so identical content is stored once however many documents and versions use it.
public struct Blob: Sendable, Equatable, Hashable {
    public var sha256: String
    public var size: Int64

    public init(sha256: String, size: Int64) {
        self.sha256 = sha256
        self.size = size
    }

    /// Whether `text` is a SHA-256 as the store names files (64 lowercase hex digits).
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
