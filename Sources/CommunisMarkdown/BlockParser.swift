// Block structure: paragraphs, headings, rules, fenced code, quotes and lists.
// A line-based parser; the twin of the "blocks" section of web/lib/markdown.js.

enum Block {
    case paragraph(Scalars)
    /// Level 1...3 (rendered as <h3>...<h5>).
    case heading(level: Int, text: Scalars)
    case rule
    case code(Scalars)
    case quote([Block])
    case list(ordered: Bool, start: Int, items: [[Block]])

    var isParagraph: Bool {
        if case .paragraph = self { return true }
        return false
    }
}

struct ListMarker {
    var ordered: Bool
    var start: Int
    /// Indentation that continuation lines of the item need.
    var width: Int
    var content: Scalars
}

enum BlockParser {
    static func parseDocument(_ source: String) -> [Block] {
        var scalars = Scalars()
        scalars.reserveCapacity(source.unicodeScalars.count)
        var afterCR = false
        for c in source.unicodeScalars {
            if c == "\r" {
                scalars.append("\n")
                afterCR = true
                continue
            }
            if c == "\n" && afterCR {
                afterCR = false
                continue
            }
            afterCR = false
            // NUL and other controls (except tab and newline) become U+FFFD.
            let control = (c.value < 0x20 && c != "\t" && c != "\n") || c.value == 0x7F
            scalars.append(control ? "\u{FFFD}" : c)
        }
        let lines = scalars.split(separator: "\n", omittingEmptySubsequences: false).map { Scalars($0) }
        return parseBlocks(lines, depth: 0)
    }

    // MARK: Line tests

    static func indent(_ line: Scalars) -> Int {
        var i = 0
        while i < line.count && Chars.isBlank(line[i]) { i += 1 }
        return i
    }

    static func isBlank(_ line: Scalars) -> Bool { indent(line) == line.count }

    static func isBlank(_ line: ArraySlice<Unicode.Scalar>) -> Bool { line.allSatisfy { Chars.isBlank($0) } }

    static func trimBlank(_ s: ArraySlice<Unicode.Scalar>) -> Scalars {
        var a = s.startIndex
        var b = s.endIndex
        while a < b && Chars.isBlank(s[a]) { a += 1 }
        while b > a && Chars.isBlank(s[b - 1]) { b -= 1 }
        return Scalars(s[a..<b])
    }

    static func rest(_ line: Scalars) -> Scalars { Scalars(line[indent(line)...]) }

    /// Number of backticks opening a fence (0 if the line does not open one).
    static func fenceLength(_ rest: Scalars) -> Int {
        var n = 0
        while n < rest.count && rest[n] == "`" { n += 1 }
        if n < 3 || rest[n...].contains("`") { return 0 }
        return n
    }

    static func isClosingFence(_ line: Scalars, _ length: Int) -> Bool {
        let r = rest(line)
        var n = 0
        while n < r.count && r[n] == "`" { n += 1 }
        return n >= length && isBlank(r[n...])
    }

    static func isRule(_ rest: Scalars) -> Bool {
        guard let ch = rest.first, ch == "-" || ch == "*" || ch == "_" else { return false }
        var count = 0
        for c in rest {
            if c == ch {
                count += 1
            } else if !Chars.isBlank(c) {
                return false
            }
        }
        return count >= 3
    }

    static func heading(_ rest: Scalars) -> (level: Int, text: Scalars)? {
        var n = 0
        while n < rest.count && n < 7 && rest[n] == "#" { n += 1 }
        if n < 1 || n > 6 || (n < rest.count && !Chars.isBlank(rest[n])) { return nil }
        var text = trimBlank(rest[n...])
        var k = text.count
        while k > 0 && text[k - 1] == "#" { k -= 1 }
        if k == 0 {
            text = []
        } else if k < text.count && Chars.isBlank(text[k - 1]) {
            text = trimBlank(text[0..<k])
        }
        return (min(n, 3), text)
    }

    static func listMarker(_ line: Scalars) -> ListMarker? {
        let ind = indent(line)
        let r = line[ind...]
        let first = r.first
        if (first == "-" || first == "*") && (r.count == 1 || Chars.isBlank(r[ind + 1])) {
            return ListMarker(ordered: false, start: 0, width: ind + 2, content: r.count > 1 ? Scalars(r[(ind + 2)...]) : [])
        }
        var d = 0
        while d < r.count && d < 10 && Chars.isDigit(r[ind + d]) { d += 1 }
        if d >= 1 && d <= 9 && d < r.count && r[ind + d] == "." && (r.count == d + 1 || Chars.isBlank(r[ind + d + 1])) {
            var number = 0
            for k in 0..<d { number = number * 10 + Int(r[ind + k].value - 0x30) }
            let content = r.count > d + 1 ? Scalars(r[(ind + d + 2)...]) : []
            return ListMarker(ordered: true, start: number, width: ind + d + 2, content: content)
        }
        return nil
    }

