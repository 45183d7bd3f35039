@testable import CommunisHub
import CommunisModel
import Testing

@Suite("Presence in a room: tabs, status, diffs")
struct RoomPresenceTests {
    let anna = PersonID()
    let erik = PersonID()

    @Test("A person joins with their first tab and leaves with their last")
    func tabs() {
        var presence = RoomPresence()
        #expect(presence.add(anna, name: "Anna", connection: 1, status: .online) == .joined(anna, name: "Anna", status: .online))
        #expect(presence.add(anna, name: "Anna", connection: 2, status: .online) == nil)
        #expect(presence.remove(anna, connection: 1) == nil)
        #expect(presence.remove(anna, connection: 2) == .left(anna))
        #expect(presence.snapshot.isEmpty)
    }

    @Test("Online in any tab beats away in another")
    func status() {
        var presence = RoomPresence()
        _ = presence.add(anna, name: "Anna", connection: 1, status: .online)
        _ = presence.add(anna, name: "Anna", connection: 2, status: .online)
        #expect(presence.set(anna, connection: 1, status: .away) == nil)
        #expect(presence.set(anna, connection: 2, status: .away) == .status(anna, .away))
        #expect(presence.set(anna, connection: 2, status: .online) == .status(anna, .online))
        #expect(presence.remove(anna, connection: 2) == .status(anna, .away))
    }

    @Test("The snapshot lists everyone present by name")
    func snapshot() {
        var presence = RoomPresence()
        _ = presence.add(erik, name: "Erik", connection: 1, status: .away)
        _ = presence.add(anna, name: "Anna", connection: 2, status: .online)
        #expect(presence.snapshot.map(\.1) == ["Anna", "Erik"])
        #expect(presence.remove(erik, connection: 9) == nil, "an unknown connection changes nothing")
    }
}

@Suite("Token bucket for commands")
struct TokenBucketTests {
    @Test("A burst passes, then the rate applies and the wait is announced")
    func bucket() {
        var bucket = TokenBucket(capacity: 3, perSecond: 2)
        let start = ContinuousClock.now
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        let wait = bucket.take(now: start)
        #expect(wait == 500)
        #expect(bucket.take(now: start.advanced(by: .milliseconds(600))) == nil)
    }
}
