import Foundation

/// Search snippets are cut from the stored text of posts, blog posts and articles, which is
/// Markdown; people should read words, not syntax ("…Procapita**."). `plain` takes the marks
/// of the safe subset out of a snippet (a fragment: a link or emphasis may be cut in half),
/// keeping the match markers U+E000/U+E001 where they are.
public enum SnippetMarkup {
    public static func plain(_ snippet: String) -> String {
        // Escaped characters are set aside first (as private-use characters), so that no rule
        // takes them for marks, and come back as themselves.
        var text = ""
        var escaped = false
        for character in snippet {
            if escaped, let index = escapable.firstIndex(of: character) {
                text.unicodeScalars.append(Unicode.Scalar(0xF000 + UInt32(escapable.distance(from: escapable.startIndex, to: index)))!)
            } else if escaped {
                text.append("\\")
                text.append(character)
            } else if character != "\\" {
                text.append(character)
            }
            escaped = !escaped && character == "\\"
        }
        if escaped { text.append("\\") }
        for (pattern, template) in rules {
            text = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        let restored = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            guard (0xF000..<0xF000 + UInt32(escapable.count)).contains(scalar.value) else { return scalar }
            return escapable.unicodeScalars[escapable.unicodeScalars.index(escapable.unicodeScalars.startIndex, offsetBy: Int(scalar.value - 0xF000))]
        }))
        return restored.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// What a backslash escapes in the safe subset.
    private static let escapable = "\\`*_{}[]()#+-.!>~|"

    /// Markers of a match may sit anywhere between the marks, so patterns allow them.
    private static let rules: [(NSRegularExpression, String)] = [
        // @[Name](person:<id>) → @Name; ![alt](url) and [text](url) → the words.
        (#"!?\[([^\]\n]*)\]\((?:person:)?[^)\s]*\)"#, "$1"),
        // The tail of a link cut at the snippet's start: "text](https://…)" → "text".
        (#"\]\([^)\s]*\)"#, ""),
        // <https://…> autolinks → the address.
        (#"<((?:https?|mailto):[^>\s]*)>"#, "$1"),
        // Headings, quotes, list items and ordered items at the start of a line.
        (#"(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)"#, ""),
        // Code fences and rules on a line of their own.
        (#"(?m)^[ \t]*(?:```+|~~~+|(?:[-*_][ \t]*){3,})[^\n]*$"#, ""),
        // Strong, emphasis, strike-through and code marks: runs of *, _ , ~ and ` that touch
        // a word on one side only or stand between a word and punctuation.
        (#"(?<![\p{L}\p{N}])(\*{1,3}|_{1,3}|~~|`+)(?=[\p{L}\p{N}\x{E000}\x{E001}])"#, ""),
        (#"(?<=[\p{L}\p{N}\p{P}\x{E000}\x{E001}])(\*{1,3}|_{1,3}|~~|`+)(?![\p{L}\p{N}])"#, ""),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
