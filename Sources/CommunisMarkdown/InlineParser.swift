// Inline syntax: escapes, code spans, emphasis, links, images, mentions and bare URLs.
// The twin of the "inline parsing" section of web/lib/markdown.js. The result is a flat
// token list in which emphasis tags are attached to delimiter runs and links are open/end
// pairs; the nesting is always proper, so rendering is a single non-recursive walk.

struct Token {
    enum Kind { case text, code, lineBreak, delimiter, autolink, image, mention, link, end }
    var kind: Kind
    /// Text, code, autolink URL, mention id, or the "@" printed before a link.
    var text = ""
    var char: Unicode.Scalar = "*"
    var count = 0
    var opens: [String] = []
    var closes: [String] = []
    var href: String?
    var external = false
}

private struct Delimiter {
    var token: Int
    var char: Unicode.Scalar
    var length: Int
    var canOpen: Bool
    var canClose: Bool
    var prev: Int
    var next = -1
}

private struct Bracket {
    var token: Int
    /// "[" link, "!" image, "@" mention.
    var kind: Unicode.Scalar
    /// Delimiters with a greater index were pushed after this bracket.
    var bottom: Int
}

struct InlineParser {
    private let c: Scalars
    private var tokens: [Token] = []
    private var delims: [Delimiter] = []
    private var tail = -1
    private var brackets: [Bracket] = []
    private var linksDisabledBelow = 0
    private var ticks: [Int: [Int]] = [:]
    private var buffer = String.UnicodeScalarView()

    static func parse(_ text: Scalars) -> [Token] {
        var parser = InlineParser(c: text)
        parser.run()
        return parser.tokens
    }

    private init(c: Scalars) { self.c = c }

    private func at(_ i: Int) -> Unicode.Scalar? { i >= 0 && i < c.count ? c[i] : nil }

    private mutating func flush() {
        if !buffer.isEmpty {
            tokens.append(Token(kind: .text, text: String(buffer)))
            buffer = String.UnicodeScalarView()
        }
    }

    private mutating func unlink(_ d: Int) {
        let prev = delims[d].prev
        let next = delims[d].next
        if prev != -1 { delims[prev].next = next }
        if next != -1 { delims[next].prev = prev }
        if tail == d { tail = prev }
    }

    /// CommonMark's "process emphasis" on the delimiters above `bottom` (by index, which grows
    /// with position). openersBottom makes failed searches resume where they stopped: linear.
    private mutating func processEmphasis(_ bottom: Int) {
        var openersBottom = [Int](repeating: bottom, count: 18)
        var cur = tail
        while cur != -1 && delims[cur].prev > bottom { cur = delims[cur].prev }
        if cur != -1 && cur <= bottom { cur = -1 }
        while cur != -1 {
            let d = delims[cur]
            if !d.canClose {
                cur = d.next
                continue
            }
            let kind = d.char == "*" ? 0 : d.char == "_" ? 1 : 2
            let key = kind * 6 + (d.length % 3) * 2 + (d.canOpen ? 1 : 0)
            let limit = max(bottom, openersBottom[key])
            var o = d.prev
            while o > limit {
                let od = delims[o]
                if od.char == d.char && od.canOpen {
                    let odd = d.char != "~" && (od.canClose || d.canOpen) && (od.length + d.length) % 3 == 0
                        && !(od.length % 3 == 0 && d.length % 3 == 0)
                    if !odd { break }
                }
                o = od.prev
            }
            if o > limit {
                let opener = delims[o].token
                let closer = d.token
                let use = d.char == "~" ? 2 : (tokens[opener].count >= 2 && tokens[closer].count >= 2 ? 2 : 1)
                let tag = d.char == "~" ? "del" : use == 2 ? "strong" : "em"
                tokens[opener].count -= use
                tokens[closer].count -= use
                tokens[opener].opens.insert(tag, at: 0)
                tokens[closer].closes.append(tag)
                var between = delims[o].next
                while between != cur {
                    let next = delims[between].next
                    unlink(between)
                    between = next
                }
                if tokens[opener].count == 0 { unlink(o) }
                if tokens[closer].count == 0 {
                    let next = delims[cur].next
                    unlink(cur)
                    cur = next
                }
            } else {
                openersBottom[key] = d.prev
                let next = d.next
                if !d.canOpen { unlink(cur) }
                cur = next
            }
        }
        while tail > bottom { unlink(tail) }
    }

