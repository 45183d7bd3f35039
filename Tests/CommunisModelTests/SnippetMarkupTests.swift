import CommunisModel
import Testing

@Suite("Search snippets without Markdown")
struct SnippetMarkupTests {
    let start = "\u{E000}"
    let end = "\u{E001}"

    @Test("Emphasis, strong, code and strike-through marks go; the words and the match markers stay")
    func inline() {
        #expect(SnippetMarkup.plain("…vi byter till **\(start)Procapita\(end)**.") == "…vi byter till \(start)Procapita\(end).")
        #expect(SnippetMarkup.plain("*kursivt* och __fett__ och `kod` och ~~struket~~") == "kursivt och fett och kod och struket")
        #expect(SnippetMarkup.plain("snake_case_namn och 2*3*4") == "snake_case_namn och 2*3*4", "marks inside words are not Markdown")
    }

    @Test("Links and mentions read as their words; a link cut at the start loses its address")
    func links() {
        #expect(SnippetMarkup.plain("Fråga @[Sara Nilsson](person:8e95c2d4-1f3a-4b7e-9c0d-2a6b5e8f1c37) om det") == "Fråga @Sara Nilsson om det")
        #expect(SnippetMarkup.plain("Se [schemat](https://katrineholm.se/schema) här") == "Se schemat här")
        #expect(SnippetMarkup.plain("![Karta](bild.png) visar") == "Karta visar")
        #expect(SnippetMarkup.plain("schemat](https://katrineholm.se/schema) här") == "schemat här")
        #expect(SnippetMarkup.plain("Läs <https://katrineholm.se> nu") == "Läs https://katrineholm.se nu")
    }

    @Test("Headings, quotes and list marks at line starts go, and lines join with spaces")
    func blocks() {
        #expect(SnippetMarkup.plain("## Rubrik\n> citat\n- punkt ett\n2. punkt två") == "Rubrik citat punkt ett punkt två")
        #expect(SnippetMarkup.plain("```swift\nlet a = 1\n```") == "let a = 1")
        #expect(SnippetMarkup.plain("Pris \\*inte\\* klart") == "Pris *inte* klart")
    }
}
