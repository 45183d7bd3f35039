// HTML and plain-text rendering of parsed blocks and inline tokens.
// The twin of the "rendering" sections of web/lib/markdown.js.

struct Renderer {
    /// false: plain text (no tags, no escaping).
    var html: Bool
    /// Mention ids in document order, collected while rendering live mentions.
    var mentions: [String] = []

    mutating func blocks(_ blocks: [Block]) -> String {
        var parts: [String] = []
        for b in blocks { parts.append(block(b)) }
        return parts.joined(separator: "\n")
    }

    mutating func block(_ b: Block) -> String {
        switch b {
        case .paragraph(let text):
            return "<p>" + inline(text) + "</p>"
        case .heading(let level, let text):
            let tag = "h\(level + 2)"
            return "<\(tag)>" + inline(text) + "</\(tag)>"
        case .rule:
            return "<hr>"
        case .code(let text):
            return "<pre><code>" + Chars.escape(Chars.string(text)) + "</code></pre>"
        case .quote(let children):
            let inner = blocks(children)
            return "<blockquote>\n" + (inner.isEmpty ? "" : inner + "\n") + "</blockquote>"
        case .list(let ordered, let start, let items):
            let tag = ordered ? "ol" : "ul"
            let open = ordered && start != 1 ? "<ol start=\"\(start)\">" : "<\(tag)>"
            var rendered: [String] = []
            for item in items {
                let tight = item.first?.isParagraph == true && item.filter(\.isParagraph).count == 1
                var parts: [String] = []
                for (k, x) in item.enumerated() {
                    if k == 0, tight, case .paragraph(let text) = x {
                        parts.append(inline(text))
                    } else {
                        parts.append(block(x))
                    }
                }
                rendered.append("<li>" + parts.joined(separator: "\n") + "</li>")
            }
            return open + "\n" + rendered.joined(separator: "\n") + "\n</" + tag + ">"
        }
    }

    static func text(_ blocks: [Block]) -> String {
        blocks.map(text).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func text(_ b: Block) -> String {
        var renderer = Renderer(html: false)
        switch b {
        case .paragraph(let text), .heading(_, let text):
            return renderer.inline(text)
        case .code(let text):
            return Chars.string(text)
        case .quote(let children):
            return Self.text(children)
        case .list(_, _, let items):
            return items.map { Self.text($0) }.filter { !$0.isEmpty }.joined(separator: "\n")
        case .rule:
            return ""
        }
    }

    private enum Open { case anchor, mention, plain, none }

    /// Walks the tokens. Inside images and mentions everything is plain text; inside a link,
    /// bare URLs are text (no nested anchors). The state changes are the same in both modes.
    mutating func inline(_ text: Scalars) -> String {
        let tokens = InlineParser.parse(text)
        let html = self.html
        func esc(_ s: String) -> String { html ? Chars.escape(s) : s }
        var out = ""
        var plain = 0
        var anchors = 0
        var stack: [Open] = []
        for t in tokens {
            let live = plain == 0 && anchors == 0
            switch t.kind {
            case .text:
                out += esc(t.text)
            case .code:
                out += html && plain == 0 ? "<code>" + esc(t.text) + "</code>" : esc(t.text)
            case .lineBreak:
                out += plain > 0 ? " " : html ? "<br>" : "\n"
            case .delimiter:
                let tags = html && plain == 0
                if tags { for x in t.closes { out += "</" + x + ">" } }
                out += String(repeating: String(Character(t.char)), count: t.count)
                if tags { for x in t.opens { out += "<" + x + ">" } }
            case .autolink:
                out += html && live
                    ? "<a href=\"" + esc(t.text) + "\"" + Chars.external + ">" + esc(t.text) + "</a>"
                    : esc(t.text)
            case .image:
                stack.append(.plain)
                plain += 1
            case .mention:
                if live {
                    if html { out += "<a class=\"mention\" href=\"#/people/\(t.text)\" data-person=\"\(t.text)\">" }
                    out += "@"
                    mentions.append(t.text)
                    stack.append(.mention)
                    anchors += 1
                } else {
                    out += "@"
                    stack.append(.plain)
                }
                plain += 1
            case .link:
                out += esc(t.text)
                if live, let href = t.href {
                    if html { out += "<a href=\"" + esc(href) + "\"" + (t.external ? Chars.external : "") + ">" }
                    stack.append(.anchor)
                    anchors += 1
                } else {
                    stack.append(.none)
                }
            case .end:
                let k = stack.popLast() ?? .none
                if k == .anchor || k == .mention {
                    if html { out += "</a>" }
                    anchors -= 1
                }
                if k == .mention || k == .plain { plain -= 1 }
            }
        }
        return out
    }
}
