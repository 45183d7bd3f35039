import CommunisStore
import Foundation

/// The searched words, cut as the index cuts text (`search_vector`: letters and digits form
/// words, everything else separates), and the `tsquery` text made of them.
///
/// Nothing typed ever reaches tsquery syntax: every word holds only letters and digits, is
/// quoted (a quote or backslash, which cannot occur, would be doubled all the same), and the
/// operators between them are written here. A term that is several words ("e-post",
/// "title:x") becomes a phrase (`'e' <-> 'post'`), as FTS5 reads a quoted term; the last word
/// of the last term gets `:*` when it is the word being typed.
struct SearchWords: Equatable {
    /// Each term's words, in the order typed; no term is empty.
    let terms: [[String]]
    let prefixLast: Bool

    init?(_ terms: [String], prefixLast: Bool) {
        let cut = terms.map(Self.words).filter { !$0.isEmpty }
        guard !cut.isEmpty else { return nil }
        self.terms = cut
        self.prefixLast = prefixLast
    }

    /// The argument of `to_tsquery('communis_search', …)`, which folds each quoted word.
    var tsquery: String {
        terms.enumerated().map { index, words in
            let phrase = words.map(Self.quoted).joined(separator: " <-> ")
            let last = index == terms.count - 1
            let quoted = last && prefixLast ? phrase + ":*" : phrase
            return words.count > 1 ? "(\(quoted))" : quoted
        }.joined(separator: " & ")
    }

    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The words of `text`: runs of letters (L*) and decimal digits (Nd), ICU's `[[:alnum:]]`,
    /// after composing (NFC) as `search_vector` does.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if isWordScalar(scalar) {
                word.append(scalar)
            } else if !word.isEmpty {
                words.append(String(word))
                word = String.UnicodeScalarView()
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        return words
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }
}

/// Words folded for comparison (lower case, diacritics removed: what `unaccent` and `simple`
/// do to the index's words), scalar by scalar, with Latin letters beyond ASCII (å, ä, ö, é …)
/// folded from a table made once; used to find the matches a snippet marks.
struct SearchFolding {
    /// U+0080…U+024F folded; nil for what is not a letter or digit.
    static let latin: [String?] = (0x80...0x24F).map { value in
        guard let scalar = Unicode.Scalar(value), SearchWords.isWordScalar(scalar) else { return nil }
        return fold(scalar)
    }

    static func fold(_ scalar: Unicode.Scalar) -> String {
        String(scalar).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    private var cache: [Unicode.Scalar: String] = [:]

    /// Folds one word (letters and digits only).
    mutating func fold(_ word: Substring) -> String {
        var folded = ""
        folded.reserveCapacity(word.utf8.count)
        for scalar in word.unicodeScalars {
            if scalar.isASCII {
                let v = scalar.value
                folded.unicodeScalars.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar)
            } else if scalar.value <= 0x24F, let known = Self.latin[Int(scalar.value) - 0x80] {
                folded += known
            } else if let known = cache[scalar] {
                folded += known
            } else {
                let known = Self.fold(scalar)
                cache[scalar] = known
                folded += known
            }
        }
        return folded
    }
}

/// A snippet as SQLite's FTS5 `snippet()` makes it: the stretch of at most `size` words of the
/// title or the body that holds the most searched terms (the title on a tie), matched words
/// between U+E000 and U+E001, and "…" where text was cut off. The text is the document's own,
/// read in the same statement that checked the reader may read it.
struct SearchSnippet {
    static let size = 14
    static let start = "\u{E000}"
    static let end = "\u{E001}"

    private var folding = SearchFolding()
    /// Each term's folded words; the last word of the last term is a prefix when `prefixLast`.
    private let terms: [[String]]
    private let prefixLast: Bool

    init(_ words: SearchWords) {
        var folding = SearchFolding()
        terms = words.terms.map { $0.map { folding.fold($0[...]) } }
        prefixLast = words.prefixLast
        self.folding = folding
    }

    private struct Fragment {
        var text: String
        var words: [Range<String.Index>]
        /// The term each word matches, nil for none.
        var matches: [Int?]
        var first = 0
        var score = -1
    }

    mutating func make(title: String, body: String) -> String {
        let head = fragment(title.precomposedStringWithCanonicalMapping)
        let text = fragment(body.precomposedStringWithCanonicalMapping)
        // FTS5 keeps the first column on a tie; a post's or a chapter's title is empty.
        return render(text.score > head.score || (head.score == 0 && title.isEmpty) ? text : head)
    }

    private mutating func fragment(_ text: String) -> Fragment {
        var words: [Range<String.Index>] = []
        var index = text.startIndex
        var wordStart: String.Index?
        for scalar in text.unicodeScalars {
            let next = text.unicodeScalars.index(after: index)
            if SearchWords.isWordScalar(scalar) {
                if wordStart == nil { wordStart = index }
            } else if let start = wordStart {
                words.append(start..<index)
                wordStart = nil
            }
            index = next
        }
        if let start = wordStart { words.append(start..<text.endIndex) }
        let folded = words.map { folding.fold(Substring(text.unicodeScalars[$0])) }
        var matches = [Int?](repeating: nil, count: words.count)
        for (t, term) in terms.enumerated() where term.count <= folded.count {
            let prefix = prefixLast && t == terms.count - 1
            for at in 0...(folded.count - term.count) {
                let fits = term.indices.allSatisfy { k in
                    prefix && k == term.count - 1 ? folded[at + k].hasPrefix(term[k]) : folded[at + k] == term[k]
                }
                if fits { for k in term.indices { matches[at + k] = t } }
            }
        }
        var fragment = Fragment(text: text, words: words, matches: matches)
        // The window with the most distinct terms, then the most matched words; the earliest.
        for first in 0..<max(words.count - Self.size + 1, 1) {
            let window = matches[first..<min(first + Self.size, words.count)].compactMap { $0 }
            let score = Set(window).count * 1000 + window.count
            if score > fragment.score {
                fragment.score = score
                fragment.first = first
            }
        }
        // Centre the matches in the window when there is room around them.
        let window = fragment.first..<min(fragment.first + Self.size, words.count)
        if let lo = window.first(where: { matches[$0] != nil }), let hi = window.last(where: { matches[$0] != nil }) {
            let slack = Self.size - (hi - lo + 1)
            fragment.first = max(0, min(lo - slack / 2, words.count - Self.size))
        }
        return fragment
    }

    private func render(_ fragment: Fragment) -> String {
        // By scalar: word bounds need not be Character bounds (a combining mark after a word).
        let text = fragment.text.unicodeScalars
        guard !fragment.words.isEmpty else { return fragment.text }
        let last = min(fragment.first + Self.size, fragment.words.count) - 1
        var result = fragment.first > 0 ? "…" : ""
        var cursor = fragment.first > 0 ? fragment.words[fragment.first].lowerBound : text.startIndex
        for index in fragment.first...last {
            let word = fragment.words[index]
            result += String(text[cursor..<word.lowerBound])
            let shown = String(text[word])
            result += fragment.matches[index] != nil ? Self.start + shown + Self.end : shown
            cursor = word.upperBound
        }
        result += last == fragment.words.count - 1 ? String(text[cursor...]) : "…"
        return result
    }
}
