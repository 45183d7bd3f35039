import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A child process (the Communis server or libwebsockets' test server) that the benchmark
/// starts and must end: every child is registered in `Children` and killed at the end of the
/// run, on errors, and on SIGINT/SIGTERM/SIGHUP. Where util-linux's `setpriv` exists the child
/// is also started with `--pdeathsig KILL`, so it dies with the bench even after a crash.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process: Process
    let logPath: String

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    init(name: String, executable: String, arguments: [String], environment: [String: String], directory: String, logPath: String) throws {
        self.name = name
        self.logPath = logPath
        let process = Process()
        let setpriv = "/usr/bin/setpriv"
        if FileManager.default.isExecutableFile(atPath: setpriv) {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--pdeathsig", "KILL", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try Spawner.shared.run { try process.run() }
        Children.add(self)
    }

    /// SIGTERM, then SIGKILL after `grace`; waits until it is gone.
    func stop(grace: TimeInterval = 3) {
        defer { Children.remove(self) }
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    func killNow() {
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// The last lines of the child's output, for error messages.
    func tail(_ lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Starts children from one thread that lives as long as the process. `--pdeathsig` fires
/// when the *thread* that forked the child exits, and the threads of Swift's cooperative pool
/// come and go, so spawning from a task would kill the server a few idle seconds later.
final class Spawner: @unchecked Sendable {
    static let shared = Spawner()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "bench-spawner"
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the spawner thread and waits for it.
    func run(_ body: @escaping () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        condition.lock()
        jobs.append {
            do { try body() } catch { failure = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }
}

/// Every running child, so that none outlives the benchmark.
enum Children {
    private static let all = NIOLockedValueBox<[ObjectIdentifier: ChildProcess]>([:])
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    static func add(_ child: ChildProcess) { all.withLockedValue { $0[ObjectIdentifier(child)] = child } }
    static func remove(_ child: ChildProcess) { _ = all.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(child)) } }

    static func killAll() {
        for child in all.withLockedValue({ Array($0.values) }) { child.killNow() }
    }

    /// On SIGINT, SIGTERM or SIGHUP: kill the children, then exit.
    static func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                killAll()
                FileHandle.standardError.write(Data("\nbench: interrupted, child processes killed\n".utf8))
                exit(130)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}

/// Readings from /proc for a process.
enum ProcStat {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime of `pid`, in seconds (clock-tick resolution).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "comm)": state is field 3; utime is 14, stime 15 (1-based).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / ticksPerSecond
    }

    /// Time on CPU of all threads of `pid`, in seconds, from /proc/<pid>/task/*/schedstat
    /// (nanosecond resolution; threads that exited meanwhile are not counted).
    static func schedSeconds(_ pid: Int32) -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var total: Int64 = 0
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let nanos = Int64(first) else { continue }
            total += nanos
        }
        return Double(total) / 1e9
    }

    /// CPU time all cores spent busy (user, nice, system, irq, softirq, steal), in seconds,
    /// from the first line of /proc/stat.
    static func machineBusySeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        return busy / ticksPerSecond
    }

    /// The first three fields of /proc/loadavg (1, 5, 15 minutes), e.g. "0.52 0.40 0.31".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// VmRSS of `pid`, in bytes.
    static func rssBytes(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int(parts[1]) { return kib * 1024 }
        }
        return nil
    }

    /// The pid of the process that actually runs the server: when the child was started
    /// through `setpriv`, that is the same pid (setpriv execs), so this is the identity.
    static func selfPid() -> Int32 { getpid() }
}

/// Nice values. On Linux nice is per thread (a thread starts with its creator's), and
/// Swift's and Dispatch's worker threads do not keep the value the process started with, so
/// `nice -n -10 communis bench …` alone does not reach the threads that matter.
enum Niceness {
    /// Sets the nice value of every current thread of `pid`. False when any refused (lowering
    /// it needs CAP_SYS_NICE).
    @discardableResult
    static func apply(_ value: Int32, to pid: Int32) -> Bool {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return false }
        var ok = true
        for task in tasks {
            guard let tid = Int32(task) else { continue }
            if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), value) != 0 { ok = false }
        }
        return ok
    }

    /// With autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled), nice only ranks
    /// threads within their session's group and each group gets a fair share: the group of
    /// `pid` gets the nice value too. False when refused or not available.
    @discardableResult
    static func applyToGroup(_ value: Int32, of pid: Int32) -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/autogroup") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("\(value)".utf8))) != nil
    }

    /// The nice value of the autogroup of `pid`, or nil.
    static func groupValue(of pid: Int32) -> Int32? {
        group(of: pid).flatMap { $0.split(separator: " ").last }.flatMap { Int32($0) }
    }

    /// "/autogroup-N nice V" of `pid`, or nil.
    static func group(of pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/autogroup", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The nice values of the threads of `pid`, lowest and highest.
    static func range(of pid: Int32) -> ClosedRange<Int>? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var values: [Int] = []
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // Field 19 (1-based) is nice; fields here start at field 3.
            if fields.count > 16, let nice = Int(fields[16]) { values.append(nice) }
        }
        guard let low = values.min(), let high = values.max() else { return nil }
        return low...high
    }
}

enum Limits {
    /// Raises the soft open-file limit to the hard limit (children inherit it). Returns it.
    @discardableResult
    static func raiseOpenFiles() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return UInt64(limit.rlim_cur)
    }
}

enum Ports {
    /// A TCP port on 127.0.0.1 that is free now (bound to port 0, read back, closed).
    static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension Ports {
    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// The environments of the children: nothing of ours leaks in but PATH, HOME, LANG, TMPDIR.
enum BenchEnvironment {
    static var base: [String: String] {
        let env = ProcessInfo.processInfo.environment
        var clean: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "TMPDIR"] { if let value = env[key] { clean[key] = value } }
        return clean
    }

    /// Overrides for `communis serve` under a benchmark: cheap bcrypt for setup, no login
    /// throttling, command rate limits out of the way, pings rare (the baselines send none,
    /// and pings are not what is measured), quiet logs.
    static var communis: [String: String] {
        base.merging([
            "COMMUNIS_AUTH_BCRYPT_COST": "4",
            "COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
            "COMMUNIS_LIVE_COMMAND_BURST": "10000",
            "COMMUNIS_LIVE_COMMANDS_PER_SECOND": "10000",
            "COMMUNIS_LIVE_PING_INTERVAL_SECONDS": "600",
            "COMMUNIS_LIVE_IDLE_TIMEOUT_SECONDS": "1200",
            "COMMUNIS_HTTP_SILENCE_TIMEOUT_SECONDS": "300",
            "COMMUNIS_LOG_LEVEL": "warning",
        ]) { $1 }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC), the clock of every latency in the benchmark.
@inline(__always)
func monotonicNanos() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}
