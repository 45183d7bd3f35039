/// At most `limit` bodies at a time; the others wait their turn in order. The fixtures use it
/// for work that every test of a suite asks for at once: 186 PostgreSQL contract cases each
/// creating a database started 186 python3 + psql processes together, and at a load average
/// of 65 on two cores the last of them missed the suite's three-minute limit (and other
/// suites' fixtures their start-up deadlines).
public actor FixtureLimiter {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
