import CommunisModel
import Testing

@Suite("Line diff between two revisions")
struct LineDiffTests {
    /// Applies a diff: the equal and removed lines give the old text, equal and added the new.
    static func sides(_ diff: [DiffLine]) -> (old: [String], new: [String]) {
        (diff.filter { $0.op != .added }.map(\.text), diff.filter { $0.op != .removed }.map(\.text))
    }

    @Test("Equal texts give only equal lines")
    func equal() {
        #expect(LineDiff.diff("a\nb", "a\nb") == [DiffLine(.equal, "a"), DiffLine(.equal, "b")])
        #expect(LineDiff.diff("", "") == [])
    }

    @Test("A changed line in the middle is one removal and one addition between equal lines")
    func changedLine() {
        let diff = LineDiff.diff("1. Öppna Outlook\n2. Välj Kalender\n3. Klicka på Boka", "1. Öppna Outlook\n2. Välj Rum\n3. Klicka på Boka")
        #expect(diff == [
            DiffLine(.equal, "1. Öppna Outlook"), DiffLine(.removed, "2. Välj Kalender"), DiffLine(.added, "2. Välj Rum"),
            DiffLine(.equal, "3. Klicka på Boka"),
        ])
    }

    @Test("From or to nothing: all added or all removed")
    func empty() {
        #expect(LineDiff.diff("", "x\ny") == [DiffLine(.added, "x"), DiffLine(.added, "y")])
        #expect(LineDiff.diff("x", "") == [DiffLine(.removed, "x")])
    }

    @Test("The diff is minimal (an LCS) and both texts can be read back from it", arguments: [
        ("a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc", 5),
        ("x\ny\nz", "z\ny\nx", 4),
        ("a\nb\nc\nd", "a\nc\nd\ne", 2),
    ])
    func minimal(old: String, new: String, edits: Int) {
        let diff = LineDiff.diff(old, new)
        let sides = Self.sides(diff)
        #expect(sides.old == LineDiff.lines(old))
        #expect(sides.new == LineDiff.lines(new))
        #expect(diff.filter { $0.op != .equal }.count == edits)
    }

    @Test("Past the edit bound the middle is reported whole, and still reads back both texts")
    func bounded() {
        let old = (0..<3000).map { "gammal \($0)" }
        let new = (0..<3000).map { "ny \($0)" }
        let diff = LineDiff.diff(["först"] + old + ["sist"], ["först"] + new + ["sist"])
        #expect(diff.first == DiffLine(.equal, "först"))
        #expect(diff.last == DiffLine(.equal, "sist"))
        #expect(Self.sides(diff).old.count == 3002)
        #expect(Self.sides(diff).new.count == 3002)
    }

    @Test("Content diffs name each field and whether it changed")
    func contentFields() {
        let old = HowToContent(title: "Logga in", body: "Steg 1", tags: ["procapita"], reviewBy: nil)
        let new = HowToContent(title: "Logga in", body: "Steg 1\nSteg 2", tags: ["procapita", "inloggning"], reviewBy: "2027-01-31")
        let fields = HowToContent.diff(old, new)
        #expect(fields.map(\.field) == ["title", "summary", "body", "tags", "audience", "reviewBy", "recordings"])
        #expect(fields.filter(\.changed).map(\.field) == ["body", "tags", "reviewBy"])
        #expect(fields[2].lines == [DiffLine(.equal, "Steg 1"), DiffLine(.added, "Steg 2")])
    }
}