    private mutating func run() {
        ticks = Self.backtickRuns(c)
        let n = c.count
        var i = 0
        while i < n {
            let ch = c[i]
            if ch == "\\" {
                let next = at(i + 1)
                if next == "\n" {
                    flush()
                    tokens.append(Token(kind: .lineBreak))
                    i += 2
                } else if let next, Chars.isPunct(next) {
                    buffer.append(next)
                    i += 2
                } else {
                    buffer.append(ch)
                    i += 1
                }
                continue
            }
            if ch == "\n" {
                flush()
                tokens.append(Token(kind: .lineBreak))
                i += 1
                continue
            }
            if ch == "`" {
                var e = i
                while e < n && c[e] == "`" { e += 1 }
                let len = e - i
                let close = Self.findCloser(ticks, len, from: e)
                if close < 0 {
                    for _ in 0..<len { buffer.append("`") }
                    i = e
                    continue
                }
                var code = c[e..<close].map { $0 == "\n" ? " " : $0 }
                if code.count >= 2 && code.first == " " && code.last == " " && code.contains(where: { $0 != " " }) {
                    code = Array(code[1..<(code.count - 1)])
                }
                flush()
                tokens.append(Token(kind: .code, text: Chars.string(code)))
                i = close + len
                continue
            }
            if ch == "*" || ch == "_" || ch == "~" {
                i = delimiterRun(ch, from: i)
                continue
            }
            if ch == "[" || ((ch == "!" || ch == "@") && at(i + 1) == "[") {
                let width = ch == "[" ? 1 : 2
                flush()
                tokens.append(Token(kind: .text, text: width == 1 ? "[" : String(Character(ch)) + "["))
                brackets.append(Bracket(token: tokens.count - 1, kind: ch, bottom: delims.count - 1))
                i += width
                continue
            }
            if ch == "]" {
                i = closeBracket(at: i)
                continue
            }
            if (ch == "h" || ch == "H") && !Chars.isAlnum(at(i - 1)) {
                let end = Self.autolinkEnd(c, i)
                if end > 0 {
                    flush()
                    tokens.append(Token(kind: .autolink, text: Chars.string(c[i..<end])))
                    i = end
                    continue
                }
            }
            buffer.append(ch)
            i += 1
        }
        flush()
        processEmphasis(-1)
    }

    private mutating func delimiterRun(_ ch: Unicode.Scalar, from i: Int) -> Int {
        var e = i
        while e < c.count && c[e] == ch { e += 1 }
        let len = e - i
        let before = at(i - 1)
        let after = at(e)
        let left = !Chars.isSpace(after) && (!Chars.isPunct(after) || Chars.isSpace(before) || Chars.isPunct(before))
        let right = !Chars.isSpace(before) && (!Chars.isPunct(before) || Chars.isSpace(after) || Chars.isPunct(after))
        var canOpen = left
        var canClose = right
        if ch == "_" {
            canOpen = left && (!right || Chars.isPunct(before))
            canClose = right && (!left || Chars.isPunct(after))
        }
        if ch == "~" && len != 2 {
            canOpen = false
            canClose = false
        }
        if !canOpen && !canClose {
            for _ in 0..<len { buffer.append(ch) }
            return e
        }
        flush()
        tokens.append(Token(kind: .delimiter, char: ch, count: len))
        delims.append(Delimiter(token: tokens.count - 1, char: ch, length: len, canOpen: canOpen, canClose: canClose, prev: tail))
        if tail != -1 { delims[tail].next = delims.count - 1 }
        tail = delims.count - 1
        return e
    }

