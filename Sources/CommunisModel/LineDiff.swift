import Foundation

/// One line of a line-based diff: kept, added in the newer text, or removed from the older.
public struct DiffLine: Sendable, Codable, Equatable {
    public enum Op: String, Sendable, Codable { case equal, added, removed }

    public var op: Op
    public var text: String

    public init(_ op: Op, _ text: String) {
        self.op = op
        self.text = text
    }
}

/// A line-based diff (Myers' O((N+M)·D) algorithm) with the common beginning and end taken
/// off first. Pure, so it is tested without storage.
public enum LineDiff {
    /// Past this many differing lines the shortest edit script is not searched for: the
    /// middle is reported as all removed, then all added. A how-to body is at most 20 000
    /// characters; the bound keeps the search's memory (about D² integers) under ~16 MB.
    public static let maxEdits = 2000

    public static func lines(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    /// The diff from `old` to `new` text, line by line.
    public static func diff(_ old: String, _ new: String) -> [DiffLine] {
        diff(lines(old), lines(new))
    }

    public static func diff(_ a: [String], _ b: [String]) -> [DiffLine] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        var result = a[..<prefix].map { DiffLine(.equal, $0) }
        result += myers(midA, midB) ?? (midA.map { DiffLine(.removed, $0) } + midB.map { DiffLine(.added, $0) })
        result += a[(a.count - suffix)...].map { DiffLine(.equal, $0) }
        return result
    }

    /// The shortest edit script, removals before additions at each change; nil past `maxEdits`.
    static func myers(_ a: [String], _ b: [String]) -> [DiffLine]? {
        let n = a.count, m = b.count
        if n == 0 { return b.map { DiffLine(.added, $0) } }
        if m == 0 { return a.map { DiffLine(.removed, $0) } }
        let limit = min(n + m, maxEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { return backtrack(a, b, trace, offset) }
            }
        }
        return nil
    }

    private static func backtrack(_ a: [String], _ b: [String], _ trace: [[Int]], _ offset: Int) -> [DiffLine] {
        var x = a.count, y = b.count
        var reversed: [DiffLine] = []
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                reversed.append(DiffLine(.equal, a[x - 1]))
                x -= 1
                y -= 1
            }
            if d > 0 {
                if x == previousX { reversed.append(DiffLine(.added, b[y - 1])) } else { reversed.append(DiffLine(.removed, a[x - 1])) }
            }
            x = previousX
            y = previousY
        }
        return reversed.reversed()
    }
}

/// The diff of one field of a how-to between two revisions.
public struct FieldDiff: Sendable, Codable, Equatable {
    public var field: String
    public var changed: Bool
    public var lines: [DiffLine]

    public init(field: String, lines: [DiffLine]) {
        self.field = field
        self.lines = lines
        changed = lines.contains { $0.op != .equal }
    }
}

extension HowToContent {
    /// Field by field, line by line: title, summary, body, tags (one per line), audience
    /// (one `department:`/`role:` per line), review date, recordings (one per line).
    public static func diff(_ old: HowToContent, _ new: HowToContent) -> [FieldDiff] {
        [
            FieldDiff(field: "title", lines: LineDiff.diff(old.title, new.title)),
            FieldDiff(field: "summary", lines: LineDiff.diff(old.summary, new.summary)),
            FieldDiff(field: "body", lines: LineDiff.diff(old.body, new.body)),
            FieldDiff(field: "tags", lines: LineDiff.diff(old.tags, new.tags)),
            FieldDiff(field: "audience", lines: LineDiff.diff(old.audience.lines, new.audience.lines)),
            FieldDiff(field: "reviewBy", lines: LineDiff.diff(old.reviewBy.map { [$0] } ?? [], new.reviewBy.map { [$0] } ?? [])),
            FieldDiff(field: "recordings", lines: LineDiff.diff(old.recordings.map(\.line), new.recordings.map(\.line))),
        ]
    }
}

extension HowToAudience {
    var lines: [String] { departments.map { "department: \($0)" } + roles.map { "role: \($0)" } }
}

extension RecordingReference {
    var line: String {
        let chapters = chapters.map { "\($0.title) @\($0.offsetMs) ms" }.joined(separator: ", ")
        return chapters.isEmpty ? "\(title) (\(recordingId))" : "\(title) (\(recordingId)): \(chapters)"
    }
}
