import Foundation
import GRDB

/// The generated corpus of `communis bench search`: deterministic (a fixed seed), Swedish-like
/// words with Zipf frequencies, written with plain INSERTs so the v6 triggers index it.
struct SearchCorpus {
    let documents: Int
    let workspaces: Int
    let memberOf: Int
    static let postsPerThread = 19
    static let wordsPerPost = 24
    static let authors = 100

    /// The most frequent words are real ones; the rest are built from syllables.
    let vocabulary: [String]
    let cumulative: [Double]

    init(documents: Int, workspaces: Int, memberOf: Int) {
        self.documents = documents
        self.workspaces = max(workspaces, 1)
        self.memberOf = min(memberOf, max(workspaces, 1))
        let common = ["och", "att", "för", "på", "det", "som", "är", "med", "till", "av", "en", "har", "inte", "om", "vi",
                      "möte", "skolan", "förskola", "omsorg", "ansökan", "högskola", "budget", "personal", "schema", "kväll"]
        let syllables = ["ka", "lå", "mö", "ber", "sten", "gå", "rik", "hä", "vin", "dal", "sjö", "ny", "bo", "ström", "lind",
                         "ås", "fors", "ker", "tå", "mar", "vä", "gen", "ö", "sund", "by", "holm", "rä", "ten", "sko", "fjä"]
        var words = common
        var seen = Set(common)
        var n = 0
        while words.count < 40_000 {
            var k = n
            var word = ""
            repeat {
                word += syllables[k % syllables.count]
                k /= syllables.count
            } while k > 0
            word += syllables[(n * 7 + 3) % syllables.count]
            n += 1
            if seen.insert(word).inserted { words.append(word) }
        }
        vocabulary = words
        var total = 0.0
        cumulative = (0..<words.count).map { rank in
            total += 1 / Double(rank + 1)
            return total
        }
    }

    var commonWord: String { vocabulary[0] }

    struct Query {
        var label: String
        var text: String
        var newest: Bool
        /// The FTS5 expression the server builds for `text` (each word quoted, the last a prefix).
        var match: String
    }

    func queries() -> [Query] {
        func query(_ label: String, _ words: [String], newest: Bool = false) -> Query {
            let quoted = words.map { "\"\($0)\"" }.joined(separator: " ")
            return Query(label: label, text: words.joined(separator: " "), newest: newest, match: quoted + ((words.last?.count ?? 0) >= 2 ? "*" : ""))
        }
        return [
            query("rare", [vocabulary[20_000]]),
            query("common", [commonWord]),
            query("two-word", [vocabulary[1], vocabulary[20]]),
            query("prefix", [String(vocabulary[30].prefix(3))]),
            query("newest", [commonWord], newest: true),
        ]
    }

    struct Stats { var readableShare: Double }

    /// Writes the corpus into the migrated database at `path`; `searcher` is the e-mail of the
    /// account that searches.
    func write(path: String, searcher: String, log: (String) -> Void) throws -> Stats {
        var rng = SplitMix64(seed: 0x5EA2C4)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        let t0 = 1_700_000_000.0
        let workspaceIDs = (0..<workspaces).map { _ in UUID().uuidString.lowercased() }
        let authorIDs = (0..<Self.authors).map { _ in UUID().uuidString.lowercased() }
        var readable = Set<Int>()
        try queue.write { db in
            guard let me = try String.fetchOne(db, sql: "SELECT id FROM people WHERE email = ?", arguments: [searcher]) else {
                throw BenchError("the searching account is missing")
            }
            for (i, id) in authorIDs.enumerated() {
                try db.execute(sql: "INSERT INTO people (id, email, name, role, title, department, created_at) VALUES (?, ?, ?, 'member', ?, ?, ?)",
                               arguments: [id, "author\(i)@bench.invalid", "Författare \(vocabulary[100 + i])", "Handläggare", "Förvaltning \(i % 7)", t0])
            }
            var memberships = 0
            for (i, id) in workspaceIDs.enumerated() {
                let visibility = i % 10 == 0 ? "open" : (i % 10 < 7 ? "closed" : "secret")
                let name = "Arbetsyta \(i)"
                try db.execute(sql: "INSERT INTO workspaces (id, name, name_key, visibility, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [id, name, name.lowercased(), visibility, t0])
                if visibility == "open" { readable.insert(i) }
                if visibility != "open" && memberships < memberOf {
                    try db.execute(sql: "INSERT INTO memberships (workspace_id, person_id, role, joined_at) VALUES (?, ?, 'member', ?)", arguments: [id, me, t0])
                    readable.insert(i)
                    memberships += 1
                }
            }
        }
        let perThread = Self.postsPerThread + 1
        let threads = max(1, documents / perThread)
        let chunk = 1000
        var written = 0
        var readableDocs = 0
        let started = monotonicNanos()
        while written < threads {
            let end = min(threads, written + chunk)
            try queue.write { db in
                let thread = try db.makeStatement(sql: """
                    INSERT INTO threads (id, workspace_id, kind, title, author_id, created_at, last_activity_at, post_count)
                    VALUES (?, ?, 'discussion', ?, ?, ?, ?, ?)
                    """)
                let post = try db.makeStatement(sql: "INSERT INTO posts (id, thread_id, workspace_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                for t in written..<end {
                    let w = Int(rng.next() % UInt64(workspaces))
                    if readable.contains(w) { readableDocs += perThread }
                    let threadID = UUID().uuidString.lowercased()
                    let time = t0 + Double(t) * 60
                    try thread.execute(arguments: [threadID, workspaceIDs[w], sentence(5, &rng).capitalizedFirst, authorIDs[Int(rng.next() % UInt64(Self.authors))], time, time, Self.postsPerThread])
                    for p in 0..<Self.postsPerThread {
                        try post.execute(arguments: [UUID().uuidString.lowercased(), threadID, workspaceIDs[w], authorIDs[Int(rng.next() % UInt64(Self.authors))],
                                                     sentence(Self.wordsPerPost, &rng).capitalizedFirst + ".", time + Double(p)])
                    }
                }
            }
            written = end
            if written % 5000 == 0 || written == threads {
                let seconds = Double(monotonicNanos() - started) / 1e9
                log(String(format: "  %d / %d documents (%.0f s)", written * perThread, threads * perThread, seconds))
            }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return Stats(readableShare: Double(readableDocs) / Double(threads * perThread))
    }

    func sentence(_ count: Int, _ rng: inout SplitMix64) -> String {
        var words: [String] = []
        words.reserveCapacity(count)
        let total = cumulative[cumulative.count - 1]
        for _ in 0..<count {
            let target = Double(rng.next() >> 11) / Double(1 << 53) * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            words.append(vocabulary[lo])
        }
        return words.joined(separator: " ")
    }
}

/// A small, fast, seedable generator (Steele, Lea, Flood 2014) so every run builds the same corpus.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
