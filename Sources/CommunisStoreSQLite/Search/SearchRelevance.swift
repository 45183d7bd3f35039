import CommunisStore
import Foundation
import GRDB

/// Okapi BM25 over a ranking window, computed here instead of by FTS5's `bm25()`.
///
/// Why: FTS5's `bm25()` first counts, for every phrase of the expression, the documents of
/// the whole table that contain it (its IDF), by walking the phrase's entire doclist. For
/// "och" on a million documents that alone is ~20 ms per query, and the permission words
/// (v9 scope: "open" is in 100,000 documents) would add more, whatever the window; and
/// `highlight()` (to count matches here) costs ~65 µs a row. Here the window's titles and
/// bodies are tokenized as the index does (letters and digits; case and diacritics folded),
/// the query's terms counted in them, and each word's IDF is estimated from the stretch of
/// documents the window spans
/// ([lo, hi]: one range-limited count per word, only when there is more than one word — a
/// single word's IDF is the same for every row and cannot change the order).
///
/// The formula is FTS5's (k1 = 1.2, b = 0.75, IDF floored at 1e-6, title weighted 10:1,
/// lower is better), so results rank as before up to that estimate.
struct Relevance {
    static let k1 = 1.2
    static let b = 0.75

    /// Folded query terms and whether each matches as a prefix.
    let terms: [(text: String, prefix: Bool)]
    /// Each term's IDF (all 1 for a single term).
    let idf: [Double]

    init(_ db: Database, query: SearchQuery, lo: Int64, hi: Int64) throws {
        let words = query.terms.filter { !$0.isEmpty }
        let terms = words.enumerated().map { (text: Self.fold($0.element), prefix: query.prefixLast && $0.offset == words.count - 1) }
        self.terms = terms
        guard words.count > 1 else {
            idf = [1.0]
            return
        }
        let span = Double(max(hi - lo + 1, 1))
        idf = try words.enumerated().map { index, word in
            let phrase = SQLiteStore.quoted(word) + (terms[index].prefix ? "*" : "")
            let n = Double(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM search_index WHERE search_index MATCH ? AND search_index.rowid BETWEEN ? AND ?
                """, arguments: [SQLiteStore.inText(phrase), lo, hi]) ?? 0)
            return max(log((span - n + 0.5) / (n + 0.5)), 1e-6)
        }
    }

    /// bm25 scores of the window's rows (lower is better), in the window's order.
    func scores(_ window: [(rowid: Int64, title: String, body: String)]) -> [(rowid: Int64, score: Double)] {
        var folding = Folding()
        let wanted = terms.map { (bytes: Array($0.text.utf8), prefix: $0.prefix) }
        let counted = window.map { row -> (rowid: Int64, frequencies: [Double], length: Double) in
            var frequencies = [Double](repeating: 0, count: max(terms.count, 1))
            var length = 0
            for (text, weight) in [(row.title, SQLiteStore.titleWeight), (row.body, 1.0)] {
                folding.tokens(text) { token in
                    length += 1
                    for index in wanted.indices {
                        let term = wanted[index]
                        let fits = term.prefix
                            ? token.count >= term.bytes.count && token.prefix(term.bytes.count).elementsEqual(term.bytes)
                            : token.elementsEqual(term.bytes)
                        if fits { frequencies[index] += weight }
                    }
                }
            }
            return (row.rowid, frequencies, Double(length))
        }
        let average = max(counted.reduce(0) { $0 + $1.length } / Double(max(counted.count, 1)), 1)
        return counted.map { row in
            var score = 0.0
            for (index, frequency) in row.frequencies.enumerated() {
                let idf = index < idf.count ? idf[index] : 1
                score += idf * (frequency * (Self.k1 + 1)) / (frequency + Self.k1 * (1 - Self.b + Self.b * row.length / average))
            }
            return (row.rowid, -score)
        }
    }

    static func fold(_ text: String) -> String {
        var folding = Folding()
        var folded: [UInt8] = []
        folding.tokens(text) { folded += $0 }
        return String(decoding: folded, as: UTF8.self)
    }
}

/// Splits text into words as FTS5's `unicode61 remove_diacritics 2` does (letters and digits
/// form words), folded to lower case without diacritics, as UTF-8 bytes; by Unicode scalar,
/// with Latin letters beyond ASCII (å, ä, ö, é …) folded from a table made once.
struct Folding {
    /// U+0080…U+024F: the folded UTF-8 of a letter or digit, nil for a separator.
    static let latin: [[UInt8]?] = (0x80...0x24F).map { value in
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return letterOrDigit(scalar) ? Array(fold(scalar).utf8) : nil
    }
    var cache: [Unicode.Scalar: [UInt8]?] = [:]

    static func letterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func fold(_ scalar: Unicode.Scalar) -> String {
        String(scalar).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    mutating func tokens(_ text: String, _ body: (ArraySlice<UInt8>) -> Void) {
        var token: [UInt8] = []
        token.reserveCapacity(32)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A) {
                    token.append(UInt8(v))
                    continue
                }
                if v >= 0x41 && v <= 0x5A {
                    token.append(UInt8(v + 0x20))
                    continue
                }
            } else {
                let folded: [UInt8]?
                if v <= 0x24F {
                    folded = Self.latin[Int(v) - 0x80]
                } else if let known = cache[scalar] {
                    folded = known
                } else {
                    folded = Self.letterOrDigit(scalar) ? Array(Self.fold(scalar).utf8) : nil
                    cache[scalar] = folded
                }
                if let folded {
                    token += folded
                    continue
                }
            }
            if !token.isEmpty {
                body(token[...])
                token.removeAll(keepingCapacity: true)
            }
        }
        if !token.isEmpty { body(token[...]) }
    }
}
