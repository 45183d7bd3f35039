import CommunisModel
import CommunisStoreSQLite
import Foundation

/// The generated corpus of `communis bench search`: deterministic (a fixed seed), Swedish-like
/// words with Zipf frequencies, written through the engine's bulk import so the v6 triggers
/// index it as they index any post.
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

    /// Writes the corpus into the migrated database at `path` through the engine's bulk import
    /// (no SQL here: the rows, and the triggers that index them, are the engine's); `searcher`
    /// is the e-mail of the account that searches.
    func write(path: String, searcher: String, log: (String) -> Void) throws -> Stats {
        var rng = SplitMix64(seed: 0x5EA2C4)
        let database = try SQLiteBulkImport(path: path)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        guard let me = try database.person(email: searcher) else { throw BenchError("the searching account is missing") }
        let authors = (0..<Self.authors).map { i in
            Person(email: "author\(i)@bench.invalid", name: "Författare \(vocabulary[100 + i])", role: .member,
                   profile: Profile(title: "Handläggare", department: "Förvaltning \(i % 7)"), createdAt: t0)
        }
        try database.insert(people: authors)
        var readable = Set<Int>()
        var spaces: [Workspace] = []
        var memberships: [Membership] = []
        for i in 0..<workspaces {
            let visibility: Visibility = i % 10 == 0 ? .open : (i % 10 < 7 ? .closed : .secret)
            spaces.append(Workspace(name: "Arbetsyta \(i)", description: "", visibility: visibility, createdBy: nil, createdAt: t0))
            if visibility == .open { readable.insert(i) }
            if visibility != .open && memberships.count < memberOf {
                memberships.append(Membership(workspaceID: spaces[i].id, personID: me, role: .member, joinedAt: t0))
                readable.insert(i)
            }
        }
        try database.insert(workspaces: spaces)
        try database.insert(memberships: memberships)

        let perThread = Self.postsPerThread + 1
        let threadCount = max(1, documents / perThread)
        let chunk = 1000
        var written = 0
        var readableDocs = 0
        let started = monotonicNanos()
        while written < threadCount {
            let end = min(threadCount, written + chunk)
            var threads: [DiscussionThread] = []
            var posts: [Post] = []
            threads.reserveCapacity(end - written)
            posts.reserveCapacity((end - written) * Self.postsPerThread)
            for t in written..<end {
                let w = Int(rng.next() % UInt64(workspaces))
                if readable.contains(w) { readableDocs += perThread }
                let time = t0.addingTimeInterval(Double(t) * 60)
                let title = sentence(5, &rng).capitalizedFirst
                let thread = DiscussionThread(workspaceID: spaces[w].id, title: title, authorID: authors[Int(rng.next() % UInt64(Self.authors))].id,
                                              createdAt: time, lastActivityAt: time, postCount: Self.postsPerThread)
                threads.append(thread)
                for p in 0..<Self.postsPerThread {
                    let author = authors[Int(rng.next() % UInt64(Self.authors))].id
                    posts.append(Post(workspaceID: spaces[w].id, threadID: thread.id, authorID: author,
                                      body: sentence(Self.wordsPerPost, &rng).capitalizedFirst + ".", createdAt: time.addingTimeInterval(Double(p))))
                }
            }
            try database.insert(threads: threads, posts: posts)
            written = end
            if written % 5000 == 0 || written == threadCount {
                let seconds = Double(monotonicNanos() - started) / 1e9
                log(String(format: "  %d / %d documents (%.0f s)", written * perThread, threadCount * perThread, seconds))
            }
        }
        try database.finish()
        return Stats(readableShare: Double(readableDocs) / Double(threadCount * perThread))
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
