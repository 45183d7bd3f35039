import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the outside programs of text extraction and previews (poppler's `pdftotext` and
/// `pdftoppm`, LibreOffice's `soffice`) with a deadline and a bound on what is read of their
/// standard output.
///
/// Each run waits on a thread of its own, never on one of Swift's cooperative threads, so a
/// slow conversion holds up nothing else. Every child leads a process group of its own; a
/// run that passes its deadline, prints more than it may, or whose task is cancelled is ended
/// with SIGKILL to that whole group, so the `soffice.bin` that LibreOffice's start script
/// leaves behind ends with it.
public enum ExternalProgram {
    public struct Outcome: Sendable {
        public var status: Int32
        /// What the program printed on standard output, at most `maxOutput` bytes.
        public var output: Data
        /// The program printed more than `maxOutput` bytes and was stopped there.
        public var truncated: Bool
        /// The end of what it printed on standard error (for error messages).
        public var errors: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notInstalled(String)
        case timedOut(String, seconds: Int)
        case failed(String, status: Int32, errors: String)

        public var description: String {
            switch self {
            case .notInstalled(let name): "\(name) is not installed (see .ci/install)"
            case .timedOut(let name, let seconds): "\(name) did not finish within \(seconds) s"
            case .failed(let name, let status, let errors): "\(name) exited with \(status): \(errors)"
            }
        }
    }

    /// Runs `program` (a path, or a name looked up in PATH) to its end or its deadline.
    /// A non-zero exit is returned, not thrown, unless `check` (then `Failure.failed`);
    /// a truncated run is never a failure (the caller asked for at most `maxOutput` bytes).
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], timeout: Duration, maxOutput: Int = 1 << 20,
                           environment: [String: String]? = nil, check: Bool = true) async throws -> Outcome {
        guard let executable = locate(program) else { throw Failure.notInstalled(program) }
        // Cancelling the task (the server shutting down) kills the child at once, rather than
        // waiting for it to finish or reach its deadline.
        let control = Control()
        let outcome = try await withTaskCancellationHandler {
            try await onOwnThread {
                try runBlocking(executable, arguments, timeout: timeout, maxOutput: maxOutput, environment: environment, control: control)
            }
        } onCancel: {
            control.cancel()
        }
        if control.isCancelled { throw CancellationError() }
        if outcome.timedOut { throw Failure.timedOut(program, seconds: Int(timeout.components.seconds)) }
        if check, outcome.result.status != 0, !outcome.result.truncated {
            throw Failure.failed(program, status: outcome.result.status, errors: outcome.result.errors)
        }
        return outcome.result
    }

    /// The program's path: `program` itself when it names a path, else the first match in PATH.
    public static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs blocking work (a child's pipes, a ZIP archive's reads) on a thread of its own.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The child's state, shared by the thread that waits for it, the deadline's timer and
    /// the task's cancellation.
    private final class Control: Sendable {
        struct State {
            var pid: Int32?
            var finished = false
            var killed = false
            var cancelled = false
        }
        let state = Mutex(State())

        var isCancelled: Bool { state.withLock { $0.cancelled } }

        /// Records the started child; kills it at once if the task was cancelled meanwhile.
        func started(_ pid: Int32) {
            let cancelled = state.withLock { state in
                state.pid = pid
                return state.cancelled
            }
            if cancelled { stop() }
        }

        func cancel() {
            state.withLock { $0.cancelled = true }
            stop()
        }

        /// Kills the child's process group unless it has been waited for (its pid could be
        /// another process's by then). Returns whether it did.
        @discardableResult
        func stop() -> Bool {
            state.withLock { state in
                guard let pid = state.pid, !state.finished, !state.killed else { return false }
                state.killed = true
                _ = kill(-pid, SIGKILL)
                _ = kill(pid, SIGKILL)
                return true
            }
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], timeout: Duration, maxOutput: Int,
                                    environment: [String: String]?, control: Control) throws -> (result: Outcome, timedOut: Bool) {
        let stdout = try channel()
        let stderr: (read: Int32, write: Int32)
        let pid: pid_t
        do {
            stderr = try channel()
            do {
                pid = try spawn(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                stdout: stdout.write, stderr: stderr.write)
            } catch {
                close(stderr.read)
                close(stderr.write)
                throw error
            }
        } catch {
            close(stdout.read)
            close(stdout.write)
            throw error
        }
        // Our copies of the write ends must go, or reading would never see the end of file.
        close(stdout.write)
        close(stderr.write)
        defer {
            close(stdout.read)
            close(stderr.read)
        }
        control.started(pid)

        let timedOut = Atomic<Bool>(false)
        let deadline = DispatchWorkItem {
            if control.stop() { timedOut.store(true, ordering: .relaxed) }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)

        // Standard error is read on a thread of its own (keeping its last 4 KiB), so neither
        // channel can fill up and stall the program.
        let errorTail = Mutex(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        let errorDescriptor = stderr.read
        Thread.detachNewThread {
            readAll(errorDescriptor, limit: nil) { chunk in
                errorTail.withLock { tail in
                    tail.append(chunk)
                    if tail.count > 8192 { tail = tail.suffix(4096) }
                }
            }
            errorsRead.signal()
        }
        var output = Data()
        var truncated = false
        readAll(stdout.read, limit: maxOutput + 1) { chunk in
            output.append(chunk)
        }
        if output.count > maxOutput {
            truncated = true
            output = output.prefix(maxOutput)
            control.stop()
        }
        let status = wait(for: pid)
        control.state.withLock { $0.finished = true }
        deadline.cancel()
        errorsRead.wait()
        let errors = String(decoding: errorTail.withLock { $0.suffix(4096) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let result = Outcome(status: status, output: output, truncated: truncated, errors: errors)
        return (result, timedOut.load(ordering: .relaxed))
    }

    /// A connected pair of sockets for one of the child's outputs, both ends close-on-exec
    /// from the start (a pipe made and then marked could leak its write end into a process
    /// another thread starts in between, and its reader would never see the end).
    private static func channel() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &descriptors) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return (descriptors[0], descriptors[1])
    }

    /// Starts the child with `posix_spawn`: its own process group (so a kill reaches whatever
    /// it starts), standard input from /dev/null, the default handling of SIGPIPE, no blocked
    /// signals. Foundation's `Process` is not used: its start is not safe against other
    /// threads starting processes at the same moment (a crash seen in the test suites).
    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var blocked = sigset_t()
        sigemptyset(&blocked)
        posix_spawnattr_setsigmask(&attributes, &blocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    /// Waits for the child to end; its exit status, or 128 + the signal that ended it.
    private static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Reads until end of file or `limit` bytes, retrying reads a signal interrupted.
    private static func readAll(_ descriptor: Int32, limit: Int?, _ consume: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        while limit.map({ total < $0 }) ?? true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                total += count
                consume(Data(buffer[0..<count]))
            } else if count < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return
            }
        }
    }
}
