import Foundation

/// What a person typed into a search box, reduced to plain words. Nothing typed ever reaches
/// FTS5 as syntax: quotes, parentheses, `*`, `:`, `^`, `-` and the like separate words, and
/// the operators `AND`, `OR`, `NOT`, `NEAR` are dropped. The store quotes each word.
public struct SearchText: Sendable, Equatable {
    /// More words than this are ignored: each one is another doclist to intersect.
    public static let maxTerms = 8
    /// A longer word is cut (no real word is this long; it bounds the work per term).
    public static let maxTermLength = 64
    /// A prefix of one letter matches too much to help; shorter last words match whole.
    public static let minPrefixLength = 2

    public var terms: [String]
    /// Whether the last word also matches longer words (the word being typed).
    public var prefixLast: Bool

    /// Splits `raw` into words the way the FTS5 `unicode61` tokenizer does (letters and
    /// digits form words; everything else separates them). Empty when nothing searchable
    /// is left.
    public init(_ raw: String) {
        var terms: [String] = []
        var current = ""
        for character in raw.precomposedStringWithCanonicalMapping {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                terms.append(current)
                current = ""
            }
        }
        if !current.isEmpty { terms.append(current) }
        terms = terms
            .filter { !["AND", "OR", "NOT", "NEAR"].contains($0) }
            .map { String($0.prefix(Self.maxTermLength)) }
        self.terms = Array(terms.prefix(Self.maxTerms))
        // A word cut off by the term limit, or followed by a space, is finished.
        let typingLastWord = terms.count <= Self.maxTerms && !(raw.last?.isWhitespace ?? true)
        self.prefixLast = typingLastWord && (self.terms.last?.count ?? 0) >= Self.minPrefixLength
    }

    public var isEmpty: Bool { terms.isEmpty }
}

/// A piece of a snippet: text, and whether it is a matched word. Clients render matches
/// (for example in `<mark>`) without ever treating the text as markup.
public struct SnippetSegment: Sendable, Equatable, Codable {
    public var text: String
    public var match: Bool

    public init(text: String, match: Bool) {
        self.text = text
        self.match = match
    }

    /// The private-use characters the store puts around matched words.
    public static let matchStart: Character = "\u{E000}"
    public static let matchEnd: Character = "\u{E001}"

    /// Splits a marked snippet into segments; adjacent pieces of the same kind are joined,
    /// empty ones dropped, and stray or unbalanced markers are ignored.
    public static func segments(of marked: String) -> [SnippetSegment] {
        var segments: [SnippetSegment] = []
        var current = ""
        var inMatch = false
        func flush() {
            guard !current.isEmpty else { return }
            if let last = segments.last, last.match == inMatch {
                segments[segments.count - 1].text += current
            } else {
                segments.append(SnippetSegment(text: current, match: inMatch))
            }
            current = ""
        }
        for character in marked {
            switch character {
            case matchStart: flush(); inMatch = true
            case matchEnd: flush(); inMatch = false
            default: current.append(character)
            }
        }
        flush()
        return segments
    }
}
