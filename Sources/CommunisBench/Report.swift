import Foundation

/// Percentiles of a list of nanosecond durations, in milliseconds.
struct Latency: Sendable {
    var count = 0
    var p50 = Double.nan
    var p99 = Double.nan
    var max = Double.nan

    init() {}

    init(_ nanos: [Int64]) {
        guard !nanos.isEmpty else { return }
        let sorted = nanos.sorted()
        func at(_ q: Double) -> Double { Double(sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * q))]) / 1e6 }
        count = sorted.count
        p50 = at(0.5)
        p99 = at(0.99)
        max = Double(sorted.last!) / 1e6
    }
}

/// What one fan-out measurement found (Communis or libwebsockets).
struct FanoutResult: Sendable {
    var delivered = 0
    var expected = 0
    var seconds = 0.0
    var deliveriesPerSecond = Double.nan
    var serverCPUSeconds = Double.nan
    var serverSchedSeconds = Double.nan
    var clientCPUSeconds = Double.nan
    var latency = Latency()
    /// Communis only: send → ack of the writer (the post committed).
    var ack = Latency()
    var writerErrors = 0
    var writerFirstError: String?
    var closes: [Int: Int] = [:]
    var postsSent = 0
    var rssBefore: Int?
    var rssAfter: Int?
    var connections = 0

    var cpuPerDeliveryMicros: Double { delivered > 0 ? serverCPUSeconds / Double(delivered) * 1e6 : .nan }
    var schedPerDeliveryMicros: Double { delivered > 0 ? serverSchedSeconds / Double(delivered) * 1e6 : .nan }
    var clientCPUPerDeliveryMicros: Double { delivered > 0 ? clientCPUSeconds / Double(delivered) * 1e6 : .nan }
    var rssPerConnection: Double? {
        guard let rssBefore, let rssAfter, connections > 0 else { return nil }
        return Double(rssAfter - rssBefore) / Double(connections)
    }
}

struct MemoryResult: Sendable {
    var connections = 0
    var rssBefore = 0
    var rssAfter = 0
    /// After the upgrade, before subscribing.
    var rssConnected = 0
    var connectSeconds = 0.0
    var subscribeSeconds = 0.0
    var closes: [Int: Int] = [:]
    var perConnection: Double { connections > 0 ? Double(rssAfter - rssBefore) / Double(connections) : .nan }
    var perOpenConnection: Double { connections > 0 ? Double(rssConnected - rssBefore) / Double(connections) : .nan }
    var perSubscription: Double { connections > 0 ? Double(rssAfter - rssConnected) / Double(connections) : .nan }
}

struct WritersResult: Sendable {
    var writers = 0
    var seconds = 0.0
    var acked = 0
    var errors = 0
    var firstError: String?
    var ackLatency = Latency()
    var rawCommits = 0
    var rawSeconds = 0.0
    var rawPragmas = ""
    var ackedPerSecond: Double { seconds > 0 ? Double(acked) / seconds : .nan }
    var rawPerSecond: Double { rawSeconds > 0 ? Double(rawCommits) / rawSeconds : .nan }
}

enum Format {
    static func number(_ value: Double, _ digits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func ratio(_ a: Double, _ b: Double) -> String {
        guard a.isFinite, b.isFinite, b > 0 else { return "–" }
        return String(format: "%.2f×", a / b)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text }
        let padding = String(repeating: " ", count: width - count)
        return right ? padding + text : text + padding
    }

    static func row(_ cells: [String]) -> String {
        var line = pad(cells[0], 34)
        for cell in cells.dropFirst() { line += pad(cell, 16, right: true) }
        return line
    }

    static func closes(_ closes: [Int: Int]) -> String {
        guard !closes.isEmpty else { return "none" }
        // code×count; "eof" = the connection ended without a close frame.
        return closes.sorted { $0.key < $1.key }.map { "\($0.key == -1 ? "eof" : String($0.key))×\($0.value)" }.joined(separator: ", ")
    }

    static func kib(_ bytes: Double) -> String { number(bytes / 1024, 2) + " KiB" }
}
