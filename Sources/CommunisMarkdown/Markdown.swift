// Communis Markdown: the safe subset used for discussions and blog posts.
//
// The browser renders the same text with web/lib/markdown.js. The two implementations are
// twins and must produce byte-identical output; the golden cases in
// Tests/Fixtures/markdown-cases.json are run by both test suites (swift test and
// node --test web/test/markdown.test.js). Change one, change the other, add a case.

/// Markdown for user content: a deliberately small, CommonMark-flavoured subset.
///
/// Blocks
/// - Paragraphs are separated by blank lines; a single newline inside one becomes `<br>`.
/// - ATX headings `#`, `##`, `###` become `<h3>`, `<h4>`, `<h5>` (`####`..`######` also
///   `<h5>`): user content must never outrank the page's own `<h1>`/`<h2>`.
/// - Bullet lists (`-`, `*`), ordered lists (`1.`; another first number gives `start`),
///   block quotes (`>` on every line, no lazy continuation), fenced code (```, the info
///   string is ignored) and thematic breaks (`---`, `***`, `___`) → `<hr>`.
/// - Not supported: indented code, setext headings, tables, raw HTML, link titles.
/// - Quotes and list items nest at most 8 deep. Deeper quote markers are dropped (the
///   content joins the 8th level) and deeper list markers stay as text.
///
/// Inline: `**strong**`, `*em*` / `_em_`, `` `code` ``, `~~del~~`, `[text](url)`, bare
/// `http(s)://…` links, mentions `@[Name](person:UUID)`, backslash escapes of ASCII
/// punctuation. Images `![alt](url)` render as their alt text only.
///
/// Safety
/// - No raw HTML, ever: `<`, `>`, `&`, `"`, `'` are always escaped, entities are not
///   decoded (`&amp;` in the source shows as the text `&amp;`).
/// - Link targets are whitelisted: `http:`, `https:`, `mailto:` and relative URLs that
///   start with `/` (not `//`) or `#`. Anything else (`javascript:`, `data:`, obfuscated
///   schemes, protocol-relative `//host`, backslashes) renders as the link text only.
///   http(s) and mailto links get `rel="noopener noreferrer nofollow" target="_blank"`.
/// - Mentions need a well-formed UUID; it is lowercased. Otherwise the text is shown.
/// - Work is linear in the input (no backtracking, bounded nesting); the caller still
///   bounds the input length.
///
/// Output is deterministic: blocks joined with "\n", fixed attribute order.
public enum Markdown {
    /// The HTML for `source`.
    public static func html(_ source: String) -> String {
        var renderer = Renderer(html: true)
        return renderer.blocks(BlockParser.parseDocument(source))
    }

    /// Text without markup, for notifications, search snippets and Atom summaries: blocks on
    /// their own lines, mentions as `@Name`, links as their text. Not HTML-escaped.
    public static func plainText(_ source: String) -> String {
        Renderer.text(BlockParser.parseDocument(source))
    }

    /// The lowercase UUIDs of the people mentioned, in order of first appearance, no repeats.
    public static func mentions(_ source: String) -> [String] {
        var renderer = Renderer(html: true)
        _ = renderer.blocks(BlockParser.parseDocument(source))
        var seen = Set<String>()
        return renderer.mentions.filter { seen.insert($0).inserted }
    }
}