    private mutating func closeBracket(at i: Int) -> Int {
        guard let b = brackets.popLast() else {
            buffer.append("]")
            return i + 1
        }
        let active = b.kind == "!" || brackets.count >= linksDisabledBelow
        if linksDisabledBelow > brackets.count { linksDisabledBelow = brackets.count }
        guard active, at(i + 1) == "(", let dest = Self.parseDestination(c, i + 1) else {
            buffer.append("]")
            return i + 1
        }
        flush()
        if b.kind == "@", let id = Chars.personID(dest.url) {
            tokens[b.token] = Token(kind: .mention, text: id)
        } else if b.kind == "!" {
            tokens[b.token] = Token(kind: .image)
        } else {
            let url = Chars.cleanURL(dest.url)
            let kind = url.flatMap { Chars.classify($0) }
            tokens[b.token] = Token(kind: .link, text: b.kind == "@" ? "@" : "",
                                    href: kind == nil ? nil : url, external: kind == .external)
        }
        tokens.append(Token(kind: .end))
        processEmphasis(b.bottom)
        if b.kind != "!" { linksDisabledBelow = brackets.count }
        return dest.end
    }

    // MARK: Scanning helpers

    /// Backtick runs by length: length → ascending start positions.
    static func backtickRuns(_ c: Scalars) -> [Int: [Int]] {
        var runs: [Int: [Int]] = [:]
        var i = 0
        while i < c.count {
            if c[i] != "`" {
                i += 1
                continue
            }
            var e = i
            while e < c.count && c[e] == "`" { e += 1 }
            runs[e - i, default: []].append(i)
            i = e
        }
        return runs
    }

    /// First run of exactly `len` backticks starting at or after `from`, or -1.
    static func findCloser(_ runs: [Int: [Int]], _ len: Int, from: Int) -> Int {
        guard let starts = runs[len] else { return -1 }
        var lo = 0
        var hi = starts.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if starts[mid] < from { lo = mid + 1 } else { hi = mid }
        }
        return lo < starts.count ? starts[lo] : -1
    }

    /// `(url)` after `]`, with c[p] == "(". Scans stop at any unescaped `[` or `]`, which
    /// keeps the total work linear.
    static func parseDestination(_ c: Scalars, _ p: Int) -> (url: String, end: Int)? {
        let n = c.count
        var q = p + 1
        while q < n && Chars.isBlank(c[q]) { q += 1 }
        var url = String.UnicodeScalarView()
        var depth = 0
        while q < n {
            let ch = c[q]
            if ch == "\\" && q + 1 < n && Chars.isPunct(c[q + 1]) {
                url.append(c[q + 1])
                q += 2
                continue
            }
            if ch == "[" || ch == "]" || ch == "<" || ch == ">" { return nil }
            if ch == "(" {
                depth += 1
                if depth > 32 { return nil }
            } else if ch == ")" {
                if depth == 0 { break }
                depth -= 1
            } else if Chars.isControlOrSpace(ch) {
                break
            }
            url.append(ch)
            q += 1
        }
        while q < n && Chars.isBlank(c[q]) { q += 1 }
        if q < n && c[q] == ")" && depth == 0 { return (String(url), q + 1) }
        return nil
    }

    static func isURLStop(_ ch: Unicode.Scalar) -> Bool {
        Chars.isControlOrSpace(ch) || Chars.isSpace(ch) || "<>[]`\\".unicodeScalars.contains(ch)
    }

    static func matches(_ c: Scalars, _ i: Int, _ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        if i + w.count > c.count { return false }
        for k in 0..<w.count where Chars.lower(c[i + k]) != w[k] { return false }
        return true
    }

    /// End of a bare http(s):// link starting at i, or -1. Trailing punctuation is left out.
    static func autolinkEnd(_ c: Scalars, _ i: Int) -> Int {
        let p: Int
        if matches(c, i, "https://") {
            p = i + 8
        } else if matches(c, i, "http://") {
            p = i + 7
        } else {
            return -1
        }
        var e = p
        var opens = 0
        var closes = 0
        while e < c.count && !isURLStop(c[e]) {
            if c[e] == "(" { opens += 1 } else if c[e] == ")" { closes += 1 }
            e += 1
        }
        while e > p {
            let last = c[e - 1]
            if ".,:;!?'\"*_~".unicodeScalars.contains(last) {
                e -= 1
                continue
            }
            if last == ")" && closes > opens {
                closes -= 1
                e -= 1
                continue
            }
            break
        }
        return e > p ? e : -1
    }
}
