// Character classes, escaping and URL checks shared by the block and inline parsers.
// Everything here is ASCII or a fixed code point list, so that the JavaScript twin
// (web/lib/markdown.js) classifies every character exactly the same way.

typealias Scalars = [Unicode.Scalar]

enum Chars {
    static let maxDepth = 8
    static let external = " rel=\"noopener noreferrer nofollow\" target=\"_blank\""

    /// ASCII punctuation: what a backslash can escape, and the punctuation of the flanking rules.
    static func isPunct(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        switch c.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// Whitespace for the flanking rules; nil (start or end of the text) counts as whitespace.
    static func isSpace(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return true }
        switch c.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default: return false
        }
    }

    /// Space or tab: indentation and blank lines.
    static func isBlank(_ c: Unicode.Scalar?) -> Bool { c == " " || c == "\t" }

    static func isDigit(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c.value >= 0x30 && c.value <= 0x39
    }

    static func isAlnum(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return isDigit(c) || (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
    }

    /// C0 controls, space, DEL and C1 controls.
    static func isControlOrSpace(_ c: Unicode.Scalar) -> Bool {
        c.value <= 0x20 || (c.value >= 0x7F && c.value <= 0x9F)
    }

    static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        (c.value >= 0x41 && c.value <= 0x5A) ? Unicode.Scalar(c.value + 32)! : c
    }

    static func asciiLower(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars { out.append(lower(c)) }
        return String(out)
    }

    static func string(_ s: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(s))
    }

    static func string(_ s: Scalars) -> String {
        String(String.UnicodeScalarView(s))
    }

    /// Escapes the five HTML-significant characters; everything else is passed through.
    static func escape(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            switch c {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(c)
            }
        }
        return String(out)
    }

    // MARK: URLs

    enum LinkKind { case external, `internal` }

    /// Allowed: http:, https:, mailto: (external) and `/…` (not `//`) or `#…` (internal).
    /// A whitelist on the exact string the browser will see, so entity- or percent-obfuscated
    /// schemes (`javascript&#58;`, `%6Aavascript:`) are simply not on it.
    static func classify(_ url: String) -> LinkKind? {
        let lower = asciiLower(url)
        if lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("mailto:") { return .external }
        let c = Array(url.unicodeScalars)
        if c.first == "#" || (c.first == "/" && (c.count < 2 || c[1] != "/")) { return .internal }
        return nil
    }

    /// Trims whitespace and controls; nil if a control character or backslash is left inside.
    static func cleanURL(_ url: String) -> String? {
        let c = Array(url.unicodeScalars)
        var a = 0
        var b = c.count
        while a < b && (isControlOrSpace(c[a]) || isSpace(c[a])) { a += 1 }
        while b > a && (isControlOrSpace(c[b - 1]) || isSpace(c[b - 1])) { b -= 1 }
        for k in a..<b where isControlOrSpace(c[k]) || c[k] == "\\" { return nil }
        return string(c[a..<b])
    }

    /// `person:UUID` (case-insensitive, well-formed 8-4-4-4-12 hex) → the lowercase UUID.
    static func personID(_ url: String) -> String? {
        let lower = Array(asciiLower(url).unicodeScalars)
        let prefix = Array("person:".unicodeScalars)
        guard lower.count == prefix.count + 36, Array(lower[0..<prefix.count]) == prefix else { return nil }
        let id = Array(lower[prefix.count...])
        for (k, c) in id.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != "-" { return nil }
            } else if !(isDigit(c) || (c.value >= 0x61 && c.value <= 0x66)) {
                return nil
            }
        }
        return string(id)
    }
}
