import CommunisModel
import Foundation
import NIOConcurrencyHelpers

/// Runs the programs and scripts of the test fixtures (slapd.py, pgcluster.py, psql …) and
/// collects what they print, without blocking Swift's cooperative threads.
public enum FixtureProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Waiting for a process blocks a thread: not one of Swift's cooperative pool.
    public static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `executable` to its end; returns its exit status, standard output and error.
    public static func execute(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (Int32, (stdout: String, stderr: String)) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do {
            try spawn(process)
        } catch {
            throw Failure(description: "cannot run \(executable) \(arguments.first ?? ""): \(error)")
        }
        // Input is written and stderr read on threads of their own, so no pipe can fill up
        // and stall the program while this thread reads stdout.
        if let input {
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(Data(input.utf8))
                try? writer.close()
            }
        }
        let errors = NIOLockedValueBox(Data())
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = readAll(stderr.fileHandleForReading)
            errors.withLockedValue { $0 = data }
            done.signal()
        }
        let out = readAll(stdout.fileHandleForReading)
        done.wait()
        process.waitUntilExit()
        let err = errors.withLockedValue { $0 }
        return (process.terminationStatus, (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)))
    }

    /// Starts `process`, one start at a time in this test process (`ProcessLaunch`: Foundation's
    /// `Process.run` on Linux is not safe against another thread starting a process at the same
    /// moment).
    public static func spawn(_ process: Process) throws {
        try ProcessLaunch.run(process)
    }

    /// Reads until end of file, retrying reads a signal interrupted (Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which child processes ending nearby cause).
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let descriptor = handle.fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return data
            }
        }
    }

    /// The repository's root (for the fixture scripts under Tests/Fixtures).
    public static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}