    static func startsQuote(_ line: Scalars) -> Bool {
        let i = indent(line)
        return i < line.count && line[i] == ">"
    }

    static func stripQuoteMarker(_ line: Scalars) -> Scalars {
        var i = indent(line) + 1
        if i < line.count && Chars.isBlank(line[i]) { i += 1 }
        return Scalars(line[i...])
    }

    /// Past the depth limit all quote markers of a line are dropped (the quote is flattened).
    static func stripAllQuoteMarkers(_ line: Scalars) -> Scalars {
        var i = 0
        while i < line.count && (Chars.isBlank(line[i]) || line[i] == ">") { i += 1 }
        return Scalars(line[i...])
    }

    static func stripIndent(_ line: Scalars, _ count: Int) -> Scalars {
        var i = 0
        while i < count && i < line.count && Chars.isBlank(line[i]) { i += 1 }
        return Scalars(line[i...])
    }

    /// Does the line start a block that ends a paragraph (list items only if `lists`)?
    static func interrupts(_ line: Scalars, lists: Bool) -> Bool {
        let r = rest(line)
        if fenceLength(r) > 0 || isRule(r) || heading(r) != nil || r.first == ">" { return true }
        if !lists { return false }
        guard let m = listMarker(line) else { return false }
        return !isBlank(m.content) && (!m.ordered || m.start == 1)
    }

    // MARK: Parsing

    static func parseBlocks(_ lines: [Scalars], depth: Int) -> [Block] {
        var blocks: [Block] = []
        let n = lines.count
        var i = 0
        while i < n {
            let line = lines[i]
            let ind = indent(line)
            if ind == line.count {
                i += 1
                continue
            }
            let r = Scalars(line[ind...])
            let fence = fenceLength(r)
            if fence > 0 {
                var body: [Scalars] = []
                i += 1
                while i < n && !isClosingFence(lines[i], fence) {
                    body.append(stripIndent(lines[i], ind))
                    i += 1
                }
                if i < n { i += 1 }
                blocks.append(.code(Scalars(body.joined(separator: ["\n"]))))
                continue
            }
            if isRule(r) {
                blocks.append(.rule)
                i += 1
                continue
            }
            if let h = heading(r) {
                blocks.append(.heading(level: h.level, text: h.text))
                i += 1
                continue
            }
            if r.first == ">" {
                var inner: [Scalars] = []
                let flatten = depth >= Chars.maxDepth
                while i < n && startsQuote(lines[i]) {
                    inner.append(flatten ? stripAllQuoteMarkers(lines[i]) : stripQuoteMarker(lines[i]))
                    i += 1
                }
                if flatten {
                    blocks.append(contentsOf: parseBlocks(inner, depth: depth))
                } else {
                    blocks.append(.quote(parseBlocks(inner, depth: depth + 1)))
                }
                continue
            }
            if depth < Chars.maxDepth && listMarker(line) != nil {
                i = parseList(lines, i, depth: depth, into: &blocks)
                continue
            }
            var para: [Scalars] = [trimBlank(line[...])]
            i += 1
            while i < n && !isBlank(lines[i]) && !interrupts(lines[i], lists: depth < Chars.maxDepth) {
                para.append(trimBlank(lines[i][...]))
                i += 1
            }
            blocks.append(.paragraph(Scalars(para.joined(separator: ["\n"]))))
        }
        return blocks
    }

    static func isSibling(_ line: Scalars, ordered: Bool) -> Bool {
        guard let m = listMarker(line) else { return false }
        return m.ordered == ordered && !isRule(rest(line))
    }

    static func parseList(_ lines: [Scalars], _ start: Int, depth: Int, into blocks: inout [Block]) -> Int {
        let n = lines.count
        var i = start
        guard let first = listMarker(lines[i]) else { return i + 1 }
        var items: [[Block]] = []
        while i < n && isSibling(lines[i], ordered: first.ordered), let m = listMarker(lines[i]) {
            var item: [Scalars] = [m.content]
            i += 1
            while i < n {
                let l = lines[i]
                let li = indent(l)
                if li == l.count {
                    var j = i
                    while j < n && isBlank(lines[j]) { j += 1 }
                    if j < n && indent(lines[j]) >= m.width {
                        while i < j {
                            item.append([])
                            i += 1
                        }
                        continue
                    }
                    break
                }
                if li >= m.width {
                    item.append(Scalars(l[m.width...]))
                    i += 1
                    continue
                }
                if interrupts(l, lists: false) || listMarker(l) != nil || isBlank(item[item.count - 1]) { break }
                item.append(Scalars(l[li...])) // lazy continuation of the item's paragraph
                i += 1
            }
            items.append(parseBlocks(item, depth: depth + 1))
            if i < n && isBlank(lines[i]) {
                var j = i
                while j < n && isBlank(lines[j]) { j += 1 }
                if j < n && isSibling(lines[j], ordered: first.ordered) {
                    i = j
                    continue
                }
                break
            }
        }
        blocks.append(.list(ordered: first.ordered, start: first.start, items: items))
        return i
    }
}
